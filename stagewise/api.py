"""The one NinjaAPI: routers from each app, errors mapped to ``{"code", "message", "details"}`` once."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from accounts.api import router as accounts_router
from alumni.api import router as alumni_router
from billing.api import router as billing_router
from cohorts.api import router as cohorts_router
from content.api import router as content_router
from stagewise.errors import ApplicationError, RequestTooLarge
from stagewise.openapi import ErrorDocumentingSchema


class StagewiseAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> OpenAPISchema:
        """ninja's document, plus every operation's error responses (``stagewise.openapi``)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ErrorDocumentingSchema(self, path_prefix)


api = StagewiseAPI(
    title="Stagewise API",
    version="1",
    description=(
        "Tracks, courses, lessons and cohorts. Authenticate with a personal token "
        "(`Authorization: Bearer sw_…`, created under /api/v1/me/tokens) or a session cookie plus CSRF token."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # Served from the site ("ninja" is an installed app, so its Swagger UI files are static files here), and without
    # Swagger UI's default online validator: the docs work with no internet and send the schema nowhere.
    docs=Swagger(settings={"validatorUrl": None}),
    # The documentation's order; the URL order below is by traffic.
    openapi_extra={
        "tags": [
            {"name": "accounts", "description": "Sign-up, login, profile, personal API tokens"},
            {"name": "content", "description": "Tracks, courses and lessons"},
            {"name": "cohorts", "description": "Cohorts, enrollments, released lessons"},
            {"name": "check-ins", "description": "Check-ins (打卡), make-ups, streaks, review, roster"},
            {"name": "feed", "description": "The cohort's feed: posts, comments, reactions"},
            {"name": "group rules", "description": "Rules, strikes, removals, nudges"},
            {"name": "webhooks", "description": "Chat-group webhooks and their delivery logs"},
            {"name": "credentials", "description": "Verifying Open Badges 3.0 credentials (certificates)"},
            {"name": "certificates", "description": "Completion certificates: public verification, download, reissue"},
            {"name": "billing", "description": "Checkout, payments, refunds, coupons, credit, applications"},
            {"name": "alumni", "description": "The marketer's workspace: alumni records, segments, campaigns, funnel"},
        ]
    },
)
# Django tries an API path against each pattern in turn, so the busiest routers come first: a check-in used to be
# compared with some forty patterns before its own (about 0.15 ms of every check-in, measured in bench/). Cohorts'
# router starts with its check-ins and feed (cohorts/api/__init__.py).
api.add_router("", cohorts_router)
api.add_router("", accounts_router)
api.add_router("", content_router)
api.add_router("", billing_router)
api.add_router("", alumni_router)


def _error(request: HttpRequest, status: int, code: str, message: str, details: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or {}}, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status, exc.code, str(exc.message), exc.extra)


@api.exception_handler(RequestDataTooBig)
def on_request_data_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """Django refused to read a body over its upload limit: the client sent too much, nothing went wrong here."""
    return on_application_error(request, RequestTooLarge())


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "invalid")})
    return _error(request, 422, "validation_error", "Some fields are missing or invalid.", {"errors": fields})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", "Sign in or send a valid API token.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _error(request, 429, "rate_limited", "Too many requests. Try again shortly.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "not_allowed",
    }
    code = "csrf_failed" if "CSRF" in str(exc) else codes.get(exc.status_code, "error")
    message = "The CSRF token is missing or wrong; reload the page." if code == "csrf_failed" else str(exc)
    return _error(request, exc.status_code, code, message)
