"""Chat-group webhooks against a real HTTP receiver on 127.0.0.1: signatures, the three body formats, retries with
backoff, permanent failures, timeouts, the once-a-day digest, and who may manage webhooks.

Nothing is mocked: the receiver is an ``http.server`` in a thread that records every request and answers with
scripted statuses. The clock is controlled with time_machine. The API is served through a NinjaAPI built here with
the project's error handlers (the router isn't registered in ``stagewise.api`` yet) under a test URLconf.
"""

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import translation
from ninja import NinjaAPI

from cohorts import checkins, feed
from cohorts.api.webhooks import router as webhooks_router
from cohorts.models import SendLog, Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEvent, WebhookFormat
from cohorts.statuses import CohortStatus
from cohorts.webhooks import services
from cohorts.webhooks.signing import sign, verify_signature
from cohorts.webhooks.transports import error_for_status
from stagewise.api import api as project_api
from stagewise.errors import Invalid
from tests import factories
from tests.assertions import assert_error

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")

_test_api = NinjaAPI(title="webhooks under test", urls_namespace="webhooks-test-api", docs_url=None)
_test_api.add_router("", webhooks_router)
for _exc, _handler in project_api._exception_handlers.items():
    _test_api.add_exception_handler(_exc, _handler)

# The pages the product's mail links to (a featured check-in mails its learner a link to their profile) resolve too.
urlpatterns = [path("api/v1/", _test_api.urls), path("", include("cohorts.urls")), path("", include("accounts.urls"))]
API = "/api/v1"
pytestmark = pytest.mark.urls(__name__)


# A real receiver -------------------------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """Answers each request with the next scripted action (default 200 "ok"): an int status, ``(status, body)``,
    or ``("sleep", seconds)`` to stall past the sender's timeout. ``on_request`` runs in the server thread."""

    url: str
    script: list = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    on_request: object = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, {k: v for k, v in self.headers.items()}, body))
            if state.on_request:
                state.on_request()
            action = state.script.pop(0) if state.script else 200
            if isinstance(action, tuple) and action[0] == "sleep":
                time.sleep(action[1])
                action = 200
            status, text = action if isinstance(action, tuple) else (action, "ok")
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on loopback
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2


@pytest.fixture
def world(db):
    teacher = factories.instructor(name="Teacher Li 李老师")
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=0, title="Python 入门 🐍")
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="Asia/Shanghai", status=CohortStatus.RUNNING
    )
    members = [factories.learner(name=name) for name in ("张伟", "José", "Zoë 🎨")]
    for member in members:
        factories.enrollment(cohort=cohort, learner=member)
    return {"teacher": teacher, "course": course, "cohort": cohort, "members": members}


def _webhook(world, receiver, format=WebhookFormat.GENERIC, **fields) -> Webhook:
    return services.webhook_create(
        actor=world["teacher"], cohort_id=world["cohort"].pk, url=receiver.url, format=format, **fields
    )


def _announce(world, body="明天 9 点直播答疑 🎉 Live Q&A <tomorrow>"):
    """Post an announcement; post_announce queues its webhook deliveries. Returns the new deliveries."""
    before = WebhookDelivery.objects.order_by("-id").values_list("id", flat=True).first() or 0
    feed.post_announce(actor=world["teacher"], cohort_id=world["cohort"].pk, body=body)
    return list(WebhookDelivery.objects.filter(id__gt=before).order_by("id"))


# Signatures ------------------------------------------------------------------------------------------------------


def test_signature_verifies_and_tampering_or_an_old_timestamp_fails():
    secret, ts, body = "whsec_0123456789abcdef", 1_770_000_000, '{"name":"张伟","note":"🎉"}'
    signature = sign(secret=secret, timestamp=ts, body=body)

    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    assert verify_signature(secret, str(ts), body.encode(), signature, 300, now=ts + 10)
    assert verify_signature(secret, ts, body, signature, 300, now=ts - 10)  # str or bytes, a little clock skew
    assert not verify_signature(secret, ts, body.replace("张伟", "李雷"), signature, 300, now=ts)
    assert not verify_signature(secret, ts + 1, body, signature, 300, now=ts)  # timestamp swapped
    assert not verify_signature("whsec_another_secret!", ts, body, signature, 300, now=ts)
    assert not verify_signature(secret, ts, body, signature, 300, now=ts + 301)  # replayed too late
    assert not verify_signature(secret, "not-a-number", body, signature, 300, now=ts)
    assert not verify_signature(secret, ts, body, "sha256=deadbeef", 300, now=ts)


