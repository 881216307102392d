"""The marketer's home: where each part of the workspace is, with its numbers."""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from accounts.types import PageRequest
from alumni import selectors
from alumni.coupons import selectors as coupon_selectors
from alumni.funnel.selectors import compact_funnel
from alumni.permissions import marketer_required
from alumni.records.selectors import rfm_group_counts
from stagewise.pages import render_page


@marketer_required
def dashboard(request: PageRequest) -> HttpResponse:
    context: dict[str, Any] = {"overview": selectors.overview(), "active": "marketing"}
    context["active_coupons"] = coupon_selectors.active_coupon_count(now=timezone.now())
    context["funnel_steps"] = compact_funnel()
    context["rfm_groups"] = rfm_group_counts()
    return render_page(request, "alumni/dashboard.html", context)
