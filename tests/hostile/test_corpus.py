"""Hostile and broken files (``make_corpus.py``): none crashes, hangs or eats memory; each is
refused with a clear message in both languages, without control characters, and writes nothing
but its ``rejected`` upload row. The macro and external-link workbooks are read, with a flag.

Each file is checked twice: end to end through ``ingest_bytes`` (the store untouched), and
directly through ``open_workbook`` (the reader's own reason, flags and warnings)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import good_template, store_snapshot, upload_statuses
from make_corpus import ACCEPTED, HEAVY, NAMES, READER_REASONS, CorpusCase, build_corpus
from measure import measure

from dxboard.errors import Problem, Reason
from dxboard.store import Store
from loaders.ingest import ingest_bytes
from loaders.readers import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_UPLOAD_ENV,
    WorkbookError,
    max_file_bytes,
    open_workbook,
)

PEAK_RSS_LIMIT_MB = 500
FLAGS = ("has_macros", "external_links")
MESSAGE_LIMIT = 2 * MAX_CELL_CHARS + 500
"""A message may quote one cut cell (1,000 characters) and its own text, never a megabyte."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, CorpusCase]]:
    dest = tmp_path_factory.mktemp("hostile")
    return dest, {case.name: case for case in build_corpus(dest)}


@pytest.fixture(scope="module")
def store() -> Store:
    """One store shared by the whole corpus, already holding an accepted report."""
    shared = Store(":memory:")
    assert (
        ingest_bytes(shared, good_template("Hà Nội", "2024-Q1"), "seed.xlsx").status == "accepted"
    )
    return shared


def clean(text: str) -> bool:
    """No control characters (category Cc: NUL, ESC, BEL, line breaks...)."""
    return not any(unicodedata.category(ch) == "Cc" for ch in text)


def check_messages(problems: Sequence[Problem]) -> None:
    for p in problems:
        assert p.message_vi.strip() and p.message_en.strip(), p
        for text in (p.message_vi, p.message_en, p.file, p.sheet, p.cell):
            assert clean(text), repr(text)
        assert len(p.message_vi) < MESSAGE_LIMIT and len(p.message_en) < MESSAGE_LIMIT


def test_corpus_covers_the_threats(corpus: tuple[Path, dict[str, CorpusCase]]) -> None:
    dest, cases = corpus
    assert len(cases) >= 40
    assert list(cases) == NAMES
    reasons = {r.value for r in Reason} | {ACCEPTED}
    for case in cases.values():
        assert case.expected in reasons, case
        assert (dest / case.name).stat().st_size == case.size
    assert set(HEAVY) <= set(cases)
    expected = {c.expected for c in cases.values()}
    assert READER_REASONS | {"unknown_layout", "province", "period", ACCEPTED} <= expected


@pytest.mark.parametrize("name", NAMES)
def test_hostile_file(corpus: tuple[Path, dict[str, CorpusCase]], store: Store, name: str) -> None:
    dest, cases = corpus
    case = cases[name]
    data = (dest / name).read_bytes()
    if case.expected == ACCEPTED:
        result = ingest_bytes(Store(":memory:"), data, name)
        assert result.status == "accepted", result.errors
        check_messages(result.problems)
        return
    before = store_snapshot(store)
    uploads = upload_statuses(store)
    result = ingest_bytes(store, data, name)
    assert result.status == "rejected", result.problems
    assert result.reports == [] and result.submission_ids == []
    assert result.errors, result.problems
    assert case.expected in {p.reason.value for p in result.errors}, result.errors
    check_messages(result.problems)
    assert store_snapshot(store) == before
    assert upload_statuses(store) == [*uploads, "rejected"]
    (logged,) = store.cursor().execute("SELECT messages FROM uploads ORDER BY id DESC").fetchone()
    assert all(m["message_vi"] and m["message_en"] for m in json.loads(logged))


