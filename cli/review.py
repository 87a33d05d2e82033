"""``dxboard review list | approve | return | reopen``: the review workflow from the command line.

``--actor NAME`` names who acts; when NAME is an account, its rights apply (an officer may not
review), otherwise the operator is trusted as for ``ingest``. ``--json`` prints one JSON object
per line, refusals included. Exit codes as for ``ingest``: 0 done, 1 refused, 2 usage.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import pandas as pd

from dxboard import auth, review
from dxboard.errors import UserError
from dxboard.i18n import t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.store import Store
from dxboard.store import reviews as rdb

LIST_COLUMNS = ["submission_id", "province_code", "period", "review_state", "reviewed_by"]


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db) if args.db else Store()


def _user(store: Store, actor: str) -> auth.User | None:
    return auth.get_user(store, actor)


def list_(args: argparse.Namespace) -> int:
    period = str(Period.parse(args.period)) if args.period else None
    with _store(args) as store:
        df = rdb.review_states(store, period)
    if args.state:
        df = df[df["review_state"] == args.state]
    if args.json:
        for row in df.to_dict("records"):
            clean = {k: None if pd.isna(v) else v for k, v in row.items()}
            print(json.dumps(clean, ensure_ascii=False, default=str))
        return 0
    shown = df[LIST_COLUMNS].copy()
    shown["review_state"] = [t(f"review.state_{s}", args.lang) for s in shown["review_state"]]
    print(shown.to_string(index=False) if len(shown) else t("cli.review_none", args.lang))
    return 0


def approve(args: argparse.Namespace) -> int:
    with _store(args) as store:
        user = _user(store, args.actor)
        return _run(
            args,
            lambda: review.approve(
                store, args.submission_id, note=args.note, actor=args.actor, user=user
            ),
        )


def send_back(args: argparse.Namespace) -> int:
    comments = [(args.field, args.comment)]
    with _store(args) as store:
        user = _user(store, args.actor)
        return _run(
            args,
            lambda: review.send_back(
                store, args.submission_id, comments, actor=args.actor, user=user
            ),
        )


def reopen(args: argparse.Namespace) -> int:
    period = Period.parse(args.period)
    province = load_registry().match(args.province, period=period)
    with _store(args) as store:
        user = _user(store, args.actor)
        return _run(
            args,
            lambda: review.reopen(
                store, province.code, period, args.reason, actor=args.actor, user=user
            ),
        )


def _run(args: argparse.Namespace, act: Callable[[], review.Outcome]) -> int:
    try:
        out = act()
    except UserError as exc:
        if not args.json:
            raise
        print(json.dumps(_refusal(exc), ensure_ascii=False))
        return 1
    if args.json:
        print(json.dumps({"status": "done", **out.as_dict()}, ensure_ascii=False))
    else:
        print(
            t(
                "cli.review_done",
                args.lang,
                submission=out.submission_id,
                province=review.province_text(out.province_code, out.period),
                period=out.period,
                state=t(f"review.state_{out.state}", args.lang),
                actor=out.actor,
            )
        )
    return 0


def _refusal(exc: UserError) -> dict[str, Any]:
    return {
        "status": "refused",
        "reason": exc.reason.value,
        "message_vi": exc.message("vi"),
        "message_en": exc.message("en"),
    }


def add_parser(sub: Any) -> None:
    """The ``review`` command and its actions."""
    c = sub.add_parser("review", help="review: list, approve, return, reopen submissions")
    actions = c.add_subparsers(metavar="ACTION")

    a = actions.add_parser("list", help="accepted submissions and their review state")
    a.add_argument("--state", choices=review.STATES)
    a.add_argument("--period", help="quarter, e.g. 2025-Q4")
    a.set_defaults(func=list_)

    a = actions.add_parser("approve", help="approve a submission (locks its province-period)")
    a.add_argument("submission_id", type=int)
    a.add_argument("--note", help="a note kept with the approval")
    a.set_defaults(func=approve)

    a = actions.add_parser("return", help="return a submission to its province with a comment")
    a.add_argument("submission_id", type=int)
    a.add_argument("--comment", required=True)
    a.add_argument("--field", help="the field code the comment is about (default: whole report)")
    a.set_defaults(func=send_back)

    a = actions.add_parser("reopen", help="unlock an approved province-period")
    a.add_argument("province", help="province code or name, any spelling")
    a.add_argument("period", help="quarter, e.g. 2025-Q4")
    a.add_argument("--reason", required=True)
    a.set_defaults(func=reopen)

    for parser in (p for p in actions.choices.values()):
        parser.add_argument("--actor", default="cli", help="who acts (an account's rights apply)")
        parser.add_argument("--json", action="store_true", help="JSON on stdout")
    c.set_defaults(func=lambda _args: _help(c))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
