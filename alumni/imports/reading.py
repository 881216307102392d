"""Reading an operator's spreadsheet: the bytes of a CSV (UTF-8 with or without a BOM, UTF-16, or GB18030 as Chinese
platforms export it; the encoding is detected) or an XLSX file (openpyxl, read-only) become a header and rows
numbered as the spreadsheet shows them. File-level trouble is a ``SheetError``. No Django."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from alumni.imports.headers import header_field

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in exported rosters
EXTENSIONS = frozenset({"csv", "txt", "tsv", "xlsx"})


class SheetError(Exception):
    """The file as a whole can't be imported: ``code`` says why (the service turns it into a translated message)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


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
