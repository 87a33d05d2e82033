"""The plain reading of an .xlsx sheet (regular expressions) gives the exact reading's answer.

``loaders.readers.xlsx.scan_sheet`` reads a sheet written the plain way (the way Excel,
LibreOffice and openpyxl write it) with regular expressions, and hands anything else to the exact
expat reading. The used range decides how much memory calamine may allocate, so the plain
reading must agree with the exact one: on every sheet of the hostile corpus and the fixtures,
and on sheets mixing spellings; and neither may report a smaller range than calamine reads."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
import python_calamine as calamine
from helpers import FIXTURES
from make_corpus import NAMES, build_corpus, ooxml, rezip

from loaders.readers import WorkbookError
from loaders.readers.scan import SheetScan
from loaders.readers.xlsx import _read_plain, scan_sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PERCENT = frozenset({"2"})


def _outcome(xml: bytes, plain: bool, styles: frozenset[str] = frozenset()) -> object:
    """What a reading finds, or the reason and cell of its refusal."""
    try:
        scan = scan_sheet(lambda: [xml], "sheet.xml", "S", styles=styles, plain=plain)
    except WorkbookError as exc:
        return ("refused", exc.reason, exc.problem().cell)
    return (scan.max_row, scan.max_col, scan.formulas, scan.errors, scan.percent, scan.merges)


def _is_plain(xml: bytes) -> bool:
    try:
        return _read_plain([xml], "sheet.xml", SheetScan("S"))
    except WorkbookError:
        return True


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every worksheet part of every .xlsx in the corpus and the fixtures."""
    dest = tmp_path_factory.mktemp("corpus")
    build_corpus(dest)
    paths = [dest / name for name in NAMES] + sorted(FIXTURES.glob("*.xlsx"))
    found = {}
    for path in paths:
        for part, xml in _worksheets(path):
            found[f"{path.name}:{part}"] = xml
    return found


def _worksheets(path: Path) -> list[tuple[str, bytes]]:
    """The worksheet parts of a zip that zipfile reads (the damaged ones are skipped)."""
    out = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.startswith("xl/worksheets/") and info.file_size < 100 << 20:
                    try:
                        out.append((info.filename, zf.read(info)))
                    except Exception:  # a damaged part (CRC, deflate, lying size)
                        continue
    except Exception:  # not a zip, or its directory is damaged
        return []
    return out


def test_plain_and_exact_agree_on_every_corpus_sheet(sheets: dict[str, bytes]) -> None:
    assert len(sheets) > 100
    plain = 0
    for name, xml in sheets.items():
        plain += _is_plain(xml)
        assert _outcome(xml, plain=True) == _outcome(xml, plain=False), name
    assert plain > len(sheets) // 2  # most sheets take the plain reading


# --------------------------------------------------------------------------- generated sheets


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(rng: random.Random, prefix: str, ref: str, row: int, col: int, plain: bool) -> str:
    """One cell; ``plain``: only the spellings of the plain reading."""
    if plain:
        style = rng.choice(["", ' s="1"', ' t="n"', ' s="3" t="s"'])
        body = rng.choice(["", f"<v>{row * col}</v>", f" <v>{row}</v> ", "<is><t>a</t></is>"])
        tag = f'<c r="{ref}"{style}'
        return f"{tag}/>" if not body else f"{tag}>{body}</c>"
    style = rng.choice(["", ' s="1"', ' s="2"', ' t="n"', ' s="2" t="n"', ' t="e"'])
    lead = rng.choice(
        [
            f' r="{ref}"',
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
            f"<{prefix}v>{row * col}</{prefix}v>",
            f"<{prefix}v>{row * col}</{prefix}v>",
            f" <{prefix}v>{row}</{prefix}v> ",
            f"<{prefix}f>1+1</{prefix}f>",
            f"<{prefix}f>1+1</{prefix}f><{prefix}v>2</{prefix}v>",
            f'<{prefix}f t="shared" si="0"/><{prefix}v></{prefix}v>',
            f"<{prefix}is><{prefix}t>a</{prefix}t></{prefix}is>",
            f"<{prefix}v>#N/A</{prefix}v>",
            "<!-- a comment --><v>3</v>",
            "<x:v xmlns:x='urn:other'>4</x:v>",
            "EMPTY",
        ]
    )
    if rng.random() < 0.1:
        lead, style = style, lead  # r after another attribute
    tag = f"<{prefix}c{lead}{style}"
    if body == "EMPTY":
        return f"{tag}></{prefix}c>"
    return f"{tag}/>" if not body else f"{tag}>{body}</{prefix}c>"


