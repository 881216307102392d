"""Sign-up, the profile, personal API tokens and password reset, through the JSON API."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.forms import PasswordResetRequestForm, SignUpForm
from accounts.models import ApiToken, User
from accounts.services import api_token_create, user_profile_update
from tests import factories
from tests.assertions import assert_error

PASSWORD = "a-long-unusual-passphrase"
UNICODE_NAMES = ["张伟", "𠮷野家", "José", "🎉", "Zoë O’Brien-Łukasz", "👩‍💻 Dev"]


def sign_up(**overrides):
    payload = {"email": "ana@example.com", "password": PASSWORD, "display_name": "Ana"} | overrides
    return Client().post("/api/v1/auth/signup", payload, content_type="application/json")


# Sign-up ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_creates_an_account_that_can_sign_in():
    response = sign_up(email="Ana@Example.COM", timezone="Asia/Shanghai", language="zh-hans")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "ana@example.com"
    assert (body["timezone"], body["language"]) == ("Asia/Shanghai", "zh-hans")
    assert (body["is_instructor"], body["is_marketer"], body["is_staff"]) == (False, False, False)
    assert authenticate(email="ana@example.com", password=PASSWORD) is not None
    assert "password" not in body


@pytest.mark.django_db
def test_sign_up_cannot_grant_itself_a_role():
    response = sign_up(is_staff=True, is_instructor=True)

    assert response.status_code == 201
    user = User.objects.get(email="ana@example.com")
    assert not user.is_staff and not user.is_instructor


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["ana@example.com", "ANA@example.com", " ana@EXAMPLE.com "])
def test_duplicate_email_is_409_whatever_its_case(email):
    assert sign_up().status_code == 201

    body = assert_error(sign_up(email=email.strip(), display_name="Other Ana"), 409, "email_taken")

    assert body["details"] == {"field": "email"}
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ana@example.com"])
def test_weak_password_is_422(password):
    body = assert_error(sign_up(password=password), 422, "weak_password")

    assert body["details"]["field"] == "password"
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "asia/shanghai", "../../etc/passwd", ""])
def test_unknown_timezone_is_422(zone):
    body = assert_error(sign_up(timezone=zone), 422, "invalid_timezone")

    assert body["details"]["field"] == "timezone"
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"language": "klingon"}, "language"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_malformed_sign_up_is_422_naming_the_field(overrides, field):
    body = assert_error(sign_up(**overrides), 422, "validation_error")

    assert field in {error["field"] for error in body["details"]["errors"]}


@pytest.mark.django_db
def test_blank_display_name_is_422():
    assert_error(sign_up(display_name="   "), 422, "invalid_display_name")


@pytest.mark.django_db
@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_sign_up_keeps_any_unicode_display_name(name):
    response = sign_up(display_name=name)

    assert response.status_code == 201, response.content
    assert response.json()["display_name"] == name
    assert User.objects.get().display_name == name


# Me -------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_shows_the_signed_in_user(api_client):
    user = factories.instructor(display_name="Teacher", timezone="Europe/London")

    body = api_client(user).get("/api/v1/me").json()

    assert body == {
        "id": user.pk,
        "email": user.email,
        "display_name": "Teacher",
        "timezone": "Europe/London",
        "language": "en",
        "is_instructor": True,
        "is_marketer": False,
        "is_staff": False,
        "mail_feedback": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_profile_patch_keeps_any_unicode_display_name(api_client, name):
    user = factories.learner()
    client = api_client(user)

    response = client.patch("/api/v1/me", {"display_name": name}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert client.get("/api/v1/me").json()["display_name"] == name
    user.refresh_from_db()
    assert user.display_name == name


@pytest.mark.django_db
def test_profile_patch_changes_only_what_is_sent(api_client):
    user = factories.learner(display_name="Ana", timezone="UTC")

    response = api_client(user).patch(
        "/api/v1/me", {"timezone": "America/Sao_Paulo", "language": "zh-hans"}, content_type="application/json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.display_name, user.timezone, user.language) == ("Ana", "America/Sao_Paulo", "zh-hans")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"timezone": "Nowhere/Special"}, 422, "invalid_timezone"),
        ({"display_name": "  "}, 422, "invalid_display_name"),
        ({"display_name": "x" * 81}, 422, "validation_error"),
        ({"language": "fr"}, 422, "validation_error"),
    ],
)
def test_profile_patch_refuses_bad_values(api_client, payload, status, code):
    user = factories.learner(display_name="Ana", timezone="UTC")

    assert_error(api_client(user).patch("/api/v1/me", payload, content_type="application/json"), status, code)

    user.refresh_from_db()
    assert (user.display_name, user.timezone, user.language) == ("Ana", "UTC", "en")


@pytest.mark.django_db
def test_profile_patch_cannot_change_email_or_roles(api_client):
    user = factories.learner()

    api_client(user).patch(
        "/api/v1/me", {"email": "new@example.com", "is_staff": True}, content_type="application/json"
    )

    user.refresh_from_db()
    assert user.email != "new@example.com" and not user.is_staff


# Tokens -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_is_shown_once_and_only_its_hash_is_stored(api_client):
    # given a user creating a token
    user = factories.learner()
    client = api_client(user)

    # when they create one
    response = client.post("/api/v1/me/tokens", {"name": "laptop"}, content_type="application/json")

    # then the response carries the token itself, once
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith("sw_") and len(raw) > 40
    assert raw.startswith(created["prefix"])
    # and the database holds no copy of it, in any column
    row = ApiToken.objects.get(pk=created["id"])
    stored = [str(value) for value in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(raw in value for value in stored)
    assert not ApiToken.objects.filter(digest__contains=raw[3:]).exists()
    # and the list never shows it again
    listing = client.get("/api/v1/me/tokens")
    assert raw not in listing.content.decode()
    assert "token" not in listing.json()["items"][0]
    # but it works
    as_token = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert as_token.json()["id"] == user.pk


@pytest.mark.django_db
def test_token_list_shows_only_my_tokens_newest_first(api_client):
    me, someone = factories.learner(), factories.learner()
    client = api_client(me)  # creates the "tests" token
    client.post("/api/v1/me/tokens", {"name": "ci"}, content_type="application/json")
    api_client(someone).post("/api/v1/me/tokens", {"name": "theirs"}, content_type="application/json")

    body = client.get("/api/v1/me/tokens").json()

    assert [item["name"] for item in body["items"]] == ["ci", "tests"]
    assert body["count"] == 2


@pytest.mark.django_db
def test_revoked_token_stops_working_and_is_listed_as_revoked(api_client):
    # given a user with a second token
    user = factories.learner()
    client = api_client(user)
    created = client.post("/api/v1/me/tokens", {"name": "old"}, content_type="application/json").json()
    old = Client(headers={"Authorization": f"Bearer {created['token']}"})
    assert old.get("/api/v1/me").status_code == 200

    # when it is revoked
    response = client.delete(f"/api/v1/me/tokens/{created['id']}")

    # then it gets 401 from now on, the other token still works, and the list says when it was revoked
    assert response.status_code == 204
    assert_error(old.get("/api/v1/me"), 401, "not_authenticated")
    assert client.get("/api/v1/me").status_code == 200
    items = {item["id"]: item for item in client.get("/api/v1/me/tokens").json()["items"]}
    assert items[created["id"]]["revoked_at"] is not None
    # and revoking again is harmless
    assert client.delete(f"/api/v1/me/tokens/{created['id']}").status_code == 204


@pytest.mark.django_db
def test_cannot_revoke_someone_elses_token(api_client):
    owner, thief = factories.learner(), factories.learner()
    created = api_client(owner).post("/api/v1/me/tokens", {"name": "mine"}, content_type="application/json").json()

    response = api_client(thief).delete(f"/api/v1/me/tokens/{created['id']}")

    assert_error(response, 404)
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


@pytest.mark.django_db
def test_token_name_is_required(api_client):
    client = api_client(factories.learner())

    assert_error(client.post("/api/v1/me/tokens", {"name": ""}, content_type="application/json"), 422)
    assert_error(client.post("/api/v1/me/tokens", {"name": "   "}, content_type="application/json"), 422)


@pytest.mark.django_db
def test_last_used_at_shows_when_a_token_was_used(api_client):
    import time_machine

    user = factories.learner()
    owner = api_client(user)
    created = owner.post("/api/v1/me/tokens", {"name": "cron"}, content_type="application/json").json()
    assert created["last_used_at"] is None
    cron = Client(headers={"Authorization": f"Bearer {created['token']}"})

    def last_used():
        return ApiToken.objects.get(pk=created["id"]).last_used_at

    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        cron.get("/api/v1/me")
    assert last_used() == start

    with time_machine.travel(start + timedelta(hours=2), tick=False):
        cron.get("/api/v1/tracks")
    assert last_used() == start + timedelta(hours=2)


# Password reset -------------------------------------------------------------------------------------------------


def _reset_link(message) -> tuple[str, str]:
    match = re.search(r"/accounts/reset/([^/\s]+)/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1), match.group(2)


@pytest.fixture
def outbox(settings, transactional_db, celery_eager):
    """Mail goes out after commit (``stagewise.mail``): these tests commit for real."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://stagewise.example.com"
    mail.outbox = []
    return mail.outbox


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_works_once(outbox):
    # given a learner who forgot their password
    user = factories.learner(email="ana@example.com")
    client = Client()

    # when they ask for a reset
    response = client.post("/api/v1/auth/password-reset", {"email": "ANA@example.com"}, content_type="application/json")

    # then one mail with a link reaches them, as text and HTML
    assert response.status_code == 202
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject.strip()
    assert "https://stagewise.example.com/accounts/reset/" in message.body
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    uid, token = _reset_link(message)
    assert f"/accounts/reset/{uid}/{token}/" in html
    # and the link opens a page (to choose the new password)
    assert client.get(f"/accounts/reset/{uid}/{token}/").status_code == 200

    # when they use the link
    confirm = {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"}
    first = client.post("/api/v1/auth/password-reset/confirm", confirm, content_type="application/json")

    # then the new password works and the old one doesn't
    assert first.status_code == 200, first.content
    assert authenticate(email="ana@example.com", password="a-brand-new-passphrase") == user
    assert authenticate(email="ana@example.com", password=factories.PASSWORD) is None

    # and the same link can't be used again
    confirm["new_password"] = "yet-another-passphrase"
    second = client.post("/api/v1/auth/password-reset/confirm", confirm, content_type="application/json")
    assert_error(second, 422, "invalid_reset_link")
    assert authenticate(email="ana@example.com", password="yet-another-passphrase") is None


@pytest.mark.django_db
def test_password_reset_mail_speaks_the_users_language(outbox):
    """Needs the compiled zh-Hans catalog (``make test`` compiles it first)."""
    factories.learner(email="wei@example.com", language="zh-hans")
    factories.learner(email="ana@example.com", language="en")

    for email in ("wei@example.com", "ana@example.com"):
        Client().post("/api/v1/auth/password-reset", {"email": email}, content_type="application/json")

    chinese, english = outbox
    assert re.search(r"[\u4e00-\u9fff]", chinese.subject)
    assert re.search(r"[\u4e00-\u9fff]", chinese.body)
    assert not re.search(r"[\u4e00-\u9fff]", english.subject + english.body)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com"])
def test_password_reset_for_unknown_or_inactive_account_says_the_same_and_mails_nothing(outbox, email):
    factories.learner(email="gone@example.com", is_active=False)
    known = factories.learner(email="ana@example.com")

    response = Client().post("/api/v1/auth/password-reset", {"email": email}, content_type="application/json")
    known_response = Client().post(
        "/api/v1/auth/password-reset", {"email": known.email}, content_type="application/json"
    )

    assert response.status_code == known_response.status_code == 202
    assert response.content == known_response.content
    assert [message.to for message in outbox] == [["ana@example.com"]]


@pytest.mark.django_db
def test_password_reset_refuses_a_weak_new_password_and_keeps_the_link_valid(outbox):
    factories.learner(email="ana@example.com")
    Client().post("/api/v1/auth/password-reset", {"email": "ana@example.com"}, content_type="application/json")
    uid, token = _reset_link(outbox[0])

    weak = Client().post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "12345678"},
        content_type="application/json",
    )
    strong = Client().post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"},
        content_type="application/json",
    )

    assert_error(weak, 422, "weak_password")
    assert strong.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("uid", "token"), [("MQ", "bad-token"), ("!!!", "x"), ("OTk5OTk5", "x-y")])
