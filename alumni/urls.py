from django.urls import path

from alumni.views import coupons, dashboard

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/coupons/", coupons.coupon_list, name="coupons"),
    path("marketing/coupons/new/", coupons.coupon_new, name="coupon_new"),
    path("marketing/coupons/<int:coupon_id>/", coupons.coupon_detail, name="coupon"),
    path("marketing/coupons/<int:coupon_id>/edit/", coupons.coupon_edit, name="coupon_edit"),
    path("marketing/coupons/<int:coupon_id>/action/", coupons.coupon_action, name="coupon_action"),
    path("marketing/coupons/<int:coupon_id>/redemptions.csv", coupons.coupon_redemptions_csv, name="coupon_csv"),
]
