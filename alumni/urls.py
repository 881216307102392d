from django.urls import path

from alumni.views import dashboard

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
]
