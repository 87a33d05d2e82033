"""The command line for the DTI: ``init`` loads it once, ``export dti``, ``reference load``
(rejecting a bad file with exit code 1 and its cells named), ``history`` and ``restore``."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli.main import main
from loaders.reference import BUNDLED
from metrics.dti import DTI_COLUMNS


def test_init_loads_the_published_dti_once(capsys: pytest.CaptureFixture) -> None:
    assert main(["init"]) == 0
    assert "2022/63, 2023/63, 2024/34, 2024/63" in capsys.readouterr().out
    assert main(["--lang", "en", "init"]) == 0
    assert "published DTI" not in capsys.readouterr().out  # nothing to load the second time


@pytest.mark.parametrize(
    ("year", "basis", "rows", "published"),
    [
        ("2024", "current", 34, True),
        ("2023", "current", 34, False),
        ("Năm 2022", "reported", 63, True),
    ],
)
def test_export_dti(tmp_path: Path, year: str, basis: str, rows: int, published: bool) -> None:
    main(["init"])
    out = tmp_path / "dti.csv"
    assert main(["export", "dti", "--year", year, "--basis", basis, "-o", str(out)]) == 0
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"province_code": str})
    assert list(df.columns) == DTI_COLUMNS and len(df) == rows
    assert set(df["published"]) == {published}
    assert set(df["basis"]) == {basis}
    has_indices = df["awareness"].notna().all()
    assert has_indices == (published and basis == "current")


def test_export_dti_as_xlsx(tmp_path: Path) -> None:
    main(["init"])
    out = tmp_path / "dti.xlsx"
    assert main(["export", "dti", "--year", "2024", "--basis", "current", "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == DTI_COLUMNS and sheet.max_row == 35


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "dti", "-o", "x.csv"],
        ["export", "dti", "--year", "24", "-o", "x.csv"],
        ["export", "indicators", "-o", "x.csv"],
        ["reference", "restore", "99"],
        ["reference", "load", "nowhere.csv"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_load_history_restore(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    main(["init"])
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("0.8002", "8002")]), encoding="utf-8")
    capsys.readouterr()
    assert main(["--lang", "en", "reference", "load", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "CSV!F2 pdti" in out and "outside 0–1" in out
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join([lines[0], *[x for x in lines[1:] if x.startswith("2022,")]]))
    text = fixed.read_text().replace("0.8002", "0.8003")
    fixed.write_text(text, encoding="utf-8")
    assert main(["reference", "load", "--json", str(fixed)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "accepted" and record["tables"] == ["2022/63"]
    assert main(["reference", "history"]) == 0
    assert "superseded" in capsys.readouterr().out
    assert main(["--lang", "en", "reference", "restore", "1"]) == 0
    assert "Version 1 is current" in capsys.readouterr().out
