from datetime import datetime
from typing import Annotated, Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from accounts.models import Language, MailTopic
from stagewise.schemas import InSchema


def _email_address(value: str) -> str:
    """Django's own check, the one the pages' ``forms.EmailField`` and the User model run: the API accepts exactly the
    addresses the pages accept (``ana@demo.local`` included, which pydantic's ``EmailStr`` refused), with the same
    message."""
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise PydanticCustomError("value_error", str(exc.messages[0])) from None
    return value


def _password_min_length() -> int:
    """The minimum ``AUTH_PASSWORD_VALIDATORS`` set, for the document: the service checks it (with its message)."""
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            return validator.min_length
    return 1


PASSWORD_RULES = (
    "The site's password rules apply (checked by the service: `weak_password`): not too short, too common, "
    "entirely numeric or too close to the e-mail address or name."
)


def _password_field() -> Any:
    return Field(
        ...,
        min_length=1,
        max_length=200,
        description=PASSWORD_RULES,
        json_schema_extra={"minLength": _password_min_length()},
    )


EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email_address)]
"""An e-mail address in a request body (the pages' forms use ``forms.EmailField(max_length=254)``: the same rule)."""


class SignUpIn(InSchema):
    email: EmailAddress
    password: str = _password_field()
    display_name: str = Field(..., min_length=1, max_length=80)
    timezone: str = "UTC"
    language: Language = Language.EN
    marketing: bool = Field(False, description="Send me news and offers (opt-in; off unless `true`).")


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    timezone: str
    language: str
    is_instructor: bool
    is_marketer: bool
    is_staff: bool
    mail_feedback: bool


class ProfileIn(InSchema):
    display_name: str | None = Field(None, min_length=1, max_length=80)
    timezone: str | None = None
    language: Language | None = None
    mail_feedback: bool | None = Field(
        None, description="Mail when a check-in of mine is featured, reviewed, rejected or commented on."
    )


class TokenIn(InSchema):
    name: str = Field(..., min_length=1, max_length=80)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself. Shown only in this response; store it now.")


class PasswordResetIn(InSchema):
    email: EmailAddress


class PasswordResetConfirmIn(InSchema):
    uid: str
    token: str
    new_password: str = _password_field()


class MessageOut(Schema):
    message: str


class NotificationOut(Schema):
    id: int
    kind: str = Field(
        ..., description="checkin_featured, checkin_rejected, checkin_reviewed, checkin_commented or award_won"
    )
    message: str = Field(..., description="What happened, in the request's language.")
    url: str = Field(..., description="The page it is about (a path on this site).")
    params: dict[str, Any] = Field(..., description="The message's values: actor, day, cohort, text.")
    created_at: datetime
    read_at: datetime | None


class NotificationsReadOut(Schema):
    marked: int = Field(..., description="How many were unread.")


class UnreadCountOut(Schema):
    unread: int


class ConsentTopicOut(Schema):
    label: str = Field(..., description="The topic's name, in the request's language.")
    subscribed: bool = Field(..., description="Your setting for the topic: your choice, or the topic's default.")
    effective: bool = Field(..., description="Whether its mail reaches you: the setting, unless `unsubscribed_all`.")
    is_default: bool = Field(..., description="You haven't chosen yet: the topic's default applies.")
    changed_at: datetime | None = Field(..., description="When you last chose.")


class ConsentOut(Schema):
    unsubscribed_all: bool = Field(..., description="No topic's mail reaches you, whatever the topics say.")
    unsubscribed_all_is_default: bool = Field(..., description="You have never used the global switch.")
    topics: dict[str, ConsentTopicOut] = Field(
        ..., description="By topic: `reminders`, `upgrade_offers`, `marketing` (news and offers)."
    )


class ConsentIn(InSchema):
    """What to change; anything left out keeps its setting. Mail about your own orders, seats, refunds, password and
    certificates is not a topic: it always goes out."""

    topics: dict[MailTopic, bool] = Field(
        default_factory=dict, description='Topic → subscribed, e.g. `{"marketing": true, "reminders": false}`.'
    )
    unsubscribed_all: bool | None = Field(
        None, description="`true`: no topic's mail at all; `false`: each topic's setting applies again."
    )
