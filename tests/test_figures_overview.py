"""The overview's figure and table functions, as plain functions over the demo data."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxboard.catalogue import load_catalogue
from dxboard.i18n import fmt_period, t
from dxboard.store import Store
from metrics.completeness import completeness
from metrics.index import readiness_index
from metrics.national import national
from pages.figures import overview as fig

PERIOD, PREVIOUS = "2022-Q2", "2022-Q1"


@pytest.fixture(scope="module")
def store(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("ovfig") / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    with Store(path) as opened:
        yield opened


@pytest.fixture(scope="module")
def nat(store: Store) -> pd.DataFrame:
    return national(store, (PERIOD, PREVIOUS), "reported", regions=False)


@pytest.fixture(scope="module")
def ranks(store: Store) -> pd.DataFrame:
    return readiness_index(store, PERIOD, "reported")


def _vn(nat: pd.DataFrame, period: str) -> pd.DataFrame:
    return nat[(nat["area"] == "VN") & (nat["period"] == period)].set_index("indicator")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_tiles_equal_national_figures(nat: pd.DataFrame, lang: str) -> None:
    tiles = fig.tile_frame(nat, PERIOD, PREVIOUS, lang).set_index("indicator")
    now, before = _vn(nat, PERIOD), _vn(nat, PREVIOUS)
    version = load_catalogue().version_for(PERIOD)  # 2022-Q2: the 2021 version's indicators
    assert list(tiles.index) == [i.code for i in version.indicators]
    for ind in version.indicators:
        row = tiles.loc[ind.code]
        assert row["name"] == ind.name(lang)
        assert row["n_provinces"] == now.loc[ind.code, "n_provinces"]
        assert row["value"] == pytest.approx(now.loc[ind.code, "value"])
        assert row["d_value"] == pytest.approx(
            now.loc[ind.code, "value"] - before.loc[ind.code, "value"]
        )
        if row["scored"]:
            assert row["n_met"] == now.loc[ind.code, "n_met"]
            assert row["d_met"] == now.loc[ind.code, "n_met"] - before.loc[ind.code, "n_met"]
            met, n = int(now.loc[ind.code, "n_met"]), int(now.loc[ind.code, "n_provinces"])
            assert fig.headline(row, lang) == f"{met}/{n}"
        else:
            assert np.isnan(row["n_met"]) and row["level"] == "info"


def test_seed_counts_in_tiles(nat: pd.DataFrame) -> None:
    """The demo reproduces the seed: 63/63 committees, 55/63 resolutions, 59/63 programmes."""
    tiles = fig.tile_frame(nat, PERIOD, PREVIOUS, "vi").set_index("indicator")
    assert fig.headline(tiles.loc["steering_committee"], "vi") == "63/63"
    assert fig.headline(tiles.loc["dx_resolution"], "vi") == "55/63"
    assert fig.headline(tiles.loc["dx_program"], "vi") == "59/63"
    assert tiles.loc["steering_committee", "level"] == "good"


def test_tile_texts_are_localised(nat: pd.DataFrame) -> None:
    tiles = fig.tile_frame(nat, PERIOD, PREVIOUS, "vi").set_index("indicator")
    level4 = tiles.loc["level4_share"]
    text = fig.national_text(level4, "vi", PREVIOUS)
    assert text.startswith("Cả nước: ") and "mục tiêu ≥ 100 %" in text and "31/12/2021" in text
    assert "," in fig.fmt_percent(level4["value"], "vi")
    en = fig.tile_frame(nat, PERIOD, PREVIOUS, "en").set_index("indicator")
    assert fig.national_text(en.loc["level4_share"], "en").startswith("National: ")
    assert "level4_share" not in text
    assert fig.change_text(level4, None, "vi") == t("overview.no_previous_short", "vi")
    assert fmt_period(PREVIOUS, "vi") in fig.change_text(level4, PREVIOUS, "vi")  # Quý I/2022


def test_target_in_force_follows_the_period() -> None:
    remote = load_catalogue().indicator("remote_inspection_share")
    assert fig.target_text(remote, "2024-Q4", "vi") == "≥ 50 % (đến 31/12/2025)"
    assert fig.target_text(remote, "2026-Q1", "en") == "≥ 70% (by 2030-12-31)"


def test_comparable_previous_quarter() -> None:
    periods = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert fig.comparable_previous("2025-Q4", "reported", periods) == "2025-Q3"
    assert fig.comparable_previous("2025-Q3", "reported", periods) is None  # the merger
    assert fig.comparable_previous("2025-Q3", "current", periods) == "2025-Q2"
    assert fig.comparable_previous("2025-Q1", "current", periods) is None  # no data before


def test_pack_pillars() -> None:
    assert fig.pack_pillars([4, 3, 2, 4, 1]) == [[0], [1, 4], [2], [3]]
    assert fig.pack_pillars([2, 2]) == [[0], [1]]
    assert fig.pack_pillars([]) == []


def test_leaders_and_movers(ranks: pd.DataFrame) -> None:
    top = fig.leaders(ranks, "vi", top=True)
    bottom = fig.leaders(ranks, "vi", top=False)
    assert list(top.columns) == [
        t("col.rank", "vi"),
        t("overview.col_province", "vi"),
        t("overview.col_index", "vi"),
    ]
    best = ranks.sort_values("readiness_index", ascending=False).iloc[0]
    assert top.iloc[0, 1] == best["province_name"] and top.iloc[0, 0] == 1
    assert bottom.iloc[0, 0] == ranks["rank"].max()
    risers = fig.movers(ranks, "vi", up=True)
    assert risers.iloc[0, 2] == "+" + str(int(ranks["rank_change"].max()))
    fallers = fig.movers(ranks, "vi", up=False)
    assert fallers.iloc[0, 2] == "−" + str(int(-ranks["rank_change"].min()))


def test_index_strip_has_one_dot_per_ranked_province(ranks: pd.DataFrame) -> None:
    figure = fig.index_strip(ranks, "en")
    xs = np.concatenate([np.asarray(trace.x, dtype=float) for trace in figure.data])
    assert len(xs) == ranks["readiness_index"].notna().sum()
    assert sorted(xs) == pytest.approx(sorted(ranks["readiness_index"].dropna()))
    labels = {trace.y[0] for trace in figure.data}
    assert any("Mekong" in label for label in labels)
    assert not any(code in str(labels) for code in ("DBSCL", "TDMNPB"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_html_is_self_contained(
    store: Store, nat: pd.DataFrame, ranks: pd.DataFrame, lang: str
) -> None:
    tiles = fig.tile_frame(nat, PERIOD, PREVIOUS, lang)
    counts = fig.completeness_counts(completeness(store, PERIOD, "reported"), PERIOD)
    html = fig.overview_html(
        tiles,
        ranks,
        counts,
        lang,
        period=PERIOD,
        basis_label=t("app.basis_reported", lang),
        previous=PREVIOUS,
        demo=True,
        figure=fig.index_strip(ranks, lang),
        messages=["**Một** <hai>", "ba"],
    )
    assert "<ol><li><b>Một</b> &lt;hai&gt;</li><li>ba</li></ol>" in html  # key messages first
    assert html.index("<ol>") < html.index(t("overview.targets_heading", lang))
    for ind in load_catalogue().version_for(PERIOD).indicators:
        assert ind.name(lang) in unescape(html), ind.code
    assert t("banner.demo", lang) in html
    assert t("overview.title", lang, period=PERIOD) in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", html, re.IGNORECASE)
    assert html.count("Plotly.newPlot") == 1 and "plotly.js" in html
    assert "55/63" in html and "level4_share" not in html
    without_demo = fig.overview_html(
        tiles, ranks, counts, lang, period=PERIOD, basis_label="x", previous=None, demo=False
    )
    assert t("banner.demo", lang) not in without_demo
    assert t("overview.no_previous", lang).split("(")[0].strip() in unescape(without_demo)
