"""The indicator export: one table per quarter for CSV/Excel (``dxboard export indicators``).

Every row names the framework version of the quarter (``framework``); in the first quarter of a
version that follows another one, ``method_change`` holds the break marker («Phương pháp thay
đổi từ 2025-Q3» / «Method changed in 2025-Q3»): the quarter before was measured by another
method, so changes and rank moves into this quarter are not comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.i18n import DEFAULT_LANG, VN_TZ, fmt_datetime, fmt_period, t
from dxboard.periods import Period
from dxboard.store import Store
from metrics.frameworks import method_change
from metrics.index import INDEX, RANK, readiness
from metrics.national import NATIONAL, summarise
from metrics.review import review_grid
from metrics.status import add_status, assess, values_with_history

EXPORT_COLUMNS = [
    "province_code",
    "province_name",
    "era",
    "period",
    "indicator",
    "value",
    "attainment",
    "status",
    "target",
    "deadline",
    "num",
    "den",
    "constituents_reported",
    "constituents_total",
    "n_met",
    "n_provinces",
    "n_reported",
    "dataset",
    "review_state",
    "framework",
    "method_change",
]


def export_indicators(
    store: Store,
    period: str | Period,
    basis: str = "reported",
    weights: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
    lang: str = DEFAULT_LANG,
) -> pd.DataFrame:
    """One row per province and indicator, then the national rows and the index and rank.

    - province rows: ``value`` (ratio as a fraction, yes/no as 1/0), ``attainment``,
      ``status``, the target in force, numerator and denominator, and on the current basis the
      constituents reported of the total;
    - national rows (``province_code`` = ``VN``): ``value`` is the ratio of sums, ``n_met`` of
      ``n_provinces`` meet the target, ``n_reported`` have a value;
    - ``indicator`` = ``readiness_index`` (value 0–100) and ``rank`` (competition rank) rows
      per province;
    - every row: ``framework`` (the version of the quarter, whose indicators and targets are
      used) and ``method_change`` (the break marker in ``lang``, see the module docstring).

    Columns: ``EXPORT_COLUMNS``.
    """
    catalogue = catalogue or load_catalogue()
    p = Period.parse(period)
    values, history = values_with_history(store, p, basis, catalogue=catalogue)
    now = assess(values, catalogue)
    provinces = add_status(now, history)

    national = summarise(now, regions=False)
    national = national.assign(
        province_code=NATIONAL,
        province_name="Việt Nam",
        era=p.era if basis == "reported" else "current",
    )

    table = readiness(now, weights, catalogue)
    info = table[["province_code", "province_name", "era", "period"]]
    extra = [
        info.assign(indicator=INDEX, value=table[INDEX].to_numpy()),
        info.assign(indicator=RANK, value=table[RANK].to_numpy(dtype=float, na_value=np.nan)),
    ]
    scores = pd.concat(extra, ignore_index=True)
    scores["n_provinces"] = len(table)
    scores["n_reported"] = int(table[INDEX].notna().sum())

    national["dataset"] = ",".join(sorted(now["dataset"].dropna().unique()))
    out = pd.concat([provinces, national, scores], ignore_index=True)
    for col in ("n_met", "n_provinces", "n_reported"):
        out[col] = (
            pd.array(out[col].to_numpy(dtype=float, na_value=np.nan), dtype="Int64")
            if col in out.columns
            else pd.array([pd.NA] * len(out), dtype="Int64")
        )
    for col in ("constituents_reported", "constituents_total"):
        out[col] = pd.array(
            np.where(
                out["province_code"] == NATIONAL,
                np.nan,
                out[col].to_numpy(dtype=float, na_value=np.nan),
            ),
            dtype="Int64",
        )
    change = method_change(p, catalogue)
    out["review_state"] = _review_states(store, out, p)
    out["framework"] = catalogue.version_for(p).id
    out["method_change"] = t("framework.changed", lang, p=change) if change else None
    return out.reindex(columns=EXPORT_COLUMNS)


def _review_states(store: Store, out: pd.DataFrame, period: Period) -> pd.Series:
    """The review state of each row's province (``approved``, ``submitted``, ``returned``,
    ``missing``); empty for national rows and for provinces the period's reports do not name
    (current provinces on the ``current`` basis of a legacy quarter)."""
    grid = review_grid(store, period).set_index(["era", "province_code"])["review_state"]
    keys = pd.MultiIndex.from_arrays([out["era"], out["province_code"]])
    return pd.Series(grid.reindex(keys).to_numpy(), index=out.index).fillna("")


def metadata(
    table: str,
    period: str | Period | None,
    basis: str | None,
    datasets: Sequence[str],
    lang: str = DEFAULT_LANG,
    generated: datetime | None = None,
    catalogue: Catalogue | None = None,
) -> list[tuple[str, str]]:
    """The (label, value) rows of an export's metadata sheet, in ``lang``: the table, dataset,
    synthetic or real, period (``Quý III/2026 (2026-Q3)``), basis, framework version, source
    (reporter, ministry, legal basis of the version) and when it was generated (Vietnam time).
    A dataset named ``demo`` is synthetic."""
    catalogue = catalogue or load_catalogue()
    p = Period.parse(period) if period is not None else None
    version = catalogue.version_for(p) if p is not None else catalogue.versions[-1]
    synthetic = "demo" in datasets
    at = (generated or datetime.now(VN_TZ)).astimezone(VN_TZ)
    source = t(
        "export.source",
        lang,
        reporter=version.reporter.name(lang),
        ministry=version.ministry.name(lang),
        basis="; ".join(version.legal_basis),
    )
    rows = [
        ("export.meta_table", table),
        ("export.meta_dataset", ", ".join(datasets) or "–"),
        ("export.meta_kind", t("export.kind_demo" if synthetic else "export.kind_real", lang)),
        ("export.meta_period", f"{fmt_period(p, lang)} ({p})" if p is not None else "–"),
        ("export.meta_basis", t(f"app.basis_{basis}", lang) if basis else "–"),
        ("export.meta_framework", f"{version.name(lang)} ({version.id})"),
        ("export.meta_source", source),
        ("export.meta_generated", t("export.generated", lang, at=fmt_datetime(at, lang))),
    ]
    return [(t(key, lang), value) for key, value in rows]
