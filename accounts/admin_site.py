"""The Django admin's site, with the login page throttled by the same limiter as the site's login page."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse

from accounts import services
from accounts.views import client_ip
from stagewise.errors import RateLimited


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, counting failures per account and per client address like ``accounts.views.login_view``.

    Without it, the admin login is a way around the login page's limit: guess there, then sign in anywhere.
    """

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return super().clean()
        ip = client_ip(self.request) if self.request is not None else "unknown"
        try:
            services.login_throttle_check(email=email, client_ip=ip)
        except RateLimited as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password (not a right one for an account that isn't staff)
                services.login_failure_record(email=email, client_ip=ip)
            raise
        services.login_success_record(email=email, client_ip=ip)
        return cleaned


class StagewiseAdminSite(admin.AdminSite):
    login_form = ThrottledAdminAuthenticationForm

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.has_error(NON_FIELD_ERRORS, code="login_rate_limited"):
            response.status_code = 429  # as the site's login page answers
        return response
