"""localstripe fixtures, for every test directory (tests/conftest.py imports them): billing's tests and the browser
tests that pay for a seat share one server per session (a second one in the same process would not start)."""

import pytest

from tests.billing.conftest import WEBHOOK_SECRET  # also puts scripts/ on the path, for localstripe_server


@pytest.fixture(scope="session")
def localstripe_server():
    """A real localstripe on 127.0.0.1 (free port, in memory), for the whole session; stopped afterwards."""
    from localstripe_server import start_in_thread

    server = start_in_thread(port=0)
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the Stripe gateway at the running localstripe."""
    settings.STRIPE_API_BASE = localstripe_server.url
    settings.STRIPE_SECRET_KEY = "sk_test_stagewise"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return localstripe_server
