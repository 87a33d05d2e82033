"""The overview as one landscape A4 PDF page, drawn on the server with ``fpdf2``.

Key messages on top, then the national status of each target (a table with a coloured status
word and symbol) beside the readiness ranking (every province as a dot on the 0–100 axis with
the median, and bars for the leaders and the laggards). Text is at least 9 pt; the fonts
(DejaVu Sans, ``static/fonts/``) are embedded so Vietnamese renders anywhere. Nothing is
computed here: the frames come from ``metrics`` through the overview page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from fpdf import FPDF

from dxboard.i18n import VN_TZ, fmt_datetime, fmt_number, fmt_percent, t
from dxboard.textnorm import fold
from pages.figures import keymsg
from pages.figures import overview as fig

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT = "dejavu"
MARGIN = 10.0
WIDTH, HEIGHT = 297.0, 210.0
BODY, SMALL, TITLE = 10.0, 9.0, 16.0
ROW, LINE = 7.8, 3.4  # table row (room for two lines of 9 pt), line height
BAR_ROW = 5.2
BARS = 8
TABLE_WIDTH = 206.0
GAP = 6.0
COLUMNS = (57.0, 27.0, 18.0, 18.0, 33.0, 18.0)  # + best province (the rest of the width)
FOOTER = HEIGHT - MARGIN - 5


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` mm at the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _lines(pdf: FPDF, text: str, width: float, most: int) -> list[str]:
    """``text`` broken into at most ``most`` lines of ``width`` mm (the last cut with "…")."""
    if pdf.get_string_width(text) <= width:
        return [text]
    lines = pdf.multi_cell(width, LINE, text, dry_run=True, output="LINES")
    if len(lines) <= most:
        return lines
    return [*lines[: most - 1], _fit(pdf, " ".join(lines[most - 1 :]), width)]


def _document() -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0.6
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def _header(pdf: FPDF, lang: str, period: str, basis_label: str, demo: bool, at: datetime) -> None:
    if demo:
        pdf.set_fill_color(255, 243, 205)
        pdf.set_font(FONT, "B", SMALL)
        pdf.cell(WIDTH - 2 * MARGIN, 6, t("banner.demo", lang), fill=True, new_x="LMARGIN")
        pdf.ln(7)
    pdf.set_font(FONT, "B", TITLE)
    title = t("overview.title", lang, period=period)
    pdf.cell(WIDTH - 2 * MARGIN, 8, _fit(pdf, title, WIDTH - 2 * MARGIN), new_x="LMARGIN")
    pdf.ln(8)
    pdf.set_font(FONT, "", SMALL)
    pdf.set_text_color(85, 85, 85)
    sub = t("keymsg.pdf_generated", lang, basis=basis_label, at=fmt_datetime(at, lang))
    pdf.cell(WIDTH - 2 * MARGIN, 5, sub, new_x="LMARGIN")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(7)


def _messages(pdf: FPDF, messages: list[str], lang: str) -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, t("keymsg.heading", lang), new_x="LMARGIN")
    pdf.ln(6.5)
    pdf.set_font(FONT, "", BODY)
    for i, text in enumerate(messages, start=1):
        pdf.multi_cell(
            WIDTH - 2 * MARGIN, 4.8, f"{i}. {keymsg.plain(text)}", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(2.5)


def _table(pdf: FPDF, tiles: pd.DataFrame, lang: str, top: float) -> None:
    """National status per target: indicator, status, provinces meeting, national value,
    target, short by, best province."""
    x0 = MARGIN
    pdf.set_xy(x0, top)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(TABLE_WIDTH, 6, t("keymsg.pdf_targets", lang))
    heads = [
        t("col.indicator", lang),
        t("keymsg.pdf_col_status", lang),
        t("keymsg.pdf_col_met", lang),
        t("keymsg.pdf_col_national", lang),
        t("col.target", lang),
        t("keymsg.pdf_col_gap", lang),
        t("keymsg.pdf_col_best", lang),
    ]
    widths = [*COLUMNS, TABLE_WIDTH - sum(COLUMNS)]
    rows = tiles[tiles["scored"]]
    y = top + 7
    height = min(ROW, (FOOTER - 1 - y - ROW) / max(len(rows), 1))
    pdf.set_font(FONT, "B", SMALL)
    pdf.set_fill_color(240, 242, 246)
    pdf.rect(x0, y, TABLE_WIDTH, ROW, style="F")
    for head, w in zip(heads, widths, strict=True):
        _cell(pdf, head, x0, y, w, ROW)
        x0 += w
    y += ROW
    for _, row in rows.iterrows():
        _table_row(pdf, row, widths, MARGIN, y, height, lang)
        y += height


def _cell(pdf: FPDF, text: str, x: float, y: float, width: float, height: float) -> None:
    """``text`` in a box, on two lines when the box is tall enough and one is too short."""
    lines = _lines(pdf, text, width - 1.2, 2 if height >= 2 * LINE else 1)
    top = y + (height - LINE * len(lines)) / 2
    for i, line in enumerate(lines):
        pdf.set_xy(x, top + i * LINE)
        pdf.cell(width - 1.2, LINE, line)


def _table_row(
    pdf: FPDF,
    row: pd.Series,
    widths: list[float],
    x0: float,
    y: float,
    height: float,
    lang: str,
) -> None:
    status = row.get("status") if isinstance(row.get("status"), str) else "no_data"
    colour = _rgb(keymsg.STATUS_HEX[keymsg.STATUS_COLOURS[status]])
    gap = row.get("gap")
    short = (
        fmt_number(float(gap) * 100, lang, 1)
        if status not in ("met", "no_data") and row["unit"] != "yes_no" and pd.notna(gap)
        else ""
    )
    best = ""
    if status not in ("met", "no_data") and isinstance(row.get("best_name"), str):
        best = f"{row['best_name']} {fmt_percent(float(row['best_value']), lang)}"
        if row["unit"] == "yes_no":
            best = ""
    cells = [
        (row["name"], None, ""),
        (f"{keymsg.STATUS_SYMBOLS[status]} {keymsg.status_word(status, lang)}", colour, "B"),
        (fig.headline(row, lang), None, ""),
        (fmt_percent(row["value"], lang), None, ""),
        (row["target"], None, ""),
        (short, None, ""),
        (best, None, ""),
    ]
    x = x0
    for (text, rgb, style), w in zip(cells, widths, strict=True):
        pdf.set_font(FONT, style, SMALL)
        pdf.set_text_color(*(rgb or (0, 0, 0)))
        _cell(pdf, str(text), x, y, w, height)
        x += w
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(x0, y + height, x0 + TABLE_WIDTH, y + height)


def _ranking(pdf: FPDF, ranks: pd.DataFrame, lang: str, top: float) -> None:
    """Every province as a dot on the index axis with the median, then bars for the
    ``BARS`` leaders and laggards."""
    x0 = MARGIN + TABLE_WIDTH + GAP
    width = WIDTH - MARGIN - x0
    shown = ranks.dropna(subset=["readiness_index"])
    pdf.set_xy(x0, top)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(width, 6, _fit(pdf, t("keymsg.ranks_heading", lang), width))
    if shown.empty:
        pdf.set_xy(x0, top + 8)
        pdf.set_font(FONT, "", BODY)
        pdf.cell(width, 6, t("keymsg.pdf_no_index", lang))
        return
    values = shown["readiness_index"].to_numpy(dtype=float)
    median = float(np.median(values))
    pdf.set_font(FONT, "", SMALL)
    caption = t("keymsg.pdf_spread", lang, n=len(values), median=median)
    _cell(pdf, caption, x0, top + 6.5, width, 2 * LINE + 0.4)
    _strip(pdf, values, median, x0, top + 14.5, width)
    y = top + 28.5
    for heading, leaders in (("keymsg.pdf_top", True), ("keymsg.pdf_bottom", False)):
        pdf.set_xy(x0, y)
        pdf.set_font(FONT, "B", SMALL)
        pdf.cell(width, 5, t(heading, lang))
        y += 5.5
        for row in _ordered(shown, leaders).itertuples():
            label = f"{int(row.rank)}. {row.province_name}"
            _bar(pdf, label, float(row.readiness_index), x0, y, width, lang, good=leaders)
            y += BAR_ROW
        y += 2


def _ordered(shown: pd.DataFrame, top: bool) -> pd.DataFrame:
    """The ``BARS`` highest (or lowest) provinces by index, ties by name."""
    named = shown.assign(_n=shown["province_name"].map(fold))
    ordered = named.sort_values(["readiness_index", "_n"], ascending=[not top, True])
    return ordered.head(BARS)


def _strip(pdf: FPDF, values: np.ndarray, median: float, x0: float, y: float, width: float) -> None:
    """A 0–100 axis with one dot per province and a dashed median line; ticks every 20."""
    pdf.set_draw_color(150, 150, 150)
    pdf.line(x0, y + 6, x0 + width, y + 6)
    pdf.set_font(FONT, "", SMALL)
    for tick in range(0, 101, 20):
        x = x0 + width * tick / 100
        pdf.line(x, y + 6, x, y + 7)
        pdf.set_xy(x - 5, y + 7.2)
        pdf.cell(10, 4, str(tick), align="C")
    pdf.set_fill_color(21, 101, 192)
    for v in values:
        pdf.circle(x=x0 + width * v / 100, y=y + 3.2, radius=1.0, style="F")
    pdf.set_draw_color(60, 60, 60)
    mx = x0 + width * median / 100
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.line(mx, y, mx, y + 6.5)
    pdf.set_dash_pattern()


def _bar(
    pdf: FPDF, label: str, value: float, x0: float, y: float, width: float, lang: str, good: bool
) -> None:
    label_w, value_w = 32.0, 10.0
    bar_w = width - label_w - value_w
    pdf.set_font(FONT, "", SMALL)
    pdf.set_xy(x0, y)
    pdf.cell(label_w, 4.4, _fit(pdf, label, label_w - 1))
    pdf.set_fill_color(*((46, 125, 50) if good else (198, 40, 40)))
    pdf.rect(x0 + label_w, y + 0.6, max(bar_w * value / 100, 0.3), 3.2, style="F")
    pdf.set_xy(x0 + label_w + bar_w, y)
    pdf.cell(value_w, 4.4, fmt_number(value, lang, 1), align="R")


def _footer(pdf: FPDF, lang: str) -> None:
    pdf.set_xy(MARGIN, FOOTER)
    pdf.set_font(FONT, "", SMALL)
    pdf.set_text_color(85, 85, 85)
    text = t("keymsg.pdf_footer", lang)
    pdf.cell(WIDTH - 2 * MARGIN, 5, _fit(pdf, text, WIDTH - 2 * MARGIN))
    pdf.set_text_color(0, 0, 0)


def overview_pdf(
    tiles: pd.DataFrame,
    ranks: pd.DataFrame,
    messages: list[str],
    lang: str,
    *,
    period: str,
    basis_label: str,
    demo: bool,
    generated: datetime | None = None,
) -> bytes:
    """The one-page PDF: ``tiles`` from ``keymsg.with_status``, ``ranks`` from
    ``metrics.index.readiness_index``, ``messages`` from ``keymsg.messages``."""
    pdf = _document()
    pdf.set_title(t("overview.title", lang, period=period))
    _header(pdf, lang, period, basis_label, demo, generated or datetime.now(VN_TZ))
    _messages(pdf, messages, lang)
    top = pdf.get_y()
    _table(pdf, tiles, lang, top)
    _ranking(pdf, ranks, lang, top)
    _footer(pdf, lang)
    return bytes(pdf.output())
