"""The segment pages as a marketer uses them, in both languages; closed to learners and instructors."""

import json

import pytest
from django.test import Client

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import Segment
from alumni.segments.models import ExportLog
from alumni.segments.services import segment_compute
from tests import factories
from tests.alumni.segment_helpers import cond, group, record

pytestmark = pytest.mark.django_db


def client_for(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["stagewise_language"] = language
    return client


@pytest.fixture
def marketer():
    return factories.marketer(name="Mia")


@pytest.fixture
def computed(marketer):
    course = factories.course(title="SQL bootcamp")
    ann = record("Ann", total_paid_minor=20000, currency="CNY", course_ids=[course.pk])
    consent_set(user=ann.learner, topic=MailTopic.MARKETING, subscribed=True, source="test")
    record("Zed Nobody", total_paid_minor=10)
    tree = group("and", cond("total_paid_minor", "gte", 10000), group("or", cond("course_ids", "contains", course.pk)))
    segment = Segment.objects.create(name="Spenders", tree=tree, created_by=marketer)
    segment_compute(segment_id=segment.pk)
    return {"segment": segment, "ann": ann, "course": course}


def test_the_segments_tab_and_the_empty_list(marketer):
    page = client_for(marketer).get("/marketing/segments/")
    assert page.status_code == 200
    assert b'data-testid="segments-empty"' in page.content
    assert b'data-testid="tab-segments"' in client_for(marketer).get("/marketing/").content


def test_the_builder_saves_a_segment(marketer, celery_eager, django_capture_on_commit_callbacks):
    client = client_for(marketer)
    page = client.get("/marketing/segments/new/")
    assert page.status_code == 200 and b"segment-builder.js" in page.content
    record("Ann", total_paid_minor=20000)
    tree = group("and", cond("total_paid_minor", "gte", 10000))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/marketing/segments/new/", {"name": "Spenders", "kind": "static", "tree": json.dumps(tree)}
        )
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/marketing/segments/{segment.pk}/"
    assert (segment.kind, segment.member_count, segment.version) == ("static", 1, 1)
    page = client.get(response["Location"])
    assert b'data-testid="segment-member"' in page.content and b"Ann" in page.content


def test_a_bad_tree_from_the_form_is_shown_not_saved(marketer):
    client = client_for(marketer)
    tree = group("and", cond("total_paid_minor", "gte", "lots"))
    page = client.post("/marketing/segments/new/", {"name": "Bad", "kind": "dynamic", "tree": json.dumps(tree)})
    assert page.status_code == 422
    assert b'data-testid="builder-error"' in page.content and b'data-error-path="children.0.value"' in page.content
    page = client.post("/marketing/segments/new/", {"name": "Bad", "kind": "dynamic", "tree": "{not json"})
    assert page.status_code == 422
    assert not Segment.objects.exists()


def test_the_segment_page_its_why_and_its_export(marketer, computed):
    segment, ann = computed["segment"], computed["ann"]
    client = client_for(marketer)
    page = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "Spenders" in page and "SQL bootcamp" in page and "Ann" in page and "Zed Nobody" not in page
    assert "Not exported yet." in page

    why = client.get(f"/marketing/segments/{segment.pk}/why/{ann.learner_id}/").content.decode()
    assert why.count('data-testid="why-condition"') == 2
    assert "their value: 20000" in why and "In the segment as last computed." in why

    export = client.get(f"/marketing/segments/{segment.pk}/export.csv")
    assert export.status_code == 200 and b"Ann" in b"".join(export.streaming_content)
    assert ExportLog.objects.get().rows == 1
    page = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert 'data-testid="segment-exports"' in page and "1 row" in page


def test_the_pages_in_chinese(computed):
    client = client_for(factories.marketer(language="zh-hans"), language="zh-hans")
    segment = computed["segment"]
    assert "分群".encode() in client.get("/marketing/segments/").content
    assert "条件".encode() in client.get(f"/marketing/segments/{segment.pk}/edit/").content


def test_edit_and_archive(marketer, computed):
    segment = computed["segment"]
    client = client_for(marketer)
    assert client.get(f"/marketing/segments/{segment.pk}/edit/").status_code == 200
    response = client.post(f"/marketing/segments/{segment.pk}/archive/")
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.archived_at is not None
    assert b"Spenders" not in client.get("/marketing/segments/").content


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_get_403(make, computed):
    client = client_for(make())
    segment, ann = computed["segment"], computed["ann"]
    for url in (
        "/marketing/segments/",
        "/marketing/segments/new/",
        f"/marketing/segments/{segment.pk}/",
        f"/marketing/segments/{segment.pk}/edit/",
        f"/marketing/segments/{segment.pk}/why/{ann.learner_id}/",
        f"/marketing/segments/{segment.pk}/export.csv",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/marketing/segments/{segment.pk}/archive/").status_code == 403
    assert not ExportLog.objects.exists()


def test_a_missing_segment_is_404(marketer):
    assert client_for(marketer).get("/marketing/segments/999999/").status_code == 404
