"""The segments API as a marketer's script or the builder uses it: validation that names the bad node, a live
preview, members, why someone is in, CSV export of the consented members."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import Campaign, Segment, SegmentMembership
from alumni.segments.models import ExportLog
from alumni.segments.services import segment_compute
from alumni.segments.tree import MAX_DEPTH, MAX_NODES
from tests import factories
from tests.alumni.segment_helpers import cond, group, record
from tests.assertions import assert_error

pytestmark = pytest.mark.django_db

BASE = "/api/v1/alumni/segments"


@pytest.fixture
def client():
    client = Client()
    client.force_login(factories.marketer(name="Mia"))
    return client


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def preview(client, tree):
    return post(client, f"{BASE}/preview", {"tree": tree})


# Validation: the path of the bad node, a stable code, a message; never a 500 ---------------------------------------


@pytest.mark.parametrize(
    ("tree", "code", "path"),
    [
        ([], "tree_bad_node", ""),
        ("and", "tree_bad_node", ""),
        ({"type": "condition"}, "tree_bad_node", "type"),
        (group("xor"), "tree_bad_operator", "op"),
        ({"type": "group", "children": {"0": {}}}, "tree_bad_node", "children"),
        (group("and", 7), "tree_bad_node", "children.0"),
        (group("and", {"type": "rule"}), "tree_bad_node", "children.0.type"),
        (group("and", cond("password", "eq", "x")), "tree_unknown_field", "children.0.field"),
        (group("and", cond("total_paid_minor", "contains", 3)), "tree_bad_operator", "children.0.op"),
        (group("and", cond("upgraded", "lt", True)), "tree_bad_operator", "children.0.op"),
        (group("and", cond("total_paid_minor", "gte", "lots")), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "gte", True)), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "gte", 2**63)), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "gte", 1.5)), "tree_bad_value", "children.0.value"),
        (group("and", cond("checkin_rate", "gte", "NaN")), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "between", [1])), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "between", [1, "x"])), "tree_bad_value", "children.0.value.1"),
        (group("and", cond("total_paid_minor", "in", [])), "tree_bad_value", "children.0.value"),
        (group("and", cond("total_paid_minor", "in", list(range(501)))), "tree_too_large", "children.0.value"),
        (group("and", cond("source", "eq", "x" * 201)), "tree_bad_value", "children.0.value"),
        (group("and", cond("source", "eq", "a\x00b")), "tree_bad_value", "children.0.value"),
        (group("and", cond("source", "eq", None)), "tree_bad_value", "children.0.value"),
        (group("and", cond("rfm_group", "eq", "vip")), "tree_bad_value", "children.0.value"),
        (group("and", cond("rfm_group", "in", ["lost", "vip"])), "tree_bad_value", "children.0.value.1"),
        (group("and", cond("last_active_at", "gt", "2026-02-30")), "tree_bad_value", "children.0.value"),
        (group("and", cond("last_active_at", "gt", {"days": "7"})), "tree_bad_value", "children.0.value"),
        (group("and", cond("last_active_at", "gt", {"days": 10**9})), "tree_bad_value", "children.0.value"),
        (group("and", cond("last_active_at", "gt", {"days": -7, "x": 1})), "tree_bad_value", "children.0.value"),
        (group("and", cond("course_ids", "contains", 0)), "tree_bad_value", "children.0.value"),
        (group("and", cond("inactive_days", "gte", -1)), "tree_bad_value", "children.0.value"),
        (
            group("and", cond("completed_course", "eq", 1, ended_between=["x", "y"])),
            "tree_bad_value",
            "children.0.ended_between.0",
        ),
        (group("and", cond("upgraded", "eq", True, negate="yes")), "tree_bad_value", "children.0.negate"),
        (
            group("and", cond("upgraded", "eq", True), group("or", cond("awards", "gte", "1"))),
            "tree_bad_value",
            "children.1.children.0.value",
        ),
        (
            group("and", group("or", cond("awards", "gte", 1), group("and", cond("name", "eq", 5)))),
            "tree_bad_value",
            "children.0.children.1.children.0.value",
        ),
        (group("and", *[cond("awards", "gte", 1)] * 31), "tree_too_large", "children"),
    ],
)
def test_a_bad_tree_is_a_422_naming_the_bad_node(client, tree, code, path):
    body = assert_error(preview(client, tree), 422, code)
    assert body["details"]["path"] == path
    # the same on saving, and nothing saved
    assert_error(post(client, BASE, {"name": "x", "tree": tree}), 422, code)
    assert not Segment.objects.exists()


def test_depth_and_size_limits(client):
    deep = group("and", cond("awards", "gte", 1))
    for _ in range(MAX_DEPTH):
        deep = group("or", deep)
    body = assert_error(preview(client, deep), 422, "tree_too_deep")
    assert body["details"]["path"] == ".".join(["children.0"] * MAX_DEPTH)

    wide = group("and", *[group("or", *[cond("awards", "gte", n) for n in range(10)]) for _ in range(6)])
    assert MAX_NODES < 66
    assert_error(preview(client, wide), 422, "tree_too_large")


def test_references_to_missing_rows_are_named(client):
    body = assert_error(preview(client, group("and", cond("completed_course", "in", [10**9]))), 422)
    assert (body["code"], body["details"]["path"]) == ("tree_unknown_reference", "children.0.value.0")
    body = assert_error(preview(client, group("and", cond("campaign_not_converted", "eq", 10**9))), 422)
    assert (body["code"], body["details"]["path"]) == ("tree_unknown_reference", "children.0.value")


NASTY = [
    None,
    0,
    -1,
    1e308,
    "",
    "\x00",
    [],
    [[]],
    {},
    {"type": None},
    {"children": None},
    {"children": [None]},
    {"children": [[]]},
    {"children": [{"type": "condition", "field": None}]},
    {"children": [{"type": "condition", "field": ["name"]}]},
    {"children": [{"type": "condition", "field": "name", "op": ["eq"]}]},
    {"children": [{"type": "condition", "field": "name", "op": "eq", "value": {"$gt": ""}}]},
    {"children": [{"type": "condition", "field": "last_active_at", "op": "eq", "value": {"days": 1e400}}]},
    {"children": [{"type": "condition", "field": "last_active_at", "op": "between", "value": [None, None]}]},
    {"children": [{"type": "condition", "field": "in_segment", "op": "eq", "value": -5}]},
    {"children": [{"type": "condition", "field": "in_segment", "op": "eq", "value": 2**70}]},
    {"children": [{"type": "condition", "field": "course_ids", "op": "contains", "value": ["1"]}]},
    {"children": [{"type": "condition", "field": "__class__", "op": "eq", "value": 1}]},
    {"op": "and", "negate": None, "children": []},
    {"op": {"and": 1}},
]


@pytest.mark.parametrize("tree", NASTY)
def test_nasty_input_is_answered_never_a_500(client, tree):
    response = preview(client, tree)
    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_error(response, 422)


def test_a_body_that_is_no_tree_at_all_is_a_422(client):
    assert_error(post(client, f"{BASE}/preview", {}), 422, "validation_error")
    assert_error(client.post(f"{BASE}/preview", "[1]", content_type="application/json"), 422)


# Preview ---------------------------------------------------------------------------------------------------------


def test_the_preview_counts_and_shows_the_first_twenty(client, django_assert_max_num_queries):
    for n in range(25):
        record(f"Learner {n:02d}", total_paid_minor=1000 * n, currency="CNY")
    tree = group("and", cond("total_paid_minor", "gte", 2000))
    with django_assert_max_num_queries(4):  # session, user, count, the members shown
        body = preview(client, tree).json()
    assert body["count"] == 23
    assert len(body["members"]) == 20
    shown = {member["name"]: member for member in body["members"]}
    assert len(shown) == 20 and set(shown) <= {f"Learner {n:02d}" for n in range(2, 25)}
    one = next(iter(shown.values()))
    assert one["total_paid_minor"] == 1000 * int(one["name"][-2:]) and one["currency"] == "CNY"
    assert set(one) >= {"learner_id", "name", "email", "highest_stage_completed", "last_active_at"}


def test_a_segment_cannot_name_itself_even_through_another(client):
    marketer = factories.marketer()
    a = Segment.objects.create(name="A", tree=group("and"), created_by=marketer)
    b = Segment.objects.create(name="B", tree=group("and", cond("in_segment", "eq", a.pk)), created_by=marketer)
    # A naming itself
    response = client.patch(
        f"{BASE}/{a.pk}", json.dumps({"tree": group("and", cond("in_segment", "eq", a.pk))}), "application/json"
    )
    body = assert_error(response, 422, "segment_cycle")
    assert body["details"]["path"] == "children.0.value"
    # A naming B, which names A
    tree = group("and", cond("awards", "gte", 0), group("or", cond("in_segment", "eq", b.pk)))
    body = assert_error(client.patch(f"{BASE}/{a.pk}", json.dumps({"tree": tree}), "application/json"), 422)
    assert (body["code"], body["details"]["path"]) == ("segment_cycle", "children.1.children.0.value")
    # the builder's preview refuses it too when told which segment is edited
    response = post(client, f"{BASE}/preview", {"tree": tree, "segment_id": a.pk})
    assert_error(response, 422, "segment_cycle")
    a.refresh_from_db()
    assert a.tree == group("and") | {"negate": False}


# Saved segments --------------------------------------------------------------------------------------------------


def test_create_list_get_update_archive(client):
    response = post(client, BASE, {"name": " Spenders ", "tree": group("and", cond("total_paid_minor", "gte", 1))})
    assert response.status_code == 201
    segment = response.json()
    assert segment["name"] == "Spenders" and segment["kind"] == "dynamic" and segment["version"] == 0
    assert segment["tree"]["children"][0]["negate"] is False  # the normal form
    assert client.get(BASE).json()["count"] == 1
    response = client.patch(f"{BASE}/{segment['id']}", json.dumps({"kind": "static"}), "application/json")
    assert response.json()["kind"] == "static"
    assert client.post(f"{BASE}/{segment['id']}/archive").json()["archived_at"] is not None
    assert client.get(BASE).json()["count"] == 0
    assert client.get(f"{BASE}?archived=true").json()["count"] == 1
    assert_error(client.patch(f"{BASE}/{segment['id']}", json.dumps({"name": "x"}), "application/json"), 409)
    assert_error(client.get(f"{BASE}/{10**12}"), 404, "segment_not_found")


# Members and why -------------------------------------------------------------------------------------------------


@pytest.fixture
def computed():
    marketer = factories.marketer()
    course = factories.course(title="SQL")
    ann = record("Ann", total_paid_minor=20000, course_ids=[course.pk], upgraded=True)
    bo = record("Bo", total_paid_minor=20000, course_ids=[])
    record("Cy", total_paid_minor=10)
    tree = group(
        "and",
        cond("total_paid_minor", "gte", 10000),
        group("or", cond("course_ids", "contains", course.pk), cond("upgraded", "eq", True, negate=True)),
    )
    segment = Segment.objects.create(name="Spenders", tree=tree, created_by=marketer)
    segment_compute(segment_id=segment.pk)
    return {"segment": segment, "ann": ann, "bo": bo, "course": course}


def test_members_are_the_stored_version_paginated(client, computed):
    body = client.get(f"{BASE}/{computed['segment'].pk}/members?page_size=1").json()
    assert body["count"] == 2 and body["pages"] == 2
    assert body["items"][0]["name"] == "Ann"


def test_why_marks_each_condition_with_the_value_that_decided_it(client, computed):
    segment, ann, bo = computed["segment"], computed["ann"], computed["bo"]
    body = client.get(f"{BASE}/{segment.pk}/why/{ann.learner_id}").json()
    assert body["member"] is True and body["matches_now"] is True and body["name"] == "Ann"
    paid, either = body["tree"]["children"]
    assert (paid["matched"], paid["actual"], paid["path"]) == (True, 20000, "children.0")
    courses, not_upgraded = either["children"]
    assert (courses["matched"], courses["actual"]) == (True, [computed["course"].pk])
    assert (not_upgraded["matched"], not_upgraded["actual"]) == (False, True)
    assert either["matched"] is True

    body = client.get(f"{BASE}/{segment.pk}/why/{bo.learner_id}").json()
    courses, not_upgraded = body["tree"]["children"][1]["children"]
    assert courses["matched"] is False and not_upgraded["matched"] is True

    cy = client.get(f"{BASE}/{segment.pk}/why/{computed['ann'].learner_id + 2}").json()
    assert cy["member"] is False and cy["matches_now"] is False
    assert cy["tree"]["children"][0]["actual"] == 10

    assert_error(client.get(f"{BASE}/{segment.pk}/why/{factories.learner().pk}"), 404, "learner_not_found")


# Export ----------------------------------------------------------------------------------------------------------


def test_export_streams_only_the_consented_members_guards_formulas_and_is_logged(client):
    marketer = factories.marketer()
    yes = record('=HYPERLINK("http://evil")', total_paid_minor=20000, currency="CNY")
    consent_set(user=yes.learner, topic=MailTopic.MARKETING, subscribed=True, source="test")
    also = record("张伟", total_paid_minor=30000, currency="CNY")
    consent_set(user=also.learner, topic=MailTopic.MARKETING, subscribed=True, source="test")
    gone = record("Unsubscribed", total_paid_minor=40000)
    consent_set(user=gone.learner, topic=MailTopic.MARKETING, subscribed=True, source="test")
    consent_set(user=gone.learner, topic="all", subscribed=False, source="test")
    record("Never asked", total_paid_minor=50000)  # marketing is off by default
    segment = Segment.objects.create(
        name="Spenders", tree=group("and", cond("total_paid_minor", "gte", 1)), created_by=marketer
    )
    segment_compute(segment_id=segment.pk)

    response = client.get(f"{BASE}/{segment.pk}/export")

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["name", "email"]
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("http://evil")', "张伟"]
    log = ExportLog.objects.get()
    assert (log.segment_id, log.rows, log.left_out, log.version) == (segment.pk, 2, 2, 1)
    assert log.actor.display_name == "Mia"
    exports = client.get(f"{BASE}/{segment.pk}/exports").json()
    assert exports["items"][0]["rows"] == 2 and exports["items"][0]["actor_name"] == "Mia"


def test_an_export_reads_rows_in_chunks(client, django_assert_max_num_queries):
    """Streaming: the rows are fetched with a server-side cursor in chunks (one query for the lot on SQLite)."""
    marketer = factories.marketer()
    segment = Segment.objects.create(name="All", tree=group("and"), created_by=marketer, version=1)
    for n in range(30):
        r = record(f"L{n}")
        consent_set(user=r.learner, topic=MailTopic.MARKETING, subscribed=True, source="test")
        SegmentMembership.objects.create(segment=segment, version=1, learner=r.learner)
    response = client.get(f"{BASE}/{segment.pk}/export")
    with django_assert_max_num_queries(1):
        lines = list(response.streaming_content)
    assert len(lines) == 31


def test_exporting_before_the_first_computation_is_409(client):
    segment = Segment.objects.create(name="New", tree=group("and"), created_by=factories.marketer())
    assert_error(client.get(f"{BASE}/{segment.pk}/export"), 409, "segment_not_computed")
    assert not ExportLog.objects.exists()


def test_campaign_reference_checks_use_real_campaigns(client):
    campaign = Campaign.objects.create(
        name="Spring", subject_en="s", body_en="b", subject_zh="s", body_zh="b", created_by=factories.marketer()
    )
    assert preview(client, group("and", cond("campaign_not_converted", "eq", campaign.pk))).json()["count"] == 0


def test_json_nested_too_deep_to_parse_is_a_400_and_a_deep_tree_a_422(client):
    body = '{"tree": ' + "[" * 100000 + "]" * 100000 + "}"
    assert_error(client.post(f"{BASE}/preview", body, content_type="application/json"), 400)
    tree = node = group("and")
    for _ in range(300):
        child = group("or")
        node["children"].append(child)
        node = child
    assert_error(preview(client, tree), 422, "tree_too_deep")


def test_why_on_event_conditions_shows_what_the_rows_say(client):
    marketer = factories.marketer()
    ann = record("Ann", last_active_at=None)
    other = Segment.objects.create(name="Other", tree=group("and"), created_by=marketer, version=2)
    SegmentMembership.objects.create(segment=other, version=2, learner=ann.learner)
    campaign = Campaign.objects.create(
        name="Spring", subject_en="s", body_en="b", subject_zh="s", body_zh="b", created_by=marketer
    )
    course = factories.course(title="SQL")
    tree = group(
        "or",
        cond("inactive_days", "gte", 7),
        cond("in_segment", "eq", other.pk),
        cond("campaign_not_converted", "eq", campaign.pk),
        cond("completed_course", "eq", course.pk),
        cond("cohort_ended", "gte", {"days": -30}),
    )
    segment = Segment.objects.create(name="Events", tree=tree, created_by=marketer)
    segment_compute(segment_id=segment.pk)

    body = client.get(f"{BASE}/{segment.pk}/why/{ann.learner_id}").json()

    inactive, in_other, campaign_, completed, ended = body["tree"]["children"]
    assert (inactive["matched"], inactive["actual"]) == (True, None)
    assert (in_other["matched"], in_other["actual"]) == (True, {"version": 2, "member": True})
    assert (campaign_["matched"], campaign_["actual"]) == (False, {"sent_at": None, "converted": False})
    assert (completed["matched"], completed["actual"]) == (False, [])
    assert (ended["matched"], ended["actual"]) == (False, [])
    assert body["member"] is True and body["matches_now"] is True
