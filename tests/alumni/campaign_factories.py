"""Segments with members and campaigns, made directly (segment membership is computed elsewhere)."""

import itertools
from typing import Any

from django.utils import timezone

from accounts.models import User
from alumni.models import Campaign, CampaignKind, Segment, SegmentMembership
from tests import factories

_n = itertools.count(1)

SUBJECT_EN = "{{ name }}, your next stage"
BODY_EN = (
    "Hi {{ name }},\n\nNext: {{ next_course }}.\n\n"
    "{% if offer_code %}Your code **{{ offer_code }}** works until {{ deadline }}.{% endif %}\n\n"
    "[See the course]({{ next_course_url }})"
)
SUBJECT_ZH = "{{ name }}，下一阶段在等你"
BODY_ZH = (
    "{{ name }}，你好！\n\n下一步：{{ next_course }}。\n\n"
    "{% if offer_code %}你的优惠码 **{{ offer_code }}** 有效期至 {{ deadline }}。{% endif %}\n\n"
    "[查看课程]({{ next_course_url }})"
)


def segment(*, members: list[User] = (), by: User | None = None, name: str = "") -> Segment:  # type: ignore[assignment]
    seg = Segment.objects.create(
        name=name or f"Segment {next(_n)}",
        tree={"op": "and", "children": []},
        version=1,
        member_count=len(members),
        computed_at=timezone.now(),
        created_by=by or factories.marketer(),
    )
    SegmentMembership.objects.bulk_create(SegmentMembership(segment=seg, version=1, learner=m) for m in members)
    return seg


def learners(n: int, **fields: Any) -> list[User]:
    return [factories.learner(**fields) for _ in range(n)]


def consenting(n: int, **fields: Any) -> list[User]:
    """Learners who said yes to marketing mail (its default is no)."""
    from accounts.consent import consent_set

    people = learners(n, **fields)
    for person in people:
        consent_set(user=person, topic="marketing", subscribed=True, source="test")
    return people


def campaign(*, segment: Segment | None = None, by: User | None = None, **fields: Any) -> Campaign:
    fields.setdefault("name", f"Campaign {next(_n)}")
    fields.setdefault("kind", CampaignKind.ONE_OFF)
    fields.setdefault("subject_en", SUBJECT_EN)
    fields.setdefault("body_en", BODY_EN)
    fields.setdefault("subject_zh", SUBJECT_ZH)
    fields.setdefault("body_zh", BODY_ZH)
    fields.setdefault("holdout_percent", 0)
    fields.setdefault("window_start_hour", 0)
    fields.setdefault("window_end_hour", 24)
    return Campaign.objects.create(segment=segment, created_by=by or factories.marketer(), **fields)
