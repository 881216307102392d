"""The marketer's campaign pages: reachable from the workspace's tabs, with empty states, in both languages;
composing, previewing and sending; closed to learners and instructors."""

import re

import pytest
from django.test import Client

from alumni.models import Campaign, CampaignStatus, Delivery
from tests import factories
from tests.alumni import campaign_factories as cf

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marketer():
    return factories.marketer(name="Mia", timezone="Asia/Shanghai")


def _form(segment, **fields):
    return {
        "name": "Winter upgrade",
        "segment_id": segment.pk,
        "topic": "marketing",
        "kind": "one_off",
        "send_at": "",
        "trigger": "",
        "delay_days": 0,
        "window_start_hour": 9,
        "window_end_hour": 20,
        "holdout_percent": 10,
        "offer_kind": "percent",
        "offer_value": 20,
        "offer_currency": "",
        "offer_valid_days": 14,
        "subject_en": cf.SUBJECT_EN,
        "body_en": cf.BODY_EN,
        "subject_zh": cf.SUBJECT_ZH,
        "body_zh": cf.BODY_ZH,
        **fields,
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_empty_states_in_both_languages(language):
    client = _client(factories.marketer(language=language))
    dashboard = client.get("/marketing/").content.decode()
    assert 'data-testid="tab-campaigns"' in dashboard
    page = client.get("/marketing/campaigns/").content.decode()
    assert 'data-testid="campaigns-empty"' in page
    assert ("还没有营销活动" if language == "zh-hans" else "No campaigns yet") in page
    assert 'aria-current="page" data-testid="tab-campaigns"' in page
    composer = client.get("/marketing/campaigns/new/").content.decode()
    assert "{{ offer_code }}" in composer
    campaign = cf.campaign()
    detail = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="deliveries-empty"' in detail
    assert f'href="/marketing/campaigns/{campaign.pk}/report/"' in detail
    assert 'data-testid="preview-empty"' in client.get(f"/marketing/campaigns/{campaign.pk}/preview/").content.decode()


def test_compose_with_a_send_time_in_the_marketers_zone_then_preview(marketer):
    person = cf.consenting(1, name="张伟")[0]
    segment = cf.segment(members=[person], name="Winter graduates")
    client = _client(marketer)

    answer = client.post("/marketing/campaigns/new/", _form(segment, send_at="2027-01-04T09:30", preview="1"))

    campaign = Campaign.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/marketing/campaigns/{campaign.pk}/preview/"
    assert campaign.send_at.isoformat() == "2027-01-04T01:30:00+00:00"  # 09:30 in Shanghai
    preview = client.get(answer["Location"]).content.decode()
    assert "张伟, your next stage" in preview and "张伟，下一阶段在等你" in preview


def test_a_send_time_the_clocks_skip_in_the_marketers_zone_is_refused(marketer):
    marketer.timezone = "Europe/Berlin"
    marketer.save(update_fields=["timezone"])
    client = _client(marketer)
    # 02:30 on 28 March 2027 doesn't exist in Berlin: the clocks jump from 02:00 to 03:00.
    page = client.post("/marketing/campaigns/new/", _form(cf.segment(), send_at="2027-03-28T02:30"))
    assert page.status_code == 200
    assert "the clocks skip it" in page.content.decode()
    assert not Campaign.objects.exists()


def test_a_template_error_is_shown_on_its_field_with_the_line(marketer):
    client = _client(marketer)
    page = client.post("/marketing/campaigns/new/", _form(cf.segment(), body_zh="你好\n{{ name }\n"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'class="field has-error\s*".*?name="body_zh"', html, re.S)
    assert "Line 2" in html
    assert not Campaign.objects.exists()


def test_send_now_pause_and_cancel_from_the_campaign_page(marketer, celery_eager, django_capture_on_commit_callbacks):
    campaign = cf.campaign(segment=cf.segment(members=cf.consenting(2)), by=marketer)
    client = _client(marketer)
    page = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="action-send-now"' in page and "data-confirm=" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/marketing/campaigns/{campaign.pk}/send-now/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    page = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="count-pending">2<' in page
    client.post(f"/marketing/campaigns/{campaign.pk}/pause/")
    client.post(f"/marketing/campaigns/{campaign.pk}/cancel/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    assert Delivery.objects.filter(campaign=campaign).count() == 2
    # a cancelled campaign can't be edited
    assert client.get(f"/marketing/campaigns/{campaign.pk}/edit/").status_code == 302


def test_the_list_shows_status_audience_and_sent_counts(marketer):
    campaign = cf.campaign(segment=cf.segment(members=cf.consenting(3), name="Lapsed"), status=CampaignStatus.DONE)
    Delivery.objects.bulk_create(
        Delivery(campaign=campaign, learner=p, status="sent", due_at=campaign.created_at) for p in cf.consenting(3)
    )
    page = _client(factories.marketer(language="zh-hans")).get("/marketing/campaigns/").content.decode()
    assert "Lapsed" in page and "<strong>3</strong>" in page and "已完成" in page


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_cannot_open_campaign_pages(make):
    client = _client(make())
    campaign = cf.campaign()
    for url in ("/marketing/campaigns/", "/marketing/campaigns/new/", f"/marketing/campaigns/{campaign.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/marketing/campaigns/{campaign.pk}/cancel/").status_code == 403
    assert Client().get("/marketing/campaigns/").status_code == 302  # to the login page


def test_ids_out_of_range_are_a_404_not_a_500(marketer):
    client = _client(marketer)
    huge = "9" * 30
    for url in (f"/marketing/campaigns/{huge}/", f"/marketing/campaigns/{huge}/preview/?recipient={huge}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/marketing/campaigns/{huge}/cancel/").status_code == 404
    campaign = cf.campaign()
    assert client.get(f"/marketing/campaigns/{campaign.pk}/preview/?recipient={huge}").status_code == 200
