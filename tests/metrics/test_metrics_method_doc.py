"""docs/METHOD.md states the rules the code applies."""

from __future__ import annotations

from pathlib import Path

from dxboard.catalogue import load_catalogue
from metrics import completeness, flags, index, status

METHOD = Path(__file__).resolve().parents[2] / "docs" / "METHOD.md"


def test_every_indicator_is_described():
    text = METHOD.read_text(encoding="utf-8")
    for ind in load_catalogue().indicators:
        assert f"`{ind.code}`" in text, ind.code


def test_thresholds_match_the_code():
    text = METHOD.read_text(encoding="utf-8")
    assert f"**{status.TREND_QUARTERS}** quarters" in text
    assert f"at most **{status.LOOKBACK}** quarters" in text
    assert f"**{index.SAMPLES}** random weight vectors" in text
    assert f"**{completeness.DEADLINE_DAYS}** days" in text
    assert f"**|z| > {flags.Z_THRESHOLD}**" in text
    assert f"**{flags.HISTORY}** quarters before" in text
    assert f"at least **{flags.MIN_HISTORY}** changes" in text
    assert f"**{flags.MIN_QUARTERS_MISSING}** or more" in text
    assert f"**{index.BOTTOM}** worst values" in text
    assert index.MIN_SHARE == 0.5 and "less than half of the total weight" in text
