"""What each problem code says, in the reader's language when it is shown (a run keeps codes and values, never text)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from stagewise.errors import Message, lazy_format

# A bad cell: the row is skipped.
PROBLEMS: dict[str, Message] = {
    "email_missing": _("No email address."),
    "email_invalid": _("Not an email address."),
    "email_duplicate": _("The same email is on line %(first)s already: this row is skipped."),
    "name_too_long": _("The name is longer than %(max)s characters."),
    "language_unknown": _("Unknown language: write en or zh-hans (English, 中文)."),
    "time_zone_unknown": _("Unknown time zone: write a name such as Asia/Shanghai or Europe/Berlin."),
    "number_invalid": _("Not a whole number."),
    "number_negative": _("Can't be negative."),
    "number_too_large": _("Larger than %(max)s."),
    "too_long": _("A name longer than %(max)s characters."),
    "too_many_courses": _("More than %(max)s courses."),
    "date_invalid": _("Not a date: write it as 2025-06-30."),
    "date_ambiguous": _("Could be two different dates (day/month or month/day): write it as 2025-06-30."),
    "amount_invalid": _("Not an amount: write it as 1299.00, ¥1,299 or 1299 CNY."),
    "amount_negative": _("A negative amount."),
    "amount_precision": _("Too many decimals for %(currency)s."),
    "currency_missing": _("An amount without a currency: add a currency column or write it as 1299 CNY."),
    "currency_unknown": _("Unknown currency: write a code such as CNY, USD or EUR."),
    "consent_unknown": _("Marketing consent must be yes or no (是 or 否), or left empty."),
    "formula": _("A formula, not a value: save the sheet with values only."),
}

# The whole file is refused (the service raises ``Invalid`` with the code).
SHEET_ERRORS: dict[str, Message] = {
    "import_file_missing": _("Choose a CSV or Excel (.xlsx) file."),
    "import_file_type": _("Upload a CSV (.csv) or Excel (.xlsx) file."),
    "import_file_too_large": _("The file is larger than 10 MB: split it into smaller files."),
    "import_file_empty": _("The file is empty."),
    "import_file_xls": _("This is an old Excel file (.xls): save it as .xlsx or CSV first."),
    "import_file_unreadable": _(
        "This file can't be read as a spreadsheet: save it again as CSV (UTF-8) or Excel (.xlsx)."
    ),
    "import_no_email_column": _(
        "No email column: the first row must name the columns, and one of them must be email (or 邮箱)."
    ),
    "import_no_rows": _("The file has a header row but no learners below it."),
    "import_too_many_rows": _("The file has more than %(max)s rows: split it into smaller files."),
}


def problem_message(problem: dict[str, Any]) -> Message:
    template = PROBLEMS.get(str(problem.get("code")), _("Not understood."))
    return lazy_format(template, **{key: value for key, value in problem.items() if key not in ("code",)})


def sheet_error_message(code: str, params: dict[str, Any]) -> Message:
    return lazy_format(SHEET_ERRORS.get(code, SHEET_ERRORS["import_file_unreadable"]), **params)
