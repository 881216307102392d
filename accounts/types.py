"""Request types for code that knows who is asking, so mypy checks what views and routers do with the user.

Annotate a view behind ``login_required`` with ``AuthedRequest`` and an API endpoint with ``auth=auth_required``
with ``ApiRequest``; one that anyone may call (``auth_optional``) with ``OptionalApiRequest``.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User


class AuthedRequest(HttpRequest):
    """A page request from a signed-in user."""

    user: User


class ApiRequest(HttpRequest):
    """An API request that authenticated (a token or the session): ``auth`` is the user."""

    user: User
    auth: User


class OptionalApiRequest(HttpRequest):
    """An API request that anyone may make: ``auth`` is the user or an anonymous one."""

    auth: User | AnonymousUser
