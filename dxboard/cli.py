"""Command line: ``dxboard init | template | ingest | export | demo | history | restore | user |
audit | backup | restore-db``.

Exit codes: 0 success; 1 a file was rejected (ingest) or an operation failed; 2 usage error.
The database path comes from ``$DXBOARD_DB`` (default ``var/dxboard.duckdb``) or ``--db``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from dxboard.auth import AccountError
from dxboard.backup import BackupError
from dxboard.periods import Period, PeriodError
from dxboard.registry import ProvinceMatchError, load_registry
from dxboard.store import Store, StoreBusyError

if TYPE_CHECKING:
    from loaders.ingest import IngestResult

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}
INGEST_WORKERS = min(2, os.cpu_count() or 1)
"""Processes reading files for ``dxboard ingest`` from 16 files on: two were ≈ 20 % faster
than one on 500 templates, even on a busy 2-core machine (docs/BENCHMARKS.md, section 1)."""


class UsageError(Exception):
    """A command-line mistake: message printed, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"dxboard: {exc}", file=sys.stderr)
        return 2
    except StoreBusyError as exc:
        print(f"dxboard: {exc.message_vi}\n         {exc.message_en}", file=sys.stderr)
        return 1
    except (AccountError, BackupError) as exc:
        print(f"dxboard: {exc.message_vi}\n         {exc.message_en}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dxboard", description=__doc__.splitlines()[0])
    p.add_argument("--db", help="DuckDB file (default: $DXBOARD_DB or var/dxboard.duckdb)")
    sub = p.add_subparsers(metavar="COMMAND")

    c = sub.add_parser("init", help="create or migrate the database")
    c.set_defaults(func=cmd_init)

    c = sub.add_parser("template", help="write the Excel report template for a province/period")
    c.add_argument("province", help="province code or name, any spelling")
    c.add_argument("period", help="quarter, e.g. 2025-Q4")
    c.add_argument("-o", "--output", help="output file (default: template_<code>_<period>.xlsx)")
    c.set_defaults(func=cmd_template)

    c = sub.add_parser("ingest", help="validate and load report files or folders")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument(
        "--dry-run", action="store_true", help="validate and show changes; write nothing"
    )
    c.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    c.add_argument("--dataset", default="official", help="dataset label (default: official)")
    c.add_argument("--actor", default="cli", help="who is loading (recorded with each upload)")
    c.set_defaults(func=cmd_ingest)

    c = sub.add_parser("export", help="export raw values or indicators as CSV or Excel")
    c.add_argument("what", choices=["raw", "indicators"])
    c.add_argument("--period", required=True)
    c.add_argument("--basis", choices=["reported", "current"], default="reported")
    c.add_argument("--format", choices=["csv", "xlsx"], default=None)
    c.add_argument("-o", "--output", required=True)
    c.set_defaults(func=cmd_export)

    c = sub.add_parser("demo", help="load the synthetic demo data (idempotent)")
    c.set_defaults(func=cmd_demo)

    c = sub.add_parser("history", help="submission history of a province")
    c.add_argument("province")
    c.set_defaults(func=cmd_history)

    c = sub.add_parser("restore", help="make an earlier submission current again")
    c.add_argument("submission_id", type=int)
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=cmd_restore)

    c = sub.add_parser("user", help="local accounts: add, disable, enable, list")
    users = c.add_subparsers(metavar="ACTION")
    u = users.add_parser("add", help="add an account (password prompted or from stdin)")
    u.add_argument("username")
    u.add_argument("--role", required=True, choices=["admin", "analyst", "leader", "officer"])
    u.add_argument("--province", help="officers: their current province (code or name)")
    u.add_argument("--name", default="", help="display name")
    u.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    u.add_argument("--actor", default="cli")
    u.set_defaults(func=cmd_user_add)
    for action, disabled in (("disable", True), ("enable", False)):
        u = users.add_parser(action, help=f"{action} an account")
        u.add_argument("username")
        u.add_argument("--actor", default="cli")
        u.set_defaults(func=cmd_user_disable, disabled=disabled)
    u = users.add_parser("list", help="list the accounts")
    u.set_defaults(func=cmd_user_list)
    c.set_defaults(func=lambda args, user_parser=c: _help(user_parser))

    c = sub.add_parser("audit", help="the audit log (uploads, restores, sign-ins, accounts)")
    c.add_argument("--limit", type=int, default=500)
    c.add_argument("--format", choices=["csv", "xlsx"], default=None)
    c.add_argument("-o", "--output", help="write CSV or Excel instead of printing")
    c.set_defaults(func=cmd_audit)

    c = sub.add_parser("backup", help="write a consistent copy of the database to FILE")
    c.add_argument("file")
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=cmd_backup)

    c = sub.add_parser("restore-db", help="replace the database by a backup FILE")
    c.add_argument("file")
    c.add_argument("--force", action="store_true", help="replace an existing database")
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=cmd_restore_db)
    return p


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db) if args.db else Store()


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise UsageError(f"kỳ báo cáo không hợp lệ / invalid period: {text!r} ({exc})") from None


