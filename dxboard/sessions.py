"""Sign-in that survives a page reload: a signed, expiring token kept in a browser cookie.

A token is ``<payload>.<signature>``: the payload is URL-safe base64 of a small JSON object
(``u`` username, ``r`` role, ``p`` province code, ``k`` kind ``local`` or ``demo``, ``e`` expiry
as a Unix time, ``f`` a fingerprint of the password hash for local accounts); the signature is
HMAC-SHA256 of the payload with the server secret (``meta.session_secret``, made on first use by
:func:`dxboard.store.accounts.session_secret`). :func:`restore` accepts a token only when the
signature matches, it has not expired, and — for a local account — the account still exists,
is not disabled and has the same password (a password change or a disabled account ends every
session). The role and province come from the database, never from the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dxboard.auth import ROLES, User
from dxboard.registry import load_registry
from dxboard.store import Store
from dxboard.store import accounts as rows

COOKIE = "dxboard_session"
LIFETIME = timedelta(hours=12)
DEMO_PREFIX = "demo:"
"""Usernames of demo roles (never a valid account name, which has no colon)."""


@dataclass(frozen=True)
class Claims:
    """What a valid token says."""

    username: str
    role: str
    province_code: str | None
    kind: str
    expires: int
    fingerprint: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def fingerprint(secret: str, password_hash: str) -> str:
    """A short keyed digest of a password hash: changes when the password does."""
    return _sign(secret, "pw:" + password_hash)[:16]


def _epoch(now: datetime | None) -> int:
    return int((now or datetime.now(UTC)).timestamp())


def encode(secret: str, claims: Claims) -> str:
    body = {
        "u": claims.username,
        "r": claims.role,
        "p": claims.province_code,
        "k": claims.kind,
        "e": claims.expires,
        "f": claims.fingerprint,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def decode(secret: str, token: str, now: datetime | None = None) -> Claims | None:
    """The claims of ``token`` when its signature is right and it has not expired, else None."""
    payload, dot, signature = (token or "").strip().partition(".")
    expected = _sign(secret, payload).encode()
    if not dot or not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        return None
    try:
        body = json.loads(_unb64(payload))
        claims = Claims(
            str(body["u"]),
            str(body["r"]),
            body["p"] if body["p"] is None else str(body["p"]),
            str(body["k"]),
            int(body["e"]),
            str(body["f"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return claims if claims.expires > _epoch(now) else None


def issue(store: Store, user: User, now: datetime | None = None) -> str | None:
    """A token for ``user``, or None for an account that cannot be remembered (single sign-on
    accounts: the provider's own cookie keeps them signed in)."""
    secret = rows.session_secret(store)
    expires = _epoch(now) + int(LIFETIME.total_seconds())
    if user.username.startswith(DEMO_PREFIX):
        kind, print_ = "demo", ""
    else:
        row = rows.find_user(store, user.username)
        if row is None:
            return None
        kind, print_ = "local", fingerprint(secret, row.password_hash)
    claims = Claims(user.username, user.role, user.province_code, kind, expires, print_)
    return encode(secret, claims)


def restore(store: Store, token: str, now: datetime | None = None) -> User | None:
    """The account a cookie's token stands for, or None (bad, expired, account gone, disabled
    or password changed). Demo tokens give a demo account: the caller checks that demo roles
    are still offered."""
    secret = rows.session_secret(store)
    claims = decode(secret, token, now)
    if claims is None:
        return None
    if claims.kind == "demo":
        if claims.role not in ROLES or (claims.role == "officer") != bool(claims.province_code):
            return None
        try:
            return demo_user(claims.role, claims.province_code)
        except KeyError:
            return None
    row = rows.find_user(store, claims.username)
    if row is None or row.disabled:
        return None
    current = fingerprint(secret, row.password_hash).encode()
    if not hmac.compare_digest(current, claims.fingerprint.encode("utf-8", "replace")):
        return None
    return User(*row[:6])


def demo_user(role: str, code: str | None) -> User:
    """A session-only demo account (no password); its name reads the same in both languages."""
    name = "Demo"
    if code:
        name = f"Demo — {load_registry().get(code, 'current').short_name}"
    username = f"{DEMO_PREFIX}{role}" + (f":{code}" if code else "")
    return User(
        username=username,
        role=role,
        display_name=name,
        province_code=code,
        province_era="current" if code else None,
    )
