"""The system check that refuses a real Stripe key without the endpoint's webhook signing secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from billing.checks import check_stripe_webhook_secret
from stagewise.checks import refuse_to_start_on_errors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_stripe(settings):
    """Settings as with a real STRIPE_SECRET_KEY in the environment: no localstripe base, Stripe's own API."""
    settings.STRIPE_SECRET_KEY = "sk_live_stagewise"
    settings.STRIPE_API_BASE = ""
    return settings


@pytest.mark.parametrize("secret", ["", "whsec_localstripe"])
def test_a_real_key_without_its_own_webhook_secret_is_an_error(real_stripe, secret):
    real_stripe.STRIPE_WEBHOOK_SECRET = secret

    assert [message.id for message in check_stripe_webhook_secret()] == ["billing.E001"]
    with pytest.raises(SystemCheckError, match="billing.E001"):
        call_command("check", "--deploy")
    with pytest.raises(SystemCheckError, match="STRIPE_WEBHOOK_SECRET"):
        refuse_to_start_on_errors()


def test_a_real_key_with_its_webhook_secret_is_fine(real_stripe):
    real_stripe.STRIPE_WEBHOOK_SECRET = "whsec_the_endpoints_own"

    assert check_stripe_webhook_secret() == []
    refuse_to_start_on_errors()


def test_localstripe_with_the_public_test_secret_is_fine(settings):
    """The demo's and the test suite's configuration: localstripe on loopback."""
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_localstripe"

    assert check_stripe_webhook_secret() == []
    refuse_to_start_on_errors()


def _start_web(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """Load the WSGI application in a fresh process, as a gunicorn worker does when it boots."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "DJANGO_"))}
    env.update(STAGEWISE_VAR_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-c", "import stagewise.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_web_server_refuses_to_start_with_a_real_key_and_no_webhook_secret(tmp_path):
    refused = _start_web(tmp_path, STRIPE_SECRET_KEY="sk_live_stagewise")
    assert refused.returncode != 0
    assert "billing.E001" in refused.stderr

    assert (
        _start_web(tmp_path, STRIPE_SECRET_KEY="sk_live_stagewise", STRIPE_WEBHOOK_SECRET="whsec_own").returncode == 0
    )
    assert _start_web(tmp_path).returncode == 0  # no environment at all: localstripe, as in `make demo`
