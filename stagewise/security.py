"""Response headers that harden every page: a Content-Security-Policy, and no caching of what a signed-in person sees.

HSTS, the HTTPS redirect, nosniff and the referrer policy are Django's ``SecurityMiddleware`` (settings from the
environment, see README's configuration table); this adds what Django 5.2 has no setting for.
"""

from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse

# The site runs its own scripts and styles only (static/), never inline ones: a script injected into a page can't run.
# Images may come from anywhere on https (a lesson's markdown can show one); nothing may frame the site.
CONTENT_SECURITY_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "https:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": ("'none'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# Stripe's Payment Element (the pay page with a real key): its script, its frames and its API.
STRIPE_SOURCES: dict[str, tuple[str, ...]] = {
    "script-src": ("https://js.stripe.com",),
    "frame-src": ("https://js.stripe.com", "https://hooks.stripe.com"),
    "connect-src": ("https://api.stripe.com",),
}


def csp_allow(response: HttpResponse, sources: Mapping[str, tuple[str, ...]]) -> HttpResponse:
    """Let this one response load from more places (a page embedding a provider's script)."""
    allowed = getattr(response, "csp_sources", {})
    response.csp_sources = {  # type: ignore[attr-defined]
        name: allowed.get(name, ()) + sources.get(name, ()) for name in {*allowed, *sources}
    }
    return response


def content_security_policy(extra: Mapping[str, tuple[str, ...]] | None = None) -> str:
    directives = []
    for name, sources in CONTENT_SECURITY_POLICY.items():
        more = (extra or {}).get(name, ())
        if more:
            sources = tuple(source for source in sources if source != "'none'") + more
        directives.append(" ".join((name, *sources)))
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    """Every response gets the Content-Security-Policy (unless it has its own), and a response to a signed-in person —
    a page or JSON, through the session or a token — gets ``Cache-Control: private, no-store`` (unless the view chose
    its caching), so neither a shared cache nor the next person at the computer is shown it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(getattr(response, "csp_sources", None))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
