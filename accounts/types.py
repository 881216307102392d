"""Request types for code that knows who is asking, so mypy checks what views and routers do with the user.

For type checkers only (ninja and Django set these attributes at run time):
- ``AuthedRequest``: an API endpoint with ``auth=auth_required``, whose ``auth`` is the signed-in user;
- ``ApiRequest``: an API endpoint with ``auth=auth_optional`` (a user, or anonymous);
- ``PageRequest``: a page behind ``login_required``.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    auth: User


class ApiRequest(HttpRequest):
    auth: User | AnonymousUser


class PageRequest(HttpRequest):
    user: User
