"""One transport class per webhook format: each builds its body from a neutral ``WebhookMessage`` and knows how its
receiver says "no".

Every failure to deliver is a ``WebhookError``. ``permanent`` says whether trying again could help: a 4xx answer
(except 408 and 429) or a redirect means the URL or the payload is wrong and retrying won't fix it; 5xx answers,
408/429, timeouts and connection errors are transient and retried with backoff.
"""

import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from cohorts.models import WebhookEvent, WebhookFormat

USER_AGENT = "Stagewise-Webhooks/1"
MAX_RESPONSE_BYTES = 64 * 1024
TRANSIENT_STATUSES = frozenset({408, 429})


class WebhookError(Exception):
    """A delivery failed. ``permanent``: retrying won't help (stop); otherwise retry later. ``message`` is English
    (logs, the API); ``code`` is stable, for pages to explain the failure in the reader's language."""

    def __init__(self, message: str, *, permanent: bool, code: str, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.status_code = status_code


def error_for_status(status: int, detail: str = "") -> WebhookError:
    permanent = 300 <= status < 500 and status not in TRANSIENT_STATUSES
    message = f"HTTP {status}" + (f": {detail}" if detail else "")
    return WebhookError(message[:300], permanent=permanent, code="http_status", status_code=status)


@dataclass(frozen=True)
class FeaturedCheckIn:
    name: str
    day: int
    text: str


@dataclass(frozen=True)
class WebhookMessage:
    """What happened, independent of any format. ``data`` is event-specific and goes out as-is in generic JSON."""

    event: str
    occurred_at: datetime
    cohort_id: int
    cohort_name: str
    course_title: str
    cohort_url: str
    data: dict[str, Any] = field(default_factory=dict)
    featured: tuple[FeaturedCheckIn, ...] = ()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook URL that redirects is misconfigured; answer with the 3xx instead of following it (urllib would
    turn the POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def is_public_host_literal(host: str) -> bool:
    """False for ``localhost`` and for loopback, private or link-local IP literals; True for anything else (a name
    is only resolved when sending: ``check_destination``)."""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse URLs whose host resolves to a loopback, private, link-local or otherwise non-public address (so a
    webhook can't be used to probe the server's own network) unless ``allow_private``. DNS can still change between
    this check and the request; this stops the plain cases, not a determined rebinding attack."""
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookError(f"Can't resolve {host}.", permanent=False, code="unresolvable") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise WebhookError(f"{host} is not a public address.", permanent=True, code="not_public")


def http_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST ``body``; (status, the start of the response text) for a 2xx answer, WebhookError otherwise."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http/https only, checked on save)
    try:
        with _opener.open(request, timeout=timeout) as response:
            text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
            return response.status, text
    except urllib.error.HTTPError as exc:
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            detail = ""
        raise error_for_status(exc.code, detail) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise WebhookError(f"Timed out after {timeout:g} s.", permanent=False, code="timeout") from exc
        raise WebhookError(f"Connection failed: {reason}"[:300], permanent=False, code="connection_failed") from exc
    except TimeoutError as exc:
        raise WebhookError(f"Timed out after {timeout:g} s.", permanent=False, code="timeout") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(
            f"Connection failed: {exc.__class__.__name__} {exc}"[:300], permanent=False, code="connection_failed"
        ) from exc
    except ValueError as exc:  # a URL urllib can't use at all
        raise WebhookError(f"Unusable URL: {exc}"[:300], permanent=True, code="unusable_url") from exc


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8, cut on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


class Transport:
    """Builds the body for one format and posts it. Subclasses set ``format`` and implement ``payload``."""

    format: ClassVar[str]

    def payload(self, message: WebhookMessage) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, message: WebhookMessage) -> str:
        """The exact body text: compact JSON, UTF-8 as-is (张伟 and 🎉 stay readable, not \\u-escaped)."""
        return json.dumps(self.payload(message), ensure_ascii=False, separators=(",", ":"))

    def check_response(self, *, status: int, text: str) -> None:
        """Called for 2xx answers; receivers that report errors inside a 200 override this."""

    def deliver(self, *, url: str, body: str, headers: dict[str, str], timeout: float) -> int:
        """POST the body; the status code, or WebhookError."""
        all_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers}
        status, text = http_post(url=url, body=body.encode("utf-8"), headers=all_headers, timeout=timeout)
        self.check_response(status=status, text=text)
        return status


class ChatTransport(Transport):
    """Formats read by people in a chat group: the same lines, in each format's markup."""

    def bold(self, text: str) -> str:
        raise NotImplementedError

    def link(self, text: str, url: str) -> str:
        raise NotImplementedError

    def escape(self, text: str) -> str:
        return text

    def quote(self, text: str) -> str:
        return "\n".join("> " + line for line in self.escape(text).splitlines() or [""])

    def lines(self, message: WebhookMessage) -> list[str]:
        where = self.escape(f"{message.course_title} · {message.cohort_name}")
        data = message.data
        if message.event == WebhookEvent.ANNOUNCEMENT:
            return [
                f"📣 {self.bold('Announcement')} · {where}",
                f"{self.escape(data['author'])}:",
                self.quote(_truncate(data["body"], 1500)),
                self.link("Open the cohort", message.cohort_url),
            ]
        if message.event == WebhookEvent.DIGEST:
            percent = round(100 * data["checked_in"] / data["members"]) if data["members"] else 0
            out = [
                f"📊 {self.bold('Day ' + str(data['day']) + '/' + str(data['days']))} · {where}",
                f"✅ Checked in today: {self.bold(str(data['checked_in']) + '/' + str(data['members']))} ({percent}%)",
            ]
            if message.featured:
                out.append(f"🌟 {self.bold('Featured')}:")
                out += [
                    f"• {self.escape(f.name)} (day {f.day}): {self.escape(_truncate(f.text, 140))}"
                    for f in message.featured
                ]
            out.append(self.link("Open the cohort", message.cohort_url))
            return out
        return [
            f"🔔 Test from Stagewise: this webhook of {where} works.",
            self.link("Open the cohort", message.cohort_url),
        ]


class GenericTransport(Transport):
    """Plain JSON for receivers of your own: ``{"event", "occurred_at", "cohort": {...}, "data": {...}}``."""

    format = WebhookFormat.GENERIC

    def payload(self, message: WebhookMessage) -> dict[str, Any]:
        data = dict(message.data)
        if message.event == WebhookEvent.DIGEST:
            data["featured"] = [{"name": f.name, "day": f.day, "text": f.text} for f in message.featured]
        return {
            "event": message.event,
            "occurred_at": message.occurred_at.isoformat(),
            "cohort": {
                "id": message.cohort_id,
                "name": message.cohort_name,
                "course": message.course_title,
                "url": message.cohort_url,
            },
            "data": data,
        }


class SlackTransport(ChatTransport):
    """Slack incoming webhooks: ``text`` (shown in notifications, and all Discord reads) plus one mrkdwn section
    block. For Discord, register the channel's webhook URL with ``/slack`` appended."""

    format = WebhookFormat.SLACK
    SECTION_LIMIT = 3000

    def bold(self, text: str) -> str:
        return f"*{text}*"

    def link(self, text: str, url: str) -> str:
        return f"<{url}|{self.escape(text)}>"

    def escape(self, text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def payload(self, message: WebhookMessage) -> dict[str, Any]:
        text = _truncate("\n".join(self.lines(message)), self.SECTION_LIMIT)
        return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class WeComTransport(ChatTransport):
    """企业微信群机器人 markdown message: ``{"msgtype": "markdown", "markdown": {"content": ...}}``, at most 4096
    bytes of content. The robot answers 200 even on errors and says so in ``errcode``."""

    format = WebhookFormat.WECOM
    CONTENT_LIMIT_BYTES = 4096
    # errcodes worth retrying: -1 "system busy", 45009 "api freq out of limit"; the rest mean a bad key or message.
    TRANSIENT_ERRCODES = frozenset({-1, 45009})

    def bold(self, text: str) -> str:
        return f"**{text}**"

    def link(self, text: str, url: str) -> str:
        return f"[{text}]({url})"

    def payload(self, message: WebhookMessage) -> dict[str, Any]:
        content = _truncate_utf8("\n".join(self.lines(message)), self.CONTENT_LIMIT_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": content}}

    def check_response(self, *, status: int, text: str) -> None:
        try:
            answer = json.loads(text)
        except ValueError:
            return  # not the robot's JSON (a proxy, a test receiver): the 2xx stands
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode:
            raise WebhookError(
                f"WeCom errcode {errcode}: {answer.get('errmsg', '')}"[:300],
                permanent=errcode not in self.TRANSIENT_ERRCODES,
                code="receiver_refused",
                status_code=status,
            )


TRANSPORTS: dict[str, type[Transport]] = {
    WebhookFormat.GENERIC: GenericTransport,
    WebhookFormat.SLACK: SlackTransport,
    WebhookFormat.WECOM: WeComTransport,
}


def transport_for(format: str) -> Transport:
    return TRANSPORTS[format]()
