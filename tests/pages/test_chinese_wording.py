"""Chinese pages say the right thing: one English word with two meanings gets two translations, stage labels and
"who may enroll" are translated, the webhook delivery log explains a refused address in Chinese, and no Chinese text
runs into ASCII punctuation ("密钥: …", "星期日, 十二月 6")."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts import checkins
from cohorts.models import WebhookDelivery
from cohorts.webhooks import services as webhook_services
from content.models import Prerequisite

CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
ASCII_NEXT_TO_CJK = re.compile(rf"{CJK} ?[!:;,?]|[!:;,?] ?{CJK}")


def _text(html: str) -> str:
    """What a reader sees: the text between tags, and the attributes browsers show (titles, placeholders)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    shown = re.findall(r'(?:title|placeholder|aria-label|data-confirm)="([^"]*)"', html)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html) + "\n" + "\n".join(shown))


@pytest.fixture
def chinese_world(world, settings):
    for person in ("teacher", "learner"):
        world[person].language = "zh-hans"
        world[person].save(update_fields=["language"])
    world["beginner"].prerequisite = Prerequisite.NONE
    world["beginner"].save(update_fields=["prerequisite"])
    running = world["running"]
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # added while allowed; refused when it was sent
    hook = webhook_services.webhook_create(
        actor=world["teacher"], cohort_id=running.pk, url="http://127.0.0.1:9/hook", name="群机器人"
    )
    WebhookDelivery.objects.create(
        webhook=hook,
        event="test",
        body="{}",
        status="failed",
        attempts=1,
        last_error="127.0.0.1 is not a public address.",
        last_error_code="not_public",
        created_at=timezone.now() - timedelta(minutes=5),
    )
    checkins.checkin_record(learner=world["learner"], cohort_id=running.pk, text="Wrote three SELECT queries today.")
    return world


def test_two_meanings_two_translations(chinese_world, as_user):
    running = chinese_world["running"]
    teacher = as_user(chinese_world["teacher"])
    webhooks = teacher.get(f"/teach/cohorts/{running.pk}/webhooks/").content.decode()
    assert '<span class="badge badge-active">已启用</span>' in webhooks and "在读" not in webhooks
    roster = teacher.get(f"/cohorts/{running.pk}/applications/").content.decode()
    assert "<th>报名状态</th>" in roster and "报名时间" not in roster
    cohort_page = as_user(chinese_world["learner"]).get(f"/cohorts/{running.pk}/").content.decode()
    assert "<dt>报名时间</dt>" in cohort_page and "在读" in cohort_page  # the learner's own status


def test_stage_labels_and_who_may_enroll_are_translated(chinese_world, as_user):
    client = as_user(chinese_world["learner"])
    catalog = _text(client.get("/").content.decode())
    assert "第 1 阶段 · 入门" in catalog and "第 2 阶段 · 训练营" in catalog
    assert not re.search(r"Beginner|Bootcamp", catalog)
    course = _text(client.get("/courses/data-1/").content.decode())
    assert re.search(r"报名条件\s+所有人均可报名", course)
    english = _text(as_user(chinese_world["outsider"]).get("/courses/data-1/").content.decode())
    assert "Stage 1 · Beginner" in english and "Anyone" in english and "None" not in english


def test_a_refused_loopback_address_is_explained_in_chinese(chinese_world, as_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    client = as_user(chinese_world["teacher"])
    url = f"/teach/cohorts/{chinese_world['running'].pk}/webhooks/"
    log = client.get(url).content.decode()
    assert "127.0.0.1 是本机或内网地址" in log and "not a public address" not in log
    refused = client.post(url, {"url": "http://localhost:8000/hook", "format": "generic"})
    assert refused.status_code == 422
    assert "localhost 是本机或内网地址；Webhook 只能发送到公网地址。" in refused.content.decode()


@pytest.mark.parametrize("persona", ["learner", "teacher"])
def test_no_ascii_punctuation_next_to_chinese(chinese_world, as_user, persona):
    running, bootcamp = chinese_world["running"], chinese_world["bootcamp"]
    pages = {
        "learner": [
            "/",
            "/courses/data-1/",
            "/courses/data-2/",
            "/cohorts/mine/",
            f"/cohorts/{running.pk}/",
            f"/cohorts/{running.pk}/today/",
            f"/cohorts/{running.pk}/feed/",
            "/orders/",
            "/accounts/profile/",
        ],
        "teacher": [
            "/teach/",
            f"/teach/courses/{bootcamp.pk}/",
            f"/teach/courses/{bootcamp.pk}/lessons/",
            f"/teach/courses/{bootcamp.pk}/cohorts/",
            f"/teach/cohorts/{running.pk}/",
            f"/teach/cohorts/{running.pk}/webhooks/",
            f"/cohorts/{running.pk}/applications/",
        ],
    }[persona]
    client = as_user(chinese_world[persona])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response.content.decode())
        clashes = [text[max(m.start() - 20, 0) : m.end() + 20] for m in ASCII_NEXT_TO_CJK.finditer(text)]
        assert clashes == [], url
