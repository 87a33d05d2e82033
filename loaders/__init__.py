"""Loaders: read report files, validate them, and store them in DuckDB.

Nothing here imports Streamlit: the pages and the command line call the same functions.
"""
