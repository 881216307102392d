"""System checks: unreadable credential keys refuse to start; a plain-http SITE_URL is flagged for deployment."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from cohorts.credentials.checks import check_credential_keys, check_credentials_site_url
from stagewise.checks import refuse_to_start_on_errors


def test_the_generated_keys_pass():
    assert check_credential_keys() == []


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("CREDENTIALS_SIGNING_KEY", "abc", "cohorts.E001"),
        ("CREDENTIALS_JWT_KEY", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", "cohorts.E002"),
    ],
)
def test_an_unreadable_key_refuses_to_start(settings, setting, value, check_id):
    setattr(settings, setting, value)

    assert [message.id for message in check_credential_keys()] == [check_id]
    with pytest.raises(SystemCheckError, match=setting):
        refuse_to_start_on_errors()


def test_a_plain_http_site_url_is_a_deployment_warning(settings, monkeypatch):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process: an error of its own here.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.SITE_URL = "http://learn.example.com"
    assert [message.id for message in check_credentials_site_url()] == ["cohorts.W001"]

    settings.SITE_URL = "https://learn.example.com"
    assert check_credentials_site_url() == []
    call_command("check", "--deploy", "--fail-level", "ERROR")  # a warning, not an error
