"""Administration (administrators only): the audit log with filters and export, the accounts
with a disable/enable switch, and a form to create an account.

Sign-ins and account changes do not change the data version, so the audit log and the account
list are read directly (small queries), not through ``cached``.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dxboard.auth import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    User,
    create_user,
    list_users,
    set_disabled,
)
from dxboard.errors import Reason, UserError
from dxboard.i18n import TEXTS, t
from dxboard.periods import Period, PeriodError
from dxboard.registry import load_registry
from dxboard.store.audit import audit_log
from pages.common import download_buttons, get_store, lang, user
from pages.upload_flow import fmt_time, is_demo_user, role_label

AUDIT_LIMIT = 2000
NEW = "admin_new_"  # session keys of the create-account form


def _text(key: str, fallback: str, lg: str) -> str:
    return t(key, lg) if key in TEXTS else fallback


def action_label(action: str, lg: str) -> str:
    return _text(f"admin.action_{action}", t("admin.action_other", lg), lg)


def _province(code: object, era: str) -> str:
    try:
        return load_registry().get(str(code), era).short_name
    except KeyError:
        return str(code)


def _found(item: str) -> str:
    """``48 2025-Q4`` → ``Đà Nẵng 2025-Q4``."""
    code, _, quarter = str(item).partition(" ")
    try:
        return f"{_province(code, Period.parse(quarter).era)} {quarter}"
    except PeriodError:
        return str(item)


def _value(key: str, value: object, era: str, lg: str) -> str:
    if key == "role":
        return role_label(str(value), lg) if value in ROLES else str(value)
    if key in ("method", "reason"):
        return _text(f"admin.{key}_{value}", str(value), lg)
    if key == "status":
        return _text(f"admin.result_{value}", str(value), lg)
    if key in ("province", "allowed"):
        return _province(value, era)
    if key == "found" and isinstance(value, list):
        return ", ".join(_found(v) for v in value)
    return str(value)


def detail_text(detail: str | None, lg: str) -> str:
    """The JSON detail of an event as ``tài khoản: dn; lý do: sai mật khẩu``."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return str(detail)
    if not isinstance(data, dict):
        return str(data)
    try:
        era = Period.parse(str(data.get("period", ""))).era
    except PeriodError:
        era = "current"
    parts = [
        f"{_text(f'admin.key_{k}', k, lg)}: {_value(k, v, era, lg)}"
        for k, v in data.items()
        if v not in (None, "", [])
    ]
    return "; ".join(parts)


def audit_table(log: pd.DataFrame, lg: str) -> pd.DataFrame:
    """The audit log for display and export: time, actor, action in words, detail."""
    return pd.DataFrame(
        {
            t("admin.col_time", lg): [fmt_time(v, lg) for v in log["at_time"]],
            t("admin.col_actor", lg): log["actor"],
            t("admin.col_action", lg): [action_label(a, lg) for a in log["action"]],
            t("admin.col_detail", lg): [detail_text(d, lg) for d in log["detail"]],
        }
    )


def _export(frame: pd.DataFrame) -> None:
    download_buttons(frame, "nhat_ky", "admin_audit")


def _audit_tab() -> None:
    lg = lang()
    log = audit_log(get_store(), limit=AUDIT_LIMIT)
    actions = sorted(log["action"].unique(), key=lambda a: action_label(a, lg))
    left, right = st.columns([2, 1])
    chosen = left.multiselect(
        t("admin.filter_actions", lg),
        actions,
        key="admin_actions",
        format_func=lambda a: action_label(a, lg),
        help=t("admin.filter_actions_help", lg),
        placeholder=t("admin.filter_all", lg),
    )
    actor = right.text_input(t("admin.filter_actor", lg), key="admin_actor").strip().lower()
    shown = log
    if chosen:
        shown = shown[shown["action"].isin(chosen)]
    if actor:
        shown = shown[shown["actor"].str.lower().str.contains(actor, regex=False)]
    st.caption(t("admin.audit_caption", lg, shown=len(shown), total=len(log)))
    if shown.empty:
        st.info(t("admin.audit_empty", lg))
        return
    table = audit_table(shown, lg)
    widths = {
        t("admin.col_time", lg): "small",
        t("admin.col_actor", lg): "small",
        t("admin.col_action", lg): "medium",
        t("admin.col_detail", lg): "large",
    }
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={c: st.column_config.TextColumn(width=w) for c, w in widths.items()},
    )
    _export(table)


def _toggle(username: str, key: str, admin: str) -> None:
    active = bool(st.session_state[key])
    set_disabled(get_store(), username, not active, actor=admin)
    message = "admin.toggle_saved_on" if active else "admin.toggle_saved_off"
    st.session_state["admin_flash"] = t(message, lang(), username=username)


