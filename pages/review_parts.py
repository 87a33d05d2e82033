"""Review pieces shared by the upload page (the officer's view) and the review page: a
submission's state, the reviewers' comments beside the fields they are about, evidence files
(download only, never shown inline) and the uploader that attaches them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from dxboard import evidence
from dxboard.auth import User
from dxboard.errors import UserError
from dxboard.i18n import fmt_date, t
from dxboard.review import due_date
from dxboard.store import evidence as edb
from dxboard.store import reviews as rdb
from pages.common import dropzone_texts, get_store
from pages.upload_flow import field_label, fmt_time, format_value

EVIDENCE_TYPES = ["pdf", "png", "jpg", "jpeg"]
DOWNLOAD_MIME = "application/octet-stream"
"""Evidence is always sent as an opaque download: the browser saves it and never renders it."""


def state_line(found: rdb.Reviewed | None, lg: str) -> tuple[str, str]:
    """(Streamlit message kind, text) for a submission's review state."""
    if found is None:
        return "info", t("review.state_line_missing", lg)
    state = t(f"review.state_{found.state}", lg)
    if found.actor is None:
        return "info", t("review.state_line_waiting", lg, state=state, id=found.submission_id)
    kind = {"approved": "success", "returned": "warning"}.get(found.state, "info")
    when = fmt_time(found.at_time, lg)
    return kind, t(
        "review.state_line", lg, state=state, id=found.submission_id, actor=found.actor, at=when
    )


def due_line(period: str, received: bool, lg: str, today: date | None = None) -> tuple[str, str]:
    """(kind, text): the period's due date, and whether it has passed without a report."""
    due = due_date(period, rdb.due_overrides(get_store()))
    late = (today or date.today()) - due
    if not received and late.days > 0:
        return "error", t("review.due_overdue", lg, due=fmt_date(due, lg), days=late.days)
    return "caption", t("review.due", lg, due=fmt_date(due, lg))


def comments_table(
    comments: pd.DataFrame, values: dict[str, float | None], period: str, lg: str
) -> pd.DataFrame:
    """Each comment beside the field it is about (and its value), whole-report ones first."""
    ordered = comments.assign(_whole=comments["field"].isna()).sort_values(
        ["_whole", "at_time"], ascending=[False, True]
    )
    rows = []
    for row in ordered.itertuples():
        code = row.field if isinstance(row.field, str) and row.field else None
        rows.append(
            {
                t("col.field", lg): field_label(code, lg, period)
                if code
                else t("review.whole", lg),
                t("review.col_value", lg): format_value(code, values.get(code), lg) if code else "",
                t("review.col_comment", lg): row.comment,
                t("review.col_reviewer", lg): row.actor,
                t("review.col_at", lg): fmt_time(row.at_time, lg),
            }
        )
    return pd.DataFrame(rows)


def evidence_list(submission_id: int, account: User | None, key: str, lg: str) -> None:
    """The submission's evidence files, each a download button for those who may see them."""
    files = edb.listing(get_store(), [submission_id])
    st.markdown(f"**{t('review.evidence_header', lg, n=len(files))}**")
    if files.empty:
        st.caption(t("review.evidence_none", lg))
        return
    found = rdb.submission(get_store().cursor(), submission_id)
    allowed = (
        account is not None
        and found is not None
        and account.can_see_evidence(found.province_code, found.period)
    )
    for row in files.itertuples():
        text = t("review.evidence_line", lg, file=row.file_name, size=row.size, sha=row.sha256[:12])
        if not allowed or account is None:
            st.caption(text)
            continue
        st.download_button(
            text,
            data=_downloader(int(row.id), account),
            file_name=row.file_name,
            mime=DOWNLOAD_MIME,
            key=f"{key}_evidence_{row.id}",
            on_click="ignore",
            icon=":material/download:",
        )


def _downloader(evidence_id: int, account: User) -> Callable[[], bytes]:
    """The bytes of one file, read (and the download logged) only when the button is clicked."""

    def data() -> bytes:
        return evidence.download(get_store(), evidence_id, account).content

    return data


def evidence_uploader(submission_id: int, account: User, lg: str) -> None:
    """Attach PDF/PNG/JPEG files to the submission (each checked; refusals shown)."""
    nonce = st.session_state.setdefault("evidence_nonce", 0)
    dropzone_texts("evidence_zone", t("review.evidence_limits", lg, mb=evidence.MAX_BYTES))
    with st.container(key="evidence_zone"):
        files = st.file_uploader(
            t("review.evidence_upload", lg),
            type=EVIDENCE_TYPES,
            accept_multiple_files=True,
            key=f"evidence_files_{submission_id}_{nonce}",
            help=t("review.evidence_help", lg, n=evidence.MAX_FILES, mb=evidence.MAX_BYTES),
        )
    if not files or not st.button(
        t("review.evidence_attach", lg, n=len(files)), key=f"evidence_attach_{submission_id}"
    ):
        return
    flash = []
    for file in files:
        try:
            evidence.attach(get_store(), submission_id, file.name, file.getvalue(), user=account)
            flash.append(("success", t("review.evidence_done", lg, file=file.name)))
        except UserError as exc:
            flash.append(("error", exc.message(lg)))
    st.session_state["upload_flash"] = flash
    st.session_state["evidence_nonce"] = nonce + 1
    st.rerun()
