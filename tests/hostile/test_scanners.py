"""The fast, regex-based measure of an .xlsx sheet agrees with the exact expat-based one.

The fast path (``_scan_xlsx_sheet``) decides how much memory calamine may allocate, so it must
never report a smaller used range than the cells calamine will read; it falls back to reading
every tag when a cell is not spelled the plain way. These sheets mix both spellings."""

from __future__ import annotations

import random

import pytest

from loaders.workbook import _Scan, _scan_xlsx_sheet, _XlsxSheetScanner

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _sheet(rng: random.Random) -> bytes:
    prefix = rng.choice(["", "x:"])
    rows = []
    for r in sorted(rng.sample(range(1, 60), rng.randint(1, 12))):
        cells = []
        for c in sorted(rng.sample(range(0, 30), rng.randint(1, 6))):
            ref = f"{_letters(c)}{r}"
            style = rng.choice(["", ' s="1"', ' t="n"'])
            lead = rng.choice(
                [
                    f' r="{ref}"',
                    f' r="{ref}"',
                    f" r='{ref}'",
                    "",
                    f' r = "{ref}"',
                    f' a=">" r="{ref}"',
                    f' r="{ref.lower()}"',
                    f'\n r="{ref}"',
                ]
            )
            body = rng.choice(
                [
                    "",  # self-closing: no value
                    f"<{prefix}v>{r * c}</{prefix}v>",
                    f"<{prefix}f>1+1</{prefix}f>",
                    f"<{prefix}f>1+1</{prefix}f><{prefix}v>2</{prefix}v>",
                    f'<{prefix}f t="shared" si="0"/><{prefix}v></{prefix}v>',
                    f"<{prefix}is><{prefix}t>a</{prefix}t></{prefix}is>",
                ]
            )
            if rng.random() < 0.1:
                lead, style = style, lead  # r after another attribute
            tag = f"<{prefix}c{lead}{style}"
            cells.append(f"{tag}/>" if not body else f"{tag}>{body}</{prefix}c>")
        row_ref = f' r="{r}"' if rng.random() < 0.9 else ""
        rows.append(f"<{prefix}row{row_ref}>{''.join(cells)}</{prefix}row>")
    xmlns = f'xmlns:x="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f"<{prefix}worksheet {xmlns}><{prefix}sheetData>{''.join(rows)}"
        f"</{prefix}sheetData></{prefix}worksheet>"
    ).encode()


@pytest.mark.parametrize("seed", range(300))
def test_fast_scan_matches_the_exact_one(seed: int) -> None:
    rng = random.Random(seed)
    xml = _sheet(rng)
    size = rng.choice([7, 64, 4096])
    chunks = [xml[i : i + size] for i in range(0, len(xml), size)]
    fast, exact = _Scan("s"), _Scan("s")
    recalc = rng.random() < 0.2
    _scan_xlsx_sheet(fast, lambda: iter(chunks), "sheet.xml", recalc)
    _XlsxSheetScanner(exact, recalc).run(iter(chunks), "sheet.xml")
    assert (fast.max_row, fast.max_col) == (exact.max_row, exact.max_col)
    assert fast.formulas == exact.formulas
