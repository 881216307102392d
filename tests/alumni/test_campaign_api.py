"""The campaigns API as a marketer's script uses it, and the click redirect of campaign mails."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alumni.campaigns.planning import campaign_plan
from alumni.models import Campaign, CampaignStatus, Delivery
from tests import factories
from tests.alumni import campaign_factories as cf
from tests.assertions import assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/alumni/campaigns"


@pytest.fixture
def marketer():
    return factories.marketer(name="Mia")


@pytest.fixture
def client(api_client, marketer):
    return api_client(marketer)


def _body(segment, **fields):
    return {
        "name": "Winter upgrade",
        "segment_id": segment.pk,
        "subject_en": cf.SUBJECT_EN,
        "body_en": cf.BODY_EN,
        "subject_zh": cf.SUBJECT_ZH,
        "body_zh": cf.BODY_ZH,
        **fields,
    }


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_create_read_edit_delete(client):
    segment = cf.segment(members=cf.consenting(2))
    created = _post(client, BASE, _body(segment, offer_kind="percent", offer_value=15, holdout_percent=10))
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["segment_name"] == segment.name
    assert campaign["deliveries"]["sent"] == 0
    assert campaign["report_url"] == f"/marketing/campaigns/{campaign['id']}/report/"

    edited = client.put(
        f"{BASE}/{campaign['id']}", json.dumps(_body(segment, name="Spring")), content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["name"] == "Spring" and edited.json()["offer_kind"] == ""

    assert client.delete(f"{BASE}/{campaign['id']}").status_code == 204
    assert_error(client.get(f"{BASE}/{campaign['id']}"), 404, "campaign_not_found")


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"body_en": "Hi {{ name }\n"}, "template_syntax", "body_en"),
        ({"subject_zh": "{{ nickname }}"}, "template_unknown_field", "subject_zh"),
        ({"body_zh": "{{ ''.__class__.__mro__ }}"}, "template_unsafe", "body_zh"),
        ({"offer_kind": "percent", "offer_value": 150}, "offer_value_invalid", "offer_value"),
        ({"offer_kind": "fixed", "offer_value": 500}, "offer_currency_invalid", "offer_currency"),
        ({"window_start_hour": 9, "window_end_hour": 9}, "campaign_window_invalid", "window_start_hour"),
        ({"kind": "lifecycle", "trigger": ""}, "campaign_trigger_invalid", "trigger"),
        ({"kind": "lifecycle", "trigger": "inactive", "delay_days": 0}, "campaign_delay_required", "delay_days"),
        ({"segment_id": None}, "campaign_segment_required", "segment_id"),
        ({"segment_id": 2**62}, "segment_not_found", "segment_id"),
    ],
)
def test_a_bad_campaign_is_a_422_naming_the_field(client, fields, code, field):
    body = assert_error(_post(client, BASE, _body(cf.segment(), **fields)), 422, code)
    assert body["details"]["field"] == field
    if code == "template_syntax":
        assert body["details"]["line"] == 1 and "1" in body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},
        {"name": "", "subject_en": "", "body_en": "", "subject_zh": "", "body_zh": ""},
        {"name": "x" * 500, "subject_en": "s", "body_en": "b", "subject_zh": "s", "body_zh": "b"},
        {"name": "x", "subject_en": "s", "body_en": "b", "subject_zh": "s", "body_zh": "b", "segment_id": 2**70},
        {"name": "x", "subject_en": "s", "body_en": "b", "subject_zh": "s", "body_zh": "b", "send_at": "soon"},
        {"name": "x", "subject_en": "s", "body_en": "b", "subject_zh": "s", "body_zh": "b", "kind": "weekly"},
    ],
)
def test_malformed_input_is_never_a_500(client, body):
    assert_error(_post(client, BASE, body), 422)
    assert_error(client.post(BASE, "[1, 2]", content_type="application/json"), 422)
    assert_error(client.get(f"{BASE}/1/preview?learner_id=abc"), 422)


def test_send_now_plans_and_sends_inside_windows(client, celery_eager, django_capture_on_commit_callbacks):
    people = cf.consenting(3)
    campaign = cf.campaign(segment=cf.segment(members=people))
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = _post(client, f"{BASE}/{campaign.pk}/schedule")
    assert scheduled.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING  # due now: planned and started at once
    assert client.get(f"{BASE}/{campaign.pk}").json()["deliveries"]["pending"] == 3

    assert_error(_post(client, f"{BASE}/{campaign.pk}/schedule"), 409, "campaign_not_schedulable")
    assert_error(
        client.put(f"{BASE}/{campaign.pk}", json.dumps(_body(campaign.segment)), content_type="application/json"),
        409,
        "campaign_not_editable",
    )
    assert _post(client, f"{BASE}/{campaign.pk}/pause").json()["status"] == "paused"
    assert _post(client, f"{BASE}/{campaign.pk}/cancel").json()["status"] == "cancelled"
    assert_error(_post(client, f"{BASE}/{campaign.pk}/cancel"), 409, "campaign_not_cancellable")
    assert_error(_post(client, f"{BASE}/{campaign.pk}/pause"), 409, "campaign_not_pausable")
    assert mail.outbox == []


def test_schedule_later_waits_for_its_time(client):
    campaign = cf.campaign(segment=cf.segment(members=cf.consenting(1)))
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    answer = _post(client, f"{BASE}/{campaign.pk}/schedule", {"send_at": later.isoformat()})
    assert answer.json()["status"] == "scheduled"
    assert datetime.fromisoformat(answer.json()["send_at"]) == later
    assert not Delivery.objects.filter(campaign=campaign).exists()


def test_a_lifecycle_campaign_activates_pauses_and_resumes(client):
    campaign = cf.campaign(kind="lifecycle", trigger="inactive", delay_days=7)
    assert _post(client, f"{BASE}/{campaign.pk}/schedule").json()["status"] == "active"
    assert _post(client, f"{BASE}/{campaign.pk}/pause").json()["status"] == "paused"
    assert _post(client, f"{BASE}/{campaign.pk}/schedule").json()["status"] == "active"


def test_preview_in_both_languages_for_a_chosen_recipient(client):
    course = factories.course(title="Spreadsheet basics")
    factories.course(track=course.track, stage=2, title="SQL bootcamp")
    person = cf.consenting(1, name="张伟", timezone="Asia/Shanghai")[0]
    factories.enrollment(cohort=factories.cohort(course=course, status="ended"), learner=person, status="completed")
    campaign = cf.campaign(segment=cf.segment(members=[person]), offer_kind="percent", offer_value=20)

    answer = client.get(f"{BASE}/{campaign.pk}/preview?learner_id={person.pk}")

    assert answer.status_code == 200
    messages = {m["language"]: m for m in answer.json()["messages"]}
    assert messages["en"]["subject"] == "张伟, your next stage"
    assert messages["zh"]["subject"] == "张伟，下一阶段在等你"
    assert "SQL bootcamp" in messages["zh"]["text"] and "年" in messages["zh"]["text"]
    assert "<strong>SW-XXXX-XXXX</strong>" in messages["en"]["html"]
    assert "offer_code" in answer.json()["fields"]
    assert_error(client.get(f"{BASE}/{campaign.pk}/preview?learner_id={2**62}"), 404, "learner_not_found")


def test_deliveries_are_paginated_in_a_fixed_number_of_queries(client):
    campaign = cf.campaign(segment=cf.segment(members=cf.consenting(25)), holdout_percent=20)
    campaign_plan(campaign)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"{BASE}/{campaign.pk}/deliveries?page=2&page_size=10").json()
    assert page["count"] == 25 and page["pages"] == 3 and len(page["items"]) == 10
    assert len(queries) <= 8
    held = client.get(f"{BASE}/{campaign.pk}/deliveries?status=held_out").json()
    assert {d["status"] for d in held["items"]} <= {"held_out"}
    assert_error(client.get(f"{BASE}/{campaign.pk}/deliveries?status=bogus"), 422)


def test_the_list_counts_every_campaign_in_one_query(client):
    for _ in range(4):
        campaign_plan(cf.campaign(segment=cf.segment(members=cf.consenting(2))))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(BASE).json()
    assert page["count"] == Campaign.objects.count() and all(c["deliveries"]["pending"] == 2 for c in page["items"])
    assert len(queries) <= 6


# The click redirect ------------------------------------------------------------------------------------------


def _delivery():
    campaign = cf.campaign(segment=cf.segment(members=cf.consenting(1)))
    campaign_plan(campaign)
    return Delivery.objects.get(campaign=campaign)


def test_a_click_is_recorded_once_and_goes_on_with_the_token():
    delivery = _delivery()
    first_click = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(first_click, tick=False):
        answer = Client().get(f"/m/{delivery.token}/?to=/courses/sql/%3Fref%3Dmail")
    assert answer.status_code == 302
    assert answer["Location"] == f"/courses/sql/?ref=mail&c={delivery.token}"
    with time_machine.travel(first_click + timedelta(hours=1), tick=False):
        Client().get(f"/m/{delivery.token}/?to=/")
    delivery.refresh_from_db()
    assert delivery.clicked_at == first_click


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_the_click_redirect_never_leaves_the_site(target):
    delivery = _delivery()
    answer = Client().get(f"/m/{delivery.token}/", {"to": target})
    assert answer.status_code == 302
    assert answer["Location"] == f"/?c={delivery.token}"


def test_an_unknown_token_still_goes_on_without_attribution():
    answer = Client().get("/m/1b4e28ba-2fa1-11d2-883f-0016d3cca427/?to=/courses/")
    assert answer.status_code == 302 and answer["Location"] == "/courses/"
