"""The limits that keep a hostile or broken upload from exhausting memory or time."""

from __future__ import annotations

import os

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
"""Largest upload read (a filled template is ≈ 12 KB, a national bulk table < 1 MB)."""
MAX_UPLOAD_ENV = "DXBOARD_MAX_UPLOAD_MB"
MAX_UNCOMPRESSED_BYTES = 100 * MB
"""Largest total size of the parts of a zip container (.xlsx/.xlsm/.ods), declared and real."""
MAX_COMPRESSION_RATIO = 200
"""Largest expanded/compressed ratio of one zip member (real workbooks stay under ≈ 20)."""
RATIO_MIN_BYTES = 1 * MB
"""The ratio rule applies to members that expand to at least this many bytes."""
MAX_ZIP_MEMBERS = 1000
MAX_CENTRAL_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 1100
MAX_SMALL_PART = 5 * MB
"""Largest workbook.xml, .rels, styles.xml or manifest read whole."""
MAX_SHEETS = 100
MAX_ROWS = 5000
"""Rows read from one sheet (a bulk table of 63 provinces × 27 quarters has ≈ 1,700)."""
MAX_COLS = 200
MAX_CELLS = 2_000_000
"""Cells (rows × columns of each sheet's used range) read from the whole workbook."""
MAX_MERGED = 10_000
"""Merged ranges kept per sheet (the template has none; each costs a check per cell read)."""
MAX_XML_DEPTH = 200
MAX_CELL_CHARS = 1000
"""Longer cell text is cut to this length (plus ``…``) so that it fits in a message."""
MAX_LABEL_CHARS = 120
"""Sheet names are cut to this length in messages."""
MAX_FILE_LABEL_CHARS = 255
"""File names are cut to this length in messages."""


def max_file_bytes() -> int:
    """The upload limit: ``$DXBOARD_MAX_UPLOAD_MB`` (megabytes, > 0) or ``MAX_FILE_BYTES``."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return MAX_FILE_BYTES
    return int(value * MB) if value > 0 else MAX_FILE_BYTES
