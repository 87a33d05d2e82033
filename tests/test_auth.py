"""Accounts and roles: password hashes, sign-in and its rate limit, the audit log, OIDC claims,
the province rule enforced by ingest and restore, and the ``dxboard user``/``audit`` commands."""

from __future__ import annotations

import base64
import csv
import hmac
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import dxboard.auth as auth
from cli.main import main
from dxboard.auth import (
    AccountError,
    AuthError,
    User,
    authenticate,
    create_user,
    get_user,
    hash_password,
    role_from_claims,
    set_disabled,
    set_password,
    user_from_claims,
    verify_password,
    viewing_requires_login,
)
from dxboard.errors import Reason, UserError
from dxboard.i18n import t
from dxboard.store import Store
from dxboard.store.audit import audit_log
from loaders.ingest import RestoreRefused, ingest_bytes, restore
from loaders.writers import write_bulk
from tests.helpers import DATA_TABLES, good_template, good_values, store_snapshot

pytestmark = pytest.mark.backends

PASSWORD = "correct horse battery"
TODAY = date(2026, 6, 1)
T0 = datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture()
def store() -> Store:
    return Store()


def _actions(store: Store) -> list[str]:
    rows = store.cursor().execute("SELECT action FROM events ORDER BY id").fetchall()
    return [r[0] for r in rows]


def _bulk(rows: list[tuple[str, str]], **overrides: object) -> bytes:
    """A bulk table with one complete row per (province code, period); yes/no as 1/0."""
    values = {
        k: (1 if v == "Có" else 0 if v == "Không" else v)
        for k, v in {**good_values(), **overrides}.items()
    }
    return write_bulk([{"province": code, "period": period, **values} for code, period in rows])


# --- passwords -------------------------------------------------------------------------------


def test_password_hash_is_salted_scrypt_in_the_documented_format() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert first != second  # a fresh salt every time
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "x", first)
    assert not verify_password(PASSWORD, "md5$abc") and not verify_password(PASSWORD, "garbage")


def test_password_check_uses_a_constant_time_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert verify_password(PASSWORD, hash_password(PASSWORD))
    assert len(calls) == 1


# --- accounts --------------------------------------------------------------------------------


def test_create_user_and_sign_in(store: Store) -> None:
    created = create_user(
        store, " An.Nguyen ", PASSWORD, "analyst", display_name="Nguyễn An", actor="root"
    )
    assert created == User("an.nguyen", "analyst", "Nguyễn An")
    row = (
        store.cursor()
        .execute("SELECT role, province_code, password_hash, disabled FROM users")
        .fetchone()
    )
    assert row[0] == "analyst" and row[1] is None and row[3] is False
    assert row[2].startswith("scrypt$") and verify_password(PASSWORD, row[2])
    user = authenticate(store, "AN.NGUYEN", PASSWORD, now=T0)
    assert user.username == "an.nguyen" and user.can_download and not user.is_admin
    assert _actions(store) == ["user_created", "login"]
    actor, detail = (
        store.cursor()
        .execute("SELECT actor, detail FROM events WHERE action = 'user_created'")
        .fetchone()
    )
    assert actor == "root" and json.loads(detail)["role"] == "analyst"
    assert store.cursor().execute(
        "SELECT username, at_time, ok FROM login_attempts"
    ).fetchall() == [("an.nguyen", T0, True)]


