"""Authentication for the JSON API: personal tokens (Bearer) and the Django session (with CSRF)."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


def anonymous(request: HttpRequest) -> Any:
    """Last resort for endpoints that anyone may read: an anonymous user (truthy, so ninja accepts it)."""
    return AnonymousUser()


auth_required = [ApiTokenAuth(), SessionAuth()]
auth_optional = [ApiTokenAuth(), SessionAuth(), anonymous]
