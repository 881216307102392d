from django.urls import path

from alumni.views import dashboard, reports

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/results/", reports.campaign_results, name="campaign_results"),
    path("marketing/campaigns/<int:campaign_id>/report/", reports.campaign_report, name="campaign_report"),
    path("marketing/campaigns/<int:campaign_id>/report.csv", reports.campaign_report_csv, name="campaign_report_csv"),
    path("marketing/funnel/", reports.funnel, name="funnel"),
    path("marketing/funnel.csv", reports.funnel_csv, name="funnel_csv"),
]
