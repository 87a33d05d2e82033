"""Command line: ``dxboard init | template | ingest | export | demo | reference | history |
restore | user | audit | backup | restore-db``.

Exit codes: 0 success; 1 a file was rejected (ingest) or an operation failed; 2 usage error.
The database path comes from ``$DXBOARD_DB`` (default ``var/dxboard.duckdb``) or ``--db``.
Output is in Vietnamese, or in English with ``--lang en`` (or ``$DXBOARD_LANG=en``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cli import commands
from dxboard.errors import Reason, UserError
from dxboard.i18n import DEFAULT_LANG, LANGS

LANG_ENV = "DXBOARD_LANG"
USAGE_REASONS = {Reason.USAGE, Reason.PROVINCE, Reason.PERIOD, Reason.UNKNOWN_SUBMISSION}
"""Errors in the arguments themselves (exit code 2); any other user error exits with 1."""

Subparsers = argparse._SubParsersAction


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"dxboard: {exc.message(args.lang)}", file=sys.stderr)
        return 2 if exc.reason in USAGE_REASONS else 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dxboard", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--db", help="DuckDB file (default: $DXBOARD_DB or var/dxboard.duckdb)")
    lang = os.environ.get(LANG_ENV, DEFAULT_LANG)
    p.add_argument(
        "--lang",
        choices=LANGS,
        default=lang if lang in LANGS else DEFAULT_LANG,
        help="language of the output (default: $DXBOARD_LANG or vi)",
    )
    sub = p.add_subparsers(metavar="COMMAND")
    _data_commands(sub)
    _version_commands(sub)
    _account_commands(sub)
    _operations_commands(sub)
    return p


def _data_commands(sub: Subparsers) -> None:
    c = sub.add_parser("init", help="create or migrate the database")
    c.set_defaults(func=commands.init)

    c = sub.add_parser("template", help="write the Excel report template for a province/period")
    c.add_argument("province", help="province code or name, any spelling")
    c.add_argument("period", help="quarter, e.g. 2025-Q4")
    c.add_argument("-o", "--output", help="output file (default: template_<code>_<period>.xlsx)")
    c.set_defaults(func=commands.template)

    c = sub.add_parser("ingest", help="validate and load report files or folders")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--dry-run", action="store_true", help="validate and show changes only")
    c.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    c.add_argument("--dataset", default="official", help="dataset label (default: official)")
    c.add_argument("--actor", default="cli", help="who is loading (recorded with each upload)")
    c.set_defaults(func=commands.ingest)

    c = sub.add_parser("export", help="export raw values, indicators or the DTI as CSV or Excel")
    c.add_argument("what", choices=["raw", "indicators", "dti"])
    c.add_argument("--period", help="quarter (raw, indicators), e.g. 2025-Q4")
    c.add_argument("--year", help="year (dti), e.g. 2024")
    c.add_argument("--basis", choices=["reported", "current"], default="reported")
    c.add_argument("--format", choices=["csv", "xlsx"], default=None)
    c.add_argument("-o", "--output", required=True)
    c.set_defaults(func=commands.export)

    c = sub.add_parser("demo", help="load the synthetic demo data (idempotent)")
    c.set_defaults(func=commands.demo)
    _reference_commands(sub)


def _reference_commands(sub: Subparsers) -> None:
    c = sub.add_parser("reference", help="published reference tables (DTI): load, history, restore")
    ref = c.add_subparsers(metavar="ACTION")
    r = ref.add_parser("load", help="validate and load a DTI table (csv or xlsx, same columns)")
    r.add_argument("file")
    r.add_argument("--json", action="store_true", help="the result as one JSON object")
    r.add_argument("--actor", default="cli")
    r.set_defaults(func=commands.reference_load)
    r = ref.add_parser("history", help="every version of every DTI table")
    r.set_defaults(func=commands.reference_history)
    r = ref.add_parser("restore", help="make an earlier version of a table current again")
    r.add_argument("version_id", type=int)
    r.add_argument("--actor", default="cli")
    r.set_defaults(func=commands.reference_restore)
    c.set_defaults(func=lambda _args: _help(c))


def _version_commands(sub: Subparsers) -> None:
    c = sub.add_parser("history", help="submission history of a province")
    c.add_argument("province")
    c.set_defaults(func=commands.history)

    c = sub.add_parser("restore", help="make an earlier submission current again")
    c.add_argument("submission_id", type=int)
    c.add_argument("--dry-run", action="store_true", help="show what would change only")
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=commands.restore)


def _account_commands(sub: Subparsers) -> None:
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
    u.set_defaults(func=commands.user_add)
    for action, disabled in (("disable", True), ("enable", False)):
        u = users.add_parser(action, help=f"{action} an account")
        u.add_argument("username")
        u.add_argument("--actor", default="cli")
        u.set_defaults(func=commands.user_disable, disabled=disabled)
    u = users.add_parser("list", help="list the accounts")
    u.set_defaults(func=commands.user_list)
    c.set_defaults(func=lambda _args: _help(c))

    c = sub.add_parser("audit", help="the audit log (uploads, restores, sign-ins, accounts)")
    c.add_argument("--limit", type=int, default=500)
    c.add_argument("--format", choices=["csv", "xlsx"], default=None)
    c.add_argument("-o", "--output", help="write CSV or Excel instead of printing")
    c.set_defaults(func=commands.audit)


def _operations_commands(sub: Subparsers) -> None:
    c = sub.add_parser("backup", help="write a consistent copy of the database to FILE")
    c.add_argument("file")
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=commands.backup)

    c = sub.add_parser("migrate-store", help="copy a DuckDB store into an empty PostgreSQL one")
    c.add_argument("--from", dest="source", required=True, metavar="FILE.duckdb")
    c.add_argument("--to", dest="target", required=True, metavar="URL")
    c.set_defaults(func=commands.migrate_store)

    c = sub.add_parser("restore-db", help="replace the database by a backup FILE")
    c.add_argument("file")
    c.add_argument("--force", action="store_true", help="replace an existing database")
    c.add_argument("--actor", default="cli")
    c.set_defaults(func=commands.restore_db)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
