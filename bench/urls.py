"""The project's URLs plus ``POST /bench/bare``: django-ninja, no auth, inserts one row. The baseline."""

import uuid

from django.urls import path
from ninja import NinjaAPI

from cohorts.models import SendLog
from stagewise.urls import urlpatterns as project_urlpatterns

bare = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


@bare.post("/bare")
def bare_insert(request):
    row = SendLog.objects.create(key=f"bench:{uuid.uuid4().hex}", kind="bench")
    return {"id": row.pk}


urlpatterns = [path("bench/", bare.urls), *project_urlpatterns]
