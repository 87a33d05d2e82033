"""Loaded data: what is stored, per period, with names from the catalogue and the registry."""

from __future__ import annotations

import streamlit as st

from dxboard.catalogue import load_catalogue
from dxboard.i18n import fmt_number, t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.safe_export import to_csv_bytes
from loaders import records
from pages.common import demo_banner, get_store, lang

store = get_store()
L = lang()
st.title(t("nav.data", L))
demo_banner(records.datasets(store))
periods = records.periods_with_data(store)
if not periods:
    st.info(t("app.no_data", L))
    st.stop()
period = st.selectbox(t("app.period", L), periods[::-1], key="data.period")
values = records.raw_values(store, period)
st.subheader(t("data.values", L) + f" {period}")
st.caption(t("data.summary", L, periods=len(periods), reports=values["province_code"].nunique(),
             values=fmt_number(len(values), L)))
catalogue, registry = load_catalogue(), load_registry()
era = Period.parse(period).era
kinds = {f.code: f.kind for f in catalogue.fields}
table = values.assign(
    province=values["province_code"].map(lambda c: registry.get(c, era).short_name),
    field_name=values["field"].map(lambda c: catalogue.field(c).name(L)),
    shown=[fmt_number(v, L, 1 if kinds[f] == "amount" else 0) if kinds[f] != "bool"
           else ("–" if v != v else t("data.yes" if v else "data.no", L))
           for f, v in zip(values["field"], values["value"], strict=True)],
)[["province", "field_name", "shown", "dataset"]]
table.columns = [t("col.province", L), t("col.field", L), t("col.value", L), t("col.dataset", L)]
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(t("download.csv", L), to_csv_bytes(values), f"raw_{period}.csv", "text/csv")
