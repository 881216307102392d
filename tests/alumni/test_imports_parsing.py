"""The spreadsheet reader and row checks on their own (no database): headers in two languages, the values exports really contain."""

from datetime import date

import pytest

from alumni.imports import parsing, reading
from alumni.imports.headers import header_field


def _one(header: list[str], cells: list[object]) -> tuple[list[parsing.Row], list[dict]]:
    checked = parsing.check_rows(reading.Sheet(headers=header, header_line=1, rows=[(2, cells)]))
    return checked.rows, [p.as_dict() for p in checked.problems]


@pytest.mark.parametrize(
    ("header", "field", "currency"),
    [
        ("Email", "email", ""),
        ("E-mail", "email", ""),
        ("邮箱", "email", ""),
        ("\ufeffemail", None, ""),  # the reader strips a BOM before this point; a stray one is not a header
        ("Time_Zone", "time_zone", ""),
        ("时区", "time_zone", ""),
        ("Paid (USD)", "paid", "USD"),
        ("支付金额（元）", "paid", "CNY"),
        ("结营日期", "last_end", ""),
        ("营销同意", "consent", ""),
        ("phone", None, ""),
    ],
)
def test_headers_in_english_and_chinese(header, field, currency):
    assert header_field(header) == (field, currency)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("2025/6/30", date(2025, 6, 30)),
        ("2025.06.30", date(2025, 6, 30)),
        ("2025年6月30日", date(2025, 6, 30)),
        ("2025-06-30 18:00", date(2025, 6, 30)),
        ("30/06/2025", date(2025, 6, 30)),
        ("06/30/2025", date(2025, 6, 30)),
        ("05/05/2025", date(2025, 5, 5)),
        (date(2025, 6, 30), date(2025, 6, 30)),
    ],
)
def test_dates_as_exports_write_them(raw, expected):
    rows, problems = _one(["email", "last cohort end"], ["a@example.test", raw])
    assert problems == [] and rows[0].last_end == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("03/04/2025", "date_ambiguous"),
        ("2025-02-30", "date_invalid"),
        ("next June", "date_invalid"),
        ("1899-01-01", "date_invalid"),
    ],
)
def test_dates_that_cant_be_read_safely(raw, code):
    _, problems = _one(["email", "last cohort end"], ["a@example.test", raw])
    assert [p["code"] for p in problems] == [code]


@pytest.mark.parametrize(
    ("raw", "currency_cell", "expected"),
    [
        ("¥1,299.00", None, ("CNY", 129900)),
        ("￥1299", None, ("CNY", 129900)),
        ("1299 CNY", None, ("CNY", 129900)),
        ("USD 49.5", None, ("USD", 4950)),
        ("$0.99", None, ("USD", 99)),
        ("1500", "JPY", ("JPY", 1500)),
        (199.9, "eur", ("EUR", 19990)),
        ("", None, ("", 0)),
        ("0", None, ("", 0)),
    ],
)
def test_amounts_with_their_currency(raw, currency_cell, expected):
    rows, problems = _one(["email", "paid", "currency"], ["a@example.test", raw, currency_cell])
    assert problems == []
    assert (rows[0].currency, rows[0].paid_minor) == expected


@pytest.mark.parametrize(
    ("raw", "currency_cell", "code"),
    [
        ("-5 CNY", None, "amount_negative"),
        ("12.345 CNY", None, "amount_precision"),
        ("1.5", "JPY", "amount_precision"),
        ("199", None, "currency_missing"),
        ("199 XYZ", None, "currency_unknown"),
        ("lots", None, "amount_invalid"),
        ("1,2,3", "CNY", "amount_invalid"),
        ("NaN", "CNY", "amount_invalid"),
    ],
)
def test_amounts_that_are_wrong(raw, currency_cell, code):
    _, problems = _one(["email", "paid", "currency"], ["a@example.test", raw, currency_cell])
    assert [p["code"] for p in problems] == [code]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("是", True),
        ("同意", True),
        (True, True),
        ("no", False),
        ("否", False),
        ("0", False),
        ("", None),
    ],
)
def test_consent_only_when_said(raw, expected):
    rows, problems = _one(["email", "consent"], ["a@example.test", raw])
    assert problems == [] and rows[0].consent is expected


def test_names_in_any_script_are_kept_as_written():
    for name in ["张伟", "𠮷野家 花子", "José García Ñúñez", "Ana 🙂🎉", "Ngọc Ánh", "محمد"]:
        rows, problems = _one(["email", "name"], ["a@example.test", name])
        assert problems == [] and rows[0].name == name


def test_a_name_over_80_characters_is_a_problem():
    _, problems = _one(["email", "name"], ["a@example.test", "张" * 81])
    assert [p["code"] for p in problems] == ["name_too_long"]


def test_line_numbers_count_blank_rows_and_title_rows_as_the_spreadsheet_does():
    data = b"Alumni 2025\r\n\r\nemail,name\r\na@example.test,A\r\n\r\nnope,B\r\n"

    sheet = reading.read_sheet(data, "alumni.csv")
    checked = parsing.check_rows(sheet)

    assert sheet.header_line == 3
    assert [line for line, _ in sheet.rows] == [4, 6]
    assert [(p.line, p.code) for p in checked.problems] == [(6, "email_invalid")]


def test_a_quoted_cell_over_several_lines_is_one_spreadsheet_row():
    data = b'email,courses\r\na@example.test,"SQL\nPython"\r\nb@example.test,SQL\r\n'

    checked = parsing.check_rows(reading.read_sheet(data, "alumni.csv"))

    assert [(r.line, r.courses) for r in checked.rows] == [(2, ["SQL", "Python"]), (3, ["SQL"])]


def test_semicolons_and_tabs_separate_columns_too():
    for separator in [";", "\t"]:
        data = f"email{separator}name\r\na@example.test{separator}Ana\r\n".encode()
        rows = parsing.check_rows(reading.read_sheet(data, "alumni.csv")).rows
        assert (rows[0].email, rows[0].name) == ("a@example.test", "Ana")