def _account_row(account: User, admin: User) -> None:
    lg = lang()
    province = _province(account.province_code, "current") if account.province_code else "–"
    cells = st.columns([2, 3, 2, 2, 2], vertical_alignment="center")
    cells[0].markdown(f"`{account.username}`")
    cells[1].markdown(account.display_name or "–")
    cells[2].markdown(role_label(account.role, lg))
    cells[3].markdown(province)
    key = f"admin_active_{account.username}"
    locked = account.username == admin.username or is_demo_user(admin)
    cells[4].toggle(
        f"{t('admin.active_on', lg)}: {account.username}",
        value=not account.disabled,
        key=key,
        label_visibility="collapsed",
        disabled=locked,
        on_change=_toggle,
        args=(account.username, key, admin.username),
    )


def _accounts_tab(admin: User) -> None:
    lg = lang()
    if message := st.session_state.pop("admin_flash", None):
        st.success(message)
    accounts = list_users(get_store())
    if not accounts:
        st.info(t("admin.accounts_empty", lg))
        return
    st.caption(t("admin.accounts_caption", lg, n=len(accounts)))
    header = st.columns([2, 3, 2, 2, 2])
    for cell, key in zip(
        header, ("col_username", "col_name", "col_role", "col_province", "col_active"), strict=True
    ):
        label = t("col.province", lg) if key == "col_province" else t(f"admin.{key}", lg)
        cell.markdown(f"**{label}**")
    for account in accounts:
        _account_row(account, admin)


def _create(admin: str) -> None:
    """Form callback: create the account, then clear the passwords (and all on success)."""
    state = st.session_state
    lg = lang()
    role = state[f"{NEW}role"]
    province = state[f"{NEW}province"] if role == "officer" else None
    try:
        if state[f"{NEW}password"] != state[f"{NEW}password2"]:
            raise UserError(Reason.ACCOUNT, "account_passwords_differ")
        created = create_user(
            get_store(),
            state[f"{NEW}username"],
            state[f"{NEW}password"],
            role,
            province,
            state[f"{NEW}name"].strip(),
            actor=admin,
        )
    except UserError as exc:
        state["admin_create_result"] = ("error", exc.message(lg))
    else:
        state["admin_create_result"] = (
            "success",
            t("admin.created", lg, username=created.username, role=role_label(created.role, lg)),
        )
        state[f"{NEW}username"] = state[f"{NEW}name"] = ""
    state[f"{NEW}password"] = state[f"{NEW}password2"] = ""


def _create_tab(admin: User) -> None:
    lg = lang()
    if is_demo_user(admin):
        st.info(t("admin.demo_no_accounts", lg))
        return
    st.caption(t("admin.create_caption", lg, n=MIN_PASSWORD_LENGTH))
    provinces = sorted(load_registry().provinces("current"), key=lambda p: p.ascii_name)
    names = {p.code: p.short_name for p in provinces}
    with st.form("admin_create"):
        left, right = st.columns(2)
        left.text_input(t("admin.field_username", lg), key=f"{NEW}username")
        right.text_input(t("admin.field_name", lg), key=f"{NEW}name")
        left.selectbox(
            t("admin.field_role", lg),
            ROLES,
            index=ROLES.index("officer"),
            key=f"{NEW}role",
            format_func=lambda r: role_label(r, lg),
        )
        right.selectbox(
            t("admin.field_province", lg),
            list(names),
            index=None,
            key=f"{NEW}province",
            format_func=names.__getitem__,
            placeholder="–",
        )
        left.text_input(
            t("admin.field_password", lg),
            type="password",
            key=f"{NEW}password",
            autocomplete="new-password",
        )
        right.text_input(
            t("admin.field_password2", lg),
            type="password",
            key=f"{NEW}password2",
            autocomplete="new-password",
        )
        st.form_submit_button(
            t("admin.create_submit", lg), type="primary", on_click=_create, args=(admin.username,)
        )
    if result := st.session_state.pop("admin_create_result", None):
        getattr(st, result[0])(result[1])


st.title(t("nav.admin", lang()))
current = user()
if current is None or not current.is_admin:
    st.info(t("admin.only_admins", lang()))
    st.stop()
st.caption(t("admin.intro", lang()))
audit, accounts, create = st.tabs(
    [t(f"admin.{k}", lang()) for k in ("tab_audit", "tab_accounts", "tab_create")]
)
with audit:
    _audit_tab()
with accounts:
    _accounts_tab(current)
with create:
    _create_tab(current)
