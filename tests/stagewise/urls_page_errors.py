"""The project's URLs plus pages whose service refuses: NotFound, Forbidden, and an error a view should have handled."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from stagewise.errors import Conflict, Forbidden, NotFound
from stagewise.urls import urlpatterns as project_urlpatterns


def not_found(request: HttpRequest) -> HttpResponse:
    raise NotFound("No such thing.")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise Forbidden("Not for you.")


def conflict(request: HttpRequest) -> HttpResponse:
    raise Conflict("A refusal the view forgot to show.")


urlpatterns = [
    path("test/not-found/", not_found),
    path("test/forbidden/", forbidden),
    path("test/conflict/", conflict),
    *project_urlpatterns,
]
