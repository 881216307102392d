from typing import Any

from django.db.models import QuerySet

from accounts.models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def user_find_by_email(*, email: str) -> User | None:
    """The account using ``email`` (case and surrounding spaces ignored), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def is_marketer(user: Any) -> bool:
    """Marketers and staff: who works with alumni, campaigns, coupons and every cohort's survey (one definition)."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or getattr(user, "is_marketer", False)))
