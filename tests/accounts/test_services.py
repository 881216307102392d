"""Account services: token storage and use, the login throttle."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    login_failure_record,
    login_success_record,
    login_throttle_check,
)
from stagewise.errors import RateLimited
from tests import factories


@pytest.mark.django_db
def test_tokens_are_stored_as_sha256_digests_only():
    token, raw = api_token_create(user=factories.learner(), name="  laptop  ")

    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.name == "laptop"
    assert len(token.prefix) < 12 and raw.startswith(token.prefix)


@pytest.mark.django_db
def test_two_tokens_are_never_the_same():
    user = factories.learner()

    raws = {api_token_create(user=user, name=f"t{n}")[1] for n in range(20)}

    assert len(raws) == 20


@pytest.mark.django_db
def test_last_used_at_is_written_at_most_once_a_minute():
    """A busy script must not turn every request into a write."""
    user = factories.learner()
    token, raw = api_token_create(user=user, name="cron")
    start = timezone.now().replace(microsecond=0)

    with time_machine.travel(start, tick=False):
        assert api_token_authenticate(raw=raw) == user
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


@pytest.mark.django_db
def test_revoked_token_authenticates_nobody_and_is_not_touched():
    user = factories.learner()
    token, raw = api_token_create(user=user, name="old")
    api_token_revoke(user=user, token_id=token.pk)

    assert api_token_authenticate(raw=raw) is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


@pytest.mark.django_db
def test_revoking_keeps_the_first_revocation_time():
    user = factories.learner()
    token, _ = api_token_create(user=user, name="old")
    first = api_token_revoke(user=user, token_id=token.pk).revoked_at

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        again = api_token_revoke(user=user, token_id=token.pk).revoked_at

    assert again == first


def test_login_throttle_blocks_after_the_limit_and_success_clears_the_account(settings):
    settings.LOGIN_RATE_LIMIT = 3
    who = {"email": "ana@example.com", "client_ip": "203.0.113.9"}

    for _ in range(3):
        login_throttle_check(**who)
        login_failure_record(**who)

    with pytest.raises(RateLimited):
        login_throttle_check(**who)
    # the same address trying another account is still throttled: it is guessing
    with pytest.raises(RateLimited):
        login_throttle_check(email="other@example.com", client_ip="203.0.113.9")
    # the account from another address is throttled too: someone is guessing its password
    with pytest.raises(RateLimited):
        login_throttle_check(email="ANA@example.com", client_ip="198.51.100.1")

    login_success_record(**who)
    login_throttle_check(email="ana@example.com", client_ip="198.51.100.1")


def test_login_throttle_forgets_after_the_window(settings):
    settings.LOGIN_RATE_LIMIT = 2
    settings.LOGIN_RATE_WINDOW_SECONDS = 300
    who = {"email": "ana@example.com", "client_ip": "203.0.113.9"}
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        login_failure_record(**who)
        login_failure_record(**who)
        with pytest.raises(RateLimited):
            login_throttle_check(**who)

    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        login_throttle_check(**who)


def test_login_throttle_window_does_not_stretch_on_a_file_cache(settings, tmp_path):
    """The file cache's incr() resets an entry's expiry; failures late in a window must not extend it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_RATE_WINDOW_SECONDS = 60
    who = {"email": "slow@example.com", "client_ip": "198.51.100.7"}
    start = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))  # a window boundary
    with time_machine.travel(start, tick=False):
        login_failure_record(**who)
        login_failure_record(**who)
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        login_failure_record(**who)
        with pytest.raises(RateLimited):
            login_throttle_check(**who)
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        login_throttle_check(**who)  # a new window: allowed again
