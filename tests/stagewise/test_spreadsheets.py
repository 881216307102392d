"""Every CSV download of people's names keeps a formula-looking cell as text."""

import pytest

from stagewise.spreadsheets import csv_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tname", "'\tname"),
        ("张伟", "张伟"),
        ("José 🎉", "José 🎉"),
        (None, ""),
        (-5, -5),  # numbers are numbers
    ],
)
def test_a_cell_that_looks_like_a_formula_stays_text(value, cell):
    assert csv_cell(value) == cell
