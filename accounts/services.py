"""Writes on accounts: sign-up, profile, API tokens, password reset, login throttling."""

import hashlib
import secrets
import time
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.consent import consent_set, consent_update
from accounts.models import ApiToken, Language, MailTopic, User, validate_timezone
from stagewise.errors import Conflict, Invalid, NotFound, RateLimited, lazy_format
from stagewise.mail import mail_send

TOKEN_PREFIX = "sw_"


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), code="weak_password", extra={"field": "password"}) from exc


def _check_profile_fields(*, display_name: str | None, timezone_name: str | None, language: str | None) -> None:
    if display_name is not None and not display_name.strip():
        raise Invalid(_("Display name can't be empty."), code="invalid_display_name", extra={"field": "display_name"})
    if timezone_name is not None:
        try:
            validate_timezone(timezone_name)
        except ValidationError as exc:
            raise Invalid(
                lazy_format(_("Unknown time zone: %(zone)s."), zone=timezone_name),
                code="invalid_timezone",
                extra={"field": "timezone"},
            ) from exc
    if language is not None and language not in Language.values:
        raise Invalid(
            lazy_format(_("Language must be one of: %(languages)s."), languages=", ".join(Language.values)),
            code="invalid_language",
            extra={"field": "language"},
        )


def user_sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    timezone_name: str = "UTC",
    language: str = Language.EN,
    marketing: bool = False,
) -> User:
    """Create an account. ``marketing``: the learner ticked "Send me news and offers" (unticked by default), recorded
    as their consent with the source "signup"; left unticked, nothing is recorded (the topic's default is off)."""
    email = User.objects.normalize_email(email.strip()).lower()
    _check_profile_fields(display_name=display_name, timezone_name=timezone_name, language=language)
    candidate = User(email=email, display_name=display_name.strip())
    _check_password(password, candidate)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                display_name=display_name.strip(),
                timezone=timezone_name,
                language=language,
            )
            if marketing:
                consent_set(user=user, topic=MailTopic.MARKETING, subscribed=True, source="signup")
            return user
    except IntegrityError as exc:
        raise Conflict(
            _("An account with this email already exists."), code="email_taken", extra={"field": "email"}
        ) from exc


def user_profile_update(
    *,
    user: User,
    display_name: str | None = None,
    timezone_name: str | None = None,
    language: str | None = None,
    mail_feedback: bool | None = None,
) -> User:
    _check_profile_fields(display_name=display_name, timezone_name=timezone_name, language=language)
    fields = []
    if mail_feedback is not None:
        user.mail_feedback = mail_feedback
        fields.append("mail_feedback")
    if display_name is not None:
        user.display_name = display_name.strip()
        fields.append("display_name")
    if timezone_name is not None:
        user.timezone = timezone_name
        fields.append("timezone")
    if language is not None:
        user.language = language
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user


def email_preferences_update(
    *, user: User, topics: dict[str, bool], unsubscribed_all: bool, mail_feedback: bool, source: str = "profile"
) -> list[str]:
    """Save the profile's email preferences: the topics and the global switch as consent (each change recorded once,
    ``accounts.consent.consent_update``) and the feedback mail setting. Returns the consent topics that changed."""
    with transaction.atomic():
        changed = consent_update(user=user, topics=topics, unsubscribed_all=unsubscribed_all, source=source)
        if user.mail_feedback != mail_feedback:
            user_profile_update(user=user, mail_feedback=mail_feedback)
    return changed


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token. Returns the row and the token itself, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise Invalid(_("Give the token a name."), code="invalid_name", extra={"field": "name"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=raw[:10], digest=_digest(raw))
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a token belongs to, or None. Records when the token was last used (at most once a minute).

    Every API request runs this: one query (the token with its user; ``digest`` is unique), plus an UPDATE at most
    once a minute.
    """
    if not raw.startswith(TOKEN_PREFIX):
        return None
    try:  # get(): digest is unique, and it leaves out the ORDER BY that first() would compile
        token = ApiToken.objects.select_related("user").get(
            digest=_digest(raw), revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _login_keys(*, email: str, client_ip: str) -> list[str]:
    """Counters for the current fixed window. The window is part of the key, so a cache whose ``incr``
    resets the expiry (the file cache does) can't stretch the window."""
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    bucket = int(time.time() // window)
    return [f"login-fail:email:{_digest(email.lower())}:{bucket}", f"login-fail:ip:{client_ip}:{bucket}"]


def login_throttle_check(*, email: str, client_ip: str) -> None:
    """Refuse a login attempt when the account or the client address failed too often in this window."""
    limit = settings.LOGIN_RATE_LIMIT
    for key in _login_keys(email=email, client_ip=client_ip):
        if cache.get(key, 0) >= limit:
            raise RateLimited(
                _("Too many failed login attempts. Wait a few minutes and try again."),
                code="login_rate_limited",
            )


def login_failure_record(*, email: str, client_ip: str) -> None:
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    for key in _login_keys(email=email, client_ip=client_ip):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def login_success_record(*, email: str, client_ip: str) -> None:
    cache.delete(_login_keys(email=email, client_ip=client_ip)[0])


def password_reset_request(*, email: str) -> None:
    """Mail a reset link if the address has an account. Says nothing either way, so accounts can't be probed."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.SITE_URL}/accounts/reset/{uid}/{token}/"
    mail_send(
        user=user, template="password_reset", context={"link": link}, key=f"password-reset:{user.pk}:{uuid4().hex}"
    )


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise Invalid(_("This reset link is invalid or has expired."), code="invalid_reset_link") from exc
    if not default_token_generator.check_token(user, token):
        raise Invalid(_("This reset link is invalid or has expired."), code="invalid_reset_link")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user
