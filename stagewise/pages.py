"""What every page view shares: rendering with the request's flash messages, and safe ``next`` redirects.

A service's ``NotFound`` / ``Forbidden`` become the 404 / 403 page in ``stagewise.middleware.PageErrorMiddleware``;
a request Django refuses to read becomes the 400 or 413 page here (``bad_request``).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from stagewise.errors import RequestTooLarge


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a page with the flash messages of this request (the only thing every page needs beyond ``request``)."""
    context = dict(context or {})
    context.setdefault("flash", list(messages.get_messages(request)))
    return render(request, template, context, status=status)


def is_safe_url(request: HttpRequest, target: str) -> bool:
    """Whether redirecting to ``target`` stays on this site."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    """The ``next`` URL of the request if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_url(request, target) else fallback


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 handler (``handler400``), reached wherever a page's request is refused, the CSRF check's read of
    the form included: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is the 413 page, anything else Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        error = RequestTooLarge()
        return render(request, "413.html", {"message": error.message, "flash": []}, status=error.status)
    return defaults.bad_request(request, exception)
