"""Texts every page shows about the framework version of a period: which version, who reports
to whom, and the break marker where the quarter before was measured by another version."""

from __future__ import annotations

from dxboard.catalogue import load_catalogue
from dxboard.i18n import t


def regime_text(period: str, lang: str) -> str:
    """``Khung chỉ tiêu 2025 (từ Quý III/2025): Sở KH&CN báo cáo Bộ KH&CN.`` (the short names
    people use in Vietnamese, the full ones in English)."""
    version = load_catalogue().version_for(period)
    reporter, ministry = version.reporter, version.ministry
    short = lang == "vi"
    return t(
        "framework.regime",
        lang,
        version=version.name(lang),
        span=version.span(lang),
        reporter=reporter.short(lang) if short else reporter.name(lang),
        ministry=ministry.short(lang) if short else ministry.name(lang),
    )


def break_text(periods: list[str] | tuple[str, ...], lang: str) -> str | None:
    """«Phương pháp thay đổi từ 2025-Q3» for the first change of version within ``periods``
    (``None`` when they are all under one version)."""
    found = load_catalogue().breaks(periods)
    return t("framework.changed", lang, p=str(found[0])) if found else None