def test_wrong_password_and_unknown_user_look_the_same(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")
    with pytest.raises(AuthError) as wrong:
        authenticate(store, "lan", "not the password", now=T0)
    with pytest.raises(AuthError) as unknown:
        authenticate(store, "nobody", PASSWORD, now=T0)
    assert (wrong.value.cause, unknown.value.cause) == ("wrong_password", "unknown_user")
    assert wrong.value.reason == unknown.value.reason == Reason.BAD_LOGIN
    assert wrong.value.message_vi == unknown.value.message_vi
    assert wrong.value.message_en == unknown.value.message_en
    assert "không đúng" in wrong.value.message_vi
    assert _actions(store) == ["user_created", "login_failed", "login_failed"]
    reasons = [
        json.loads(r[0])["reason"]
        for r in store.cursor()
        .execute("SELECT detail FROM events WHERE action = 'login_failed' ORDER BY id")
        .fetchall()
    ]
    assert reasons == ["wrong_password", "unknown_user"]


def test_disabled_account_cannot_sign_in_until_enabled(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")
    assert set_disabled(store, "lan", True, actor="root").disabled
    with pytest.raises(AuthError) as info:
        authenticate(store, "lan", PASSWORD, now=T0)
    assert info.value.cause == "disabled"
    with pytest.raises(AuthError) as info:  # the wrong password says nothing about the state
        authenticate(store, "lan", "not the password", now=T0)
    assert info.value.cause == "wrong_password"
    set_disabled(store, "lan", False, actor="root")
    assert authenticate(store, "lan", PASSWORD, now=T0 + timedelta(minutes=1)).role == "leader"
    assert _actions(store) == [
        "user_created",
        "user_disabled",
        "login_failed",
        "login_failed",
        "user_enabled",
        "login",
    ]


def test_set_password(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")
    with pytest.raises(AccountError):
        set_password(store, "lan", "short")
    set_password(store, "lan", "a new long password", actor="root")
    with pytest.raises(AuthError):
        authenticate(store, "lan", PASSWORD, now=T0)
    assert authenticate(store, "lan", "a new long password", now=T0).username == "lan"
    with pytest.raises(AccountError):
        set_password(store, "ghost", "a new long password")
    assert "password_changed" in _actions(store)


def test_five_failures_lock_the_account_for_fifteen_minutes(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")
    for minute in range(5):
        with pytest.raises(AuthError) as info:
            authenticate(store, "lan", "wrong password!", now=T0 + timedelta(minutes=minute))
        assert info.value.cause == "wrong_password"
    # locked: even the right password is refused, without counting as a failure
    for at in (T0 + timedelta(minutes=5), T0 + timedelta(minutes=14, seconds=59)):
        with pytest.raises(AuthError) as info:
            authenticate(store, "lan", PASSWORD, now=at)
        assert info.value.cause == "rate_limited"
        assert "phút" in info.value.message_vi and "minutes" in info.value.message_en
    assert authenticate(store, "lan", PASSWORD, now=T0 + timedelta(minutes=15)).username == "lan"
    n_failed = (
        store.cursor().execute("SELECT count(*) FROM login_attempts WHERE NOT ok").fetchone()[0]
    )
    assert n_failed == 5
    reasons = [
        json.loads(r[0]).get("reason")
        for r in store.cursor()
        .execute("SELECT detail FROM events WHERE action LIKE 'login%' ORDER BY id")
        .fetchall()
    ]
    assert reasons == ["wrong_password"] * 5 + ["rate_limited"] * 2 + [None]


def test_a_success_resets_the_count_and_old_failures_expire(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")

    def fail(at: datetime) -> None:
        with pytest.raises(AuthError) as info:
            authenticate(store, "lan", "wrong password!", now=at)
        assert info.value.cause == "wrong_password"

    for minute in range(4):
        fail(T0 + timedelta(minutes=minute))
    authenticate(store, "lan", PASSWORD, now=T0 + timedelta(minutes=4))
    for minute in range(5, 9):
        fail(T0 + timedelta(minutes=minute))
    assert authenticate(store, "lan", PASSWORD, now=T0 + timedelta(minutes=9))
    # failures spread over more than 15 minutes never reach five in the window
    for minute in range(10, 60, 4):
        fail(T0 + timedelta(minutes=minute))


def test_unknown_names_are_rate_limited_too(store: Store) -> None:
    for second in range(5):
        with pytest.raises(AuthError):
            authenticate(store, "ghost", PASSWORD, now=T0 + timedelta(seconds=second))
    with pytest.raises(AuthError) as info:
        authenticate(store, "ghost", PASSWORD, now=T0 + timedelta(minutes=1))
    assert info.value.cause == "rate_limited"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"role": "officer"}, "province"),
        ({"role": "officer", "province": "Yên Bái"}, "Lào Cai"),  # legacy: names what it became
        ({"role": "officer", "province": "Atlantis"}, "Atlantis"),
        ({"role": "analyst", "province": "92"}, "officer"),
        ({"role": "root"}, "root"),
        ({"role": "leader", "password": "short"}, "10"),
        ({"role": "leader", "username": "a b"}, "a b"),
    ],
)
def test_account_rules(store: Store, kwargs: dict, needle: str) -> None:
    args = {"username": "someone", "password": PASSWORD, **kwargs}
    with pytest.raises(UserError) as info:  # AccountError, or the registry's for a province
        create_user(store, **args)
    assert needle in info.value.message_en
    assert store.cursor().execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_duplicate_username_is_refused(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader")
    with pytest.raises(AccountError):
        create_user(store, "LAN", PASSWORD, "admin")
    assert get_user(store, "lan").role == "leader"


def test_officer_is_bound_to_a_current_province(store: Store) -> None:
    user = create_user(store, "ct", PASSWORD, "officer", province="Cần Thơ")
    assert (user.province_era, user.province_code) == ("current", "92")
    assert store.cursor().execute("SELECT province_era, province_code FROM users").fetchone() == (
        "current",
        "92",
    )


def test_permissions_by_role() -> None:
    admin, analyst = User("a", "admin"), User("b", "analyst")
    leader = User("c", "leader")
    can_tho = User("d", "officer", province_code="92", province_era="current")
    lao_cai = User("e", "officer", province_code="15", province_era="current")
    assert admin.is_admin and admin.can_download and admin.can_upload("01", "2024-Q1")
    assert admin.can_restore("79", "2025-Q4")
    assert analyst.can_download and not analyst.can_upload("01", "2024-Q1")
    assert not analyst.is_admin
    assert not leader.can_download and not leader.can_upload("01", "2025-Q4")
    assert not leader.can_restore("01", "2025-Q4")
    assert not can_tho.can_download and not can_tho.is_admin
    assert can_tho.can_upload("92", "2025-Q4") and can_tho.can_restore("92", "2025-Q3")
    assert not can_tho.can_upload("01", "2025-Q4")
    # before the merger: the legacy provinces merged into Cần Thơ (Hậu Giang 93, Sóc Trăng 94)
    assert [can_tho.can_upload(c, "2024-Q2") for c in ("92", "93", "94", "95")] == [
        True,
        True,
        True,
        False,
    ]
    assert not can_tho.can_upload("93", "2025-Q4")
    # current 15 is Lào Cai; legacy 15 is Yên Bái, which merged into it
    assert lao_cai.can_upload("15", "2024-Q1") and lao_cai.can_upload("10", "2024-Q1")
    assert lao_cai.can_upload("15", "2026-Q1") and not lao_cai.can_upload("10", "2026-Q1")
    disabled = User("f", "officer", province_code="92", province_era="current", disabled=True)
    assert not disabled.can_upload("92", "2025-Q4")
    assert not User("g", "admin", disabled=True).can_download


# --- settings, OIDC, audit log ---------------------------------------------------------------


def test_viewing_requires_login_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DXBOARD_VIEW_LOGIN", raising=False)
    assert viewing_requires_login() is False
    for value, expected in (
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("0", False),
        ("no", False),
        ("", False),
    ):
        monkeypatch.setenv("DXBOARD_VIEW_LOGIN", value)
        assert viewing_requires_login() is expected, value


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"dxboard_role": "officer:92"}, ("officer", "92")),
        ({"dxboard_role": " Officer:1 "}, ("officer", "01")),
        ({"dxboard_role": "analyst"}, ("analyst", None)),
        ({"dxboard_role": ["leader"]}, ("leader", None)),
        ({"dxboard_role": "admin"}, ("admin", None)),
    ],
)
def test_role_from_claims(claims: dict, expected: tuple) -> None:
    assert role_from_claims(claims) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "root",
        "officer",
        "officer:93",
        "officer:xx",
        "analyst:92",
        ["leader", "admin"],
        7,
    ],
)
def test_role_from_claims_refuses_bad_values(value: object) -> None:
    with pytest.raises(AuthError) as info:
        role_from_claims({"dxboard_role": value} if value is not None else {})
    assert info.value.cause == "bad_claim"


