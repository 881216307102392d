"""Account pages: sign up, log in and out, password reset, profile and API tokens, the language switch.

Views parse a form, call one service or selector, and render; rules and writes live in ``accounts.services``.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import consent, notifications, selectors, services
from accounts.forms import (
    ApiTokenForm,
    EmailPreferencesForm,
    LoginForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
)
from accounts.models import Language, MailTopic, User
from accounts.types import PageRequest
from stagewise.errors import ApplicationError, RateLimited
from stagewise.pages import is_safe_url, render_page, safe_next

NOTIFICATIONS_PER_PAGE = 20


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind a proxy, the address the proxy saw (the last X-Forwarded-For hop)."""
    if settings.SECURE_PROXY_SSL_HEADER is not None:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    initial = {"language": translation.get_language() or Language.EN}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_sign_up(
                email=data["email"],
                password=data["password"],
                display_name=data["display_name"],
                timezone_name=data["timezone_name"],
                language=data["language"],
                marketing=data["marketing"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            translation.activate(user.language)
            messages.success(request, _("Welcome to Stagewise, %(name)s!") % {"name": user.display_name})
            response = redirect(safe_next(request))
            set_language_cookie(response, user.language)
            return response
    return render_page(request, "accounts/signup.html", {"form": form, "next": safe_next(request, "")})


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        ip = client_ip(request)
        try:
            services.login_throttle_check(email=email, client_ip=ip)
        except RateLimited as exc:
            form.add_service_error(exc)
            status = 429
        else:
            user = authenticate(request, username=email, password=password)
            if user is None:
                services.login_failure_record(email=email, client_ip=ip)
                form.add_error(None, _("That email and password don't match an account."))
            else:
                services.login_success_record(email=email, client_ip=ip)
                login(request, user)
                response = redirect(safe_next(request))
                set_language_cookie(response, user.language)
                return response
    return render_page(request, "accounts/login.html", {"form": form, "next": safe_next(request, "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render_page(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render_page(request, "accounts/password_reset_sent.html")


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your password is changed. Log in with the new one."))
            return redirect("accounts:login")
    return render_page(request, "accounts/password_reset_confirm.html", {"form": form})


CONSENT_CHANGES_SHOWN = 5


def _email_form(user: User) -> EmailPreferencesForm:
    initial: dict[str, bool] = {
        **consent.consent_preferences(user=user),
        "mail_feedback": user.mail_feedback,
        "unsubscribed_all": user.unsubscribed_all,
    }
    return EmailPreferencesForm(initial=initial)


def _profile_context(request: PageRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    context = {
        "form": ProfileForm(
            initial={"display_name": user.display_name, "timezone_name": user.timezone, "language": user.language}
        ),
        "email_form": _email_form(user),
        "consent_changes": list(consent.consent_history(user, limit=CONSENT_CHANGES_SHOWN)),
        "token_form": ApiTokenForm(),
        "tokens": list(selectors.api_token_list(user=user)),
        "new_token": None,
    }
    context.update(extra)
    return context


@login_required
def profile(request: PageRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_profile_update(
                    user=request.user,
                    display_name=data["display_name"],
                    timezone_name=data["timezone_name"],
                    language=data["language"],
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                translation.activate(user.language)
                messages.success(request, _("Profile saved."))
                response = redirect("accounts:profile")
                set_language_cookie(response, user.language)
                return response
        return render_page(request, "accounts/profile.html", _profile_context(request, form=form), status=422)
    return render_page(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def email_preferences(request: PageRequest) -> HttpResponse:
    """The profile's "Email preferences": every switch that changed is recorded once, with the source "profile"."""
    form = EmailPreferencesForm(request.POST)
    form.is_valid()  # switches only: absent means off, anything else on
    data = form.cleaned_data
    services.email_preferences_update(
        user=request.user,
        topics={topic: data[topic] for topic in MailTopic.values},
        unsubscribed_all=data["unsubscribed_all"],
        mail_feedback=data["mail_feedback"],
    )
    messages.success(request, _("Email preferences saved."))
    return redirect(reverse("accounts:profile") + "#email")


@login_required
@require_POST
def token_create(request: PageRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    new_token = None
    if form.is_valid():
        try:
            _row, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            form = ApiTokenForm()
    response = render_page(
        request,
        "accounts/profile.html",
        _profile_context(request, token_form=form, new_token=new_token),
        status=201 if new_token else 422,
    )
    response["Cache-Control"] = "no-store"  # the token is shown once and must not linger in caches
    return response


@login_required
@require_POST
def token_revoke(request: PageRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language: a cookie for everyone, and the profile's language for a signed-in user."""
    language = request.POST.get("language", "")
    referer = request.headers.get("Referer", "")
    response = redirect(safe_next(request, referer if is_safe_url(request, referer) else "/"))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.user_profile_update(user=request.user, language=language)
    set_language_cookie(response, language)
    return response


@login_required
def notification_list(request: PageRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked; 20 a page."""
    page = Paginator(notifications.notification_list(user=request.user), NOTIFICATIONS_PER_PAGE)
    number = request.GET.get("page", "1")
    current = page.get_page(number)
    return render_page(
        request,
        "accounts/notifications.html",
        {"page": current, "items": list(current.object_list), "here": request.get_full_path()},
    )


@login_required
def notification_open(request: PageRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to what it is about; it is read from then on."""
    notification = notifications.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(notification.url)


@login_required
@require_POST
def notification_read(request: PageRequest, notification_id: int) -> HttpResponse:
    notifications.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(safe_next(request, "/notifications/"))


@login_required
@require_POST
def notification_read_all(request: PageRequest) -> HttpResponse:
    marked = notifications.notification_mark_all_read(user=request.user)
    if marked:
        messages.success(request, _("All notifications marked as read."))
    return redirect(safe_next(request, "/notifications/"))


@csrf_exempt  # the signed token is the credential; mail clients POST without cookies (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The page a mail's unsubscribe link opens, in the language of the learner the token names.

    GET: a confirmation page that changes nothing (mail scanners follow links); if the learner is already
    unsubscribed it says so and offers to resubscribe. POST: a mail client's one-click ``List-Unsubscribe=One-Click``
    (a plain 200, no page), or the page's buttons: unsubscribe from this topic or from everything, or resubscribe.
    """
    found = consent.unsubscribe_token_read(token)
    if found is None:
        return render_page(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    user, topic = found
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        consent.consent_set(user=user, topic=topic, subscribed=False, source="one_click")
        return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")
    with translation.override(user.language):
        context: dict[str, Any] = {"topic": topic, "token": token, "email": user.email}
        if request.method == "POST":
            scope = consent.ALL if request.POST.get("scope") == consent.ALL else topic
            resubscribe = request.POST.get("action") == "resubscribe"
            consent.consent_set(user=user, topic=scope, subscribed=resubscribe, source="unsubscribe_page")
            context.update(topic=scope, state="resubscribed" if resubscribe else "unsubscribed")
        else:
            subscribed = (
                not user.unsubscribed_all if topic == consent.ALL else consent.consent_allows(user=user, topic=topic)
            )
            context["state"] = "ask" if subscribed else "unsubscribed"
        response = render_page(request, "accounts/unsubscribe.html", context)
    response["Content-Language"] = user.language
    return response
