"""What every page view shares: rendering with the request's flash messages, and safe ``next`` redirects.

Errors are not here: a service's ``NotFound`` / ``Forbidden`` become the 404 / 403 page in
``stagewise.middleware.PageErrorMiddleware``.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


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
