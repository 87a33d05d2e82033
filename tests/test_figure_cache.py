"""pages.common.figure: a figure is built once per distinct input and shared."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from pages import common

CALLS: list[tuple] = []


def bars(df: pd.DataFrame, title: str, *, colour: str = "blue") -> go.Figure:
    CALLS.append((title, colour))
    return go.Figure(
        go.Bar(x=df["name"], y=df["value"], marker_color=colour), layout={"title": {"text": title}}
    )


@pytest.fixture(autouse=True)
def _empty() -> None:
    st.cache_resource.clear()
    CALLS.clear()


def _frame(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"name": ["A", "B"], "value": values})


def test_same_input_builds_once_and_returns_the_same_figure() -> None:
    first = common.figure(bars, _frame([1.0, 2.0]), "x", colour="red")
    again = common.figure(bars, _frame([1.0, 2.0]), "x", colour="red")
    assert again is first
    assert CALLS == [("x", "red")]
    assert list(first.data[0].y) == [1.0, 2.0]


@pytest.mark.parametrize("change", ["values", "title", "keyword"])
def test_any_changed_input_builds_a_new_figure(change: str) -> None:
    base = common.figure(bars, _frame([1.0, 2.0]), "x")
    args = {
        "values": ((_frame([1.0, 3.0]), "x"), {}),
        "title": ((_frame([1.0, 2.0]), "y"), {}),
        "keyword": ((_frame([1.0, 2.0]), "x"), {"colour": "green"}),
    }[change]
    other = common.figure(bars, *args[0], **args[1])
    assert other is not base
    assert len(CALLS) == 2
    assert list(base.data[0].y) == [1.0, 2.0]  # the first one is unchanged
