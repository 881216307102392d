"""The marketer's home: where each part of the workspace is, with its numbers."""

from django.http import HttpResponse

from accounts.types import PageRequest
from alumni import selectors
from alumni.permissions import marketer_required
from alumni.records.selectors import rfm_group_counts
from stagewise.pages import render_page


@marketer_required
def dashboard(request: PageRequest) -> HttpResponse:
    context = {"overview": selectors.overview(), "active": "marketing", "rfm_groups": rfm_group_counts()}
    return render_page(request, "alumni/dashboard.html", context)
