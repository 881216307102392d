"""The segment pages: the list with counts, the builder (live count and preview through the API), a segment with
its members, why someone is in it, and its CSV exports."""

import json
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.types import PageRequest
from alumni.models import Campaign, Segment, SegmentKind
from alumni.permissions import marketer_required
from alumni.segments import selectors, services
from alumni.segments import tree as schema
from alumni.segments.export import csv_response, segment_export
from alumni.segments.tree import TreeInvalid
from cohorts.models import Cohort
from content.models import Course
from stagewise.errors import ApplicationError
from stagewise.pages import render_page

OPERATOR_LABELS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "gt": ">",
    "lte": "≤",
    "gte": "≥",
    "between": gettext_lazy("between"),
    "in": gettext_lazy("is one of"),
    "contains": gettext_lazy("contains"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
}
REFERENCE_LIMIT = 500


def _references(*, exclude_segment: int | None = None) -> dict[str, list[list[Any]]]:
    """The rows a condition may name, as ``[id, label]`` pairs for the builder's pickers."""
    courses = Course.objects.order_by("track__title", "stage", "title").values_list("pk", "title", "stage")
    cohorts = Cohort.objects.order_by("-starts_on", "-pk").values_list("pk", "course__title", "name")
    segments = Segment.objects.filter(archived_at__isnull=True).exclude(pk=exclude_segment or 0)
    return {
        "course": [
            [pk, f"{title} · {_('Stage %(stage)s') % {'stage': stage}}"]
            for pk, title, stage in courses[:REFERENCE_LIMIT]
        ],
        "cohort": [[pk, f"{title} — {name}"] for pk, title, name in cohorts[:REFERENCE_LIMIT]],
        "campaign": [list(row) for row in Campaign.objects.values_list("pk", "name")[:REFERENCE_LIMIT]],
        "segment": [list(row) for row in segments.values_list("pk", "name")[:REFERENCE_LIMIT]],
    }


def _catalog(*, exclude_segment: int | None = None) -> dict[str, Any]:
    """What the builder's script needs: every field with its kind, operators and choices, the operators' labels,
    the rows conditions may name, and the texts it shows (in the page's language)."""
    fields = [
        {
            "key": f.key,
            "label": str(f.label),
            "kind": f.kind,
            "ops": list(schema.OPERATORS[f.kind]),
            "choices": [[value, str(label)] for value, label in f.choices],
            "event": f.event,
            "help": str(f.help),
        }
        for f in schema.FIELDS.values()
    ]
    return {
        "fields": fields,
        "operators": {op: str(label) for op, label in OPERATOR_LABELS.items()},
        "references": _references(exclude_segment=exclude_segment),
        "texts": {
            "and": _("all of these (AND)"),
            "or": _("any of these (OR)"),
            "not": _("not"),
            "add_condition": _("+ Condition"),
            "add_group": _("+ Group"),
            "remove": _("Remove"),
            "yes": _("yes"),
            "no": _("no"),
            "on_date": _("on the date"),
            "days_ago": _("days ago"),
            "today": _("today"),
            "days_from_now": _("days from now"),
            "and_between": _("and"),
            "same_enrollment": _("…on an enrollment that ended between"),
            "comma_separated": _("values separated by commas"),
            "match": _("%(count)s alumni match"),
            "one_match": _("1 alumnus matches"),
            "counting": _("Counting…"),
            "failed": _("The count could not be updated. Check your connection."),
            "no_members": _("Nobody matches yet: loosen a condition."),
            "empty_group": _("An empty group is ignored: add a condition."),
            "pick": _("Pick…"),
            "facts": _("Facts"),
            "events": _("What they did"),
            "never": _("never"),
            "stage": _("Stage"),
            "paid": _("Paid"),
            "last_active": _("Last active"),
        },
    }


def _describe_value(field: schema.Field, condition: dict[str, Any], names: dict[str, dict[int, str]]) -> str:
    value, op = condition["value"], condition["op"]
    if op in schema.NO_VALUE:
        return ""

    def one(item: Any) -> str:
        if field.kind in (schema.COURSE, schema.CAMPAIGN, schema.SEGMENT) or field.key == "course_ids":
            kind = schema.COURSE if field.key == "course_ids" else field.kind
            return names.get(kind, {}).get(item, f"#{item}")
        if isinstance(item, dict):
            days = item["days"]
            if days == 0:
                return _("today")
            if days < 0:
                return _("%(days)s days ago") % {"days": -days}
            return _("in %(days)s days") % {"days": days}
        if isinstance(item, bool):
            return _("yes") if item else _("no")
        if field.kind == schema.CHOICE:
            return str(dict(field.choices).get(item, item))
        return str(item)

    if op == "between":
        return _("%(first)s and %(last)s") % {"first": one(value[0]), "last": one(value[1])}
    if isinstance(value, list):
        return ", ".join(one(item) for item in value)
    return one(value)


def _names(tree: dict[str, Any]) -> dict[str, dict[int, str]]:
    courses = {ref for _p, ref in schema.references(tree, schema.COURSE)}
    for _p, condition in schema.conditions(tree):
        if condition["field"] == "course_ids":
            value = condition["value"]
            courses |= set(value if isinstance(value, list) else [value] if value else [])
    return {
        schema.COURSE: dict(Course.objects.filter(pk__in=courses).values_list("pk", "title")),
        schema.CAMPAIGN: dict(
            Campaign.objects.filter(pk__in=[r for _p, r in schema.references(tree, schema.CAMPAIGN)]).values_list(
                "pk", "name"
            )
        ),
        schema.SEGMENT: dict(
            Segment.objects.filter(pk__in=[r for _p, r in schema.references(tree, schema.SEGMENT)]).values_list(
                "pk", "name"
            )
        ),
    }


