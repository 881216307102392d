"""The marketer's home: where each part of the workspace is, with its numbers."""

from django.http import HttpResponse

from accounts.types import PageRequest
from alumni import selectors
from alumni.funnel.selectors import compact_funnel
from alumni.permissions import marketer_required
from stagewise.pages import render_page


@marketer_required
def dashboard(request: PageRequest) -> HttpResponse:
    context: dict[str, object] = {"overview": selectors.overview(), "active": "marketing"}
    context["funnel_steps"] = compact_funnel()
    return render_page(request, "alumni/dashboard.html", context)
