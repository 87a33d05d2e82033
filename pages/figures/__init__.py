"""Plotly figure builders: plain functions of DataFrames, no Streamlit, tested as functions."""