def test_role_from_custom_claim_and_user_from_claims() -> None:
    assert role_from_claims({"roles": "leader", "dxboard_role": "admin"}, "roles") == (
        "leader",
        None,
    )
    user = user_from_claims(
        {"email": "Lan@Example.vn", "name": "Trần Lan", "sub": "x", "dxboard_role": "officer:92"}
    )
    assert user == User("lan@example.vn", "officer", "Trần Lan", "92", "current")


def test_audit_log_newest_first_with_limit(store: Store) -> None:
    create_user(store, "lan", PASSWORD, "leader", actor="root")
    set_disabled(store, "lan", True, actor="root")
    with pytest.raises(AuthError):
        authenticate(store, "lan", "wrong password!", now=T0)
    df = audit_log(store)
    assert list(df["action"]) == ["login_failed", "user_disabled", "user_created"]
    assert list(df.columns) == [
        "id",
        "at_time",
        "actor",
        "action",
        "upload_id",
        "submission_id",
        "detail",
    ]
    assert list(df["actor"]) == ["lan", "root", "root"]
    assert json.loads(df["detail"].iloc[1]) == {"username": "lan"}
    assert list(audit_log(store, limit=1)["action"]) == ["login_failed"]


# --- the province rule in ingest and restore -------------------------------------------------


