from django.urls import path

from billing import views, webhooks

app_name = "billing"

urlpatterns = [
    path("billing/webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("cohorts/<int:cohort_id>/enroll/", views.enroll, name="enroll"),
    path("cohorts/<int:cohort_id>/apply/", views.apply, name="apply"),
    path("cohorts/<int:cohort_id>/applications/", views.application_queue, name="applications"),
    path("teach/courses/<int:course_id>/questions/", views.teach_questions, name="questions"),
    path("orders/", views.orders, name="orders"),
    path("offers/", views.offer_list, name="offers"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("billing/revenue/", views.staff_revenue, name="revenue"),
    path("billing/disputes/<int:dispute_id>/handle/", views.dispute_handle, name="dispute_handle"),
    path("orders/<int:order_id>/receipt.pdf", views.order_receipt_pdf, name="receipt_pdf"),
    path("enrollments/<int:enrollment_id>/withdraw/", views.withdraw, name="withdraw"),
    path("r/<str:code>/", views.referral_link, name="referral_link"),
]