def test_the_receiver_can_verify_what_it_got(world, receiver):
    webhook = _webhook(world, receiver)
    when = datetime(2026, 3, 3, 10, 0, tzinfo=SH)
    with time_machine.travel(when, tick=False):
        (delivery,) = _announce(world)
        services.webhook_delivery_attempt(delivery_id=delivery.pk)

    (got,) = receiver.requests
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-Stagewise-Event"] == "announcement"
    assert got.headers["X-Stagewise-Delivery"] == str(delivery.pk)
    ts = got.headers["X-Stagewise-Timestamp"]
    assert int(ts) == int(when.timestamp())
    signature = got.headers["X-Stagewise-Signature"]
    assert verify_signature(webhook.secret, ts, got.body, signature, 300, now=when.timestamp())
    assert not verify_signature(webhook.secret, ts, got.body + b" ", signature, 300, now=when.timestamp())


# Formats ---------------------------------------------------------------------------------------------------------


def test_each_format_has_its_body_shape_and_unicode_survives(world, receiver):
    generic = _webhook(world, receiver, WebhookFormat.GENERIC)
    slack = _webhook(world, receiver, WebhookFormat.SLACK)
    wecom = _webhook(world, receiver, WebhookFormat.WECOM)
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        deliveries = _announce(world)
        assert services.webhook_deliveries_retry() == {"sent": 3, "retrying": 0, "failed": 0, "skipped": 0}

    by_id = {r.headers["X-Stagewise-Delivery"]: r for r in receiver.requests}
    by_webhook = {d.webhook_id: by_id[str(d.pk)] for d in deliveries}
    for got in receiver.requests:
        assert "李老师".encode() in got.body
        assert "🎉".encode() in got.body  # raw UTF-8, not \ud83c escapes
        assert b"\\u" not in got.body

    body = by_webhook[generic.pk].json
    assert body["event"] == "announcement"
    assert body["cohort"]["id"] == world["cohort"].pk
    assert body["cohort"]["course"] == "Python 入门 🐍"
    assert body["cohort"]["url"].endswith(f"/cohorts/{world['cohort'].pk}/")
    assert body["data"]["author"] == "Teacher Li 李老师"
    assert body["data"]["body"] == "明天 9 点直播答疑 🎉 Live Q&A <tomorrow>"
    assert datetime.fromisoformat(body["occurred_at"]) == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

    body = by_webhook[slack.pk].json
    assert set(body) == {"text", "blocks"}
    assert body["blocks"][0]["type"] == "section"
    assert body["blocks"][0]["text"] == {"type": "mrkdwn", "text": body["text"]}
    assert "*Announcement*" in body["text"]
    assert "> 明天 9 点直播答疑 🎉 Live Q&amp;A &lt;tomorrow&gt;" in body["text"]  # Slack's control characters escaped
    assert f"/cohorts/{world['cohort'].pk}/|Open the cohort>" in body["text"]

    body = by_webhook[wecom.pk].json
    assert body["msgtype"] == "markdown"
    assert set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert content.startswith("📣 **Announcement** · Python 入门 🐍")
    assert "Teacher Li 李老师:" in content
    assert "> 明天 9 点直播答疑 🎉 Live Q&A <tomorrow>" in content
    assert f"[Open the cohort](http://127.0.0.1:8000/cohorts/{world['cohort'].pk}/)" in content


def test_wecom_content_is_cut_to_4096_bytes_on_a_character_boundary(world, receiver):
    _webhook(world, receiver, WebhookFormat.WECOM)
    (delivery,) = _announce(world, body="打卡" * 3000)
    content = json.loads(delivery.body)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("…")


