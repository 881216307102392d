from datetime import datetime

from ninja import Field, Schema
from pydantic import EmailStr

from accounts.models import Language
from stagewise.schemas import InSchema


class SignUpIn(InSchema):
    email: EmailStr
    password: str = Field(..., min_length=1, max_length=200)
    display_name: str = Field(..., min_length=1, max_length=80)
    timezone: str = "UTC"
    language: Language = Language.EN


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    timezone: str
    language: str
    is_instructor: bool
    is_marketer: bool
    is_staff: bool


class ProfileIn(InSchema):
    display_name: str | None = Field(None, min_length=1, max_length=80)
    timezone: str | None = None
    language: Language | None = None


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
    email: EmailStr


class PasswordResetConfirmIn(InSchema):
    uid: str
    token: str
    new_password: str = Field(..., min_length=1, max_length=200)


class MessageOut(Schema):
    message: str
