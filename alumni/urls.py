from django.urls import path, re_path

from alumni.views import campaigns, coupons, dashboard, imports, records, reports
from alumni.views import segments as segment_views

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/coupons/", coupons.coupon_list, name="coupons"),
    path("marketing/coupons/new/", coupons.coupon_new, name="coupon_new"),
    path("marketing/coupons/<int:coupon_id>/", coupons.coupon_detail, name="coupon"),
    path("marketing/coupons/<int:coupon_id>/edit/", coupons.coupon_edit, name="coupon_edit"),
    path("marketing/coupons/<int:coupon_id>/action/", coupons.coupon_action, name="coupon_action"),
    path("marketing/coupons/<int:coupon_id>/redemptions.csv", coupons.coupon_redemptions_csv, name="coupon_csv"),
    path("marketing/results/", reports.campaign_results, name="campaign_results"),
    path("marketing/campaigns/<int:campaign_id>/report/", reports.campaign_report, name="campaign_report"),
    path("marketing/campaigns/<int:campaign_id>/report.csv", reports.campaign_report_csv, name="campaign_report_csv"),
    path("marketing/funnel/", reports.funnel, name="funnel"),
    path("marketing/funnel.csv", reports.funnel_csv, name="funnel_csv"),
    path("marketing/segments/", segment_views.segment_list, name="segments"),
    path("marketing/segments/new/", segment_views.segment_new, name="segment_new"),
    path("marketing/segments/<int:segment_id>/", segment_views.segment_detail, name="segment"),
    path("marketing/segments/<int:segment_id>/edit/", segment_views.segment_edit, name="segment_edit"),
    path("marketing/segments/<int:segment_id>/archive/", segment_views.segment_archive, name="segment_archive"),
    path("marketing/segments/<int:segment_id>/export.csv", segment_views.segment_export_csv, name="segment_export"),
    path("marketing/segments/<int:segment_id>/why/<int:learner_id>/", segment_views.segment_why, name="segment_why"),
    path("marketing/imports/", imports.imports, name="imports"),
    path("marketing/imports/template.csv", imports.import_template, name="import_template"),
    path("marketing/imports/<int:run_id>/", imports.import_run, name="import_run"),
    path("marketing/imports/<int:run_id>/start/", imports.import_start, name="import_start"),
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
    path("marketing/alumni/", records.records, name="records"),
    path("marketing/alumni/<int:learner_id>/", records.record, name="record"),
]