def test_wecom_errcode_in_a_200_is_an_error(world, receiver):
    _webhook(world, receiver, WebhookFormat.WECOM)
    receiver.script = [
        (200, '{"errcode":45009,"errmsg":"api freq out of limit"}'),
        (200, '{"errcode":93000,"errmsg":"invalid webhook url"}'),
    ]
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False) as clock:
        (delivery,) = _announce(world)
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
        assert delivery.status == WebhookDeliveryStatus.PENDING  # rate limited: try again
        assert "45009" in delivery.last_error
        clock.shift(timedelta(minutes=1))
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDeliveryStatus.FAILED  # a bad key won't get better
    assert delivery.last_error == "WeCom errcode 93000: invalid webhook url"


# Retries ---------------------------------------------------------------------------------------------------------


def test_a_500_is_retried_with_growing_backoff_until_it_succeeds(world, receiver):
    _webhook(world, receiver)
    receiver.script = [500, 503, 502, 200]
    start = datetime(2026, 3, 3, 10, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False) as clock:
        (delivery,) = _announce(world)
        due_times = []
        for attempt in range(1, 4):
            delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
            assert delivery.status == WebhookDeliveryStatus.PENDING
            assert delivery.attempts == attempt
            assert delivery.last_status_code in (500, 503, 502)
            assert delivery.last_error.startswith("HTTP 5")
            due_times.append(delivery.next_attempt_at)
            # not due yet: neither the task nor the periodic retry sends it early
            clock.move_to(delivery.next_attempt_at - timedelta(seconds=1))
            assert services.webhook_delivery_attempt(delivery_id=delivery.pk) is None
            assert services.webhook_deliveries_retry()["sent"] == 0
            clock.move_to(delivery.next_attempt_at)
        assert services.webhook_deliveries_retry() == {"sent": 1, "retrying": 0, "failed": 0, "skipped": 0}

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SENT
    assert delivery.attempts == 4
    assert delivery.last_status_code == 200
    assert delivery.last_error == ""
    assert delivery.next_attempt_at is None
    waits = [due_times[0] - start] + [b - a for a, b in zip(due_times, due_times[1:], strict=False)]
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert len(receiver.requests) == 4
    assert len({r.body for r in receiver.requests}) == 1  # the same body every time
    assert len({r.headers["X-Stagewise-Signature"] for r in receiver.requests}) == 4  # freshly signed each time


def test_gives_up_after_six_attempts(world, receiver):
    _webhook(world, receiver)
    receiver.script = [500] * 10
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False) as clock:
        (delivery,) = _announce(world)
        for _ in range(10):
            clock.shift(timedelta(hours=1))
            services.webhook_deliveries_retry()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS == 6
    assert len(receiver.requests) == 6


def test_a_404_is_permanent_and_stops_retrying(world, receiver):
    _webhook(world, receiver)
    receiver.script = [(404, "no_service")]
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False) as clock:
        (delivery,) = _announce(world)
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
        clock.shift(timedelta(hours=2))
        assert services.webhook_deliveries_retry() == {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 404
    assert delivery.last_error == "HTTP 404: no_service"
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (403, True), (410, True), (301, True), (408, False), (429, False), (500, False)],
)
def test_which_statuses_are_permanent(status, permanent):
    assert error_for_status(status).permanent is permanent


def test_a_timeout_is_transient(world, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    _webhook(world, receiver)
    receiver.script = [("sleep", 1.0)]
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        (delivery,) = _announce(world)
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "Timed out after 0.3 s."
    assert delivery.next_attempt_at == datetime(2026, 3, 3, 10, 1, tzinfo=SH)


def test_a_refused_connection_is_transient(world):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services.webhook_create(actor=world["teacher"], cohort_id=world["cohort"].pk, url=f"http://127.0.0.1:{port}/")
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        (delivery,) = _announce(world)
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.last_error.startswith("Connection failed")


def test_private_addresses_are_refused_unless_allowed(world, receiver, settings):
    _webhook(world, receiver)  # added while allowed
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        (delivery,) = _announce(world)
        delivery = services.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert (delivery.last_error, delivery.last_error_code) == ("127.0.0.1 is not a public address.", "not_public")
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://localhost/hook", "https://10.1.2.3/x", "http://[::1]/", "http://0.0.0.0/"],
)
def test_a_private_address_is_refused_when_the_webhook_is_added(world, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(Invalid) as refused, translation.override("zh-hans"):
        services.webhook_create(actor=world["teacher"], cohort_id=world["cohort"].pk, url=url)
    assert refused.value.code == "private_url"
    with translation.override("zh-hans"):
        assert "内网地址" in str(refused.value.message)
    assert not Webhook.objects.exists()


def test_a_deactivated_webhook_sends_nothing_more(world, receiver):
    webhook = _webhook(world, receiver)
    receiver.script = [500]
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False) as clock:
        (delivery,) = _announce(world)
        services.webhook_delivery_attempt(delivery_id=delivery.pk)
        services.webhook_update(actor=world["teacher"], webhook_id=webhook.pk, is_active=False)
        clock.shift(timedelta(minutes=5))
        assert services.webhook_deliveries_retry()["failed"] == 1
        assert _announce(world) == []  # new events skip it
    delivery.refresh_from_db()
    assert delivery.last_error == "The webhook was deactivated."
    assert len(receiver.requests) == 1


