"""Spreadsheets as operators bring them: CSV in the encodings platforms export, and XLSX."""

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = ["email", "name", "language", "time zone", "stage completed", "courses", "last cohort end", "paid", "consent"]


def csv_bytes(rows: list[list[Any]], *, header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes what needs it ("¥1,299.00"), lines end in CRLF as spreadsheets write them
    writer.writerow(header or HEADER)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "alumni.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def learners(n: int, *, start: int = 1) -> list[list[Any]]:
    return [
        [
            f"learner{i}@example.test",
            f"Learner {i}",
            "en",
            "Europe/Berlin",
            1,
            "SQL basics",
            "2025-06-30",
            "199 CNY",
            "",
        ]
        for i in range(start, start + n)
    ]
