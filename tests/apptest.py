"""Opening the dashboard under Streamlit's AppTest, the way every page test does.

Each run goes through ``app.py`` (the router, the sidebar, the access rules), as on the real
server; ``tests/conftest.py`` keeps Streamlit out of its legacy ``pages/`` mode and puts the
default language back after each test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from dxboard.auth import User
from pages import common

ROOT = Path(__file__).resolve().parent.parent
TEXT_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "success",
    "warning",
    "error",
)


def start_app(lang: str = "vi", account: User | None = None, **state: Any) -> AppTest:
    """``app.py`` run once (its default page) in ``lang``, signed in as ``account``, with
    ``state`` set in the session first."""
    # AppTest calls a widget's format_func outside the script run, where lang() sees no
    # session and answers the default language.
    common.DEFAULT_LANG = lang
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    if account is not None:
        at.session_state["user"] = account
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at


def open_page(page: str, lang: str = "vi", account: User | None = None, **state: Any) -> AppTest:
    """:func:`start_app`, then switch to ``page`` (``pages/….py``); fails on an exception."""
    at = start_app(lang, account, **state)
    at.switch_page(str(ROOT / page))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kinds: tuple[str, ...] = TEXT_KINDS) -> str:
    """Every text element of ``kinds`` on the page, one per line."""
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))
