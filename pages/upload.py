"""Upload: download the prefilled template, the chosen report's review (state, reviewers'
comments, due date, evidence files), upload filled files (dry run, validation report, preview,
confirm), and the province's submission history with restore.

Upload bytes never go into ``st.session_state``: on confirm they are read again from the
uploader widget, which keeps its files until it is reset. Only the dry-run results (parsed
reports and problems) are remembered per file, so that a rerun does not check a file twice.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dxboard.auth import User
from dxboard.i18n import fmt_date, fmt_period, t
from dxboard.periods import Period
from dxboard.registry import Province
from dxboard.store import reviews as rdb
from dxboard.store import submissions
from loaders.annotate import annotate, annotated_name, can_annotate
from loaders.decide import Change
from loaders.ingest import IngestResult, RestoreError, ingest_bytes, restore
from loaders.template import build_template
from metrics.completeness import DEADLINE_DAYS
from metrics.swings import upload_swings
from pages.common import (
    XLSX_MIME,
    cached,
    data_version,
    dropzone_texts,
    get_store,
    lang,
    period,
    user,
)
from pages.frameworks import regime_text
from pages.review_parts import (
    comments_table,
    due_line,
    evidence_list,
    evidence_uploader,
    state_line,
)
from pages.upload_flow import (
    changes_table,
    dataset_for,
    default_period,
    fmt_time,
    history_table,
    is_demo_user,
    outcome,
    problems_table,
    report_values,
    role_label,
    swing_lines,
    template_file_name,
    template_periods,
    template_provinces,
)

FILE_TYPES = ["xlsx", "xlsm", "xls", "ods"]


def _flash() -> None:
    """Messages left by the last confirm or restore (shown once)."""
    for kind, text in st.session_state.pop("upload_flash", []):
        getattr(st, kind)(text)


def _template_section() -> tuple[Province, str]:
    """Period and province pickers and the template download; returns the choice."""
    st.subheader(t("upload.template_header", lang()))
    account = user()
    options = template_periods()
    chosen = default_period(options, period())
    lg = lang()  # bound now: the picker may format its options outside the script run
    left, right = st.columns(2)
    quarter = left.selectbox(
        t("upload.template_period", lang()),
        options,
        index=options.index(chosen),
        key="upload_period",
        format_func=lambda p: fmt_period(p, lg),
    )
    provinces = {p.code: p for p in template_provinces(account, quarter)}
    code = right.selectbox(
        t("upload.template_province", lang()),
        list(provinces),
        key=f"upload_province_{Period.parse(quarter).era}",
        format_func=lambda c: provinces[c].short_name,
        disabled=len(provinces) == 1,
        help=t("upload.template_fixed", lang())
        if account is not None and account.role == "officer"
        else None,
    )
    province = provinces[code]
    deadline = fmt_date(Period.parse(quarter).deadline(DEADLINE_DAYS), lang())
    st.caption(t("upload.template_help", lang(), days=DEADLINE_DAYS, deadline=deadline))
    st.caption(regime_text(quarter, lang()))
    st.download_button(
        t("upload.template_download", lang(), province=province.short_name, period=quarter),
        data=lambda: build_template(province, Period.parse(quarter)),
        file_name=template_file_name(province, quarter),
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="upload_template",
    )
    return province, quarter


def _login_link() -> None:
    page = st.session_state.get("page_urls", {}).get("login")
    if page is not None:
        st.page_link(page, label=t("nav.login", lang()), icon=":material/login:")


def _who(account: User) -> None:
    if account.role == "officer":
        quarter = st.session_state.get("upload_period") or template_periods()[0]
        names = ", ".join(p.short_name for p in template_provinces(account, quarter))
        st.caption(t("upload.who_officer", lang(), provinces=names))
    else:
        st.caption(t("upload.who_admin", lang()))
    if is_demo_user(account):
        st.caption(t("upload.who_demo", lang()))


def _check(file: UploadedFile, account: User) -> IngestResult:
    """The dry run; a rejected file is then logged as a rejected upload (nothing stored)."""
    store, data = get_store(), file.getvalue()
    result = ingest_bytes(
        store, data, file.name, user=account, dataset=dataset_for(account), dry_run=True
    )
    if result.status == "rejected":
        result = ingest_bytes(store, data, file.name, user=account, dataset=dataset_for(account))
    return result


def _dry_runs(files: list[UploadedFile], account: User) -> list[IngestResult]:
    """Check every file once per data version (remembered results, never the bytes)."""
    memo = st.session_state.setdefault("upload_memo", {})
    version = data_version()
    keys = [(f.file_id, version, account.username) for f in files]
    todo = [(k, f) for k, f in zip(keys, files, strict=True) if k not in memo]
    if todo:
        bar = st.progress(0.0)
        for i, (key, file) in enumerate(todo):
            bar.progress(
                i / len(todo),
                text=t("upload.checking", lang(), file=file.name, i=i + 1, n=len(todo)),
            )
            memo[key] = _check(file, account)
        bar.empty()
    st.session_state["upload_memo"] = {k: memo[k] for k in keys}
    return [memo[k] for k in keys]


def _show_result(result: IngestResult, file: UploadedFile) -> None:
    kind, text = outcome(result, lang())
    with st.container(border=True):
        getattr(st, kind)(text)
        if result.problems:
            st.markdown(f"**{t('upload.problems_header', lang())}**")
            st.table(problems_table(result, lang()), hide_index=True, border="horizontal")
            st.caption(t("upload.problems_caption", lang()))
            _annotated_copy(result, file)
        if result.status == "accepted":
            _swings(result)
            _preview(result.changes)
        if result.restorable:
            _offer_restore(result)


def _swings(result: IngestResult) -> None:
    """Warnings (never a block) on figures far from the province's history or its peers."""
    found = upload_swings(get_store(), report_values(result))
    if not found:
        return
    lines = "\n".join(f"- {line}" for line in swing_lines(found, lang()))
    st.warning(f"**{t('upload.swings_header', lang())}**\n\n{lines}", icon="⚠️")
    st.caption(t("upload.swings_caption", lang()))


