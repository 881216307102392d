"""CSV cells that stay text in a spreadsheet: the one guard every CSV download of people's names uses.

A cell a spreadsheet could read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) is
prefixed with an apostrophe, so a name like ``=HYPERLINK(…)`` stays text when someone opens the file.
"""

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs as a formula (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
