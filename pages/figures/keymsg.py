"""Key messages and national status, worded for a leader (plain functions, no Streamlit).

They format a ``metrics.headlines.Headlines`` in the UI language: three messages (targets met
nationally, the provinces furthest from the targets, the biggest rank changes), a status badge
per target (colour, icon and word, so colour is never the only cue) and, for a target not met,
how far the country is from it and which province does best.
"""

from __future__ import annotations

import pandas as pd

from dxboard.i18n import fmt_percent, t
from metrics.headlines import Headlines

STATUS_ORDER = ("met", "on_track", "off_track", "overdue", "not_met", "no_data")
STATUS_COLOURS = {
    "met": "green",
    "on_track": "blue",
    "off_track": "orange",
    "overdue": "red",
    "not_met": "violet",
    "no_data": "gray",
}
STATUS_ICONS = {
    "met": "check_circle",
    "on_track": "trending_up",
    "off_track": "trending_down",
    "overdue": "schedule",
    "not_met": "radio_button_unchecked",
    "no_data": "help",
}
STATUS_HEX = {
    "green": "#2e7d32",
    "blue": "#1565c0",
    "orange": "#ef6c00",
    "red": "#c62828",
    "violet": "#6a1b9a",
    "gray": "#607d8b",
}
STATUS_SYMBOLS = {  # for the PDF, where icons are not available
    "met": "✓",
    "on_track": "↗",
    "off_track": "↘",
    "overdue": "!",
    "not_met": "○",
    "no_data": "?",
}


def status_word(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)


def status_badge(status: str, lang: str) -> str:
    """Streamlit markdown badge: colour, icon and word of a national status."""
    colour, icon = STATUS_COLOURS[status], STATUS_ICONS[status]
    return f":{colour}-badge[:material/{icon}: {status_word(status, lang)}]"


def legend(lang: str) -> str:
    """The status legend line (every status, in order)."""
    return f"**{t('keymsg.legend', lang)}** " + " ".join(
        status_badge(s, lang) for s in STATUS_ORDER
    )


def with_status(tiles: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """The overview tiles with ``status``, ``gap``, ``best_name`` and ``best_value`` of
    ``Headlines.status`` (missing for an indicator that is not scored)."""
    cols = ["indicator", "status", "gap", "best_name", "best_value"]
    return tiles.merge(status[cols], on="indicator", how="left")


def gap_text(row: pd.Series | dict, lang: str) -> str:
    """For a ratio target not met nationally: how far, and the best province when no province
    meets it yet; empty otherwise."""
    if row.get("status") in (None, "met", "no_data") or row.get("unit") == "yes_no":
        return ""
    gap = row.get("gap")
    if gap is None or pd.isna(gap):
        return ""
    parts = [t("keymsg.gap", lang, n=float(gap) * 100)]
    if row.get("n_met") == 0 and isinstance(row.get("best_name"), str):
        best = fmt_percent(float(row["best_value"]), lang)
        parts.append(t("keymsg.best", lang, name=row["best_name"], value=best))
    return " · ".join(parts)


def _names(status: pd.DataFrame, which: str, names: dict[str, str]) -> list[str]:
    return [names[c] for c in status.loc[status["status"] == which, "indicator"]]


def national_message(h: Headlines, names: dict[str, str], lang: str) -> str:
    """``Cả nước đạt 5/14 mục tiêu. Quá hạn: …. Chậm tiến độ: …. …``"""
    status = h.status
    rest = []
    for which, key in (("overdue", "behind"), ("off_track", "off"), ("on_track", "on")):
        found = _names(status, which, names)
        if found:
            rest.append(t(f"keymsg.{key}", lang, names=found))
    n_not_met = int((status["status"] == "not_met").sum())
    if n_not_met:
        rest.append(t("keymsg.not_met", lang, n=n_not_met))
    met = int((status["status"] == "met").sum())
    return t("keymsg.national", lang, met=met, n=len(status), rest=" ".join(rest))


def laggards_message(h: Headlines, lang: str) -> str:
    if h.laggards.empty:
        return t("keymsg.no_laggards", lang)
    names = [
        t("keymsg.laggard", lang, name=r.province_name, n=int(r.n_targets))
        for r in h.laggards.itertuples()
    ]
    return t("keymsg.laggards", lang, names=names)


def movers_message(h: Headlines, previous: str | None, lang: str) -> str:
    if previous is None or (h.risers.empty and h.fallers.empty):
        return t("keymsg.no_movers", lang)
    up = [
        t("keymsg.rise", lang, name=r.province_name, n=abs(int(r.rank_change)))
        for r in h.risers.itertuples()
    ] or [t("keymsg.no_rise", lang)]
    down = [
        t("keymsg.fall", lang, name=r.province_name, n=abs(int(r.rank_change)))
        for r in h.fallers.itertuples()
    ] or [t("keymsg.no_fall", lang)]
    return t("keymsg.movers", lang, period=previous, up=up, down=down)


def messages(h: Headlines, names: dict[str, str], previous: str | None, lang: str) -> list[str]:
    """The three key messages (markdown), in reading order."""
    return [
        national_message(h, names, lang),
        laggards_message(h, lang),
        movers_message(h, previous, lang),
    ]


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Targets per national status, in ``STATUS_ORDER`` (statuses with none left out)."""
    counts = status["status"].value_counts()
    return {s: int(counts[s]) for s in STATUS_ORDER if s in counts.index and counts[s] > 0}


def plain(text: str) -> str:
    """Markdown of a message without the bold markers (for the PDF)."""
    return text.replace("**", "")
