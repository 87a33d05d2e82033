"""Loaders: read report files safely, validate them, and store them through one pipeline.

Nothing here imports Streamlit: the pages and the command line call the same functions.
"""
