"""Review (analysts and admins): the queue of a period by province and state, the reminder list,
then one submission: what changed since the last approved one, its quality flags, evidence and
comments, and the actions approve / return (with comments per field) / reopen.

Every figure here is of all submitted reports, whatever the sidebar switch says: reviewers look
at what waits. The actions are ``dxboard.review``'s, which check the rights again and log."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dxboard import review
from dxboard.auth import User
from dxboard.catalogue import load_catalogue
from dxboard.errors import UserError
from dxboard.i18n import fmt_date, t
from dxboard.store import reviews as rdb
from metrics.flags import flags
from metrics.review import changes_since_approved, reminders, review_grid, state_counts
from pages.common import cached_view, download_buttons, get_store, lang, need, period, user
from pages.flag_view import flags_table
from pages.review_parts import comments_table, evidence_list, state_line
from pages.upload_flow import field_label, fmt_time, format_value

STATES = ("submitted", "returned", "approved", "missing")


def _counts(grid: pd.DataFrame, lg: str) -> None:
    counts = state_counts(grid).iloc[0] if len(grid) else None
    for column, state in zip(st.columns(len(STATES)), STATES, strict=True):
        column.metric(
            t(f"review.state_{state}", lg), int(counts[state]) if counts is not None else 0
        )


def _queue(grid: pd.DataFrame, lg: str) -> pd.DataFrame:
    chosen = st.multiselect(
        t("review.queue_filter", lg),
        STATES,
        default=["submitted"],
        key=f"review_states_{lg}",
        format_func=lambda s: t(f"review.state_{s}", lg),
    )
    shown = grid[grid["review_state"].isin(chosen)]
    table = pd.DataFrame(
        {
            t("col.province", lg): shown["province_name"],
            t("review.col_state", lg): [t(f"review.state_{s}", lg) for s in shown["review_state"]],
            t("review.col_submission", lg): shown["submission_id"].astype("Int64"),
            t("review.col_reviewer", lg): shown["reviewed_by"].fillna(""),
            t("review.col_at", lg): [fmt_time(v, lg) for v in shown["reviewed_at"]],
            t("review.col_due", lg): [fmt_date(d, lg) for d in shown["due"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    return shown


def _reminders(quarter: str, lg: str) -> None:
    found = cached_view("all", reminders, quarter)
    st.markdown(f"**{t('review.reminders_header', lg)}**")
    st.caption(t("review.reminders_caption", lg, n=len(found)))
    if found.empty:
        return
    table = found.assign(
        review_state=[t(f"review.state_{s}", lg) for s in found["review_state"]],
        due=[fmt_date(d, lg) for d in found["due"]],
    )
    download_buttons(table, f"{t('review.reminders_name', lg)}_{quarter}", "review_reminders")


def _pick(shown: pd.DataFrame, lg: str) -> int | None:
    having = shown[shown["submission_id"].notna()]
    if having.empty:
        st.info(t("review.queue_empty", lg))
        return None
    names = dict(zip(having["submission_id"].astype(int), having["province_name"], strict=True))
    return st.selectbox(
        t("review.pick", lg),
        list(names),
        format_func=lambda i: t("review.pick_option", lg, province=names.get(i, "–"), id=i),
        key="review_pick",
    )


def _changes(submission_id: int, quarter: str, lg: str) -> None:
    base, diff = cached_view("all", changes_since_approved, submission_id)
    st.markdown(f"**{t('review.changes_header', lg)}**")
    if base is None:
        st.caption(t("review.changes_first", lg))
    else:
        st.caption(t("review.changes_since", lg, base=base, n=len(diff)))
    if diff.empty:
        return
    table = pd.DataFrame(
        {
            t("col.field", lg): [field_label(f, lg, quarter) for f in diff["field"]],
            t("review.col_approved", lg): [
                format_value(f, v, lg) for f, v in zip(diff["field"], diff["approved"], strict=True)
            ],
            t("review.col_now", lg): [
                format_value(f, v, lg) for f, v in zip(diff["field"], diff["now"], strict=True)
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _flags(found: rdb.Reviewed, lg: str) -> None:
    st.markdown(f"**{t('review.flags_header', lg)}**")
    found_flags = cached_view("all", flags, found.period, provinces=(found.province_code,))
    mine = found_flags[found_flags["province_code"] == found.province_code]
    if mine.empty:
        st.caption(t("review.flags_none", lg))
        return
    st.dataframe(flags_table(mine, load_catalogue(), lg), hide_index=True, width="stretch")


def _act(call: Callable[[], review.Outcome], lg: str) -> None:
    """Run a review action; on success show it on the next run, on refusal say why."""
    try:
        out = call()
    except UserError as exc:
        st.error(exc.message(lg))
        return
    state = t(f"review.state_{out.state}", lg)
    st.session_state["review_flash"] = t("review.done", lg, id=out.submission_id, state=state)
    st.rerun()


def _approve_or_return(found: rdb.Reviewed, account: User, lg: str) -> None:
    approve, send_back = st.tabs([t("review.tab_approve", lg), t("review.tab_return", lg)])
    with approve:
        note = st.text_input(t("review.note", lg), key=f"review_note_{found.submission_id}")
        if st.button(t("review.approve", lg), type="primary", key="review_approve"):
            _act(
                lambda: review.approve(
                    get_store(), found.submission_id, note=note or None, user=account
                ),
                lg,
            )
    with send_back:
        _return_form(found, account, lg)


def _return_form(found: rdb.Reviewed, account: User, lg: str) -> None:
    version = load_catalogue().version_for(found.period)
    codes = [f.code for f in version.fields]
    chosen = st.multiselect(
        t("review.return_fields", lg),
        codes,
        key=f"review_fields_{found.submission_id}",
        format_func=lambda c: field_label(c, lg, found.period),
    )
    comments: list[tuple[str | None, str]] = [
        (code, st.text_input(field_label(code, lg, found.period), key=f"review_c_{code}"))
        for code in chosen
    ]
    whole = st.text_area(t("review.return_whole", lg), key=f"review_whole_{found.submission_id}")
    comments.append((None, whole))
    if st.button(t("review.send_back", lg), key="review_return"):
        _act(lambda: review.send_back(get_store(), found.submission_id, comments, user=account), lg)


def _reopen(found: rdb.Reviewed, account: User, lg: str) -> None:
    reason = st.text_input(
        t("review.reopen_reason", lg), key=f"review_reason_{found.submission_id}"
    )
    if st.button(t("review.reopen", lg), key="review_reopen"):
        _act(
            lambda: review.reopen(
                get_store(), found.province_code, found.period, reason, user=account
            ),
            lg,
        )


def _detail(submission_id: int, account: User, lg: str) -> None:
    found = rdb.submission(get_store().cursor(), submission_id)
    if found is None:
        return
    kind, text = state_line(found, lg)
    getattr(st, kind)(text)
    _changes(submission_id, found.period, lg)
    _flags(found, lg)
    evidence_list(submission_id, account, "review", lg)
    comments = rdb.comments(get_store(), [submission_id])
    if not comments.empty:
        st.markdown(f"**{t('review.comments_header', lg)}**")
        st.table(comments_table(comments, {}, found.period, lg), hide_index=True)
    st.markdown(f"**{t('review.actions_header', lg)}**")
    if found.state == "submitted":
        _approve_or_return(found, account, lg)
    elif found.state == "approved":
        _reopen(found, account, lg)
    else:
        st.caption(t("review.wait_correction", lg))


def main() -> None:
    lg, quarter, account = lang(), period(), user()
    st.title(t("nav.review", lg))
    need(account is not None and account.can_review, "review.reviewers_only")
    need(quarter is not None, "app.no_data")
    assert account is not None and quarter is not None
    st.caption(t("review.intro", lg, period=quarter))
    if note := st.session_state.pop("review_flash", None):
        st.success(note)
    grid = cached_view("all", review_grid, quarter)
    _counts(grid, lg)
    shown = _queue(grid, lg)
    _reminders(quarter, lg)
    st.divider()
    chosen = _pick(shown, lg)
    if chosen is not None:
        _detail(int(chosen), account, lg)


main()