def test_an_announcement_is_queued_once(world, receiver):
    _webhook(world, receiver)
    post = feed.post_announce(actor=world["teacher"], cohort_id=world["cohort"].pk, body="Hello 👋")
    assert WebhookDelivery.objects.count() == 1  # queued by post_announce itself
    assert services.webhook_announce(post=post) == []  # a second call queues nothing
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery(receiver):
    """While worker A's request is in flight, worker B (a periodic run, in the receiver's thread, on its own
    database connection) finds nothing to claim."""
    teacher = factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher), status=CohortStatus.RUNNING)
    services.webhook_create(actor=teacher, cohort_id=cohort.pk, url=receiver.url)
    feed.post_announce(actor=teacher, cohort_id=cohort.pk, body="once")
    (delivery,) = WebhookDelivery.objects.all()
    second_worker: list[dict] = []

    def race() -> None:
        if not second_worker:
            try:
                second_worker.append(services.webhook_deliveries_retry())
                second_worker.append({"direct": services.webhook_delivery_attempt(delivery_id=delivery.pk)})
            finally:
                connection.close()

    receiver.on_request = race
    first = services.webhook_delivery_attempt(delivery_id=delivery.pk)

    assert first.status == WebhookDeliveryStatus.SENT
    assert second_worker == [{"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}, {"direct": None}]
    assert len(receiver.requests) == 1


def test_the_task_sends_after_commit(world, receiver, django_capture_on_commit_callbacks):
    from stagewise.celery import app

    _webhook(world, receiver)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            (delivery,) = _announce(world)
            assert receiver.requests == []  # nothing leaves before commit
    finally:
        app.conf.task_always_eager = False
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SENT
    assert len(receiver.requests) == 1


def test_the_task_schedules_its_own_retry_at_the_backoff_time(world, receiver, caplog):
    """Run eagerly, Celery re-runs a retried task at once: that early run must find nothing due and send nothing."""
    from cohorts.tasks import webhook_deliver_task

    _webhook(world, receiver)
    receiver.script = [500]
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False), caplog.at_level("INFO"):
        (delivery,) = _announce(world)
        webhook_deliver_task.apply(args=[delivery.pk])
    assert "Retry in 61.0s" in caplog.text  # the 1-minute backoff, plus a second so it isn't early
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert len(receiver.requests) == 1


# The daily digest ------------------------------------------------------------------------------------------------


def test_the_digest_goes_out_once_a_day_at_the_reminder_hour(world, receiver):
    _webhook(world, receiver, WebhookFormat.GENERIC)
    _webhook(world, receiver, WebhookFormat.WECOM)
    zhang, jose, _zoe = world["members"]
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=SH), tick=False):  # day 2
        checkin = checkins.checkin_record(learner=zhang, cohort_id=world["cohort"].pk, text="第二天的作业 ✅")
        checkins.checkin_record(learner=jose, cohort_id=world["cohort"].pk, text="done")
        checkins.checkin_feature(actor=world["teacher"], checkin_id=checkin.pk)

    with time_machine.travel(datetime(2026, 3, 3, 19, 59, tzinfo=SH), tick=False):
        assert services.webhook_digests_run() == 0  # before the reminder hour (20:00 local)
    with time_machine.travel(datetime(2026, 3, 3, 20, 0, tzinfo=SH), tick=False):
        assert services.webhook_digests_run() == 2
        assert services.webhook_digests_run() == 0  # a second scheduler run sends nothing
        assert services.webhook_deliveries_retry()["sent"] == 2
    with time_machine.travel(datetime(2026, 3, 3, 23, 30, tzinfo=SH), tick=False):
        assert services.webhook_digests_run() == 0
    with time_machine.travel(datetime(2026, 3, 4, 20, 5, tzinfo=SH), tick=False):
        assert services.webhook_digests_run() == 2  # the next day has its own

    assert SendLog.objects.filter(kind="webhook_digest").count() == 2
    first_day = WebhookDelivery.objects.filter(event=WebhookEvent.DIGEST).order_by("created_at", "id")[:2]
    generic, wecom = (json.loads(d.body) for d in first_day)
    assert generic["event"] == "digest"
    assert generic["data"] == {
        "day": 2,
        "days": 7,
        "date": "2026-03-03",
        "checked_in": 2,
        "members": 3,
        "featured": [{"name": "张伟", "day": 2, "text": "第二天的作业 ✅"}],
    }
    content = wecom["markdown"]["content"]
    assert "📊 **Day 2/7** · Python 入门 🐍" in content
    assert "✅ Checked in today: **2/3** (67%)" in content
    assert "• 张伟 (day 2): 第二天的作业 ✅" in content
    received = [r.json for r in receiver.requests]
    assert generic in received and wecom in received


