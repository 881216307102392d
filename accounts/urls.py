from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("accounts/reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/email/", views.email_preferences, name="email_preferences"),
    path("accounts/profile/tokens/", views.token_create, name="token_create"),
    path("accounts/profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("language/", views.set_language, name="set_language"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
