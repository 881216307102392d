"""How big the learner's name is printed: pure computation, no Django (unit-tested in tests/cohorts/)."""

import math
import unicodedata

# The name's line on an A4 landscape page, in points (1 mm = 72 / 25.4 pt): the frame's 277 mm less its double
# border (2 × 1.2 mm), its padding (2 × 22 mm) and the underline's overhang (2 × 4 mm); see pdf.py's stylesheet.
NAME_LINE_PT = (277 - 2 * 1.2 - 2 * 22 - 2 * 4) * 72 / 25.4
NAME_MAX_PT = 40.0
# Below this a name wraps onto a second line rather than shrinking into an unreadable one; on two lines it shrinks
# again as far as it must (80 full-width characters, the longest display name: about 15 pt).
NAME_MIN_PT = 17.0
NAME_LINES = 2
# Below any display name's need (80 emoji, the widest: 11 pt); a floor for the stylesheet's classes.
NAME_FLOOR_PT = 10.0
# Lines break anywhere in a long word (overflow-wrap: anywhere), so a little slack covers an uneven break.
_WRAP_SLACK = 0.92


def _em_width(char: str) -> float:
    """A character's advance in ems, on the generous side for the fonts the certificate uses (Noto Serif CJK, DejaVu
    Serif, Noto Color Emoji): emoji wider than CJK's full width, M and W a full em, other capitals a little wider
    than lower case, combining marks nothing."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if ord(char) >= 0x1F000 or unicodedata.category(char) == "So":
        return 1.3  # emoji: Noto Color Emoji's advance is wider than an em
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "MWmwŒÆœæ":
        return 1.0
    if char.isupper():
        return 0.75
    if char == " ":
        return 0.3
    return 0.6


def name_font_size(name: str) -> float:
    """The font size (pt) at which ``name`` fits on one line at NAME_MIN_PT or more (at most NAME_MAX_PT), else
    the size at which it fits on NAME_LINES lines; in half points, from NAME_FLOOR_PT."""
    width = sum(_em_width(char) for char in name) or 1.0
    one_line = NAME_LINE_PT / width
    size = min(NAME_MAX_PT, one_line) if one_line >= NAME_MIN_PT else NAME_LINES * NAME_LINE_PT * _WRAP_SLACK / width
    return max(NAME_FLOOR_PT, math.floor(size * 2) / 2)  # down to a half point: the stylesheet has a class for each
