"""The project's URLs plus billing's router mounted on an API built like ``stagewise.api`` (same error mapping).

Billing's router is not registered on the project API yet: registering it needs entries in the permission
matrix (tests/test_api_permissions.py) and the list-path set (tests/test_api_errors.py), which other owners keep.
"""

from django.http import Http404
from django.urls import include, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from billing.api import router
from stagewise import api as project
from stagewise.errors import ApplicationError

billing_api = NinjaAPI(title="Stagewise API (billing under test)", version="1-billing", urls_namespace="billing_api")
billing_api.add_router("", router)
for exc_class, handler in (
    (ApplicationError, project.on_application_error),
    (ValidationError, project.on_validation_error),
    (AuthenticationError, project.on_authentication_error),
    (Http404, project.on_not_found),
    (HttpError, project.on_http_error),
):
    billing_api.add_exception_handler(exc_class, handler)

urlpatterns = [path("api/v1/", billing_api.urls), path("", include("stagewise.urls"))]
