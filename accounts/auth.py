"""Authentication for the JSON API: personal tokens (Bearer) and the Django session (with CSRF)."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """A personal token (``Authorization: Bearer sw_…``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is None:
            # A wrong or revoked token is an error even where anonymous reads are allowed: a script must learn
            # that its token no longer works instead of silently getting the anonymous view.
            raise AuthenticationError()
        request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The Django session. CSRF is checked only when a session signs the request in, so a client with no
    credentials at all is told to authenticate (401) rather than that a CSRF cookie is missing (403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


def anonymous(request: HttpRequest) -> Any:
    """Last resort for endpoints that anyone may read: an anonymous user (truthy, so ninja accepts it)."""
    return AnonymousUser()


auth_required = [ApiTokenAuth(), SessionCsrfAuth()]
auth_optional = [ApiTokenAuth(), SessionCsrfAuth(), anonymous]