def _annotated_copy(result: IngestResult, file: UploadedFile) -> None:
    """A copy of the file with each problem cell highlighted and commented (xlsx, xlsm)."""
    if not any(p.cell for p in result.problems):
        return
    if not can_annotate(file.name):
        st.caption(t("upload.annotated_unavailable", lang()))
        return
    lg, data = lang(), file.getvalue()
    st.download_button(
        t("upload.annotated_download", lg),
        lambda: annotate(data, result.problems, lg) or data,
        annotated_name(file.name, t("upload.annotated_suffix", lg)),
        mime=XLSX_MIME,
        key=f"upload_annotated_{result.sha256}",
        on_click="ignore",
        icon=":material/download:",
    )


def _preview(changes: list[Change]) -> None:
    st.markdown(f"**{t('upload.preview_header', lang())}**")
    table = changes_table(changes, lang())
    if table.empty:
        st.caption(t("upload.preview_none", lang()))
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def _offer_restore(result: IngestResult) -> None:
    """The file's figures were replaced since it was loaded: preview and offer the restore of
    its submissions."""
    account = user()
    ids = result.restorable
    try:
        preview = restore(get_store(), ids, user=account, dry_run=True)
    except RestoreError as exc:
        st.error(exc.message(lang()))
        return
    st.info(t("upload.restore_offer", lang(), ids=ids))
    _preview(preview.changes)
    if st.button(
        t("upload.restore_these", lang(), n=len(ids)),
        type="primary",
        icon=":material/restore:",
        key=f"upload_restore_file_{result.sha256}",
    ):
        _restore(ids, account, t("upload.restored_file", lang(), file=result.file_name))


def _store_files(files: list[UploadedFile], account: User) -> None:
    """Ingest the valid files for real, leave the outcomes for the next run, reset the widget."""
    bar = st.progress(0.0)
    flash = []
    for i, file in enumerate(files):
        bar.progress(
            i / len(files), text=t("upload.storing", lang(), file=file.name, i=i + 1, n=len(files))
        )
        result = ingest_bytes(
            get_store(), file.getvalue(), file.name, user=account, dataset=dataset_for(account)
        )
        flash.append(outcome(result, lang()))
        flash += [("error", p.message(lang())) for p in result.errors]
    bar.progress(1.0)
    st.session_state["upload_flash"] = flash
    st.session_state["upload_nonce"] = st.session_state.get("upload_nonce", 0) + 1
    st.session_state.pop("upload_memo", None)
    st.rerun()


