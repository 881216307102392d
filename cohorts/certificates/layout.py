"""How big the learner's name is printed: pure computation, no Django (unit-tested in tests/cohorts/)."""

import unicodedata

# The name's line on an A4 landscape page: 297 mm less the frame and its padding, in points (1 mm = 72 / 25.4 pt).
NAME_LINE_PT = (297 - 2 * 32) * 72 / 25.4
NAME_MAX_PT = 40.0
# Below this a name wraps onto a second line rather than shrinking into an unreadable one; on two lines it shrinks
# again as far as it must (80 full-width characters, the longest display name: about 15 pt).
NAME_MIN_PT = 17.0
NAME_LINES = 2
# Lines break anywhere in a long word (overflow-wrap: anywhere), so a little slack covers an uneven break.
_WRAP_SLACK = 0.92


def _em_width(char: str) -> float:
    """A character's advance in ems, near enough for every font the certificate uses: CJK and emoji are full width,
    Latin capitals and Cyrillic a little wider than lower case, combining marks take no room."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper():
        return 0.72
    if char == " ":
        return 0.3
    return 0.6


def name_font_size(name: str) -> float:
    """The font size (pt) at which ``name`` fits on one line at NAME_MIN_PT or more (at most NAME_MAX_PT), else
    the size at which it fits on NAME_LINES lines."""
    width = sum(_em_width(char) for char in name) or 1.0
    one_line = NAME_LINE_PT / width
    if one_line >= NAME_MIN_PT:
        return round(min(NAME_MAX_PT, one_line), 1)
    return round(min(NAME_MIN_PT, NAME_LINES * NAME_LINE_PT * _WRAP_SLACK / width), 1)