def cmd_init(args: argparse.Namespace) -> int:
    with _store(args) as store:
        print(
            f"{store.path}: schema v{store.schema_version()}, data version {store.data_version()}"
        )
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from loaders.template import build_template

    period = _period(args.period)
    try:
        province = load_registry().match(args.province, period=period)
    except ProvinceMatchError as exc:
        raise UsageError(f"{exc.message_vi} / {exc.message_en}") from None
    out = Path(args.output or f"template_{province.code}_{period}.xlsx")
    out.write_bytes(build_template(province, period))
    print(f"{out}: {province.name}, {period}")
    return 0


def iter_files(paths: Sequence[str]) -> Iterator[Path]:
    """Files named directly, and spreadsheets found under folders (sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SPREADSHEETS
            )
        elif path.is_file():
            yield path
        else:
            raise UsageError(f"không tìm thấy / not found: {raw}")


def cmd_ingest(args: argparse.Namespace) -> int:
    from loaders.batch import iter_ingest

    files = list(iter_files(args.paths))
    if not files:
        raise UsageError("không có tệp bảng tính nào / no spreadsheet files found")
    results = []
    progress = None if args.json else (lambda done, name: _progress(done, len(files), name))
    with _store(args) as store:
        # Read lazily: at most two batches of files are in memory at a time.
        items = ((path.name, path.read_bytes()) for path in files)
        for result in iter_ingest(
            store,
            items,
            actor=args.actor,
            dataset=args.dataset,
            dry_run=args.dry_run,
            progress=progress,
            workers=INGEST_WORKERS,
        ):
            if args.json:
                print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
            results.append(_slim(result))
    if not args.json:
        _summary(results)
    return 1 if any(r.status == "rejected" for r in results) else 0


def _slim(result: IngestResult) -> SimpleNamespace:
    """What the summary prints of a result, without its reports and changes (a bulk table of
    thousands of reports would otherwise stay in memory until the end)."""
    return SimpleNamespace(
        file_name=result.file_name,
        status=result.status,
        dry_run=result.dry_run,
        problems=result.problems,
        reports=range(len(result.reports)),
        changes=range(len(result.changes)),
    )


def _progress(done: int, total: int, name: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done == total else "\r"
    print(f"[{bar}] {done}/{total} {name[:40]:<40}", end=end, file=sys.stderr, flush=True)


_STATUS_VI = {"accepted": "chấp nhận", "rejected": "từ chối", "duplicate": "trùng lặp"}


def _summary(results: list) -> None:
    width = max(len(r.file_name) for r in results)
    for r in results:
        dry = " (thử / dry run)" if r.dry_run else ""
        print(
            f"{r.file_name:<{width}}  {_STATUS_VI[r.status]} / {r.status}{dry}  "
            f"reports={len(r.reports)} changes={len(r.changes)}"
        )
        for problem in r.problems:
            mark = "  ✗" if problem.severity == "error" else "  !"
            print(f"{mark} {problem.where or '-'} {problem.field}: {problem.message_vi}")
            print(f"    {'':<{len(problem.where or '-')}} {problem.message_en}")
    counts = {s: sum(r.status == s for r in results) for s in _STATUS_VI}
    print(
        f"Tổng / total: {len(results)} — "
        + ", ".join(f"{_STATUS_VI[s]} / {s}: {n}" for s, n in counts.items())
    )


def cmd_export(args: argparse.Namespace) -> int:
    from dxboard.safe_export import write_frame

    period = _period(args.period)
    out = Path(args.output)
    fmt = args.format or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    with _store(args) as store:
        if args.what == "raw":
            from loaders.records import raw_values

            df = raw_values(store, period)[
                [
                    "province_code",
                    "period",
                    "field",
                    "value",
                    "dataset",
                    "note",
                    "ref_no",
                    "ref_date",
                ]
            ]
        else:
            from metrics.export import export_indicators

            df = export_indicators(store, str(period), basis=args.basis)
    write_frame(df, out, fmt)
    print(f"{out}: {len(df)} rows")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from loaders.demo import load_demo

    with _store(args) as store:
        summary = load_demo(store, progress=lambda i, n: _progress(i, n, "demo"))
    print(
        f"demo: {summary.batches} files, {summary.accepted} accepted, "
        f"{summary.duplicate} duplicate, {summary.reports} reports, {summary.seconds:.1f} s"
    )
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from loaders.records import submission_history

    registry = load_registry()
    found = []
    for era in ("current", "legacy"):
        try:
            found.append(registry.match(args.province, era=era))
        except ProvinceMatchError as exc:
            last_error = exc
    if not found:
        raise UsageError(f"{last_error.message_vi} / {last_error.message_en}")
    with _store(args) as store:
        for province in found:
            df = submission_history(store, province.code, province.era)
            print(f"{province.name} ({province.code}, {province.era}): {len(df)} submissions")
            if len(df):
                cols = [
                    "submission_id",
                    "period",
                    "status",
                    "dataset",
                    "received_at",
                    "file_name",
                    "n_values",
                ]
                print(df[cols].to_string(index=False))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from loaders.ingest import RestoreError, restore

    with _store(args) as store:
        try:
            replaced = restore(store, args.submission_id, actor=args.actor)
        except RestoreError as exc:
            raise UsageError(str(exc)) from None
    print(
        f"submission {args.submission_id} is current"
        + (f" (replaced {replaced})" if replaced else "")
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / repeat: ") != first:
        raise UsageError("hai mật khẩu khác nhau / the passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from dxboard.auth import MIN_PASSWORD_LENGTH, check_password_rules, create_user

    password = _read_password(args)
    if len(password) < MIN_PASSWORD_LENGTH:
        check_password_rules(password)  # AccountError: exit 1 with the bilingual message
    with _store(args) as store:
        user = create_user(
            store, args.username, password, args.role, args.province, args.name, actor=args.actor
        )
    where = f", {user.province_code}" if user.province_code else ""
    print(f"{user.username}: {user.role}{where}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    from dxboard.auth import set_disabled

    with _store(args) as store:
        user = set_disabled(store, args.username, args.disabled, actor=args.actor)
    print(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from dxboard.auth import list_users

    with _store(args) as store:
        users = list_users(store)
    for u in users:
        state = "disabled" if u.disabled else "active"
        print(
            f"{u.username:<24} {u.role:<8} {u.province_code or '-':<3} {state:<8} {u.display_name}"
        )
    print(f"{len(users)} accounts")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from dxboard.auth import audit_log

    if args.format and not args.output:
        raise UsageError("--format cần -o FILE / --format needs -o FILE")
    with _store(args) as store:
        df = audit_log(store, args.limit)
    if not args.output:
        print(df.to_string(index=False) if len(df) else "(no events)")
        return 0
    from dxboard.safe_export import write_frame

    out = Path(args.output)
    fmt = args.format or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    write_frame(df, out, fmt)
    print(f"{out}: {len(df)} events")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from dxboard.backup import backup

    with _store(args) as store:
        out = backup(store, args.file, actor=args.actor)
        version = store.data_version()
    print(f"{out}: {out.stat().st_size} bytes, data version {version}")
    return 0


def cmd_restore_db(args: argparse.Namespace) -> int:
    from dxboard.backup import restore_backup

    target = restore_backup(args.file, args.db, force=args.force, actor=args.actor)
    with Store(target) as store:
        print(f"{target}: restored from {args.file}, data version {store.data_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
