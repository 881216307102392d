from django.db.models import QuerySet

from accounts.models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def user_find_by_email(*, email: str) -> User | None:
    """The account using ``email`` (case and surrounding spaces ignored), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()
