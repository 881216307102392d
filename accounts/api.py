from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from accounts import consent, notifications, selectors, services
from accounts.auth import auth_required
from accounts.models import ApiToken, Notification, User
from accounts.schemas import (
    ConsentIn,
    ConsentOut,
    MeOut,
    MessageOut,
    NotificationOut,
    NotificationsReadOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfileIn,
    SignUpIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UnreadCountOut,
)
from accounts.types import AuthedRequest
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["accounts"])


@router.post("/auth/signup", response={201: MeOut}, auth=None)
def sign_up(request: HttpRequest, payload: SignUpIn) -> Status[User]:
    user = services.user_sign_up(
        email=payload.email,
        password=payload.password,
        display_name=payload.display_name,
        timezone_name=payload.timezone,
        language=payload.language,
        marketing=payload.marketing,
    )
    return Status(201, user)


@router.post("/auth/password-reset", response={202: MessageOut}, auth=None)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[dict[str, str]]:
    services.password_reset_request(email=payload.email)
    return Status(202, {"message": "If an account uses this address, a reset link is on its way."})


@router.post("/auth/password-reset/confirm", response=MessageOut, auth=None)
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> dict[str, str]:
    services.password_reset_confirm(uidb64=payload.uid, token=payload.token, new_password=payload.new_password)
    return {"message": "Your password has been changed. You can sign in now."}


@router.get("/me", response=MeOut, auth=auth_required)
def me(request: AuthedRequest) -> User:
    return request.auth


@router.patch("/me", response=MeOut, auth=auth_required)
def me_update(request: AuthedRequest, payload: ProfileIn) -> User:
    return services.user_profile_update(
        user=request.auth,
        display_name=payload.display_name,
        timezone_name=payload.timezone,
        language=payload.language,
        mail_feedback=payload.mail_feedback,
    )


@router.get("/me/consent", response=ConsentOut, auth=auth_required)
def consent_get(request: AuthedRequest) -> dict[str, Any]:
    """Which mail topics reach you: each topic's setting, what it means with the global switch, whether it is still
    the default."""
    return consent.consent_state(user=request.auth)


@router.put("/me/consent", response=ConsentOut, auth=auth_required)
def consent_put(request: AuthedRequest, payload: ConsentIn) -> dict[str, Any]:
    """Change topics and the global switch; each change is recorded once (source `api`). Topics left out, or
    `unsubscribed_all` left out, keep their setting."""
    consent.consent_update(
        user=request.auth,
        topics={str(topic): subscribed for topic, subscribed in payload.topics.items()},
        unsubscribed_all=payload.unsubscribed_all,
        source="api",
    )
    return consent.consent_state(user=request.auth)


@router.get("/me/tokens", response=list[TokenOut], auth=auth_required)
@paginate(Pagination)
def token_list(request: AuthedRequest) -> QuerySet[ApiToken]:
    return selectors.api_token_list(user=request.auth)


@router.post("/me/tokens", response={201: TokenCreatedOut}, auth=auth_required)
def token_create(request: AuthedRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/me/tokens/{token_id}", response={204: None}, auth=auth_required)
def token_revoke(request: AuthedRequest, token_id: RowId) -> Status[None]:
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)


@router.get(
    "/me/notifications", response={200: list[NotificationOut], 401: ErrorOut, 422: ErrorOut}, auth=auth_required
)
@paginate(Pagination)
def notification_list(request: AuthedRequest, unread: bool = False) -> QuerySet[Notification]:
    """Your notifications, newest first (``?unread=true``: only the unread ones)."""
    return notifications.notification_list(user=request.auth, unread_only=unread)


@router.get("/me/notifications/unread-count", response={200: UnreadCountOut, 401: ErrorOut}, auth=auth_required)
def notification_unread_count(request: AuthedRequest) -> dict[str, int]:
    return {"unread": notifications.notification_unread_count(user=request.auth)}


@router.post("/me/notifications/read", response={200: NotificationsReadOut, 401: ErrorOut}, auth=auth_required)
def notification_read_all(request: AuthedRequest) -> dict[str, int]:
    """Mark every unread notification read."""
    return {"marked": notifications.notification_mark_all_read(user=request.auth)}


@router.post(
    "/me/notifications/{notification_id}/read",
    response={200: NotificationOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=auth_required,
)
def notification_read(request: AuthedRequest, notification_id: RowId) -> Notification:
    """Mark one notification read. 404 ``notification_not_found`` if it is missing or someone else's."""
    return notifications.notification_mark_read(user=request.auth, notification_id=notification_id)
