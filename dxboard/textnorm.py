"""Text folding for matching names typed by people (diacritics, case, Unicode forms)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove Vietnamese diacritics; ``đ``/``Đ`` become ``d``/``D``. NFC and NFD give the same."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` for comparisons."""
    text = strip_accents(unicodedata.normalize("NFKC", str(text))).lower()
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """``fold`` without non-alphanumerics: ``"Bà Rịa - Vũng Tàu"`` → ``"bariavungtau"``."""
    return re.sub(r"[^0-9a-z]", "", fold(text))