def test_password_reset_with_a_forged_link_is_422(uid, token):
    factories.learner()

    response = Client().post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"},
        content_type="application/json",
    )

    assert_error(response, 422, "invalid_reset_link")


@pytest.mark.django_db
def test_password_reset_revokes_the_accounts_tokens_and_ends_its_sessions(outbox):
    # given: a learner with a working API token and a signed-in browser elsewhere
    user = factories.learner(email="ana@example.com")
    _row, raw = api_token_create(user=user, name="cron")
    script = Client(headers={"Authorization": f"Bearer {raw}"})
    browser = Client()
    browser.force_login(user)
    assert script.get("/api/v1/me").status_code == 200
    assert browser.get("/api/v1/me").status_code == 200
    other = factories.learner(email="bo@example.com")
    _other_row, other_raw = api_token_create(user=other, name="cron")

    # when: the password is reset through the mailed link
    Client().post("/api/v1/auth/password-reset", {"email": "ana@example.com"}, content_type="application/json")
    uid, token = _reset_link(outbox[0])
    confirm = {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"}
    response = Client().post("/api/v1/auth/password-reset/confirm", confirm, content_type="application/json")
    assert response.status_code == 200
    assert authenticate(email="ana@example.com", password="a-brand-new-passphrase") == user

    # then: the token is revoked (and listed so), the other session is over, someone else's token still works
    assert_error(script.get("/api/v1/me"), 401)
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert browser.get("/api/v1/me").status_code == 401
    assert Client(headers={"Authorization": f"Bearer {other_raw}"}).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_a_profile_change_or_a_login_keeps_the_tokens():
    user = factories.learner(email="ana@example.com")
    _row, raw = api_token_create(user=user, name="cron")

    user_profile_update(user=user, display_name="Ana B.")
    login = Client().post("/accounts/login/", {"email": "ana@example.com", "password": factories.PASSWORD})
    assert login.status_code == 302
    assert user.check_password(factories.PASSWORD)

    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_a_demo_account_on_a_local_domain_can_reset_its_password_by_api(outbox):
    # given an account the pages accepted, on a special-use domain such as the demo's
    factories.learner(email="ana@demo.local")

    # when it asks for a reset through the API
    response = Client().post(
        "/api/v1/auth/password-reset", {"email": "ana@demo.local"}, content_type="application/json"
    )

    # then it gets its mail, as it would on the page
    assert response.status_code == 202, response.content
    assert [message.to for message in outbox] == [["ana@demo.local"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "ana@example.com",
        " ana@example.com ",
        "ana@demo.local",
        "ana@localhost",
        "ana@[127.0.0.1]",
        "Ana <ana@example.com>",
        "not-an-email",
        "ana@",
        "ana@exa mple.com",
        "ana@example",
        "a" * 64 + "@" + "b" * 190 + ".com",
    ],
)
def test_the_api_accepts_exactly_the_addresses_the_pages_accept(email):
    # the pages' verdict
    page_accepts = PasswordResetRequestForm(data={"email": email}).is_valid()
    sign_up_form = SignUpForm(data={"email": email})
    sign_up_form.is_valid()
    assert ("email" not in sign_up_form.errors) == page_accepts

    # the API's verdict, on sign-up and on password reset
    client = Client()
    signed_up = client.post(
        "/api/v1/auth/signup",
        {"email": email, "password": PASSWORD, "display_name": "Ana"},
        content_type="application/json",
    )
    reset = client.post("/api/v1/auth/password-reset", {"email": email}, content_type="application/json")

    assert (signed_up.status_code == 201) == page_accepts, signed_up.content
    assert (reset.status_code == 202) == page_accepts, reset.content
    if not page_accepts:
        fields = {error["field"] for error in assert_error(signed_up, 422, "validation_error")["details"]["errors"]}
        assert fields == {"email"}
