"""Quality flags as a table for people (the province profile and the review page)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxboard.catalogue import Catalogue
from dxboard.i18n import fmt_percent, t


def item_name(item: object, catalogue: Catalogue, lg: str) -> str:
    """A flag's item: an indicator or field name from the catalogue."""
    if not isinstance(item, str) or not item:
        return "–"
    codes = {i.code for i in catalogue.indicators}
    if item in codes:
        return catalogue.indicator(item).name(lg)
    if item in catalogue.field_codes:
        return catalogue.field(item).name(lg)
    return "–"


def flag_detail(row: Any, lg: str) -> str:
    if row.flag == "yes_to_no":
        return t("profile.detail_yes_to_no", lg, previous_period=row.previous_period)
    if row.flag == "outlier":
        return t(
            "profile.detail_outlier",
            lg,
            previous=fmt_percent(row.previous, lg),
            previous_period=row.previous_period,
            value=fmt_percent(row.value, lg),
        )
    if row.flag == "no_report":
        return t("profile.detail_no_report", lg, quarters=int(row.quarters))
    if row.flag == "mixed_datasets":
        names = ", ".join(dataset_name(d, lg) for d in str(row.item).split(","))
        return t("profile.detail_mixed", lg, datasets=names)
    return "–"


def dataset_name(code: str, lg: str) -> str:
    key = f"profile.dataset_{code}"
    return t(key, lg) if code in ("demo", "official") else code


def flags_table(flags: pd.DataFrame, catalogue: Catalogue, lg: str) -> pd.DataFrame:
    """Quality flags (``metrics.flags``) for people: kind, period, item and detail."""
    return pd.DataFrame(
        [
            {
                t("profile.col_flag", lg): t(f"profile.flag_{r.flag}", lg),
                t("col.period", lg): r.period,
                t("profile.col_item", lg): "–"
                if r.flag == "mixed_datasets"
                else item_name(r.item, catalogue, lg),
                t("profile.col_detail", lg): flag_detail(r, lg),
            }
            for r in flags.itertuples()
        ]
    )
