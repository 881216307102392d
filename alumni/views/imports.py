"""The Import tab: upload a spreadsheet for a dry run, read its report, import it, follow its progress; the history."""

import csv
import io
from typing import Any, cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.types import PageRequest
from alumni.imports import selectors, services
from alumni.imports.messages import problem_message
from alumni.imports.models import ImportRun, ImportStatus
from alumni.imports.reading import MAX_ROWS
from alumni.permissions import marketer_required
from stagewise.errors import ApplicationError
from stagewise.pages import render_page

PROBLEMS_PER_PAGE = 50


def _columns() -> list[dict[str, str]]:
    """What the page documents: each column, the headers it may have (English, Chinese) and the values it takes."""
    return [
        {
            "field": pgettext("import column", "Email"),
            "en": "email",
            "zh": "邮箱",
            "values": _("Required. One row per learner."),
        },
        {
            "field": pgettext("import column", "Name"),
            "en": "name",
            "zh": "姓名",
            "values": _("Any script. Empty: the email's first part."),
        },
        {
            "field": pgettext("import column", "Language"),
            "en": "language",
            "zh": "语言",
            "values": _("en or zh-hans (English, 中文)."),
        },
        {
            "field": pgettext("import column", "Time zone"),
            "en": "time zone",
            "zh": "时区",
            "values": _("Asia/Shanghai, Europe/Berlin, …"),
        },
        {
            "field": pgettext("import column", "Stage completed"),
            "en": "stage completed",
            "zh": "完成阶段",
            "values": _("A whole number."),
        },
        {
            "field": pgettext("import column", "Courses"),
            "en": "courses",
            "zh": "课程",
            "values": _("Separated by ; or 、"),
        },
        {
            "field": pgettext("import column", "Cohorts taken"),
            "en": "cohorts taken",
            "zh": "参加期数",
            "values": _("A whole number."),
        },
        {
            "field": pgettext("import column", "Last cohort end"),
            "en": "last cohort end",
            "zh": "结营日期",
            "values": _("A date: 2025-06-30, 2025/6/30, 2025年6月30日."),
        },
        {
            "field": pgettext("import column", "Paid"),
            "en": "paid",
            "zh": "支付金额",
            "values": _("¥1,299.00, 1299 CNY, or a number with a currency column (currency, 币种)."),
        },
        {
            "field": pgettext("import column", "Marketing consent"),
            "en": "marketing consent",
            "zh": "营销同意",
            "values": _("yes / no, 是 / 否. Empty: not recorded."),
        },
    ]


def _runs_page(request: PageRequest) -> Any:
    return Paginator(selectors.import_runs_for_user(user=request.user), 20).get_page(request.GET.get("page"))


@marketer_required
@require_http_methods(["GET", "POST"])
def imports(request: PageRequest) -> HttpResponse:
    error = ""
    source = ""
    if request.method == "POST":
        source = request.POST.get("source", "")
        upload = cast(UploadedFile | None, request.FILES.get("file"))
        try:
            run = services.import_validate(actor=request.user, upload=upload, source=source)
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            return redirect("alumni:import_run", run_id=run.pk)
    context = {
        "section": "imports",
        "active": "marketing",
        "runs": _runs_page(request),
        "columns": _columns(),
        "max_rows": MAX_ROWS,
        "error": error,
        "source": source,
    }
    return render_page(request, "alumni/imports.html", context, status=422 if error else 200)


@marketer_required
def import_run(request: PageRequest, run_id: int) -> HttpResponse:
    run = selectors.import_run_get_for_user(user=request.user, run_id=run_id)
    problems = Paginator(run.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "imports",
        "active": "marketing",
        "run": run,
        "statuses": ImportStatus,
        "progress": selectors.import_progress(run),
        "problems": problems,
        "problem_rows": [{**p, "message": problem_message(p)} for p in problems.object_list],
        "live": run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
    }
    return render_page(request, "alumni/import_run.html", context)


@marketer_required
@require_POST
def import_start(request: PageRequest, run_id: int) -> HttpResponse:
    try:
        run: ImportRun = services.import_start(actor=request.user, run_id=run_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if run.status == ImportStatus.FAILED:
            messages.error(request, _("The import failed: nothing of it was written."))
    return redirect("alumni:import_run", run_id=run_id)


@marketer_required
def import_template(request: PageRequest) -> HttpResponse:
    """A CSV to fill in: the headers in the reader's language and one example row (UTF-8 with a BOM, so that Excel
    shows Chinese as it is)."""
    chinese = (get_language() or "").startswith("zh")
    columns = _columns()
    header = [c["zh" if chinese else "en"] for c in columns]
    example = [
        "zhang.wei@example.com",
        "张伟",
        "zh-hans",
        "Asia/Shanghai",
        "2",
        "SQL basics; SQL bootcamp",
        "3",
        "2025-06-30",
        "1299.00 CNY",
        "是" if chinese else "yes",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow(example)
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stagewise-alumni-template.csv"'
    return response
