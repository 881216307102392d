"""The OpenAPI document's error responses, derived once from each operation (``stagewise.api`` uses it).

An operation's own ``response={...}`` documents its successes; the errors every operation of a kind can answer are
added here, from what the operation takes, so a new endpoint is documented without touching its decorator:

- 400 a body that is not JSON; 401 any authentication (a wrong or revoked token is refused even where anonymous
  reads are allowed); 403 a write with authentication (the CSRF check of a session, a role the service checks), and
  any operation of a role's own tag (``ROLE_TAGS``: the marketer's workspace, reads included);
- 404 a path parameter, or an id in the body (``…_id``), names a row that is missing or not yours;
- 409 a write clashing with the current state; 413 a write whose body is over Django's upload limit;
- 422 any parameter or body (the schema's rules, then the service's); 429 a throttled operation.

What no rule can see, the decorator declares in plain ninja (``response={200: list[X], 404: ErrorOut}`` for a
staff-only list that hides itself from others): its entry is kept. Two schemas of one name (one component in the
document, showing one's fields for both) stop the document from being built, so a test catches them.
"""

from http import HTTPStatus
from typing import Any

from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from stagewise.schemas import ErrorOut

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Tags whose every operation, reads included, is for one role (the marketer's workspace): a 403 for the others.
ROLE_TAGS = {"alumni"}

DESCRIPTIONS = {
    400: "The body is not valid JSON (`bad_request`).",
    401: "Not signed in, or the API token is wrong or revoked (`not_authenticated`).",
    403: "The session's CSRF token is missing or wrong (`csrf_failed`), or your role can't do this.",
    404: "Missing **or** not yours: the same answer, so ids can't be probed.",
    409: "The request clashes with the current state (a status, a full cohort, a unique row).",
    413: "The request body is over the upload limit (`request_too_large`).",
    422: "Invalid input: `validation_error` lists the fields in `details.errors`; other codes name a rule.",
    429: "Too many requests (`rate_limited`); try again shortly.",
}


def error_statuses(*, methods: set[str], details: dict[str, Any], body_fields: set[str], throttled: bool) -> list[int]:
    """The error statuses an operation can answer, from its methods, its OpenAPI details and its body's fields."""
    writes = bool(methods - SAFE_METHODS)
    authenticated = bool(details.get("security"))
    has_body = "requestBody" in details
    path_params = [p for p in details.get("parameters", []) if p["in"] == "path"]
    statuses = {
        400: has_body,
        401: authenticated,
        403: authenticated and (writes or bool(ROLE_TAGS & set(details.get("tags", [])))),
        404: bool(path_params) or any(name.endswith(("_id", "_ids")) for name in body_fields),
        409: writes,
        413: writes,
        422: writes or has_body or bool(details.get("parameters")),
        429: throttled,
    }
    return [status for status, applies in statuses.items() if applies]


class ErrorDocumentingSchema(OpenAPISchema):
    """ninja's OpenAPI document, with the error responses of every operation and one component per schema name."""

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        responses = details["responses"]
        error = self._error_schema()
        statuses = error_statuses(
            methods=set(operation.methods),
            details=details,
            body_fields=self._body_fields(details),
            throttled=bool(operation.throttle_objects),
        )
        for status in statuses:
            responses.setdefault(
                status, {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": error}}}
            )
        for status, response in responses.items():
            if status in DESCRIPTIONS and response["description"] == HTTPStatus(status).phrase:
                response["description"] = DESCRIPTIONS[status]  # one the decorator declared: ninja's is the phrase
        details["responses"] = dict(sorted(responses.items()))
        return details

    def _error_schema(self) -> dict[str, Any]:
        """A reference to ``ErrorOut``, its component made as ninja makes a response model's."""
        definition = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )
        self.add_schema_definitions({ErrorOut.__name__: definition})
        return {"$ref": REF_TEMPLATE.format(model=ErrorOut.__name__)}

    def _body_fields(self, details: dict[str, Any]) -> set[str]:
        fields: set[str] = set()
        for content in details.get("requestBody", {}).get("content", {}).values():
            schema = content["schema"]
            if "$ref" in schema:
                schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
            fields |= set(schema.get("properties", {}))
        return fields

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        """Two schemas of one name would share one component, and the document would show one's fields for both."""
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ValueError(f"Two different schemas are named {name}: rename one (its class).")
        super().add_schema_definitions(definitions)
