"""Every page renders in both languages without an exception and shows its title and the
synthetic-data banner (one parametrised AppTest per page and language)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dxboard.auth import User
from dxboard.i18n import t

ROOT = Path(__file__).resolve().parent.parent


def _pages() -> list[tuple[str, str]]:
    """(key, file) of every page listed in app.py, read without running the app."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES"
    )
    return [(entry[0], entry[1]) for entry in ast.literal_eval(node.value)]


PAGES = _pages()
ADMIN = User(username="root", role="admin", display_name="Nguyễn Văn A")


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_every_page_file_exists() -> None:
    assert len(PAGES) >= 8
    for _, path in PAGES:
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("key", "path"), PAGES, ids=[k for k, _ in PAGES])
def test_page_renders(demo_db: Path, key: str, path: str, lang: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["user"] = ADMIN
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert t(f"nav.{key}", lang) in text, f"{key}: title missing"
    if key != "login":
        assert t("banner.demo", lang) in text, f"{key}: demo banner missing"
    other = "en" if lang == "vi" else "vi"
    assert t(f"nav.{key}", other) not in text or t(f"nav.{key}", other) == t(f"nav.{key}", lang)
