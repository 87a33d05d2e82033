"""Entry point: ``streamlit run app.py``. A router: shared sidebar state and the page list."""

from __future__ import annotations

import streamlit as st

from dxboard.catalogue import load_catalogue
from dxboard.i18n import LANGS, t
from pages.common import get_store, lang

st.set_page_config(page_title="DX readiness", page_icon="📊", layout="wide")
load_catalogue()  # an invalid catalogue stops start-up here, naming the entry
st.session_state.setdefault("lang", "vi")
pages = [st.Page("pages/data.py", title=t("nav.data", lang()), icon="🗂️", default=True)]
page = st.navigation(pages)  # first, so Streamlit never lists the pages/ folder itself
with st.sidebar:
    st.radio(t("app.language", lang()), LANGS, key="lang", horizontal=True,
             format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
get_store()
if note := st.session_state.pop("demo_loaded_note", None):
    st.toast(note)
page.run()
