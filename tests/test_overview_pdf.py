"""The overview's one-page PDF and its key messages, over the demo data."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from dxboard.i18n import VN_TZ, t
from dxboard.store import Store
from metrics.headlines import headlines
from metrics.index import readiness_index
from metrics.national import national
from pages.figures import keymsg
from pages.figures import overview as fig
from pages.figures.overview_pdf import BODY, SMALL, overview_pdf

PERIOD, PREVIOUS = "2026-Q3", "2026-Q2"
AT = datetime(2026, 11, 22, 9, 30, tzinfo=VN_TZ)


@pytest.fixture(scope="module")
def store(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("ovpdf") / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    with Store(path) as opened:
        yield opened


def _inputs(store: Store, lang: str) -> tuple:
    heads = headlines(store, PERIOD, "reported")
    nat = national(store, (PERIOD, PREVIOUS), "reported", regions=False)
    tiles = keymsg.with_status(fig.tile_frame(nat, PERIOD, PREVIOUS, lang), heads.status)
    names = dict(zip(tiles["indicator"], tiles["name"], strict=True))
    return heads, tiles, keymsg.messages(heads, names, PREVIOUS, lang)


def _pdf(store: Store, lang: str) -> PdfReader:
    _, tiles, messages = _inputs(store, lang)
    data = overview_pdf(
        tiles,
        readiness_index(store, PERIOD),
        messages,
        lang,
        period=PERIOD,
        basis_label=t("app.basis_reported", lang),
        demo=True,
        generated=AT,
    )
    return PdfReader(io.BytesIO(data))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_is_one_landscape_a4_page_with_the_title(store: Store, lang: str) -> None:
    reader = _pdf(store, lang)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        297,
        210,
    )
    text = reader.pages[0].extract_text()
    assert t("overview.title", lang, period=PERIOD) in text
    assert t("keymsg.heading", lang) in text and t("banner.demo", lang) in text
    assert t("keymsg.pdf_targets", lang) in text


def test_pdf_renders_vietnamese_with_an_embedded_font(store: Store) -> None:
    page = _pdf(store, "vi").pages[0]
    text = page.extract_text()
    # diacritics survive (a font without Vietnamese glyphs would drop or replace them)
    for word in ("Tổng quan chuyển đổi số", "Điểm chính", "Đạt", "Hộ gia đình có cáp quang"):
        assert word in text
    fonts = page["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert names and all("DejaVuSans" in n for n in names)
    descendant = next(iter(fonts.values())).get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not the reader's


def test_pdf_text_is_at_least_nine_points() -> None:
    assert min(BODY, SMALL) >= 9


def test_pdf_every_target_and_its_status(store: Store) -> None:
    heads, tiles, _ = _inputs(store, "en")
    text = _pdf(store, "en").pages[0].extract_text()
    for row in tiles[tiles["scored"]].itertuples():
        assert keymsg.status_word(row.status, "en") in text
    assert heads.laggards.iloc[0]["province_name"] in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_three_key_messages(store: Store, lang: str) -> None:
    heads, _, messages = _inputs(store, lang)
    assert len(messages) == 3
    met = int((heads.status["status"] == "met").sum())
    assert f"{met}/{len(heads.status)}" in messages[0] or f"{met} of" in messages[0]
    assert heads.laggards.iloc[0]["province_name"] in messages[1]
    assert heads.risers.iloc[0]["province_name"] in messages[2]


def test_gap_and_best_province_for_a_target_nobody_meets(store: Store) -> None:
    _, tiles, _ = _inputs(store, "vi")
    nobody = tiles[(tiles["n_met"] == 0) & (tiles["unit"] != "yes_no")]
    assert len(nobody)  # the demo has coverage targets that no province meets yet
    for _, row in nobody.iterrows():
        text = keymsg.gap_text(row, "vi")
        assert "điểm phần trăm" in text and row["best_name"] in text
    met = tiles[tiles["status"] == "met"].iloc[0]
    assert keymsg.gap_text(met, "vi") == ""


def test_legend_words_every_status() -> None:
    legend = keymsg.legend("vi")
    for status in keymsg.STATUS_ORDER:
        assert keymsg.status_word(status, "vi") in legend
        assert f":material/{keymsg.STATUS_ICONS[status]}:" in legend  # not colour alone
