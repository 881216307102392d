"""``when``, the one template helper for instants: the reader's zone, the language's format, both zones where the
cohort's decides."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone, translation

# 06:12 on Saturday 28 November in Beijing is still Friday evening in UTC.
PAID = datetime(2026, 11, 27, 22, 12, tzinfo=UTC)


def render(source: str, *, language: str = "en", reader_zone: str | None = None, **context) -> str:
    request = None
    if reader_zone is not None:
        request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, timezone=reader_zone))
    with translation.override(language):
        return engines["jinja2"].from_string(source).render({"request": request, **context} if request else context)


@pytest.mark.parametrize(
    ("language", "style", "expected"),
    [
        ("en", "datetime", "Sat, Nov 28, 06:12"),
        ("zh-hans", "datetime", "11月28日 星期六 06:12"),
        ("en", "day", "Sat, Nov 28"),
        ("zh-hans", "day", "11月28日 星期六"),
        ("en", "date", "Sat, Nov 28, 2026"),
        ("zh-hans", "date", "2026年11月28日 星期六"),
        ("en", "time", "06:12"),
    ],
)
def test_an_instant_in_the_viewers_zone_and_language(language, style, expected):
    html = render("{{ at|when(style) }}", language=language, reader_zone="Asia/Shanghai", at=PAID, style=style)
    assert html == expected


def test_without_a_viewer_the_active_zone_is_used_as_mail_activates_the_recipients():
    with timezone.override("America/New_York"):
        assert render("{{ at|when }}", at=PAID) == "Fri, Nov 27, 17:12"
    assert render("{{ at|when }} {{ timezone_name() }}", at=PAID) == "Fri, Nov 27, 22:12 UTC"


def test_a_document_for_someone_uses_their_zone_whoever_renders_it():
    owner = SimpleNamespace(timezone="Asia/Shanghai")
    assert render("{{ at|when('date', reader=owner) }}", at=PAID, owner=owner) == "Sat, Nov 28, 2026"


def test_where_the_cohorts_zone_decides_both_zones_are_shown():
    source = "{{ at|when(zone='Asia/Shanghai') }}"
    assert render(source, reader_zone="Europe/Berlin", at=PAID) == (
        "Sat, Nov 28, 06:12 (Asia/Shanghai), Fri, Nov 27, 23:12 your time"
    )
    assert render(source, language="zh-hans", reader_zone="Europe/Berlin", at=PAID) == (
        "11月28日 星期六 06:12（Asia/Shanghai），你的时间 11月27日 星期五 23:12"
    )
    # a reader in the cohort's zone reads it once
    assert render(source, reader_zone="Asia/Shanghai", at=PAID) == "Sat, Nov 28, 06:12 (Asia/Shanghai)"


def test_a_date_is_only_formatted_and_nothing_is_empty():
    assert render("{{ d|when }}", language="zh-hans", d=date(2026, 11, 28)) == "2026年11月28日 星期六"
    assert render("[{{ none|when }}]", none=None) == "[]"
