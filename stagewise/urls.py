from django.contrib import admin
from django.urls import include, path

from stagewise.api import api

handler400 = "stagewise.pages.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("accounts.urls")),
    path("", include("alumni.urls")),
    path("", include("billing.urls")),
    path("", include("cohorts.urls")),
    path("", include("content.urls")),
]
