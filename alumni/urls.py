from django.urls import path, re_path

from alumni.views import campaigns, dashboard

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/campaigns/", campaigns.campaign_list, name="campaigns"),
    path("marketing/campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("marketing/campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign"),
    path("marketing/campaigns/<int:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("marketing/campaigns/<int:campaign_id>/preview/", campaigns.campaign_preview, name="campaign_preview"),
    re_path(
        r"^marketing/campaigns/(?P<campaign_id>[0-9]+)/(?P<action>schedule|send-now|activate|resume|pause|cancel)/$",
        campaigns.campaign_action,
        name="campaign_action",
    ),
    path("m/<uuid:token>/", campaigns.campaign_click, name="campaign_click"),
]
