"""The ``dxboard`` command line: template, ingest (exit codes, --json, folders, dry run),
export raw, history and restore."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli.main import main
from dxboard.store import Store

VALUES = {
    "steering_committee": "Có",
    "dx_resolution": "Không",
    "dx_program": "Có",
    "annual_dx_plan": "Có",
    "procedures_total": 200,
    "procedures_level4": 150,
    "budget_total": 1000,
    "it_budget": "=cmd|' /C calc'!A0",
}


def _fill(template: Path, out: Path, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["Báo cáo"]
    for row in ws.iter_rows(min_row=8):
        if row[0].value in values:
            row[3].value = values[row[0].value]
    wb.save(out)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    template = tmp_path / "t.xlsx"
    assert main(["template", "Đà Nẵng", "2024-Q2", "-o", str(template)]) == 0
    good, bad = tmp_path / "in" / "good.xlsx", tmp_path / "in" / "bad.xlsx"
    good.parent.mkdir()
    _fill(template, good, {**VALUES, "it_budget": 10, "security_budget": 1})
    _fill(template, bad, {**VALUES, "procedures_level4": 300})
    return {"template": template, "good": good, "bad": bad, "folder": good.parent}


def test_template_names_province_and_period(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["template"])["Báo cáo"]
    assert ws["D2"].value == "Thành phố Đà Nẵng" and ws["D3"].value == "2024-Q2"


def test_ingest_good_file_exit_0(files: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    assert main(["--lang", "en", "ingest", str(files["good"])]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["--lang", "en", "ingest", str(files["good"])]) == 0  # duplicate is fine
    assert "duplicate" in capsys.readouterr().out
    assert main(["ingest", str(files["good"])]) == 0  # Vietnamese by default
    out = capsys.readouterr().out
    assert "trùng lặp" in out and "Tệp này (cùng nội dung từng byte)" in out


def test_ingest_folder_with_a_bad_file_exit_1_and_json(
    files: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    assert main(["ingest", "--json", str(files["folder"])]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    status = {x["file"]: x["status"] for x in lines}
    assert status == {"bad.xlsx": "rejected", "good.xlsx": "accepted"}
    bad = next(x for x in lines if x["file"] == "bad.xlsx")
    errors = {(m["reason"], m["cell"]) for m in bad["messages"] if m["severity"] == "error"}
    assert errors == {("part_exceeds_whole", "D13"), ("formula_without_value", "D19")}


def test_dry_run_writes_nothing(files: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    assert main(["--lang", "en", "ingest", "--dry-run", str(files["good"])]) == 0
    assert "dry run" in capsys.readouterr().out
    with Store() as store:
        assert store.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "/no/such/file.xlsx"],
        ["template", "Atlantis", "2024-Q1"],
        ["template", "Hà Nội", "2024-Q9"],
        ["restore", "999"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_export_raw_history_restore(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    main(["ingest", str(files["good"])])
    second = tmp_path / "second.xlsx"
    _fill(files["template"], second, {**VALUES, "it_budget": 20, "security_budget": 1})
    main(["ingest", str(second)])
    out = tmp_path / "raw.csv"
    assert main(["export", "raw", "--period", "2024-Q2", "-o", str(out)]) == 0
    df = pd.read_csv(out, dtype={"province_code": str})
    assert {"province_code", "period", "field", "value", "dataset"} <= set(df.columns)
    assert df.loc[df.field == "it_budget", "value"].item() == 20
    assert df.loc[df.field == "dx_resolution", "value"].item() == 0
    capsys.readouterr()
    assert main(["history", "da nang"]) == 0
    history = capsys.readouterr().out
    assert "superseded" in history and "accepted" in history
    assert main(["restore", "1"]) == 0
    assert main(["export", "raw", "--period", "2024-Q2", "--format", "xlsx", "-o", str(out)]) == 0
    df = pd.read_excel(
        io.BytesIO(out.read_bytes()), engine="calamine", dtype={"province_code": str}
    )
    assert df.loc[df.field == "it_budget", "value"].item() == 10


def test_export_indicators_2025_q4_reports_sti_budget_share(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """``dxboard template`` for 2025-Q4 has ``sti_dx_budget``; filled and ingested, ``dxboard
    export indicators --period 2025-Q4`` reports ``sti_dx_budget_share`` with its target and
    status, the framework and no break marker (2025-Q4 is not the first quarter of 2025)."""
    template, filled = tmp_path / "t.xlsx", tmp_path / "hn.xlsx"
    assert main(["template", "Hà Nội", "2025-Q4", "-o", str(template)]) == 0
    said = capsys.readouterr().out
    assert "Khung chỉ tiêu 2025 (từ Quý III/2025), Sở KH&CN báo cáo Bộ KH&CN" in said
    assert main(["--lang", "en", "template", "Hà Nội", "2024-Q4", "-o", str(template)]) == 0
    said = capsys.readouterr().out
    assert "2021 framework (until Q2 2025), the Department of Information and" in said
    assert main(["template", "Hà Nội", "2025-Q4", "-o", str(template)]) == 0
    values = {**VALUES, "it_budget": 10, "security_budget": 1, "sti_dx_budget": 25}
    _fill(template, filled, values)
    assert main(["ingest", str(filled)]) == 0
    out = tmp_path / "ind.csv"
    args = ["export", "indicators", "--period", "2025-Q4", "-o", str(out)]
    assert main(args) == 0
    df = pd.read_csv(out, dtype={"province_code": str})
    sti = df[(df["indicator"] == "sti_dx_budget_share") & (df["province_code"] == "01")]
    assert sti[["value", "target", "status"]].values.tolist() == [[0.025, 0.03, "not_met"]]
    assert set(df["framework"]) == {2025} and df["method_change"].isna().all()
    national = df[(df["indicator"] == "sti_dx_budget_share") & (df["province_code"] == "VN")]
    assert national[["n_met", "n_provinces"]].values.tolist() == [[0, 34]]
