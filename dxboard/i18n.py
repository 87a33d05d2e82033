"""The one translation table (Vietnamese first, English) and locale-aware number formatting.

Every user-facing string of the UI comes from :data:`TEXTS` through :func:`t`. Vietnamese
numbers use ``.`` for thousands and ``,`` for decimals (1.234,5 and 12,5 %); dates dd/mm/yyyy.
"""

from __future__ import annotations

import math
from datetime import date, datetime

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Mức độ sẵn sàng chuyển đổi số cấp tỉnh", "Provincial digital-transformation readiness"),
    "app.language": ("Ngôn ngữ", "Language"),
    "app.loading_demo": ("Đang nạp dữ liệu minh họa lần đầu…", "Loading the demo data for the first time…"),
    "app.demo_loaded": ("Đã nạp dữ liệu minh họa: {reports} báo cáo trong {seconds} giây.",
                        "Demo data loaded: {reports} reports in {seconds} s."),
    "banner.demo": ("Dữ liệu minh họa (tổng hợp) — không phải số liệu chính thức.",
                    "Demo data (synthetic) — not official figures."),
    "page.data": ("Dữ liệu đã nạp", "Loaded data"),
    "data.summary": ("{periods} kỳ báo cáo, {reports} báo cáo hiện hành, {values} giá trị.",
                     "{periods} periods, {reports} current reports, {values} values."),
    "data.period": ("Kỳ báo cáo", "Reporting period"),
    "data.reports_per_period": ("Số tỉnh đã báo cáo theo kỳ", "Provinces reporting per period"),
    "data.values": ("Giá trị hiện hành của kỳ", "Current values for the period"),
    "data.empty": ("Chưa có dữ liệu. Chạy «dxboard demo» hoặc nạp báo cáo.",
                   "No data yet. Run «dxboard demo» or load reports."),
    "col.province": ("Tỉnh/thành phố", "Province"),
    "col.province_code": ("Mã tỉnh", "Province code"),
    "col.period": ("Kỳ", "Period"),
    "col.field": ("Trường", "Field"),
    "col.value": ("Giá trị", "Value"),
    "col.dataset": ("Bộ dữ liệu", "Dataset"),
    "col.reports": ("Số báo cáo", "Reports"),
    "download.csv": ("Tải CSV", "Download CSV"),
}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values``."""
    vi, en = TEXTS[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (vi) or ``1,234.5`` (en); missing → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(fraction: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """``0.125`` → ``12,5 %`` (vi) or ``12.5%`` (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    number = fmt_number(fraction * 100, lang, decimals)
    return f"{number} %" if lang == "vi" else f"{number}%"


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.strftime("%Y-%m-%d")
