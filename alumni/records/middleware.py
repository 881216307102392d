"""Acquisition source: where a learner first came from, remembered by their browser until they sign in.

The first visit that carries a referral link (billing's ``/r/<code>/``), a campaign link (``?c=<delivery token>``)
or UTM parameters is written to a signed cookie; later visits never overwrite it. On the first signed-in request
that carries the cookie, it becomes the learner's ``Acquisition`` row (the first one wins) and the cookie is
deleted. An ordinary request only looks for the cookie: no query, no write.

A visit with none of these sets nothing: "direct" is what a record says without an acquisition, so a later link
still counts.
"""

import contextlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from alumni.models import Acquisition, AlumniRecord, Delivery
from alumni.records.tasks import record_refresh_task

COOKIE = "sw_first_visit"
SALT = "stagewise.alumni.acquisition"
MAX_AGE = 60 * 60 * 24 * 180  # half a year
REFERRAL_PATH = re.compile(r"^/r/([A-Za-z0-9_-]{1,40})/?$")
UTM = ("utm_source", "utm_medium", "utm_campaign")


def first_visit_of(request: HttpRequest) -> dict[str, Any] | None:
    """What a visit says about where it came from (None: nothing, a direct visit)."""
    data: dict[str, Any] = {}
    match = REFERRAL_PATH.match(request.path)
    if match:
        data["r"] = match.group(1).upper()
    token = request.GET.get("c", "")
    if token:
        with contextlib.suppress(ValueError):
            data["c"] = str(uuid.UUID(token[:64]))
    for name in UTM:
        value = request.GET.get(name, "").strip()
        if value:
            data[name] = value[:100]
    if not data:
        return None
    data["t"] = int(timezone.now().timestamp())
    return data


def acquisition_claim(*, user: Any, data: dict[str, Any]) -> bool:
    """Record a signed-in learner's first visit, unless one is recorded already. Whether it was recorded."""
    if Acquisition.objects.filter(learner=user).exists():
        return False
    campaign_id = None
    if data.get("c"):
        campaign_id = Delivery.objects.filter(token=data["c"]).values_list("campaign_id", flat=True).first()
    try:
        seen = datetime.fromtimestamp(int(data.get("t", 0)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        seen = timezone.now()
    _, created = Acquisition.objects.get_or_create(
        learner=user,
        defaults={
            "referral_code": str(data.get("r", ""))[:40],
            "campaign_id": campaign_id,
            **{name: str(data.get(name, ""))[:100] for name in UTM},
            "first_seen_at": seen,
        },
    )
    if created and AlumniRecord.objects.filter(learner=user).exists():
        learner_id = user.pk
        transaction.on_commit(lambda: record_refresh_task.delay(learner_id))
    return created


class AcquisitionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.COOKIES.get(COOKIE)
        if raw is None:
            response = self.get_response(request)
            data = first_visit_of(request) if request.method == "GET" else None
            if data is not None and COOKIE not in response.cookies:
                response.set_signed_cookie(
                    COOKIE,
                    _encode(data),
                    salt=SALT,
                    max_age=MAX_AGE,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        claimed = False
        if request.user.is_authenticated:
            data = _decode(request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE))
            if data is not None:
                acquisition_claim(user=request.user, data=data)
            claimed = True
        response = self.get_response(request)
        if claimed:
            response.delete_cookie(COOKIE, samesite="Lax")
        return response


def _encode(data: dict[str, Any]) -> str:
    return urlencode(data)


def _decode(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return dict(parse_qsl(raw, keep_blank_values=False))
