"""Sign up, log in and out, the login rate limit, password reset by mail, profile and API tokens."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from accounts.models import ApiToken, User
from accounts.services import api_token_authenticate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings, transactional_db, celery_eager):
    """Mail goes out after commit (``stagewise.mail``): these tests commit for real."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_sign_up_creates_the_account_and_signs_in(db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "New@Example.test",
            "display_name": "𠮷野家 🍜",
            "password": "a-long-enough-secret",
            "timezone_name": "Asia/Shanghai",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert user.display_name == "𠮷野家 🍜" and user.timezone == "Asia/Shanghai" and user.language == "zh-hans"
    home = client.get("/").content.decode()
    assert "𠮷野家 🍜" in home  # signed in, in the nav
    assert '<html lang="zh-Hans">' in home  # and in their language


def test_sign_up_shows_service_errors_on_the_form(db):
    factories.learner(email="taken@example.test")
    client = Client()
    data = {"email": "taken@example.test", "display_name": "X", "password": "a-long-enough-secret"}
    data.update(timezone_name="UTC", language="en")
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    weak = client.post("/accounts/signup/", {**data, "email": "other@example.test", "password": "123"})
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(email="other@example.test").exists()


def test_log_in_and_out(db):
    user = factories.learner(email="zw@example.test", name="张伟")
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"email": "zw@example.test", "password": factories.PASSWORD, "next": "/cohorts/mine/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cohorts/mine/"
    assert client.get("/cohorts/mine/").status_code == 200
    # logging out is a POST; a GET does nothing
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/cohorts/mine/").status_code == 302
    assert user.is_active


def test_log_in_refuses_an_external_next(db):
    factories.learner(email="zw@example.test")
    response = Client().post(
        "/accounts/login/", {"email": "zw@example.test", "password": factories.PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


def test_wrong_password_then_rate_limited(db, settings):
    settings.LOGIN_RATE_LIMIT = 3
    factories.learner(email="zw@example.test")
    client = Client()
    for _ in range(3):
        response = client.post("/accounts/login/", {"email": "zw@example.test", "password": "wrong"})
        assert response.status_code == 200
        assert (
            "don&#39;t match an account" in response.content.decode() or "match an account" in response.content.decode()
        )
    # when: even the right password, after too many failures
    response = client.post("/accounts/login/", {"email": "zw@example.test", "password": factories.PASSWORD})
    # then: refused with the service's message
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rate_limit_message_in_chinese(db, settings):
    settings.LOGIN_RATE_LIMIT = 1
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post("/accounts/login/", {"email": "nobody@example.test", "password": "wrong"})
    response = client.post("/accounts/login/", {"email": "nobody@example.test", "password": "wrong"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_password_reset_by_mail_in_the_users_language(db, outbox):
    user = factories.learner(email="zw@example.test", name="张伟", language="zh-hans")
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200
    response = client.post("/accounts/password-reset/", {"email": "zw@example.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert client.get(response["Location"]).status_code == 200
    # the mail is in Chinese, with the link in both parts
    assert len(outbox) == 1
    message = outbox[0]
    assert message.subject == "重置你的 Stagewise 密码"
    assert "张伟，你好" in message.body
    html = message.alternatives[0][0]
    assert "张伟，你好" in html and 'lang="zh-Hans"' in html
    path = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body).group(1)
    assert path in html
    # when: the new password is chosen through the link
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, {"new_password": "brand-new-secret-42"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-42")
    # then: the link is spent
    again = client.post(path, {"new_password": "another-secret-43"})
    assert again.status_code == 200
    assert "invalid or has expired" in again.content.decode() or "无效或已过期" in again.content.decode()


def test_password_reset_in_english_and_silent_for_unknown_addresses(db, outbox):
    factories.learner(email="jose@example.test", name="José", language="en")
    client = Client()
    client.post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert outbox == []
    client.post("/accounts/password-reset/", {"email": "jose@example.test"})
    assert outbox[0].subject == "Reset your Stagewise password"
    assert "Hello José," in outbox[0].body
    assert "&amp;" not in outbox[0].body  # the text part is not HTML-escaped


def test_profile_update_any_unicode_name(db):
    user = factories.learner(name="Old")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "José 张伟 𠮷 🎉", "timezone_name": "America/Sao_Paulo", "language": "zh-hans"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.timezone, user.language) == ("José 张伟 𠮷 🎉", "America/Sao_Paulo", "zh-hans")
    page = client.get("/accounts/profile/").content.decode()
    assert "José 张伟 𠮷 🎉" in page and "个人资料已保存" in page


def test_profile_rejects_a_blank_name(db):
    user = factories.learner(name="Kept")
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": "   ", "timezone_name": "UTC", "language": "en"})
    assert response.status_code == 422
    user.refresh_from_db()
    assert user.display_name == "Kept"


def test_api_token_create_shown_once_then_revoke(db):
    user = factories.learner()
    client = Client()
    client.force_login(user)
    # when: a token is created
    response = client.post("/accounts/profile/tokens/", {"name": "laptop"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = re.search(r'<code id="new-token">(sw_[^<]+)</code>', response.content.decode()).group(1)
    # then: it works, and the profile lists it without showing it again
    assert api_token_authenticate(raw=raw) == user
    listing = client.get("/accounts/profile/").content.decode()
    assert "laptop" in listing and raw not in listing
    # when: it is revoked
    token = ApiToken.objects.get(user=user)
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 302
    # then: it no longer authenticates
    assert api_token_authenticate(raw=raw) is None
    assert "Revoked" in client.get("/accounts/profile/").content.decode()


def test_api_token_needs_a_name_and_someone_elses_token_is_404(db):
    user, other = factories.learner(), factories.learner()
    client = Client()
    client.force_login(user)
    assert client.post("/accounts/profile/tokens/", {"name": ""}).status_code == 422
    client.force_login(other)
    client.post("/accounts/profile/tokens/", {"name": "theirs"})
    theirs = ApiToken.objects.get(user=other)
    client.force_login(user)
    assert client.post(f"/accounts/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