def _sheet(rng: random.Random) -> bytes:
    plain = rng.random() < 0.4
    prefix = "" if plain else rng.choice(["", "", "x:"])
    rows = []
    for r in sorted(rng.sample(range(1, 60), rng.randint(1, 12))):
        cols = sorted(rng.sample(range(0, 30), rng.randint(1, 6)))
        cells = "".join(_cell(rng, prefix, f"{_letters(c)}{r}", r, c, plain) for c in cols)
        row_ref = f' r="{r}"' if rng.random() < 0.9 else ""
        rows.append(f"<{prefix}row{row_ref}>{cells}</{prefix}row>")
    if rng.random() < 0.2:
        rows.append(f'<{prefix}row r="7000"><{prefix}c r="A7000"><{prefix}v>1</{prefix}v>')
        rows.append(f"</{prefix}c></{prefix}row>")
    merges = ""
    if rng.random() < 0.3:
        merges = f'<{prefix}mergeCells><{prefix}mergeCell ref="A1:B2"/></{prefix}mergeCells>'
    xmlns = f'xmlns:x="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f"<{prefix}worksheet {xmlns}><{prefix}sheetData>{''.join(rows)}"
        f"</{prefix}sheetData>{merges}</{prefix}worksheet>"
    ).encode()


def _calamine_end(xml: bytes) -> tuple[int, int] | None:
    """The last (row, column) calamine reads from the sheet, ``None`` when it refuses it."""
    data = rezip(ooxml({"S": lambda: iter([b""])}), {"xl/worksheets/sheet1.xml": xml})
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_name("S")
        return sheet.end if sheet.height else (-1, -1)
    except Exception:
        return None


@pytest.mark.parametrize("seed", range(300))
def test_generated_sheets(seed: int) -> None:
    rng = random.Random(seed)
    xml = _sheet(rng)
    styles = PERCENT if rng.random() < 0.3 else frozenset()
    exact = _outcome(xml, plain=False, styles=styles)
    assert _outcome(xml, plain=True, styles=styles) == exact
    end = _calamine_end(xml)
    if end is not None and exact[0] != "refused":
        max_row, max_col = exact[0], exact[1]
        assert isinstance(max_row, int) and isinstance(max_col, int)
        assert end[0] <= max_row and end[1] <= max_col, (end, exact)


def test_generated_sheets_take_both_readings() -> None:
    plain = sum(_is_plain(_sheet(random.Random(seed))) for seed in range(300))
    assert 10 < plain < 290


def test_far_cell_in_a_big_part_read_in_chunks() -> None:
    """Regions cut between chunks keep every cell with its first child."""
    row = b"".join(b'<c r="%s1"><v>%d</v></c>' % (_letters(c).encode(), c) for c in range(150))
    body = b'<row r="1">' + row + b"</row>" + b'<row r="6000"><c r="A6000"><v>1</v></c></row>'
    xml = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + body + b"</sheetData></worksheet>"
    for size in (7, 64, 4096):
        chunks = [xml[i : i + size] for i in range(0, len(xml), size)]
        with pytest.raises(WorkbookError) as exc:
            scan_sheet(lambda c=chunks: iter(c), "sheet.xml", "S")
        assert exc.value.problem().cell == "A6000"