@pytest.fixture()
def users(store: Store) -> dict[str, User]:
    return {
        "admin": create_user(store, "admin", PASSWORD, "admin"),
        "analyst": create_user(store, "analyst", PASSWORD, "analyst"),
        "leader": create_user(store, "leader", PASSWORD, "leader"),
        "ct": create_user(store, "ct", PASSWORD, "officer", province="92"),
    }


def _upload_events(store: Store) -> list[tuple[str, str, dict]]:
    return [
        (a, b, json.loads(c))
        for a, b, c in store.cursor()
        .execute("SELECT actor, action, detail FROM events WHERE action LIKE 'upload%' ORDER BY id")
        .fetchall()
    ]


def test_officer_uploads_for_own_province_and_its_legacy_parts(
    store: Store, users: dict[str, User]
) -> None:
    ct = users["ct"]
    for province, period in (
        ("Cần Thơ", "2025-Q4"),
        ("Hậu Giang", "2024-Q2"),
        ("Sóc Trăng", "2025-Q1"),
        ("Cần Thơ", "2024-Q2"),
    ):
        result = ingest_bytes(
            store, good_template(province, period), "t.xlsx", user=ct, today=TODAY
        )
        assert result.status == "accepted", (province, [p.message_en for p in result.errors])
    actors = {r[0] for r in store.cursor().execute("SELECT actor FROM uploads").fetchall()}
    assert actors == {"ct"}  # actor defaults to the username
    assert [e[1] for e in _upload_events(store)] == ["upload"] * 4
    bulk = _bulk([("92", "2024-Q3"), ("93", "2024-Q3"), ("94", "2024-Q3")])
    result = ingest_bytes(store, bulk, "bulk.xlsx", user=ct, today=TODAY, actor="ct via api")
    assert result.status == "accepted" and len(result.submission_ids) == 3
    assert store.cursor().execute("SELECT actor FROM uploads ORDER BY id DESC").fetchone() == (
        "ct via api",
    )


def test_officer_template_for_another_province_is_refused(
    store: Store, users: dict[str, User]
) -> None:
    before = store_snapshot(store, DATA_TABLES)
    result = ingest_bytes(
        store, good_template("Đà Nẵng", "2024-Q2"), "dn.xlsx", user=users["ct"], today=TODAY
    )
    assert result.status == "rejected" and result.reports == [] and result.upload_id
    (problem,) = result.errors
    assert problem.reason == Reason.NOT_YOUR_PROVINCE
    assert (problem.sheet, problem.cell, problem.field) == ("Báo cáo", "D2", "province")
    assert "Đà Nẵng" in problem.message_vi and "Cần Thơ" in problem.message_vi
    assert "Hậu Giang" in problem.message_en and "Sóc Trăng" in problem.message_en
    assert store_snapshot(store, DATA_TABLES) == before
    assert store.cursor().execute(
        "SELECT status, actor, province_code FROM uploads"
    ).fetchall() == [("rejected", "ct", "48")]
    ((actor, action, detail),) = _upload_events(store)
    assert (actor, action) == ("ct", "upload_refused")
    assert detail["found"] == ["48 2024-Q2"] and detail["allowed"] == "92"


