"""Cell text and names without control, bidirectional or invisible characters, cut to fit."""

from __future__ import annotations

import re

from loaders.readers.limits import MAX_CELL_CHARS, MAX_LABEL_CHARS

# Control characters (C0 but tab/newline/carriage return, DEL, C1), bidirectional overrides and
# isolates (text that displays in a different order than it reads), and invisible marks.
_REMOVE = [
    *range(0x00, 0x09),
    0x0B,
    0x0C,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
    0xFFFE,
    0xFFFF,
]
_SPACES = [0x09, 0x0A, 0x0D, 0x2028, 0x2029]
_TABLE: dict[int, str | None] = {**dict.fromkeys(_REMOVE), **dict.fromkeys(_SPACES, " ")}
_NEEDS_CLEANING = re.compile("[" + "".join(re.escape(chr(c)) for c in _TABLE) + "]")
_HIDDEN = re.compile("[" + "".join(re.escape(chr(c)) for c in _REMOVE) + "]")


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds characters that :func:`clean_text` removes (not mere line breaks)."""
    return _HIDDEN.search(text) is not None


def needs_cleaning(texts: list[str]) -> bool:
    """Whether :func:`clean_text` would change any of ``texts`` (one search for them all)."""
    if not texts:
        return False
    too_long = max(map(len, texts)) > MAX_CELL_CHARS
    return too_long or _NEEDS_CLEANING.search("".join(texts)) is not None


def clean_text(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` without control/bidi characters (line breaks and tabs become spaces), at most
    ``limit`` characters (longer text is cut and ends with ``…``)."""
    if _NEEDS_CLEANING.search(text):
        text = text.translate(_TABLE)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


def safe_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A file or sheet name fit for a message: cleaned, and cut in the middle when too long."""
    text = clean_text(str(text), limit=10 * limit).strip()
    if len(text) > limit:
        tail = limit // 4
        text = text[: limit - tail - 1] + "…" + text[-tail:]
    return text


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row and column → ``D14``."""
    return f"{col_letter(col)}{row + 1}"
