"""Vietnam time: the one clock for what people read (Asia/Ho_Chi_Minh, UTC+7, no DST)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")


def now_vietnam() -> datetime:
    """The current time in Vietnam, timezone-aware."""
    return datetime.now(VIETNAM)
