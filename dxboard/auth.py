"""Accounts, roles and sign-in: local accounts in DuckDB, and roles from an OIDC provider.

Roles
- ``admin``: everything, including accounts, uploads and restores for every province.
- ``analyst``: reads everything and downloads exports; no uploads.
- ``leader``: reads; no uploads, no downloads.
- ``officer``: reads; uploads and restores only for the one province bound to the account.
  Officers are bound to a CURRENT province (34, from 2025-Q3): a legacy province no longer has
  anyone to report for it after the 2025 merger. For periods before 2025-Q3 an officer may load
  the reports of the legacy provinces merged into their province (the officer of Cần Thơ, 92,
  may load 2024 reports of Cần Thơ, Sóc Trăng and Hậu Giang: legacy 92, 94 and 93).

Local accounts: table ``users``; passwords are stored as salted scrypt hashes
``scrypt$n$r$p$salt_b64$hash_b64`` (n=2**14, r=8, p=1, 16-byte salt) and compared in constant
time. Every attempt is recorded in ``login_attempts``; an account (existing or not, so the limit
says nothing about which names exist) with ``MAX_FAILURES`` failed attempts within
``LOCK_MINUTES`` minutes, counted since its last successful sign-in, is locked until the oldest of
those failures is ``LOCK_MINUTES`` old (5 quick failures: 15 minutes). Attempts while locked are
refused without checking the password and do not extend the lock.

Every sign-in, failed sign-in and account change is written to the audit log ``events``
(actions ``login``, ``login_failed``, ``user_created``, ``user_disabled``, ``user_enabled``,
``password_changed``); :func:`audit_log` reads it back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dxboard.periods import Period
from dxboard.registry import ProvinceMatchError, load_registry, normalise_code
from dxboard.store import Store, log_event

ROLES = ("admin", "analyst", "leader", "officer")
ROLE_LABELS_VI = {
    "admin": "Quản trị",
    "analyst": "Chuyên viên phân tích",
    "leader": "Lãnh đạo",
    "officer": "Cán bộ tỉnh",
}

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
LOCK_MINUTES = 15
VIEW_LOGIN_ENV = "DXBOARD_VIEW_LOGIN"
ROLE_CLAIM = "dxboard_role"

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_TRUE = {"1", "true", "yes", "on", "có", "co"}


class AuthError(Exception):
    """A refused sign-in. ``reason``: wrong_password, unknown_user, disabled, rate_limited (and
    bad_claim for OIDC). Wrong password and unknown user carry the same message on purpose."""

    def __init__(self, reason: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_vi = message_vi
        self.message_en = message_en


class AccountError(ValueError):
    """An account change that cannot be made (bad role, short password, unknown user, ...)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


_BAD_LOGIN = ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")


@dataclass(frozen=True)
class User:
    """A signed-in account. ``province_code`` (with ``province_era`` 'current') only for officers.

    ``can_download`` and ``is_admin`` are properties; ``can_upload`` and ``can_restore`` take the
    province code (of the period's era) and the period.
    """

    username: str
    role: str
    display_name: str = ""
    province_code: str | None = None
    province_era: str | None = None
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled

    @property
    def can_download(self) -> bool:
        return self.role in ("admin", "analyst") and not self.disabled

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def allowed_codes(self, period: str | Period) -> tuple[str, ...]:
        """The province codes (of ``period``'s era) this officer may upload for; () otherwise."""
        if self.role != "officer" or self.disabled or not self.province_code:
            return ()
        era = Period.parse(period).era
        if era == "current":
            return (self.province_code,)
        return tuple(p.code for p in load_registry().constituents(self.province_code))

    def can_upload(self, province_code: str, period: str | Period) -> bool:
        """Whether this account may load a report of ``province_code`` for ``period``."""
        if self.disabled:
            return False
        if self.role == "admin":
            return True
        try:
            code = normalise_code(province_code)
        except KeyError:
            return False
        return code in self.allowed_codes(period)

    def can_restore(self, province_code: str, period: str | Period) -> bool:
        """Restoring an earlier submission follows the upload rule."""
        return self.can_upload(province_code, period)

    @property
    def uploads_anything(self) -> bool:
        """Whether the role may upload at all (admin, officer)."""
        return self.role in ("admin", "officer") and not self.disabled


# --- passwords -------------------------------------------------------------------------------


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$16384$8$1$<salt b64>$<hash b64>``."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        [
            "scrypt",
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored ``scrypt$...`` hash."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(hash_b64)
        digest = _scrypt(
            password, base64.b64decode(salt_b64), int(n), int(r), int(p), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=dklen
    )


# A hash of a random password: unknown users cost the same time as known ones.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
        )


# --- accounts --------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise AccountError(
            f"Tên đăng nhập «{username}» không hợp lệ: 2–64 ký tự a-z, 0-9, . _ @ -.",
            f"Invalid username «{username}»: 2–64 characters a-z, 0-9, . _ @ -.",
        )
    return name


