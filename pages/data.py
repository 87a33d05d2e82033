"""Placeholder page: what is loaded, per period, and the values of one period."""

from __future__ import annotations

import streamlit as st

from dxboard.i18n import fmt_number, t
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
table = values[["province_code", "field", "value", "dataset"]].rename(columns={
    "province_code": t("col.province_code", L), "field": t("col.field", L),
    "value": t("col.value", L), "dataset": t("col.dataset", L)})
st.dataframe(table, hide_index=True, use_container_width=True)
st.download_button(t("download.csv", L), to_csv_bytes(values), f"raw_{period}.csv", "text/csv")
