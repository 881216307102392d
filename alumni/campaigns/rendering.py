"""A campaign's messages: Jinja2 written by marketers, rendered in a sandbox with plain values only.

The subject and the body are templates in English and Simplified Chinese. The body is plain text or markdown: the
text part of the mail is the rendered body, the HTML part is that markdown rendered and sanitized
(``stagewise.markdown``), with each personal value escaped for markdown first so a name can't become a link.
Links to this site go through the click tracker (``/m/<token>/?to=<path>``).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from stagewise.errors import Invalid, lazy_format
from stagewise.jinja2 import format_local, user_zone
from stagewise.markdown import render_markdown

# The personal fields a message may use, in the order the composer lists them.
FIELDS: tuple[str, ...] = ("name", "next_course", "next_course_url", "offer_code", "deadline", "unsubscribe_url")
LANGUAGES: tuple[str, ...] = ("en", "zh")
MAX_OUTPUT_CHARS = 50_000  # a message longer than this is a mistake (or a loop), not a mail
MAX_REPEAT = 1_000  # "x" * n, range(n): enough for any real message, too little to exhaust memory
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with what it leaves open closed too: big repetitions and powers, long ranges."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not available in messages")
        for a, b in ((left, right), (right, left)):
            if isinstance(a, str | list | tuple) and isinstance(b, int) and b > MAX_REPEAT:
                raise SecurityError("repetition too long")
        return super().call_binop(context, operator, left, right)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_REPEAT:
        raise SecurityError("range too long")
    return numbers


def _environment() -> SandboxedEnvironment:
    env = _Sandbox(autoescape=False, keep_trailing_newline=False, undefined=StrictUndefined)
    env.globals = {"range": _range}
    env.filters = {
        name: env.filters[name]
        for name in ("upper", "lower", "title", "capitalize", "trim", "default", "replace", "truncate", "length")
    }
    return env


_env = _environment()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: Markup


def _error(field: str, message: Any, code: str, line: int | None = None) -> Invalid:
    extra: dict[str, Any] = {"field": field}
    if line is not None:
        extra["line"] = line
    return Invalid(message, code=code, extra=extra)


def template_check(*, field: str, source: str) -> None:
    """Refuse a template that doesn't parse, names a field that doesn't exist, or tries what the sandbox forbids
    (Invalid, 422, with the field and the line)."""
    try:
        ast = _env.parse(source)
        declared = meta.find_undeclared_variables(ast)  # compiles: an unknown filter is refused here
    except TemplateSyntaxError as exc:
        raise _error(
            field,
            lazy_format(_("Line %(line)s: %(problem)s"), line=exc.lineno, problem=exc.message or ""),
            "template_syntax",
            exc.lineno,
        ) from None
    unknown = sorted(declared - set(FIELDS) - set(_env.globals))
    if unknown:
        line = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == unknown[0]), None)
        raise _error(
            field,
            lazy_format(
                _("Unknown field “%(name)s”. Available: %(fields)s."), name=unknown[0], fields=", ".join(FIELDS)
            ),
            "template_unknown_field",
            line,
        )
    try:
        _render(source, sample_values())
    except SecurityError:
        raise _error(field, _("This template uses something messages may not use."), "template_unsafe") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise _error(
            field,
            lazy_format(_("This template fails when it is filled in: %(problem)s"), problem=str(exc)[:200]),
            "template_error",
        ) from None


def _render(source: str, values: Mapping[str, Any]) -> str:
    out: list[str] = []
    size = 0
    for chunk in _env.from_string(source).generate(**values):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError("message too long")
        out.append(chunk)
    return "".join(out)


def sample_values() -> dict[str, str]:
    """Values of the right shape, to try a template on when it is saved."""
    return {
        "name": "Ada",
        "next_course": "SQL bootcamp",
        "next_course_url": "/",
        "offer_code": "SW-ABCD-2345",
        "deadline": "Mon, Jan 4, 2027, 23:59",
        "unsubscribe_url": settings.SITE_URL + "/unsubscribe/",
    }


def language_of(user: Any) -> str:
    """The message language for a user: Chinese for zh-hans, else English."""
    return "zh" if (getattr(user, "language", "") or "").startswith("zh") else "en"


def deadline_text(*, expires_at: datetime | None, user: Any) -> str:
    """The offer's expiry as the recipient reads it: their language, their time zone."""
    if expires_at is None:
        return ""
    django_language = "zh-hans" if language_of(user) == "zh" else "en"
    with translation.override(django_language):
        local = timezone.localtime(expires_at, user_zone(user))
        return f"{format_local(local, 'date')} {format_local(local, 'time')}"


def _markdown_escaped(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value if key.endswith("_url") else _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
        for key, value in values.items()
    }


_HREF = re.compile(r'href="([^"]*)"')


def site_path(target: str) -> str | None:
    """The path of ``target`` if it is on this site (a path, or an absolute URL under ``SITE_URL``), else None."""
    target = target.replace("&amp;", "&")
    if target.startswith(settings.SITE_URL + "/"):
        target = target[len(settings.SITE_URL) :]
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def tracked_url(*, token: Any, path: str) -> str:
    return settings.SITE_URL + reverse("alumni:campaign_click", args=[token]) + "?to=" + quote(path, safe="/")


def _track_links(html: str, token: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        path = site_path(match.group(1))
        if path is None or path.startswith("/unsubscribe/"):
            return match.group(0)  # another site's link, or leaving: not a click toward a conversion
        return f'href="{tracked_url(token=token, path=path)}"'.replace("&", "&amp;")

    return _HREF.sub(replace, html)


def message_render(
    *, subject: str, body: str, values: Mapping[str, Any], token: Any = None, now: datetime | None = None
) -> Rendered:
    """One language's message filled in for one recipient. ``token`` (a delivery's) turns this site's links into
    tracked ones. Raises ``SecurityError`` / ``TemplateError`` for a template that fails (checked when saved)."""
    text = _render(body, values).strip()
    html = str(render_markdown(_render(body, _markdown_escaped(values))))
    if token is not None:
        html = _track_links(html, token)
    return Rendered(subject=" ".join(_render(subject, values).split())[:300], text=text, html=Markup(html))  # noqa: S704 - sanitized markdown
