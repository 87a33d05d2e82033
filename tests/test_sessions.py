"""Sign-in tokens (``dxboard.sessions``): signed, expiring, and dead with the account."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from dxboard.auth import create_user, set_disabled, set_password
from dxboard.sessions import LIFETIME, demo_user, issue, restore
from dxboard.store import Store
from dxboard.store.accounts import session_secret

pytestmark = pytest.mark.backends

PASSWORD = "correct horse battery"
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture()
def store() -> Store:
    return Store()


def _officer(store: Store) -> str:
    create_user(store, "hoa", PASSWORD, "officer", province="Đà Nẵng")
    token = issue(store, _get(store, "hoa"), NOW)
    assert token
    return token


def _get(store: Store, name: str):  # type: ignore[no-untyped-def]
    from dxboard.auth import get_user

    user = get_user(store, name)
    assert user is not None
    return user


def test_a_token_restores_the_account_from_the_database(store: Store) -> None:
    token = _officer(store)
    user = restore(store, token, NOW + timedelta(hours=1))
    assert user is not None
    assert (user.username, user.role, user.province_code) == ("hoa", "officer", "48")


def test_the_secret_is_made_once_and_kept(store: Store) -> None:
    first = session_secret(store)
    assert len(first) == 64
    assert session_secret(store) == first
    assert session_secret(Store()) == first


def test_an_expired_token_is_refused(store: Store) -> None:
    token = _officer(store)
    assert restore(store, token, NOW + LIFETIME - timedelta(seconds=1)) is not None
    assert restore(store, token, NOW + LIFETIME) is None


def _tamper(token: str, **changes: object) -> str:
    payload, _, signature = token.partition(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{raw}.{signature}"


@pytest.mark.parametrize(
    "changes", [{"r": "admin"}, {"u": "root"}, {"e": 4_102_444_800}, {"k": "demo"}]
)
def test_a_changed_payload_is_refused(store: Store, changes: dict) -> None:
    assert restore(store, _tamper(_officer(store), **changes), NOW) is None


@pytest.mark.parametrize("bad", ["", "x", "abc.def", "a.b.c", "☃.☃"])
def test_garbage_is_refused(store: Store, bad: str) -> None:
    assert restore(store, bad, NOW) is None


def test_a_token_signed_with_another_secret_is_refused(store: Store) -> None:
    token = _officer(store)
    with store.write() as cur:
        cur.execute("UPDATE meta SET value = 'other' WHERE key = 'session_secret'")
    assert restore(store, token, NOW) is None


def test_disabling_the_account_or_changing_its_password_ends_the_session(store: Store) -> None:
    token = _officer(store)
    set_disabled(store, "hoa", True)
    assert restore(store, token, NOW) is None
    set_disabled(store, "hoa", False)
    assert restore(store, token, NOW) is not None
    set_password(store, "hoa", "another long password")
    assert restore(store, token, NOW) is None


def test_the_role_comes_from_the_database_not_the_token(store: Store) -> None:
    token = _officer(store)
    with store.write() as cur:
        cur.execute("UPDATE users SET role = 'leader', province_code = NULL WHERE username = 'hoa'")
    user = restore(store, token, NOW)
    assert user is not None and user.role == "leader"


def test_demo_tokens_give_the_demo_account(store: Store) -> None:
    token = issue(store, demo_user("officer", "48"), NOW)
    assert token
    assert restore(store, token, NOW) == demo_user("officer", "48")
    assert restore(store, _tamper(token, r="admin", p=None), NOW) is None
