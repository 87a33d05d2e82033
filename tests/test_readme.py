"""The README stays true: its test command is what CI runs, and every CLI command is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from cli.main import _parser
from dxboard.errors import Reason

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quickstart() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quickstart_is_two_commands() -> None:
    commands = _quickstart()
    assert len(commands) == 2
    assert "streamlit run app.py" in commands[0]
    assert "scripts/check" in commands[1] and ".[test]" in commands[1]
    check = (ROOT / "scripts" / "check").read_text(encoding="utf-8")
    for step in ("ruff format --check", "ruff check", "mypy", "pytest"):
        assert step in check, step


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quickstart()[1] in ci


def test_every_cli_command_is_documented() -> None:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in sub.choices:
        assert f"`dxboard {name}" in README, name


def test_every_reason_code_is_documented() -> None:
    section = README.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    for reason in Reason:
        assert f"| `{reason.value}` |" in section, reason
