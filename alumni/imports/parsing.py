"""Reading an operator's spreadsheet into checked rows: no database, no Django models (unit-tested on its own).

``read_sheet`` turns the bytes of a CSV (UTF-8 with or without a BOM, UTF-16, or GB18030 as Chinese platforms export
it; the encoding is detected) or an XLSX file (openpyxl, read-only) into a header and rows numbered as the spreadsheet
shows them. ``check_rows`` maps the headers (English or Chinese) to fields and checks every cell: each bad cell is a
``Problem`` with a stable code, and a row with a problem is skipped. File-level trouble is a ``SheetError``.
"""

import csv
import io
import re
import unicodedata
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in exported rosters
NAME_MAX = 80  # accounts.User.display_name
EMAIL_MAX = 254
COURSE_MAX = 200
MAX_COURSES = 50
EXTENSIONS = frozenset({"csv", "txt", "tsv", "xlsx"})


class SheetError(Exception):
    """The file as a whole can't be imported: ``code`` says why (the service turns it into a translated message)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


# Reading the file ----------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    header_line: int
    rows: list[tuple[int, list[Any]]]  # (line as the spreadsheet numbers it, cells)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The header row (the first of the top rows that names an email column) and the data rows below it, blank rows
    left out. Raises ``SheetError`` for a file that is too large, of another type, empty, unreadable, without an email
    column or with more than ``MAX_ROWS`` rows."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise SheetError("import_file_type")
    if len(data) > MAX_BYTES:
        raise SheetError("import_file_too_large")
    if not data.strip():
        raise SheetError("import_file_empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("import_file_xls")
    records = _xlsx_records(data) if data.startswith(b"PK\x03\x04") else _csv_records(_decode(data))
    return _sheet(records)


def _decode(data: bytes) -> str:
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # Excel's "Unicode text"
    encodings = ["utf-16"] if utf16 else ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise SheetError("import_file_unreadable")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return "\x00" in sample or controls > 2


def _csv_records(text: str) -> Iterator[list[Any]]:
    head = text[:4096]
    delimiter = max([",", "\t", ";", "|"], key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:  # a field over csv's size limit, a stray NUL
        raise SheetError("import_file_unreadable") from exc


def _xlsx_records(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    # openpyxl raises whatever its zip and XML readers raise on a damaged file (BadZipFile, KeyError, ValueError,
    # lxml's errors...): any of them means the same thing to the operator.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - see above
        raise SheetError("import_file_unreadable") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SheetError("import_file_empty")
        try:
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield list(row)
        except SheetError:
            raise
        except (zipfile.BadZipFile, Exception) as exc:  # noqa: BLE001 - as for load_workbook
            raise SheetError("import_file_unreadable") from exc
    finally:
        workbook.close()


def _blank(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _sheet(records: Iterable[list[Any]]) -> Sheet:
    headers: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[Any]]] = []
    seen_any = False
    for line, record in enumerate(records, start=1):
        cells = record[:MAX_COLUMNS]
        if _blank(cells):
            continue
        seen_any = True
        if headers is None:
            names = [_header_text(cell) for cell in cells]
            if any(header_field(name)[0] == "email" for name in names):
                headers, header_line = names, line
            elif line >= HEADER_SEARCH_ROWS:
                raise SheetError("import_no_email_column")
            continue
        if len(rows) >= MAX_ROWS:
            raise SheetError("import_too_many_rows", max=MAX_ROWS)
        rows.append((line, cells))
    if not seen_any:
        raise SheetError("import_file_empty")
    if headers is None:
        raise SheetError("import_no_email_column")
    if not rows:
        raise SheetError("import_no_rows")
    return Sheet(headers=headers, header_line=header_line, rows=rows)


def _header_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff")[:100]


# Headers -------------------------------------------------------------------------------------------------------

# The accepted headers, by field: compared after lower-casing and folding spaces, "_" and "-" to one space. A header
# may carry a currency in brackets: "Paid (CNY)", "支付金额（元）".
HEADERS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址"),
    "name": ("name", "full name", "display name", "姓名", "名字", "昵称", "学员", "学员姓名"),
    "language": ("language", "lang", "语言"),
    "time_zone": ("time zone", "timezone", "tz", "时区"),
    "stage": ("stage completed", "highest stage", "highest stage completed", "stage", "完成阶段", "最高阶段", "阶段"),
    "courses": ("courses", "course", "课程"),
    "cohorts": ("cohorts taken", "cohorts", "参加期数", "期数", "营期数"),
    "last_end": ("last cohort end", "last cohort ended", "last cohort end date", "结营日期", "最近结营日期"),
    "paid": ("paid", "amount paid", "total paid", "支付金额", "付款金额", "实付金额", "金额"),
    "currency": ("currency", "币种", "货币"),
    "consent": ("marketing consent", "consent", "营销同意", "同意营销", "接收营销信息"),
}
_HEADER_INDEX = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
_CURRENCY_WORDS = {"元": "CNY", "人民币": "CNY", "rmb": "CNY", "美元": "USD", "欧元": "EUR", "日元": "JPY"}


def header_field(header: str) -> tuple[str | None, str]:
    """The field a header names (None: not ours) and the currency it carries in brackets ("" if none)."""
    text = unicodedata.normalize("NFKC", header).lower()
    currency = ""
    bracket = re.search(r"\(([^)]*)\)\s*$", text)
    if bracket:
        currency = _currency_code(bracket.group(1).strip()) or ""
        text = text[: bracket.start()]
    text = re.sub(r"[\s_\-]+", " ", text).strip()
    return _HEADER_INDEX.get(text), currency


# Rows ------------------------------------------------------------------------------------------------------------


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


_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP", "HK$": "HKD", "US$": "USD", "S$": "SGD"}


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def _currency_code(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    if text.lower() in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[text.lower()]
    code = text.upper()
    return code if len(code) == 3 and code in _known_currencies() else None


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
                code = _currency_code(mark)
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
        code = _currency_code(column_currency)
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