def test_no_digest_without_an_active_webhook_or_outside_the_cohort(world, receiver):
    webhook = _webhook(world, receiver)
    services.webhook_update(actor=world["teacher"], webhook_id=webhook.pk, is_active=False)
    with time_machine.travel(datetime(2026, 3, 3, 21, 0, tzinfo=SH), tick=False):
        assert services.webhook_digests_run() == 0
    services.webhook_update(actor=world["teacher"], webhook_id=webhook.pk, is_active=True)
    for moment in (datetime(2026, 3, 1, 21, 0, tzinfo=SH), datetime(2026, 3, 9, 21, 0, tzinfo=SH)):
        with time_machine.travel(moment, tick=False):
            assert services.webhook_digests_run() == 0
    assert not SendLog.objects.filter(kind="webhook_digest").exists()


# The API ---------------------------------------------------------------------------------------------------------


def test_an_instructor_manages_webhooks(world, receiver, api_client):
    client = api_client(world["teacher"])
    cohort_id = world["cohort"].pk

    created = client.post(
        f"{API}/cohorts/{cohort_id}/webhooks",
        {"url": receiver.url, "format": "wecom", "name": "学习群"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 30
    assert hook["format"] == "wecom" and hook["is_active"] is True and hook["name"] == "学习群"

    chosen = client.post(
        f"{API}/cohorts/{cohort_id}/webhooks",
        {"url": receiver.url, "secret": "my-own-secret-0123456789"},
        content_type="application/json",
    ).json()
    assert chosen["secret"] == "my-own-secret-0123456789" and chosen["format"] == "generic"

    listed = client.get(f"{API}/cohorts/{cohort_id}/webhooks?page_size=1").json()
    assert listed["count"] == 2 and listed["pages"] == 2 and [h["id"] for h in listed["items"]] == [hook["id"]]
    # The secret is shown once, when it is made; later reads only hint at it.
    assert listed["items"][0]["secret"] is None and listed["items"][0]["secret_hint"] == "…" + hook["secret"][-4:]
    assert client.get(f"{API}/webhooks/{hook['id']}").json()["secret"] is None
    renamed = client.patch(f"{API}/webhooks/{hook['id']}", {"name": "学习群 2"}, content_type="application/json")
    assert renamed.json()["secret"] is None and renamed.json()["name"] == "学习群 2"

    patched = client.patch(
        f"{API}/webhooks/{hook['id']}", {"is_active": False, "rotate_secret": True}, content_type="application/json"
    ).json()
    assert patched["is_active"] is False and patched["secret"] != hook["secret"]

    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        tested = client.post(f"{API}/webhooks/{hook['id']}/test")
        assert tested.status_code == 202, tested.content
        assert tested.json()["event"] == "test" and tested.json()["status"] == "pending"
        services.webhook_deliveries_retry()  # a test goes out even to an inactive webhook
    (got,) = receiver.requests
    assert "Test from Stagewise" in got.json["markdown"]["content"]
    assert verify_signature(
        patched["secret"], got.headers["X-Stagewise-Timestamp"], got.body, got.headers["X-Stagewise-Signature"], 10**9
    )

    log = client.get(f"{API}/webhooks/{hook['id']}/deliveries").json()
    assert log["count"] == 1
    assert log["items"][0]["status"] == "sent" and log["items"][0]["attempts"] == 1
    assert log["items"][0]["last_status_code"] == 200

    assert client.delete(f"{API}/webhooks/{hook['id']}").status_code == 204
    assert not Webhook.objects.filter(pk=hook["id"]).exists()
    assert not WebhookDelivery.objects.filter(webhook_id=hook["id"]).exists()
    assert_error(client.get(f"{API}/webhooks/{hook['id']}"), 404, "webhook_not_found")


def test_bad_input_is_refused(world, api_client):
    client = api_client(world["teacher"])
    url = f"{API}/cohorts/{world['cohort'].pk}/webhooks"
    assert_error(client.post(url, {"url": "ftp://example.test/x"}, content_type="application/json"), 422, "invalid_url")
    assert_error(client.post(url, {"url": "not a url"}, content_type="application/json"), 422, "invalid_url")
    assert_error(
        client.post(url, {"url": "https://example.test/", "format": "telex"}, content_type="application/json"),
        422,
        "validation_error",
    )
    assert_error(
        client.post(url, {"url": "https://example.test/", "secret": "short"}, content_type="application/json"),
        422,
        "validation_error",
    )
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["learner", "other_instructor"])
def test_only_the_cohorts_instructors_see_its_webhooks(world, receiver, api_client, who):
    webhook = _webhook(world, receiver)
    outsider = world["members"][0] if who == "learner" else factories.instructor()
    client = api_client(outsider)
    cohort_id = world["cohort"].pk
    body = {"url": receiver.url}

    assert_error(client.get(f"{API}/cohorts/{cohort_id}/webhooks"), 404, "cohort_not_found")
    assert_error(client.post(f"{API}/cohorts/{cohort_id}/webhooks", body, content_type="application/json"), 404)
    assert_error(client.get(f"{API}/webhooks/{webhook.pk}"), 404, "webhook_not_found")
    assert_error(
        client.patch(f"{API}/webhooks/{webhook.pk}", {"is_active": False}, content_type="application/json"), 404
    )
    assert_error(client.delete(f"{API}/webhooks/{webhook.pk}"), 404)
    assert_error(client.get(f"{API}/webhooks/{webhook.pk}/deliveries"), 404)
    assert_error(client.post(f"{API}/webhooks/{webhook.pk}/test"), 404)
    webhook.refresh_from_db()
    assert webhook.is_active and Webhook.objects.count() == 1 and not WebhookDelivery.objects.exists()
    assert_error(api_client().get(f"{API}/cohorts/{cohort_id}/webhooks"), 401, "not_authenticated")


def test_lists_cost_the_same_queries_whatever_they_hold(world, receiver, api_client):
    client = api_client(world["teacher"])
    webhook = _webhook(world, receiver)
    cohort_id = world["cohort"].pk

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries(f"{API}/cohorts/{cohort_id}/webhooks")  # warm up: the token's first use is recorded once
    one_hook = queries(f"{API}/cohorts/{cohort_id}/webhooks")
    services.webhook_send_test(actor=world["teacher"], webhook_id=webhook.pk)
    one_delivery = queries(f"{API}/webhooks/{webhook.pk}/deliveries")
    for _ in range(5):
        _webhook(world, receiver)
        services.webhook_send_test(actor=world["teacher"], webhook_id=webhook.pk)
    assert queries(f"{API}/cohorts/{cohort_id}/webhooks") == one_hook
    assert queries(f"{API}/webhooks/{webhook.pk}/deliveries") == one_delivery
