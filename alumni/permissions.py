"""Who may use the marketer's workspace: marketers and staff. Learners and instructors get 403 ``not_marketer``
from the API and the 403 page from pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import is_marketer
from stagewise.errors import Forbidden


def marketer_check(user: Any) -> None:
    """For services and API endpoints: raises 403 ``not_marketer`` unless the user is a marketer or staff."""
    if not is_marketer(user):
        raise Forbidden(_("Only marketers and staff can use the marketing workspace."), code="not_marketer")


def marketer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages: sign in first, then marketers and staff only (others see the 403 page)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        marketer_check(request.user)
        return view(request, *args, **kwargs)

    return wrapped