@pytest.mark.parametrize("name", NAMES)
def test_reader(corpus: tuple[Path, dict[str, CorpusCase]], name: str) -> None:
    """The whole corpus through the readers alone: the reason of each refused file, the flags
    and warnings of each file read; nothing but a WorkbookError ever escapes."""
    dest, cases = corpus
    case = cases[name]
    data = (dest / name).read_bytes()
    if case.refused_by_reader:
        with pytest.raises(WorkbookError) as exc:
            open_workbook(data, name)
        problem = exc.value.problem()
        assert problem.reason == case.expected, problem
        assert problem.file == name and problem.severity == "error"
        check_messages([problem])
        return
    book = open_workbook(data, name)
    for flag in FLAGS:
        assert getattr(book, flag) is (flag in case.flags), flag
    assert sorted(w.reason.value for w in book.warnings) == sorted(case.warnings)
    assert all(w.severity == "warning" and w.file == name for w in book.warnings)
    check_messages(book.warnings)


@pytest.mark.parametrize("name", ["macros.xlsm", "external_links.xlsx"])
def test_ingest_reports_the_workbook_warning(
    corpus: tuple[Path, dict[str, CorpusCase]], name: str
) -> None:
    dest, _ = corpus
    result = ingest_bytes(Store(":memory:"), (dest / name).read_bytes(), name)
    assert result.status == "accepted"
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert any("macro" in p.message_en or "link" in p.message_en for p in warnings)


@pytest.mark.parametrize(
    ("name", "cell", "reason", "words"),
    [
        ("nul_escape_in_province.xlsx", "D2", Reason.HIDDEN_CHARACTERS, "Control or hidden"),
        ("control_chars_province.xlsx", "D2", Reason.HIDDEN_CHARACTERS, "Control or hidden"),
        ("bidi_override_province.xlsx", "D2", Reason.HIDDEN_CHARACTERS, "Control or hidden"),
        ("string_1mb.xlsx", "D12", Reason.TEXT_CUT, "cut short"),
    ],
)
def test_cleaned_cells_are_named(
    corpus: tuple[Path, dict[str, CorpusCase]], name: str, cell: str, reason: Reason, words: str
) -> None:
    dest, _ = corpus
    book = open_workbook((dest / name).read_bytes(), name)
    found = [w for w in book.warnings if w.reason == reason]
    assert all(words in w.message_en and cell in w.message_vi for w in found)
    assert [(w.sheet, w.cell, w.severity) for w in found] == [("Báo cáo", cell, "warning")]
    value = book.sheet("Báo cáo").value(int(cell[1:]) - 1, 3)
    assert isinstance(value, str) and clean(value) and len(value) <= MAX_CELL_CHARS + 1
    check_messages(book.warnings)


def test_file_name_is_cleaned() -> None:
    book = open_workbook(good_template(), "bao\x00cao\x1b[2J\u202e.xlsx")
    assert book.file_name == "baocao[2J.xlsx"
    assert book.warnings == []


@pytest.fixture(scope="module")
def peaks(corpus: tuple[Path, dict[str, CorpusCase]]) -> dict[str, dict]:
    """Each heavy file ingested in a fresh process: status, reasons and peak RSS."""
    dest, _ = corpus
    results = measure([dest / name for name in HEAVY])
    return {r["file"]: r for r in results}


@pytest.mark.parametrize("name", HEAVY)
def test_peak_memory(
    corpus: tuple[Path, dict[str, CorpusCase]], peaks: dict[str, dict], name: str
) -> None:
    _, cases = corpus
    result = peaks[name]
    assert result["status"] == "rejected", result
    assert cases[name].expected in result["reasons"], result
    assert result["peak_rss_mb"] < PEAK_RSS_LIMIT_MB, result


def test_upload_limit_comes_first_and_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert max_file_bytes() == MAX_FILE_BYTES == 10 * 1024 * 1024
    with pytest.raises(WorkbookError) as exc:  # checked before the content is even sniffed
        open_workbook(b"\x00" * (MAX_FILE_BYTES + 1), "big.xlsx")
    problem = exc.value.problem()
    assert problem.reason == Reason.FILE_TOO_LARGE
    assert "10,0 MB" in problem.message_vi and "10.0 MB" in problem.message_en
    data = good_template()
    monkeypatch.setenv(MAX_UPLOAD_ENV, "0,005")  # 5 KB; a comma decimal is accepted
    with pytest.raises(WorkbookError, match="quá lớn"):
        open_workbook(data, "ok.xlsx")
    monkeypatch.setenv(MAX_UPLOAD_ENV, "not a number")
    assert max_file_bytes() == MAX_FILE_BYTES
    assert open_workbook(data, "ok.xlsx").sheet_names
