"""The demo's marketer walks through every page of the workspace on the demo data (``demo_seed``,
``demo_seed_billing``, ``demo_seed_alumni``), on a phone (390×844) and a desktop (1280×800), in English and Chinese:
no page scrolls sideways, the charts are drawn, and on the Chinese pages the headings and the tabs are Chinese."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from alumni.models import Campaign, Conversion, Segment
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMED_BY_DATA = {"segment", "campaign", "preview", "report", "record"}


@pytest.fixture
def demo():
    for command in ("demo_seed", "demo_seed_billing", "demo_seed_alumni"):
        call_command(command, stdout=io.StringIO())
    early = Campaign.objects.get(name="Bootcamp early bird")
    buyer = Conversion.objects.filter(campaign=early).order_by("pk").first()
    return {
        "marketer": User.objects.get(email="marketer@demo.stagewise.local"),
        "early": early,
        "segment": Segment.objects.get(name="Finished stage 1, not moved up"),
        "learner_id": buyer.learner_id if buyer else early.deliveries.first().learner_id,
    }


def _pages(demo) -> list[tuple[str, str]]:
    early, segment, learner = demo["early"].pk, demo["segment"].pk, demo["learner_id"]
    return [
        ("overview", "/marketing/"),
        ("alumni", "/marketing/alumni/"),
        ("record", f"/marketing/alumni/{learner}/"),
        ("segments", "/marketing/segments/"),
        ("segment-builder", "/marketing/segments/new/"),
        ("segment", f"/marketing/segments/{segment}/"),
        ("campaigns", "/marketing/campaigns/"),
        ("composer", "/marketing/campaigns/new/"),
        ("campaign", f"/marketing/campaigns/{early}/"),
        ("preview", f"/marketing/campaigns/{early}/preview/?learner={learner}"),
        ("results", "/marketing/results/"),
        ("report", f"/marketing/campaigns/{early}/report/"),
        ("funnel", "/marketing/funnel/"),
        ("coupons", "/marketing/coupons/"),
        ("imports", "/marketing/imports/"),
    ]


def test_the_demo_marketer_walks_through_the_workspace(browser, live_server, demo, shots):
    marketer = demo["marketer"]
    problems: list[str] = []
    for language in ("en", "zh-hans"):
        User.objects.filter(pk=marketer.pk).update(language=language)
        lang = "zh" if language == "zh-hans" else "en"
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            phone = size == "phone"
            context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
            _login(context, live_server, marketer)
            page = context.new_page()
            for name, path in _pages(demo):
                response = page.goto(live_server.url + path)
                where = f"{name} ({lang}, {size})"
                if response is None or response.status != 200:
                    problems.append(f"{where}: status {response.status if response else None}")
                    continue
                shots(page, f"{name}-{lang}-{size}")
                if not _no_horizontal_scroll(page):
                    problems.append(f"{where}: scrolls sideways")
                if language == "zh-hans":
                    # The page's own words: a segment's or a campaign's name (its heading there) and the preview's
                    # English mail are the marketer's text, not the interface's.
                    texts = page.locator("nav.tabs a").all_inner_texts()
                    if name not in NAMED_BY_DATA:
                        texts += [page.locator("h1").first.inner_text(), *page.locator("main h2").all_inner_texts()]
                    english = [t for t in texts if t.strip() and not CJK.search(t) and re.search("[A-Za-z]{3}", t)]
                    if english:
                        problems.append(f"{where}: untranslated {english}")
            context.close()
    assert not problems, "\n".join(problems)
