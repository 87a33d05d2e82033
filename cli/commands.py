"""What each ``dxboard`` command does: plain calls into the store, loaders and metrics."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace

from dxboard import auth
from dxboard.catalogue import load_catalogue
from dxboard.errors import Reason, UserError
from dxboard.i18n import fmt_number, named, t
from dxboard.periods import Period, parse_year
from dxboard.registry import Province, ProvinceMatchError, load_registry
from dxboard.store import DuckStore, PostgresStore, Store
from dxboard.store.audit import audit_log
from dxboard.store.backup import backup as backup_store
from dxboard.store.backup import restore_backup
from dxboard.store.database import is_url
from dxboard.store.migrate import migrate_store as move_store
from dxboard.store.reference import reference_history as reference_versions
from dxboard.store.submissions import raw_values, submission_history
from loaders.decide import IngestResult
from loaders.demo import load_demo
from loaders.ingest import ingest as run_ingest
from loaders.ingest import restore as restore_submission
from loaders.reference import ensure_reference, load_reference, restore_reference
from loaders.template import build_template
from loaders.writers import write_frame
from metrics.dti import export_dti
from metrics.export import export_indicators

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}
INGEST_WORKERS = min(2, os.cpu_count() or 1)
"""Processes reading files for ``dxboard ingest`` from 16 files on: two were ≈ 20 % faster
than one on 500 templates, even on a busy 2-core machine (docs/BENCHMARKS.md)."""
RAW_COLUMNS = ["province_code", "period", "field", "value", "dataset", "note", "ref_no", "ref_date"]


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db) if args.db else Store()


def _say(args: argparse.Namespace, key: str, **params: object) -> None:
    print(t(f"cli.{key}", args.lang, **params))


def usage(key: str, **params: object) -> UserError:
    return UserError(Reason.USAGE, key, **params)


def init(args: argparse.Namespace) -> int:
    with _store(args) as store:
        loaded = ensure_reference(store)
        if loaded is not None and loaded.tables:
            _say(args, "init_reference", tables=", ".join(loaded.tables))
        _say(
            args,
            "init",
            path=store.location,
            schema=store.schema_version(),
            version=store.data_version(),
        )
    return 0


def template(args: argparse.Namespace) -> int:
    period = Period.parse(args.period)
    province = load_registry().match(args.province, period=period)
    out = Path(args.output or f"template_{province.code}_{period}.xlsx")
    out.write_bytes(build_template(province, period))
    version = load_catalogue().version_for(period)
    _say(
        args,
        "template",
        file=str(out),
        province=province.name,
        period=str(period),
        framework=version.names,
        span=named(version.span("vi"), version.span("en")),
        reporter=named(version.reporter.short_vi, version.reporter.name_en),
        ministry=named(version.ministry.short_vi, version.ministry.name_en),
    )
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
            raise usage("usage_not_found", path=raw)


def ingest(args: argparse.Namespace) -> int:
    files = list(iter_files(args.paths))
    if not files:
        raise usage("usage_no_files")
    results = []
    progress = None if args.json else (lambda done, name: _progress(done, len(files), name))
    with _store(args) as store:
        items = ((path.name, path.read_bytes()) for path in files)  # read lazily
        for result in run_ingest(
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
        _summary(args, results)
    return 1 if any(r.status == "rejected" for r in results) else 0


def _slim(result: IngestResult) -> SimpleNamespace:
    """What the summary prints of a result, without its reports (a bulk table of thousands of
    reports would otherwise stay in memory until the end)."""
    return SimpleNamespace(
        file_name=result.file_name,
        status=result.status,
        dry_run=result.dry_run,
        problems=result.problems,
        reports=len(result.reports),
        changes=len(result.changes),
    )


def _progress(done: int, total: int, name: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done == total else "\r"
    print(f"[{bar}] {done}/{total} {name[:40]:<40}", end=end, file=sys.stderr, flush=True)


def _summary(args: argparse.Namespace, results: list[SimpleNamespace]) -> None:
    lang = args.lang
    width = max(len(r.file_name) for r in results)
    for r in results:
        status = t(f"cli.status_{r.status}", lang)
        dry = t("cli.dry_run", lang) if r.dry_run else ""
        counts = t("cli.counts", lang, reports=r.reports, changes=r.changes)
        print(f"{r.file_name:<{width}}  {status}{dry}  {counts}")
        for problem in r.problems:
            mark = "✗" if problem.severity == "error" else "!"
            print(f"  {mark} {problem.where or '-'} {problem.field}: {problem.message(lang)}")
    totals = {s: sum(r.status == s for r in results) for s in ("accepted", "rejected", "duplicate")}
    _say(args, "total", n=len(results), **totals)


def export(args: argparse.Namespace) -> int:
    out = Path(args.output)
    fmt = args.format or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    if args.what == "dti":
        if args.year is None:
            raise usage("usage_export_year")
        with _store(args) as store:
            df = export_dti(store, parse_year(args.year), args.basis)
        write_frame(df, out, fmt)
        _say(args, "rows_written", file=str(out), n=len(df))
        return 0
    if not args.period:
        raise usage("usage_export_period", what=args.what)
    period = Period.parse(args.period)
    with _store(args) as store:
        if args.what == "raw":
            df = raw_values(store, period)[RAW_COLUMNS]
        else:
            df = export_indicators(store, str(period), basis=args.basis, lang=args.lang)
    write_frame(df, out, fmt)
    _say(args, "rows_written", file=str(out), n=len(df))
    return 0


def demo(args: argparse.Namespace) -> int:
    with _store(args) as store:
        summary = load_demo(store, progress=lambda i, n: _progress(i, n, "demo"))
    _say(
        args,
        "demo",
        files=summary.batches,
        accepted=summary.accepted,
        duplicate=summary.duplicate,
        reports=summary.reports,
        seconds=fmt_number(summary.seconds, args.lang, 1),
    )
    return 0


def reference_load(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise usage("usage_not_found", path=args.file)
    with _store(args) as store:
        result = load_reference(store, path.read_bytes(), path.name, actor=args.actor)
    if args.json:
        record = {
            "file": result.file_name,
            "status": result.status,
            "tables": result.tables,
            "upload_id": result.upload_id,
            "messages": [p.record() for p in result.problems],
        }
        print(json.dumps(record, ensure_ascii=False))
    else:
        tables = ", ".join(result.tables) or t("cli.reference_none", args.lang)
        status = t(f"cli.status_{result.status}", args.lang)
        _say(args, "reference_loaded", file=result.file_name, status=status, tables=tables)
        for problem in result.problems:
            print(f"  ✗ {problem.where or '-'} {problem.field}: {problem.message(args.lang)}")
    return 1 if result.status == "rejected" else 0


def reference_history(args: argparse.Namespace) -> int:
    with _store(args) as store:
        df = reference_versions(store)
    _say(args, "reference_history", n=len(df))
    if len(df):
        print(df.to_string(index=False))
    return 0


def reference_restore(args: argparse.Namespace) -> int:
    with _store(args) as store:
        replaced = restore_reference(store, args.version_id, actor=args.actor)
    key = "reference_restored_replacing" if replaced else "reference_restored"
    _say(args, key, version=args.version_id, replaced=replaced or "")
    return 0


def _provinces_named(text: str) -> list[Province]:
    """The provinces of either era that ``text`` names; the error of the current era if none."""
    registry = load_registry()
    found, errors = [], []
    for era in ("current", "legacy"):
        try:
            found.append(registry.match(text, era=era))
        except ProvinceMatchError as exc:
            errors.append(exc)
    if not found:
        raise errors[0]
    return found


def history(args: argparse.Namespace) -> int:
    columns = [
        "submission_id",
        "period",
        "status",
        "dataset",
        "received_at",
        "file_name",
        "n_values",
    ]
    with _store(args) as store:
        for province in _provinces_named(args.province):
            df = submission_history(store, province.code, province.era)
            _say(
                args,
                "history",
                province=province.name,
                code=province.code,
                era=t(f"cli.era_{province.era}", args.lang),
                n=len(df),
            )
            if len(df):
                print(df[columns].to_string(index=False))
    return 0


def restore(args: argparse.Namespace) -> int:
    with _store(args) as store:
        result = restore_submission(
            store, args.submission_id, actor=args.actor, dry_run=args.dry_run
        )
    for change in result.changes:
        _say(
            args,
            "change",
            province=change.province_code,
            period=change.period,
            field=change.field,
            old=change.old,
            new=change.new,
        )
    replaced = result.replaced.get(args.submission_id)
    key = "restore_dry_run" if args.dry_run else ("restored_replacing" if replaced else "restored")
    _say(args, key, submission=args.submission_id, replaced=replaced or "")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("cli.password", args.lang))
    if getpass.getpass(t("cli.password_again", args.lang)) != first:
        raise usage("usage_passwords_differ")
    return first


def user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    auth.check_password_rules(password)
    with _store(args) as store:
        user = auth.create_user(
            store, args.username, password, args.role, args.province, args.name, actor=args.actor
        )
    _say(args, "user", username=user.username, role=user.role, province=user.province_code or "–")
    return 0


def user_disable(args: argparse.Namespace) -> int:
    with _store(args) as store:
        user = auth.set_disabled(store, args.username, args.disabled, actor=args.actor)
    _say(args, "user_disabled" if user.disabled else "user_enabled", username=user.username)
    return 0


def user_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        users = auth.list_users(store)
    for u in users:
        state = t("cli.state_disabled" if u.disabled else "cli.state_active", args.lang)
        print(
            f"{u.username:<24} {u.role:<8} {u.province_code or '-':<3} {state:<10} {u.display_name}"
        )
    _say(args, "accounts", n=len(users))
    return 0


def audit(args: argparse.Namespace) -> int:
    if args.format and not args.output:
        raise usage("usage_format_needs_output")
    with _store(args) as store:
        df = audit_log(store, args.limit)
    if not args.output:
        print(df.to_string(index=False) if len(df) else t("cli.no_events", args.lang))
        return 0
    out = Path(args.output)
    fmt = args.format or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    write_frame(df, out, fmt)
    _say(args, "rows_written", file=str(out), n=len(df))
    return 0


def backup(args: argparse.Namespace) -> int:
    with _store(args) as store:
        out = backup_store(store, args.file, actor=args.actor)
        version = store.data_version()
    _say(args, "backup", file=str(out), size=out.stat().st_size, version=version)
    return 0


def restore_db(args: argparse.Namespace) -> int:
    target = restore_backup(args.file, args.db, force=args.force, actor=args.actor)
    with Store(target) as store:
        _say(
            args, "restore_db", file=store.location, source=args.file, version=store.data_version()
        )
    return 0


def migrate_store(args: argparse.Namespace) -> int:
    if is_url(args.source) or not is_url(args.target):
        raise usage("usage_migrate_store")
    with DuckStore(args.source) as source, Store(args.target) as target:
        assert isinstance(target, PostgresStore)
        checks = move_store(source, target)
    for check in checks:
        _say(args, "migrated_table", table=check.table, n=check.rows)
    _say(args, "migrated", source=args.source, target=target.location, n=len(checks))
    return 0
