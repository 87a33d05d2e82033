"""Streamlit pages. Thin: widgets, calls into ``metrics``/``loaders``, figures. No SQL here."""