def test_officer_bulk_with_one_foreign_row_is_refused_whole(
    store: Store, users: dict[str, User]
) -> None:
    before = store_snapshot(store, DATA_TABLES)
    bulk = _bulk([("92", "2025-Q4"), ("01", "2025-Q4"), ("92", "2025-Q3")])
    result = ingest_bytes(store, bulk, "bulk.xlsx", user=users["ct"], today=TODAY)
    assert result.status == "rejected"
    (problem,) = result.errors
    assert problem.reason == Reason.NOT_YOUR_PROVINCE and problem.where == "Dữ liệu!3"
    assert "Hà Nội" in problem.message_vi and "(mã 92)" in problem.message_vi
    assert store_snapshot(store, DATA_TABLES) == before  # not even the allowed rows
    assert [e[1] for e in _upload_events(store)] == ["upload_refused"]


def test_a_current_code_in_a_legacy_period_is_not_enough(
    store: Store, users: dict[str, User]
) -> None:
    """Current 15 is Lào Cai, legacy 15 Yên Bái: Lào Cai's officer may load Yên Bái 2024 (it
    merged into Lào Cai) but Cần Thơ's officer may not load legacy 15."""
    lao_cai = create_user(store, "lc", PASSWORD, "officer", province="Lào Cai")
    bulk = _bulk([("15", "2024-Q2")])
    assert ingest_bytes(store, bulk, "b.xlsx", user=users["ct"], today=TODAY).status == "rejected"
    assert ingest_bytes(store, bulk, "b.xlsx", user=lao_cai, today=TODAY).status == "accepted"


@pytest.mark.parametrize("role", ["leader", "analyst"])
def test_reading_roles_cannot_upload(store: Store, users: dict[str, User], role: str) -> None:
    before = store_snapshot(store, DATA_TABLES)
    result = ingest_bytes(
        store, good_template("Cần Thơ", "2025-Q4"), "t.xlsx", user=users[role], today=TODAY
    )
    assert result.status == "rejected"
    (problem,) = result.errors
    assert problem.reason == Reason.ROLE and t(f"login.role_{role}", "en") in problem.message_en
    assert store_snapshot(store, DATA_TABLES) == before
    assert [e[1] for e in _upload_events(store)] == ["upload_refused"]


def test_a_disabled_officer_cannot_upload(store: Store, users: dict[str, User]) -> None:
    ct = set_disabled(store, "ct", True)
    result = ingest_bytes(
        store, good_template("Cần Thơ", "2025-Q4"), "t.xlsx", user=ct, today=TODAY
    )
    assert result.status == "rejected" and "disabled" in result.errors[0].message_en
    assert result.errors[0].reason == Reason.ACCOUNT_DISABLED


def test_refused_dry_run_writes_nothing(store: Store, users: dict[str, User]) -> None:
    before = store_snapshot(store, ("uploads", "events", *DATA_TABLES))
    result = ingest_bytes(
        store,
        good_template("Đà Nẵng", "2024-Q2"),
        "t.xlsx",
        user=users["ct"],
        today=TODAY,
        dry_run=True,
    )
    assert result.status == "rejected" and result.errors[0].reason == Reason.NOT_YOUR_PROVINCE
    assert store_snapshot(store, ("uploads", "events", *DATA_TABLES)) == before


def test_admin_and_no_user_upload_anything(store: Store, users: dict[str, User]) -> None:
    data = good_template("Đà Nẵng", "2024-Q2")
    assert (
        ingest_bytes(store, data, "t.xlsx", user=users["admin"], today=TODAY).status == "accepted"
    )
    assert (
        ingest_bytes(
            store,
            good_template("Đà Nẵng", "2024-Q2", it_budget=300),
            "t.xlsx",
            actor="cli",
            today=TODAY,
        ).status
        == "accepted"
    )
    assert [
        r[0] for r in store.cursor().execute("SELECT actor FROM uploads ORDER BY id").fetchall()
    ] == ["admin", "cli"]


