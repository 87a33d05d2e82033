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
``password_changed``); :func:`dxboard.store.audit.audit_log` reads it back.
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

from dxboard.errors import Reason, UserError
from dxboard.periods import Period, vn_now
from dxboard.registry import load_registry, normalise_code
from dxboard.store import Store
from dxboard.store import accounts as rows
from dxboard.store.audit import record_event

ROLES = ("admin", "analyst", "leader", "officer")

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


class AuthError(UserError):
    """A refused sign-in. ``cause`` (kept in the audit log): ``wrong_password``,
    ``unknown_user``, ``disabled``, ``rate_limited`` or ``bad_claim``. A wrong password and an
    unknown user give the same reason and message on purpose."""

    def __init__(self, cause: str, reason: Reason, key: str | None = None, **params: Any) -> None:
        self.cause = cause
        super().__init__(reason, key, **params)


class AccountError(UserError):
    """An account change that cannot be made (bad role, short password, unknown user, ...)."""


@dataclass(frozen=True)
class User:
    """A signed-in account. ``province_code`` (with ``province_era`` 'current') only for officers.

    ``can_download``, ``can_review`` and ``is_admin`` are properties; ``can_upload``,
    ``can_restore`` and ``can_see_evidence`` take the province code (of the period's era) and the
    period.
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
    def can_review(self) -> bool:
        """Whether the account may approve, return and reopen reports (analyst, admin)."""
        return self.role in ("admin", "analyst") and not self.disabled

    def can_see_evidence(self, province_code: str, period: str | Period) -> bool:
        """Reviewers, and the officers of the province, may download its evidence."""
        return self.can_review or (
            self.role == "officer" and self.can_upload(province_code, period)
        )

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
        raise AccountError(Reason.PASSWORD_RULES, length=MIN_PASSWORD_LENGTH)


# --- accounts --------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise AccountError(Reason.ACCOUNT, "account_bad_username", username=username)
    return name


def _check_role(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise AccountError(Reason.ACCOUNT, "account_unknown_role", role=role, roles=list(ROLES))
    return role


def resolve_officer_province(province: str) -> str:
    """A CURRENT province code from a code or any spelling; a legacy name says what it became
    (:class:`dxboard.registry.ProvinceMatchError`)."""
    return load_registry().match(str(province), era="current").code


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
            raise AccountError(Reason.ACCOUNT, "account_officer_needs_province")
        code: str | None = resolve_officer_province(province)
        era: str | None = "current"
    else:
        if province:
            raise AccountError(Reason.ACCOUNT, "account_province_only_officers")
        code = era = None
    row = rows.UserRow(name, role, display_name, code, era, False, hash_password(password))
    if not rows.insert_user(store, row, now or vn_now(), actor):
        raise AccountError(Reason.ACCOUNT, "account_exists", username=name)
    return User(name, role, display_name, code, era)


def _user(row: rows.UserRow) -> User:
    return User(*row[:6])


def get_user(store: Store, username: str) -> User | None:
    row = rows.find_user(store, normalise_username(username))
    return _user(row) if row else None


def list_users(store: Store) -> list[User]:
    return [_user(r) for r in rows.all_users(store)]


def has_accounts(store: Store) -> bool:
    return rows.count_users(store) > 0


def set_disabled(store: Store, username: str, disabled: bool, *, actor: str = "system") -> User:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    name = normalise_username(username)
    action = "user_disabled" if disabled else "user_enabled"
    if not rows.update_user(store, name, actor, action, disabled=bool(disabled)):
        raise _unknown_account(name)
    user = get_user(store, name)
    assert user is not None
    return user


def set_password(store: Store, username: str, password: str, *, actor: str = "system") -> None:
    check_password_rules(password)
    name = normalise_username(username)
    changed = rows.update_user(
        store, name, actor, "password_changed", password_hash=hash_password(password)
    )
    if not changed:
        raise _unknown_account(name)


def _unknown_account(name: str) -> AccountError:
    return AccountError(Reason.ACCOUNT, "account_unknown", username=name)


# --- sign-in ---------------------------------------------------------------------------------


def locked_until(store: Store, username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on ``username`` lifts, or None when it is not locked."""
    now = now or vn_now()
    window = timedelta(minutes=LOCK_MINUTES)
    failures = rows.recent_failures(store, normalise_username(username), now - window, now)
    if len(failures) < MAX_FAILURES:
        return None
    return failures[MAX_FAILURES - 1] + window


def authenticate(store: Store, username: str, password: str, now: datetime | None = None) -> User:
    """The account for ``username`` and ``password``, or :class:`AuthError`; every attempt is
    recorded (``login_attempts`` and ``events``)."""
    now = now or vn_now()
    name = normalise_username(username)
    until = locked_until(store, name, now)
    if until is not None:
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        _record(store, name, now, None, "rate_limited")
        raise AuthError("rate_limited", Reason.RATE_LIMITED, minutes=minutes)
    row = rows.find_user(store, name)
    if row is None:
        verify_password(password, _DUMMY_HASH)  # same work as for a real account
        _record(store, name, now, False, "unknown_user")
        raise AuthError("unknown_user", Reason.BAD_LOGIN)
    if not verify_password(password, row.password_hash):
        _record(store, name, now, False, "wrong_password")
        raise AuthError("wrong_password", Reason.BAD_LOGIN)
    if row.disabled:
        _record(store, name, now, False, "disabled")
        raise AuthError("disabled", Reason.ACCOUNT_DISABLED)
    _record(store, name, now, True, None)
    return _user(row)


def _record(store: Store, name: str, now: datetime, ok: bool | None, cause: str | None) -> None:
    """``ok`` None: refused without checking the password (not counted as a failure)."""
    detail: dict[str, Any] = {"username": name, "method": "password"}
    if cause:
        detail["reason"] = cause
    rows.record_attempt(store, name, now, ok, detail)


def record_login(store: Store, user: User, method: str = "oidc") -> None:
    """Log a sign-in that happened elsewhere (``st.login`` with an OIDC provider)."""
    record_event(
        store,
        user.username,
        "login",
        username=user.username,
        method=method,
        role=user.role,
        province=user.province_code,
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
    return AuthError("bad_claim", Reason.BAD_CLAIM, claim=claim_name, value=repr(value))
