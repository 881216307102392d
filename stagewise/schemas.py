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
    """The one error shape (``stagewise.api``), for documenting an operation's error responses in OpenAPI."""

    code: str = Field(..., description="Stable and machine-readable: `cohort_full`, `validation_error`, …")
    message: str = Field(..., description="For a person, in the request's language")
    details: dict[str, Any] = Field(..., description="More about the error; for `validation_error`, `errors`")