def _check_role(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise AccountError(
            f"Vai trò «{role}» không có; chọn một trong: {', '.join(ROLES)}.",
            f"Unknown role «{role}»; use one of: {', '.join(ROLES)}.",
        )
    return role


def resolve_officer_province(province: str) -> str:
    """A CURRENT province code from a code or any spelling; a legacy name says what it became."""
    try:
        return load_registry().match(str(province), era="current").code
    except ProvinceMatchError as exc:
        raise AccountError(exc.message_vi, exc.message_en) from None


def create_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    province: str | None = None,
    display_name: str = "",
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> User:
    """Add a local account. Officers need ``province`` (a current province, code or name);
    other roles must not have one. Raises :class:`AccountError`."""
    name = _check_username(username)
    role = _check_role(role)
    check_password_rules(password)
    if role == "officer":
        if not province:
            raise AccountError(
                "Tài khoản cán bộ tỉnh phải gắn với một tỉnh (--province).",
                "An officer account needs a province (--province).",
            )
        code, era = resolve_officer_province(province), "current"
    else:
        if province:
            raise AccountError(
                "Chỉ tài khoản cán bộ tỉnh (officer) mới gắn với một tỉnh.",
                "Only officer accounts are bound to a province.",
            )
        code = era = None
    password_hash = hash_password(password)
    with store.write() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
            raise AccountError(f"Tài khoản «{name}» đã có.", f"The account «{name}» exists.")
        cur.execute(
            "INSERT INTO users (username, display_name, role, province_era, province_code, "
            "password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, false, ?)",
            [name, display_name, role, era, code, password_hash, now or datetime.now()],
        )
        log_event(
            cur,
            actor,
            "user_created",
            detail={"username": name, "role": role, "province": code, "display_name": display_name},
        )
    return User(name, role, display_name, code, era)


def get_user(store: Store, username: str) -> User | None:
    row = (
        store.cursor()
        .execute(
            "SELECT username, role, display_name, province_code, province_era, disabled "
            "FROM users WHERE username = ?",
            [normalise_username(username)],
        )
        .fetchone()
    )
    return User(*row) if row else None


def list_users(store: Store) -> list[User]:
    rows = (
        store.cursor()
        .execute(
            "SELECT username, role, display_name, province_code, province_era, disabled "
            "FROM users ORDER BY username"
        )
        .fetchall()
    )
    return [User(*r) for r in rows]


def set_disabled(store: Store, username: str, disabled: bool, *, actor: str = "system") -> User:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    name = normalise_username(username)
    with store.write() as cur:
        found = cur.execute(
            "UPDATE users SET disabled = ? WHERE username = ? RETURNING username",
            [bool(disabled), name],
        ).fetchall()
        if not found:
            raise _unknown_account(name)
        log_event(
            cur, actor, "user_disabled" if disabled else "user_enabled", detail={"username": name}
        )
    return get_user(store, name)  # type: ignore[return-value]


def set_password(store: Store, username: str, password: str, *, actor: str = "system") -> None:
    check_password_rules(password)
    name = normalise_username(username)
    password_hash = hash_password(password)
    with store.write() as cur:
        found = cur.execute(
            "UPDATE users SET password_hash = ? WHERE username = ? RETURNING username",
            [password_hash, name],
        ).fetchall()
        if not found:
            raise _unknown_account(name)
        log_event(cur, actor, "password_changed", detail={"username": name})


def _unknown_account(name: str) -> AccountError:
    return AccountError(f"Không có tài khoản «{name}».", f"No account «{name}».")


# --- sign-in ---------------------------------------------------------------------------------


def locked_until(store: Store, username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on ``username`` lifts, or None when it is not locked."""
    now = now or datetime.now()
    name = normalise_username(username)
    window = timedelta(minutes=LOCK_MINUTES)
    rows = (
        store.cursor()
        .execute(
            "SELECT at_time FROM login_attempts WHERE username = ? AND NOT ok AND at_time > ? "
            "AND at_time <= ? AND at_time > coalesce((SELECT max(at_time) FROM login_attempts "
            "WHERE username = ? AND ok), TIMESTAMP '1970-01-01') ORDER BY at_time DESC",
            [name, now - window, now, name],
        )
        .fetchall()
    )
    if len(rows) < MAX_FAILURES:
        return None
    return rows[MAX_FAILURES - 1][0] + window


def authenticate(store: Store, username: str, password: str, now: datetime | None = None) -> User:
    """The account for ``username`` and ``password``, or :class:`AuthError`; every attempt is
    recorded (``login_attempts`` and ``events``)."""
    now = now or datetime.now()
    name = normalise_username(username)
    until = locked_until(store, name, now)
    if until is not None:
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        _record(store, name, now, None, "rate_limited")
        raise AuthError(
            "rate_limited",
            f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.",
            f"Too many failed sign-ins. Try again in {minutes} minutes.",
        )
    row = (
        store.cursor()
        .execute(
            "SELECT username, role, display_name, province_code, province_era, disabled, "
            "password_hash FROM users WHERE username = ?",
            [name],
        )
        .fetchone()
    )
    if row is None:
        verify_password(password, _DUMMY_HASH)  # same work as for a real account
        _record(store, name, now, False, "unknown_user")
        raise AuthError("unknown_user", *_BAD_LOGIN)
    user = User(*row[:6])
    if not verify_password(password, row[6]):
        _record(store, name, now, False, "wrong_password")
        raise AuthError("wrong_password", *_BAD_LOGIN)
    if user.disabled:
        _record(store, name, now, False, "disabled")
        raise AuthError(
            "disabled",
            "Tài khoản đã bị vô hiệu hoá. Hãy liên hệ quản trị viên.",
            "This account is disabled. Contact an administrator.",
        )
    _record(store, name, now, True, None)
    return user


def _record(store: Store, name: str, now: datetime, ok: bool | None, reason: str | None) -> None:
    """``ok`` None: refused without checking the password (not counted as a failure)."""
    with store.write() as cur:
        if ok is not None:
            cur.execute("INSERT INTO login_attempts VALUES (?, ?, ?)", [name, now, ok])
        detail: dict[str, Any] = {"username": name, "method": "password"}
        if reason:
            detail["reason"] = reason
        log_event(cur, name, "login" if ok else "login_failed", detail=detail, at_time=now)


def record_login(store: Store, user: User, method: str = "oidc") -> None:
    """Log a sign-in that happened elsewhere (``st.login`` with an OIDC provider)."""
    with store.write() as cur:
        log_event(
            cur,
            user.username,
            "login",
            detail={
                "username": user.username,
                "method": method,
                "role": user.role,
                "province": user.province_code,
            },
        )


# --- settings and single sign-on -------------------------------------------------------------


def viewing_requires_login() -> bool:
    """``$DXBOARD_VIEW_LOGIN`` (1/true/yes/on): viewing needs a sign-in too. Default False: the
    demo is open to view; every write (upload, restore, accounts) always needs a sign-in."""
    return os.environ.get(VIEW_LOGIN_ENV, "").strip().lower() in _TRUE


def role_from_claims(claims: dict, claim_name: str = ROLE_CLAIM) -> tuple[str, str | None]:
    """(role, current province code or None) from an ID-token claim such as ``"officer:92"``,
    ``"analyst"`` or a one-element list of those. Raises :class:`AuthError` (``bad_claim``)."""
    value = claims.get(claim_name)
    if isinstance(value, list | tuple):
        distinct = {str(v).strip() for v in value if str(v).strip()}
        value = distinct.pop() if len(distinct) == 1 else None
    if not isinstance(value, str) or not value.strip():
        raise _bad_claim(claim_name, value)
    role, _, province = value.strip().partition(":")
    role = role.strip().lower()
    if role not in ROLES:
        raise _bad_claim(claim_name, value)
    if role != "officer":
        if province.strip():
            raise _bad_claim(claim_name, value)
        return role, None
    try:
        code = load_registry().get(province.strip(), "current").code
    except KeyError:
        raise _bad_claim(claim_name, value) from None
    return role, code


def user_from_claims(claims: dict, claim_name: str = ROLE_CLAIM) -> User:
    """A :class:`User` for an OIDC sign-in: username from ``email`` (else ``sub``)."""
    role, code = role_from_claims(claims, claim_name)
    username = str(claims.get("email") or claims.get("sub") or "").strip().lower()
    if not username:
        raise _bad_claim("email/sub", None)
    return User(username, role, str(claims.get("name") or ""), code, "current" if code else None)


def _bad_claim(claim_name: str, value: object) -> AuthError:
    return AuthError(
        "bad_claim",
        f"Tài khoản chưa được cấp quyền dùng bảng điều khiển (thuộc tính «{claim_name}» = "
        f"{value!r}; cần ví dụ «analyst» hoặc «officer:92»).",
        f"The account has no dashboard role (claim «{claim_name}» = {value!r}; expected e.g. "
        "«analyst» or «officer:92»).",
    )


# --- audit log -------------------------------------------------------------------------------


def audit_log(store: Store, limit: int = 500):  # -> pandas.DataFrame
    """The newest ``limit`` audit events: id, at_time, actor, action, upload_id, submission_id,
    detail (JSON text)."""
    return (
        store.cursor()
        .execute(
            "SELECT id, at_time, actor, action, upload_id, submission_id, "
            "CAST(detail AS VARCHAR) AS detail FROM events ORDER BY id DESC LIMIT ?",
            [int(limit)],
        )
        .df()
    )