def test_restore_follows_the_upload_rule(store: Store, users: dict[str, User]) -> None:
    ct, admin = users["ct"], users["admin"]
    first = ingest_bytes(
        store, good_template("Cần Thơ", "2025-Q4"), "a.xlsx", user=ct, today=TODAY
    ).submission_ids[0]
    ingest_bytes(
        store, good_template("Cần Thơ", "2025-Q4", it_budget=300), "b.xlsx", user=ct, today=TODAY
    )
    other = ingest_bytes(
        store, good_template("Đà Nẵng", "2025-Q4"), "c.xlsx", user=admin, today=TODAY
    ).submission_ids[0]
    ingest_bytes(
        store, good_template("Đà Nẵng", "2025-Q4", it_budget=300), "d.xlsx", user=admin, today=TODAY
    )
    assert restore(store, first, user=ct).replaced == {first: first + 1}
    before = store_snapshot(store, DATA_TABLES)
    with pytest.raises(RestoreRefused) as info:
        restore(store, other, user=ct)
    assert "Đà Nẵng" in info.value.message_en and "Đà Nẵng" in info.value.message_vi
    assert store_snapshot(store, DATA_TABLES) == before
    with pytest.raises(RestoreRefused):
        restore(store, first + 1, user=users["leader"])
    rows = (
        store.cursor()
        .execute(
            "SELECT actor, action, submission_id FROM events WHERE action LIKE 'restore%' "
            "ORDER BY id"
        )
        .fetchall()
    )
    assert rows == [
        ("ct", "restore", first),
        ("ct", "restore_refused", other),
        ("leader", "restore_refused", first + 1),
    ]
    assert restore(store, other, user=admin).replaced == {other: other + 1}


# --- the command line ------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_cli_user_add_list_disable_enable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert (
        main(
            [
                "user",
                "add",
                "ct",
                "--role",
                "officer",
                "--province",
                "Cần Thơ",
                "--name",
                "Cán bộ Cần Thơ",
                "--password-stdin",
            ]
        )
        == 0
    )
    assert "ct: officer, tỉnh 92" in capsys.readouterr().out
    _stdin(monkeypatch, "short\n")
    assert main(["user", "add", "lan", "--role", "leader", "--password-stdin"]) == 1
    assert "10" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["user", "add", "lan", "--role", "boss", "--password-stdin"])
    assert info.value.code == 2
    assert main(["user", "disable", "ct"]) == 0
    assert main(["user", "disable", "ghost"]) == 1
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "ct" in out and "vô hiệu" in out and "Cán bộ Cần Thơ" in out and "lan" not in out
    with Store() as store, pytest.raises(AuthError) as info:
        authenticate(store, "ct", PASSWORD)
    assert info.value.cause == "disabled"
    assert main(["user", "enable", "ct"]) == 0
    with Store() as store:
        assert authenticate(store, "ct", PASSWORD).province_code == "92"
        assert _actions(store) == [
            "user_created",
            "user_disabled",
            "login_failed",
            "user_enabled",
            "login",
        ]


def test_cli_user_add_prompts_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD, PASSWORD, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "boss", "--role", "admin"]) == 0
    assert main(["user", "add", "boss2", "--role", "admin"]) == 2  # the two entries differ
    with Store() as store:
        assert [u.username for u in auth.list_users(store)] == ["boss"]


def test_cli_audit_print_and_safe_export(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert (
        main(
            [
                "user",
                "add",
                "lan",
                "--role",
                "leader",
                "--password-stdin",
                "--actor",
                '=HYPERLINK("http://x")',
            ]
        )
        == 0
    )
    assert main(["user", "disable", "lan"]) == 0
    capsys.readouterr()
    assert main(["audit", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "user_disabled" in out and "user_created" not in out
    target = tmp_path / "audit.csv"
    assert main(["audit", "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r["action"] for r in rows] == ["user_disabled", "user_created"]
    assert rows[1]["actor"] == '\'=HYPERLINK("http://x")'
    assert main(["audit", "--format", "xlsx"]) == 2  # --format needs -o
