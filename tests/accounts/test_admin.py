"""The Django admin: its login throttled by the login page's limiter; a password set there revokes API tokens."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.services import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def _admin_login(client: Client, email: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"})


def test_admin_login_is_refused_after_too_many_wrong_passwords(settings):
    # given: a staff account, and more wrong passwords than the limit allows
    settings.LOGIN_RATE_LIMIT = 3
    factories.staff(email="ops@example.test")
    client = Client()
    for _ in range(3):
        assert _admin_login(client, "ops@example.test", "wrong").status_code == 200
    # when: the right password comes next
    response = _admin_login(client, "ops@example.test", factories.PASSWORD)
    # then: refused like on the login page, and not signed in
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_and_login_page_share_one_counter(settings):
    settings.LOGIN_RATE_LIMIT = 2
    factories.staff(email="ops@example.test")
    client = Client()
    client.post("/accounts/login/", {"email": "ops@example.test", "password": "wrong"})
    _admin_login(client, "ops@example.test", "wrong")
    # the login page refuses too: guessing in the admin counts there
    response = client.post("/accounts/login/", {"email": "ops@example.test", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert _admin_login(client, "ops@example.test", factories.PASSWORD).status_code == 429


def test_admin_login_works_and_clears_the_account_counter(settings):
    settings.LOGIN_RATE_LIMIT = 2
    factories.staff(email="ops@example.test")
    client = Client()
    _admin_login(client, "ops@example.test", "wrong")
    response = _admin_login(client, "ops@example.test", factories.PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # the success cleared the account's count: one more failure elsewhere doesn't lock it
    other = Client(REMOTE_ADDR="198.51.100.7")  # another address: its own counter
    _admin_login(other, "ops@example.test", "wrong")
    assert _admin_login(other, "ops@example.test", factories.PASSWORD).status_code == 302


def test_admin_rate_limit_message_in_chinese(settings):
    settings.LOGIN_RATE_LIMIT = 1
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    _admin_login(client, "nobody@example.test", "wrong")
    response = _admin_login(client, "nobody@example.test", "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_staff_setting_a_password_in_the_admin_revokes_the_accounts_tokens():
    # given: a learner with a token, and staff in the admin
    learner = factories.learner(email="ana@example.test")
    _row, raw = api_token_create(user=learner, name="cron")
    staff = factories.staff(email="ops@example.test", is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    # when: staff sets a new password for the learner
    new = "a-brand-new-passphrase"
    response = admin.post(
        f"/admin/accounts/user/{learner.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    # then: the learner's token no longer works
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_changing_ones_own_password_in_the_admin_keeps_this_session_and_ends_the_others():
    staff = factories.staff(email="ops@example.test")
    _row, raw = api_token_create(user=staff, name="cron")
    here, elsewhere = Client(), Client()
    here.force_login(staff)
    elsewhere.force_login(staff)
    new = "a-brand-new-passphrase"
    response = here.post(
        "/admin/password_change/",
        {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302  # to the login page
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_staff_see_a_learners_consent_and_its_history_but_cannot_edit_them():
    from accounts.consent import consent_set
    from accounts.models import ConsentChange, MailTopic

    learner = factories.learner(email="ana@example.test")
    consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=True, source="signup")
    consent_set(user=learner, topic="all", subscribed=False, source="one_click", detail="campaign 7")
    admin = factories.user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{learner.pk}/change/").content.decode()
    assert "Mail subscriptions" in page and "Consent changes" in page
    assert "one_click" in page and "campaign 7" in page and "signup" in page
    assert 'name="unsubscribed_all"' not in page  # shown, not editable
    listing = client.get("/admin/accounts/consentchange/?source=one_click").content.decode()
    assert "ana@example.test" in listing
    change = ConsentChange.objects.filter(user=learner).first()
    assert client.get("/admin/accounts/consentchange/add/").status_code == 403
    assert client.post(f"/admin/accounts/consentchange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ConsentChange.objects.filter(user=learner).count() == 2
