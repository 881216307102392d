"""make demo's marketer side: after the three demo commands, the marketer's workspace is filled — a funnel, the RFM
bar, three segments with members, two campaigns with results; running the alumni command again changes nothing."""

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import ConsentChange
from alumni.models import AlumniRecord, Campaign, Conversion, Delivery, Segment, SegmentChange, SegmentMembership
from billing.models import Coupon, Order, Payment
from cohorts.models import Enrollment
from stagewise.models import MailLog

pytestmark = pytest.mark.django_db

NAMES = ["Finished stage 1, not moved up", "At risk or hibernating", "Spring 2026 alumni"]


def _counts() -> dict[str, int]:
    models = (
        ConsentChange,
        AlumniRecord,
        Segment,
        SegmentMembership,
        SegmentChange,
        Campaign,
        Delivery,
        Conversion,
        Coupon,
        Order,
        Payment,
        Enrollment,
        MailLog,
    )
    return {model.__name__: model.objects.count() for model in models}


@time_machine.travel(datetime(2026, 12, 7, 11, 30, tzinfo=UTC), tick=False)
def test_the_marketer_sees_a_live_funnel_segments_and_campaign_results(client):
    out = io.StringIO()
    call_command("demo_seed", stdout=out)
    call_command("demo_seed_billing", stdout=io.StringIO())
    call_command("demo_seed_alumni", stdout=io.StringIO())
    first = _counts()
    call_command("demo_seed_alumni", stdout=io.StringIO())
    assert _counts() == first

    assert first["ConsentChange"] > 30 and first["Conversion"] > 0
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    assert client.login(email="marketer@demo.stagewise.local", password=password)

    html = client.get("/marketing/").content.decode()
    assert 'data-testid="funnel-steps"' in html
    counts = [int(n) for n in re.findall(r'data-figure="count">(\d+)<', html)]
    assert counts and counts[0] > 0 and all(counts)
    assert '<svg class="rfm-bar"' in html

    html = client.get("/marketing/segments/").content.decode()
    for name in NAMES:
        segment = Segment.objects.get(name=name)
        assert segment.member_count > 0 and segment.version > 0, name
        assert name in html
    assert "Static" in html or "static" in html

    early = Campaign.objects.get(name="Bootcamp early bird")
    report = client.get(f"/marketing/campaigns/{early.pk}/report/").content.decode()

    def figure(name: str) -> str:
        return re.search(rf'data-figure="{name}">([^<]+)<', report).group(1)

    assert int(figure("sent")) > 0
    assert int(figure("converted")) > 0
    assert figure("net") not in ("", "CN¥0.00")
    reminder = Campaign.objects.get(name__startswith="Moved-up reminder")
    assert reminder.status == "active" and reminder.deliveries.filter(status="sent").exists()
