"""The Jinja2 environment for pages and mail: URLs, static files, i18n through Django's gettext, and ``when``, the
one way an instant is shown to a person."""

import zoneinfo
from datetime import date, datetime, tzinfo
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from stagewise.markdown import render_markdown
from stagewise.money import format_money

# How each language writes a day and an instant, in Django's format characters (month and weekday names come from
# Django's translations): "Sat, Nov 28, 06:12" / "11月28日 星期六 06:12". Not Django's own MONTH_DAY_FORMAT: its
# Chinese one pads the month ("03月5日") and its English one has no weekday.
WHEN_FORMATS: dict[str, dict[str, str]] = {
    "en": {"date": "D, M j, Y", "day": "D, M j", "time": "H:i", "datetime": "D, M j, H:i"},
    "zh-hans": {"date": "Y年n月j日 l", "day": "n月j日 l", "time": "H:i", "datetime": "n月j日 l H:i"},
}


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _zone(name: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def user_zone(user: Any) -> tzinfo:
    """A person's time zone (their profile's), else the active one: what ``when`` shows their instants in, and
    what their "today" and "from 1 December" mean (the staff reports' date ranges)."""
    return _zone(getattr(user, "timezone", "") or "") or timezone.get_current_timezone()


def reader_zone(context: Context, reader: Any = None) -> tzinfo:
    """The reader's time zone: ``reader``'s if given (a document such as a receipt is for its owner), else the
    signed-in viewer's on a page, else the active one (mail activates the recipient's, see ``stagewise.mail``)."""
    if reader is None:
        user = getattr(context.get("request"), "user", None)
        reader = user if getattr(user, "is_authenticated", False) else None
    return user_zone(reader)


def format_local(value: date, style: str) -> str:
    """A date (or an instant already in the reader's zone) in the active language's ``WHEN_FORMATS[style]``."""
    formats = WHEN_FORMATS.get(translation.get_language() or "", WHEN_FORMATS["en"])
    return date_format(value, formats[style])


_format = format_local


@pass_context
def when(
    context: Context, value: date | datetime | None, style: str = "datetime", *, zone: str = "", reader: Any = None
) -> str:
    """An instant as its reader reads it: in their time zone and their language's format.

    ``style`` is "datetime", "date" (with the year), "day" or "time"; a ``date`` (no instant) is only formatted.
    ``zone`` names the zone that decides something (a cohort's check-in deadline): the instant is shown there,
    with the zone's name, and in the reader's zone as well when that reads differently.
    """
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return _format(value, "date" if style == "datetime" else style)
    mine = _format(timezone.localtime(value, reader_zone(context, reader)), style)
    deciding = _zone(zone)
    if deciding is None:
        return mine
    there = _format(timezone.localtime(value, deciding), style)
    if there == mine:
        return f"{there} ({zone})"
    return translation.gettext("%(there)s (%(zone)s), %(mine)s your time") % {
        "there": there,
        "zone": zone,
        "mine": mine,
    }


@pass_context
def timezone_name(context: Context, reader: Any = None) -> str:
    """The name of the zone ``when`` shows the reader's instants in."""
    return str(reader_zone(context, reader))


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    env.globals.update(
        url=url,
        static=static,
        languages=settings.LANGUAGES,
        get_language=translation.get_language,
        timezone_name=timezone_name,
        site_url=settings.SITE_URL,
    )
    env.filters.update(
        markdown=render_markdown,
        money=format_money,
        date=lambda value, fmt="DATE_FORMAT": date_format(value, fmt) if value else "",
        when=when,
        # The older name of ``when`` (mail templates of other branches may still say ``|localtime``).
        localtime=when,
    )
    return env
