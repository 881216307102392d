"""Checking the rows of an operator's spreadsheet (``alumni.imports.reading``): the headers (English or Chinese) are
mapped to fields and every cell is checked. Each bad cell is a ``Problem`` with a stable code, and a row with a
problem is skipped. No database, no Django models (unit-tested on its own).
"""

import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.numbers import get_currency_precision
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from alumni.imports.headers import currency_code, header_field
from alumni.imports.reading import Sheet

NAME_MAX = 80  # accounts.User.display_name
EMAIL_MAX = 254
COURSE_MAX = 200
MAX_COURSES = 50


@dataclass
class Problem:
    line: int
    column: str  # the header as the file spells it
    code: str
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "value": self.value, **self.params}


@dataclass
class Row:
    line: int
    email: str
    name: str = ""
    language: str | None = None
    time_zone: str | None = None
    stage: int | None = None
    courses: list[str] = field(default_factory=list)
    cohorts: int = 0
    last_end: date | None = None
    currency: str = ""
    paid_minor: int = 0
    consent: bool | None = None


@dataclass
class Checked:
    rows: list[Row]
    problems: list[Problem]
    skipped: int
    ignored_columns: list[str]


class _Bad(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def check_rows(sheet: Sheet) -> Checked:
    """Every row checked: the good ones as ``Row`` (the first of several rows with the same email wins), every bad cell
    as a ``Problem``."""
    columns: dict[str, int] = {}
    header_currency = ""
    ignored = []
    for index, header in enumerate(sheet.headers):
        name, currency = header_field(header)
        if name is None or name in columns:
            if header:
                ignored.append(header)
            continue
        columns[name] = index
        if name == "paid":
            header_currency = currency
    rows: list[Row] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    skipped = 0
    for line, cells in sheet.rows:
        row, row_problems = _check_row(line, cells, columns, sheet.headers, header_currency)
        if row is not None and row.email in first_line:
            row_problems.append(
                Problem(
                    line,
                    sheet.headers[columns["email"]],
                    "email_duplicate",
                    row.email,
                    {"first": first_line[row.email]},
                )
            )
        if row_problems:
            problems.extend(row_problems)
            skipped += 1
            continue
        assert row is not None
        first_line[row.email] = line
        rows.append(row)
    return Checked(rows=rows, problems=problems, skipped=skipped, ignored_columns=ignored)


def _check_row(
    line: int, cells: list[Any], columns: dict[str, int], headers: list[str], header_currency: str
) -> tuple[Row | None, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    for name in FIELDS:
        if name not in columns:
            continue
        raw = cell(name)
        try:
            if isinstance(raw, str) and raw.strip().startswith("="):
                raise _Bad("formula")
            if name == "paid":
                values["currency"], values["paid_minor"] = _paid(raw, cell("currency"), header_currency)
            else:
                values[name] = _PARSERS[name](raw)
        except _Bad as bad:
            problems.append(Problem(line, headers[columns[name]], bad.code, _shown(raw), bad.params))
    if problems:
        return None, problems
    return Row(line=line, **values), []


def _shown(raw: Any) -> str:
    text = "" if raw is None else str(raw)
    return text if len(text) <= 60 else text[:59] + "…"


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFC", str(raw)).strip()


def _email(raw: Any) -> str:
    text = _text(raw).lower()
    if not text:
        raise _Bad("email_missing")
    if len(text) > EMAIL_MAX:
        raise _Bad("email_invalid")
    try:
        validate_email(text)
    except ValidationError:
        raise _Bad("email_invalid") from None
    return text


def _name(raw: Any) -> str:
    text = " ".join(_text(raw).split())
    if len(text) > NAME_MAX:
        raise _Bad("name_too_long", max=NAME_MAX)
    return text


_LANGUAGES = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "zh": "zh-hans",
    "zh-hans": "zh-hans",
    "zh-cn": "zh-hans",
    "zh_cn": "zh-hans",
    "zh-hans-cn": "zh-hans",
    "chinese": "zh-hans",
    "中文": "zh-hans",
    "简体中文": "zh-hans",
    "汉语": "zh-hans",
}


def _language(raw: Any) -> str | None:
    text = _text(raw)
    if not text:
        return None
    found = _LANGUAGES.get(text.lower())
    if found is None:
        raise _Bad("language_unknown")
    return found


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


_ZONE_ALIASES = {"北京时间": "Asia/Shanghai", "中国标准时间": "Asia/Shanghai"}


def _time_zone(raw: Any) -> str | None:
    text = _text(raw)
    if not text:
        return None
    found = _ZONE_ALIASES.get(text) or _zones().get(text.lower().replace(" ", "_"))
    if found is None:
        raise _Bad("time_zone_unknown")
    return found


def _whole(raw: Any, *, maximum: int) -> int | None:
    if raw is None or isinstance(raw, bool):
        if raw is None:
            return None
        raise _Bad("number_invalid")
    if isinstance(raw, int | float):
        number = raw
    else:
        text = _text(raw)
        if not text:
            return None
        match = re.fullmatch(r"(?:stage\s*|第\s*)?(-?\d+)\s*(?:阶段|期)?", text, flags=re.IGNORECASE)
        if not match:
            raise _Bad("number_invalid")
        number = int(match.group(1))
    if isinstance(number, float) and not number.is_integer():
        raise _Bad("number_invalid")
    if number < 0:
        raise _Bad("number_negative")
    if number > maximum:
        raise _Bad("number_too_large", max=maximum)
    return int(number)


def _stage(raw: Any) -> int | None:
    return _whole(raw, maximum=100)


def _cohorts(raw: Any) -> int:
    return _whole(raw, maximum=10_000) or 0


def _courses(raw: Any) -> list[str]:
    names: list[str] = []
    for part in re.split(r"[;,|\n、，；]", _text(raw)):
        name = " ".join(part.split())
        if not name or name in names:
            continue
        if len(name) > COURSE_MAX:
            raise _Bad("too_long", max=COURSE_MAX)
        names.append(name)
    if len(names) > MAX_COURSES:
        raise _Bad("too_many_courses", max=MAX_COURSES)
    return names


def _date(raw: Any) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return _in_range(raw.date())
    if isinstance(raw, date):
        return _in_range(raw)
    text = _text(raw)
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    match = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text
    )
    if match:
        return _made(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if first > 12 >= second:
            return _made(year, second, first)
        if second > 12 >= first:
            return _made(year, first, second)
        if first == second:
            return _made(year, first, second)
        raise _Bad("date_ambiguous")
    raise _Bad("date_invalid")


def _made(year: int, month: int, day: int) -> date:
    try:
        return _in_range(date(year, month, day))
    except ValueError:
        raise _Bad("date_invalid") from None


def _in_range(value: date) -> date:
    if not 1990 <= value.year <= 2100:
        raise _Bad("date_invalid")
    return value


def _paid(raw: Any, currency_cell: Any, header_currency: str) -> tuple[str, int]:
    """(currency, amount in minor units) from "¥1,299.00", "1299 CNY", "USD 49.5", a number and a currency column, or
    a header such as "Paid (CNY)". Nothing written: ("", 0)."""
    currency = ""
    if isinstance(raw, bool):
        raise _Bad("amount_invalid")
    if isinstance(raw, int | float):
        number_text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = unicodedata.normalize("NFKC", _text(raw)).replace("￥", "¥")
        if not text:
            return "", 0
        match = re.fullmatch(r"([^\d\s\-+.,]*)\s*([-+]?[\d,]*\.?\d*)\s*([^\d\s\-+.,]*)", text)
        if not match or not re.search(r"\d", match.group(2)):
            raise _Bad("amount_invalid")
        before, number_text, after = match.groups()
        for mark in (before, after):
            if mark:
                code = currency_code(mark)
                if code is None:
                    raise _Bad("currency_unknown")
                currency = code
        if number_text.count(".") > 1 or not re.fullmatch(r"[-+]?(\d{1,3}(,\d{3})*|\d*)(\.\d*)?", number_text):
            raise _Bad("amount_invalid")
        number_text = number_text.replace(",", "")
    try:
        amount = Decimal(number_text)
    except InvalidOperation:
        raise _Bad("amount_invalid") from None
    if not amount.is_finite():
        raise _Bad("amount_invalid")
    if amount < 0:
        raise _Bad("amount_negative")
    column_currency = _text(currency_cell)
    if not currency and column_currency:
        code = currency_code(column_currency)
        if code is None:
            raise _Bad("currency_unknown")
        currency = code
    currency = currency or header_currency
    if amount == 0:
        return currency, 0
    if not currency:
        raise _Bad("currency_missing")
    exponent = get_currency_precision(currency)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise _Bad("amount_precision", currency=currency)
    if minor > 10**15:
        raise _Bad("amount_invalid")
    return currency, int(minor)


_YES = {"yes", "y", "true", "1", "是", "同意", "是的", "可以", "✓", "✔"}
_NO = {"no", "n", "false", "0", "否", "不同意", "不", "拒绝"}


def _consent(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _Bad("consent_unknown")


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "email": _email,
    "name": _name,
    "language": _language,
    "time_zone": _time_zone,
    "stage": _stage,
    "courses": _courses,
    "cohorts": _cohorts,
    "last_end": _date,
    "consent": _consent,
}
FIELDS = ("email", "name", "language", "time_zone", "stage", "courses", "cohorts", "last_end", "paid", "consent")
