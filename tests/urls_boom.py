"""The project's URLs plus an API endpoint that fails unexpectedly (for the 500 error-shape test)."""

from django.urls import path
from ninja import NinjaAPI

from stagewise.urls import urlpatterns as project_urlpatterns

boom = NinjaAPI(urls_namespace="boom", docs_url=None, openapi_url=None)


@boom.get("/explode")
def explode(request):
    raise RuntimeError("a bug we did not foresee")


urlpatterns = [path("api/boom/", boom.urls), *project_urlpatterns]
