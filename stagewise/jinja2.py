"""The Jinja2 environment for pages and mail: URLs, static files, i18n through Django's gettext."""

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from jinja2 import Environment

from stagewise.markdown import render_markdown
from stagewise.money import format_money


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translation.gettext, ngettext=translation.ngettext, newstyle=True
    )
    env.globals.update(
        url=url,
        static=static,
        languages=settings.LANGUAGES,
        get_language=translation.get_language,
        timezone_name=timezone.get_current_timezone_name,
        site_url=settings.SITE_URL,
    )
    env.filters.update(
        markdown=render_markdown,
        money=format_money,
        date=lambda value, fmt="DATE_FORMAT": date_format(value, fmt) if value else "",
        # An instant in the active time zone (mail activates the recipient's), e.g. "2026-03-03 20:00".
        localtime=lambda value, fmt="Y-m-d H:i": date_format(timezone.localtime(value), fmt) if value else "",
    )
    return env
