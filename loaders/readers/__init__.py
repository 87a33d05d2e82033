"""Reading spreadsheet files safely: one module per container, one safety scan per format.

:func:`open_workbook` types a file by its content (never its name), runs its format's scan
(:mod:`~loaders.readers.xlsx`, :mod:`~loaders.readers.ods`, :mod:`~loaders.readers.xls`, the zip
checks of :mod:`~loaders.readers.zipcheck`) and only then reads every sheet with python-calamine
(:mod:`~loaders.readers.workbook`). Any bad file is a :class:`WorkbookError`; the limits are in
:mod:`~loaders.readers.limits`. See ``docs/SECURITY.md``.
"""

from loaders.readers.errors import WorkbookError
from loaders.readers.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLS,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_MERGED,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_ENV,
    MAX_ZIP_MEMBERS,
    max_file_bytes,
)
from loaders.readers.workbook import Sheet, Workbook, open_workbook

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_MERGED",
    "MAX_ROWS",
    "MAX_SHEETS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_ENV",
    "MAX_ZIP_MEMBERS",
    "Sheet",
    "Workbook",
    "WorkbookError",
    "max_file_bytes",
    "open_workbook",
]
