"""The marketer's coupon pages: the list (coupons, or the personal offer codes campaigns made), a new coupon, one
coupon with its limit, expiry and redemptions, and the redemptions as CSV."""

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.types import PageRequest
from alumni.coupons import selectors
from alumni.coupons.forms import CouponEditForm, CouponForm
from alumni.permissions import marketer_required
from billing.services import coupons as services
from stagewise.errors import ApplicationError
from stagewise.jinja2 import user_zone
from stagewise.pages import render_page

PAGE_SIZE = 20


def _page_number(request: PageRequest, name: str = "page") -> str:
    raw = request.GET.get(name, "1")
    return raw if raw.isdigit() and len(raw) < 9 else "1"


@marketer_required
def coupon_list(request: PageRequest) -> HttpResponse:
    now = timezone.now()
    personal = request.GET.get("kind") == "personal"
    status = request.GET.get("status", "")
    status = status if status in selectors.CouponStatus.values else ""
    search = request.GET.get("q", "").strip()[:100]
    coupons = selectors.coupon_list(user=request.user, now=now, personal=personal, status=status, search=search)
    page = Paginator(coupons, PAGE_SIZE).get_page(_page_number(request))
    query = {k: v for k, v in {"kind": "personal" if personal else "", "status": status, "q": search}.items() if v}
    context = {
        "rows": selectors.coupon_rows(list(page.object_list), now=now),
        "page": page,
        "personal": personal,
        "status": status,
        "search": search,
        "statuses": selectors.CouponStatus.choices,
        "query": urlencode(query),
        "kind_query": urlencode({"kind": "personal"} if personal else {}),
        "filtered": bool(status or search),
        "active": "marketing",
        "section": "coupons",
    }
    return render_page(request, "alumni/coupons.html", context)


@marketer_required
@require_http_methods(["GET", "POST"])
def coupon_new(request: PageRequest) -> HttpResponse:
    zone = user_zone(request.user)
    form = CouponForm(request.POST or None, zone=zone)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                coupon = services.coupon_create(actor=request.user, **form.service_values())
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Coupon %(code)s created.") % {"code": coupon.code})
                return redirect("alumni:coupon", coupon_id=coupon.pk)
        status = 422
    context = {"form": form, "zone": str(zone), "active": "marketing", "section": "coupons"}
    return render_page(request, "alumni/coupon_new.html", context, status=status)


def _coupon_page(
    request: PageRequest, coupon_id: int, *, edit_form: CouponEditForm | None = None, status: int = 200
) -> HttpResponse:
    zone = user_zone(request.user)
    row = selectors.coupon_get(user=request.user, coupon_id=coupon_id, now=timezone.now())
    redemptions = Paginator(selectors.coupon_redemptions(coupon_id=row.coupon.pk), PAGE_SIZE).get_page(
        _page_number(request)
    )
    context: dict[str, Any] = {
        "row": row,
        "coupon": row.coupon,
        "courses": list(row.coupon.courses.all()),
        "redemptions": redemptions,
        "edit_form": edit_form
        or CouponEditForm(initial=CouponEditForm.initial_for(row.coupon, zone), zone=zone, prefix="edit"),
        "zone": str(zone),
        "active": "marketing",
        "section": "coupons",
    }
    return render_page(request, "alumni/coupon.html", context, status=status)


@marketer_required
def coupon_detail(request: PageRequest, coupon_id: int) -> HttpResponse:
    return _coupon_page(request, coupon_id)


@marketer_required
@require_POST
def coupon_edit(request: PageRequest, coupon_id: int) -> HttpResponse:
    """The limit and the expiry. A field left as the page showed it is not sent to the service (an expiry shown to the
    minute is not "changed" to that minute)."""
    zone = user_zone(request.user)
    row = selectors.coupon_get(user=request.user, coupon_id=coupon_id, now=timezone.now())
    initial = CouponEditForm.initial_for(row.coupon, zone)
    form = CouponEditForm(request.POST, initial=initial, zone=zone, prefix="edit")
    if form.is_valid():
        changes: dict[str, Any] = {}
        if form.cleaned_data["max_redemptions"] != row.coupon.max_redemptions:
            changes["max_redemptions"] = form.cleaned_data["max_redemptions"]
        if request.POST.get("edit-expires_at", "").strip() != initial["expires_at"]:
            changes["expires_at"] = form.cleaned_data["expires_at"]
        try:
            services.coupon_update(actor=request.user, coupon_id=row.coupon.pk, **changes)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Coupon %(code)s saved.") % {"code": row.coupon.code})
            return redirect("alumni:coupon", coupon_id=row.coupon.pk)
    return _coupon_page(request, coupon_id, edit_form=form, status=422)


@marketer_required
@require_POST
def coupon_action(request: PageRequest, coupon_id: int) -> HttpResponse:
    """Expire now, switch off, switch back on."""
    action = request.POST.get("action", "")
    values: dict[str, Any] | None = {
        "expire_now": {"expire_now": True},
        "deactivate": {"is_active": False},
        "activate": {"is_active": True},
    }.get(action)
    if values is None:
        messages.error(request, _("Choose what to do with the coupon."))
        return redirect("alumni:coupon", coupon_id=coupon_id)
    try:
        coupon = services.coupon_update(actor=request.user, coupon_id=coupon_id, **values)
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        done = {
            "expire_now": _("Coupon %(code)s has expired: nobody can use it from now on."),
            "deactivate": _("Coupon %(code)s is switched off."),
            "activate": _("Coupon %(code)s is switched on again."),
        }[action]
        messages.success(request, done % {"code": coupon.code})
    return redirect("alumni:coupon", coupon_id=coupon_id)


@marketer_required
def coupon_redemptions_csv(request: PageRequest, coupon_id: int) -> HttpResponse:
    row = selectors.coupon_get(user=request.user, coupon_id=coupon_id, now=timezone.now())
    body = selectors.redemptions_csv(coupon=row.coupon, zone=user_zone(request.user))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "", row.coupon.code) or str(row.coupon.pk)
    response["Content-Disposition"] = f'attachment; filename="coupon-{safe_code}-redemptions.csv"'
    return response
