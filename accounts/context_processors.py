"""What every page's layout needs to know about the signed-in user."""

from typing import Any

from django.http import HttpRequest

from accounts.notifications import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: the count the navigation shows (one indexed count, signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notification_unread_count(user=user)}
