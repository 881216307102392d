"""What every request body schema shares."""

from typing import Any

from ninja import Field, Schema
from pydantic import ValidationInfo, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler
from pydantic_core import PydanticCustomError


class InSchema(Schema):
    """The base of every ``XIn`` / ``XPatch`` schema: a request body is a JSON object.

    ninja's ``Schema`` reads its fields as the attributes of whatever it is given (that is how an ``XOut`` reads a
    model instance), so without this a bare JSON string passes: ``"Writing".title()`` is ``"Writing"``, and
    ``POST /tracks`` with the body ``"Writing"`` created a track.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _body_is_an_object(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if not isinstance(values, dict):
            raise PydanticCustomError("dict_type", "Input should be a JSON object")
        return handler(values)


class ErrorOut(Schema):
    """Every error answer of the API (``stagewise.api`` maps them all to this shape), for endpoints to document."""

    code: str = Field(..., description="Stable and machine-readable, e.g. `notification_not_found`.")
    message: str = Field(..., description="For a person, in the request's language.")
    details: dict[str, Any] = Field(default_factory=dict)