def _upload_section() -> None:
    st.subheader(t("upload.upload_header", lang()))
    account = user()
    if account is None:
        st.info(t("upload.need_login", lang()))
        _login_link()
        return
    if not account.uploads_anything:
        st.info(t("upload.role_cannot", lang(), role=role_label(account.role, lang())))
        return
    _who(account)
    nonce = st.session_state.setdefault("upload_nonce", 0)
    limits = t("upload.dropzone_limits", lang(), mb=st.get_option("server.maxUploadSize"))
    dropzone_texts("upload_zone", limits)
    with st.container(key="upload_zone"):
        files = (
            st.file_uploader(
                t("upload.uploader", lang()),
                type=FILE_TYPES,
                accept_multiple_files=True,
                key=f"upload_files_{nonce}",
                help=t("upload.uploader_help", lang()),
            )
            or []
        )
    if not files:
        return
    results = _dry_runs(files, account)
    for result, file in zip(results, files, strict=True):
        _show_result(result, file)
    valid = [f for f, r in zip(files, results, strict=True) if r.status == "accepted"]
    if not valid:
        st.caption(t("upload.nothing_to_store", lang()))
        return
    st.caption(t("upload.confirm_note", lang()))
    if st.button(
        t("upload.confirm", lang(), n=len(valid)),
        type="primary",
        icon=":material/cloud_upload:",
        key="upload_confirm",
    ):
        _store_files(valid, account)


def _restore(submission_ids: list[int], account: User | None, done: str) -> None:
    """Restore, then show ``done`` on the next run."""
    try:
        restore(get_store(), submission_ids, user=account)
    except RestoreError as exc:
        st.error(exc.message(lang()))
        return
    st.session_state["upload_flash"] = [("success", done)]
    st.session_state.pop("upload_memo", None)
    st.rerun()


def _restore_buttons(history, province: Province) -> None:
    """One restore button per superseded submission the account may restore."""
    superseded = history[history["status"] == "superseded"]
    if superseded.empty:
        return
    account = user()
    allowed = [
        row
        for row in superseded.itertuples()
        if account is not None and account.can_restore(province.code, row.period)
    ]
    if not allowed:
        st.caption(t("upload.restore_login", lang()))
        return
    st.markdown(f"**{t('upload.restore_header', lang())}**")
    for row in allowed:
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.markdown(
            t(
                "upload.restore_line",
                lang(),
                period=row.period,
                file=row.file_name,
                when=fmt_time(row.received_at, lang()),
            )
        )
        if button.button(
            t("upload.restore", lang()),
            key=f"upload_restore_{row.submission_id}",
            icon=":material/history:",
        ):
            done = t("upload.restored", lang(), period=row.period, file=row.file_name)
            _restore([int(row.submission_id)], account, done)


def _review_section(province: Province, quarter: str) -> None:
    """The chosen report's review: its state, the reviewers' comments beside their fields,
    what is due, and its evidence files."""
    lg, account = lang(), user()
    st.subheader(t("review.upload_header", lg, province=province.short_name, period=quarter))
    found = rdb.accepted(get_store().cursor(), province.code, quarter)
    kind, text = due_line(quarter, found is not None, lg)
    getattr(st, kind)(text)
    kind, text = state_line(found, lg)
    getattr(st, kind)(text)
    if found is None:
        return
    comments = rdb.comments(get_store(), [found.submission_id])
    if not comments.empty:
        values = submissions.versions(get_store().cursor(), [found.submission_id])
        current = values[found.submission_id].values if values else {}
        st.markdown(f"**{t('review.comments_header', lg)}**")
        st.table(comments_table(comments, current, quarter, lg), hide_index=True)
    evidence_list(found.submission_id, account, "upload", lg)
    if (
        account is not None
        and account.can_upload(province.code, quarter)
        and found.state != "approved"
    ):
        evidence_uploader(found.submission_id, account, lg)


def _history_section(province: Province, quarter: str) -> None:
    st.subheader(t("upload.history_header", lang(), province=province.short_name))
    era = Period.parse(quarter).era
    history = cached(submissions.submission_history, province.code, era)
    if history.empty:
        st.info(
            t(
                "upload.history_empty",
                lang(),
                province=province.short_name,
                era=t(f"upload.era_{era}", lang()),
            )
        )
        return
    st.caption(t("upload.history_caption", lang()))
    st.dataframe(history_table(history, lang()), hide_index=True, width="stretch")
    _restore_buttons(history, province)


st.title(t("nav.upload", lang()))
st.caption(t("upload.intro", lang()))
_flash()
chosen_province, chosen_period = _template_section()
st.divider()
_upload_section()
st.divider()
_review_section(chosen_province, chosen_period)
st.divider()
_history_section(chosen_province, chosen_period)