def _described(node: dict[str, Any], names: dict[str, dict[int, str]]) -> dict[str, Any]:
    """A normal (or explained) tree with a sentence per condition, for the pages."""
    if node["type"] == "group":
        return {**node, "children": [_described(child, names) for child in node["children"]]}
    field = schema.FIELDS[node["field"]]
    text = f"{field.label} {OPERATOR_LABELS[node['op']]} {_describe_value(field, node, names)}".strip()
    if node.get("ended_between"):
        first, last = node["ended_between"]
        text += " · " + _("ended between %(first)s and %(last)s") % {
            "first": _describe_value(schema.FIELDS["cohort_ended"], {"op": "eq", "value": first}, names),
            "last": _describe_value(schema.FIELDS["cohort_ended"], {"op": "eq", "value": last}, names),
        }
    actual = node.get("actual")
    return {**node, "text": text, "actual_text": _actual_text(actual, field) if "actual" in node else ""}


def _actual_text(actual: Any, field: schema.Field) -> str:
    if actual is None or actual == [] or actual == "":
        return _("empty")
    if field.kind == schema.CHOICE:
        return str(dict(field.choices).get(actual, actual))
    if isinstance(actual, bool):
        return _("yes") if actual else _("no")
    if isinstance(actual, list):
        return ", ".join(str(item) for item in actual)
    if isinstance(actual, dict) and "member" in actual:
        return _("a member") if actual["member"] else _("not a member")
    if isinstance(actual, dict) and "converted" in actual:
        if not actual["sent_at"]:
            return _("not sent")
        return _("sent, converted") if actual["converted"] else _("sent, not converted")
    return str(actual)


@marketer_required
def segment_list(request: PageRequest) -> HttpResponse:
    segments = selectors.segment_list(actor=request.user)
    page = Paginator(segments, 30).get_page(request.GET.get("page"))
    return render_page(request, "alumni/segments.html", {"page": page, "active": "marketing"})


def _builder(request: PageRequest, segment: Segment | None) -> HttpResponse:
    tree: Any = segment.tree if segment else schema.EMPTY_TREE
    form = {
        "name": segment.name if segment else "",
        "description": segment.description if segment else "",
        "kind": segment.kind if segment else SegmentKind.DYNAMIC,
    }
    error, error_path = "", ""
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("name", "description", "kind")}
        raw = request.POST.get("tree", "")
        try:
            tree = json.loads(raw) if len(raw) < 200_000 else None
        except ValueError:
            tree = None
        try:
            if segment is None:
                segment = services.segment_create(
                    actor=request.user, name=form["name"], description=form["description"], kind=form["kind"], tree=tree
                )
                messages.success(request, _("Segment saved. Its members are being computed."))
            else:
                services.segment_update(
                    actor=request.user,
                    segment_id=segment.pk,
                    name=form["name"],
                    description=form["description"],
                    kind=form["kind"],
                    tree=tree,
                )
                messages.success(request, _("Segment saved."))
            return redirect("alumni:segment", segment_id=segment.pk)
        except TreeInvalid as exc:
            error, error_path = str(exc.message), exc.path
        except ApplicationError as exc:
            error = str(exc.message)
        if not isinstance(tree, dict):
            tree = schema.EMPTY_TREE
    context = {
        "segment": segment,
        "form": form,
        "tree_json": json.dumps(tree),
        "catalog_json": json.dumps(_catalog(exclude_segment=segment.pk if segment else None)),
        "error": error,
        "error_path": error_path,
        "kinds": SegmentKind.choices,
        "active": "marketing",
    }
    return render_page(request, "alumni/segment_builder.html", context, status=422 if error else 200)


@marketer_required
@require_http_methods(["GET", "POST"])
def segment_new(request: PageRequest) -> HttpResponse:
    return _builder(request, None)


@marketer_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: PageRequest, segment_id: int) -> HttpResponse:
    segment = selectors.segment_get_for_marketer(actor=request.user, segment_id=segment_id)
    if segment.archived_at is not None:
        return redirect("alumni:segment", segment_id=segment.pk)
    return _builder(request, segment)


@marketer_required
def segment_detail(request: PageRequest, segment_id: int) -> HttpResponse:
    segment = selectors.segment_get_for_marketer(actor=request.user, segment_id=segment_id)
    normal = schema.validate(segment.tree)
    members = Paginator(selectors.segment_members(segment=segment), 20).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "tree": _described(normal, _names(normal)),
        "members": members,
        "exports": selectors.segment_exports(segment=segment)[:10],
        "active": "marketing",
    }
    return render_page(request, "alumni/segment.html", context)


@marketer_required
def segment_why(request: PageRequest, segment_id: int, learner_id: int) -> HttpResponse:
    why = selectors.segment_why(actor=request.user, segment_id=segment_id, learner_id=learner_id)
    segment = selectors.segment_get_for_marketer(actor=request.user, segment_id=segment_id)
    normal = schema.validate(segment.tree)
    why["tree"] = _described(why["tree"], _names(normal))
    return render_page(request, "alumni/segment_why.html", {"segment": segment, "why": why, "active": "marketing"})


@marketer_required
@require_POST
def segment_archive(request: PageRequest, segment_id: int) -> HttpResponse:
    services.segment_archive(actor=request.user, segment_id=segment_id)
    messages.success(request, _("Segment archived."))
    return redirect("alumni:segments")


@marketer_required
def segment_export_csv(request: PageRequest, segment_id: int) -> HttpResponse:
    try:
        # A streamed response (marketer_required is typed for plain ones; Django serves both alike).
        return cast(HttpResponse, csv_response(segment_export(actor=request.user, segment_id=segment_id)))
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("alumni:segment", segment_id=segment_id)
