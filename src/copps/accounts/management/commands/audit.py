"""copps audit verify: walk the audit log's hash chain and report any edited or deleted row;
copps audit anchor: append the chain's newest row and hash to a file kept outside the database,
which ``verify --anchors`` then holds the chain to."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from copps.accounts import chain


class Command(BaseCommand):
    help = ("Check the audit log: `copps audit verify` recomputes the hash chain and fails when a "
            "row was edited or deleted.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain; exit status 1 if it is broken")
        verify.add_argument("--anchors", type=Path, metavar="FILE",
                            help="also check every anchor in FILE (written by `copps audit anchor`)")
        anchor = sub.add_parser("anchor", help="append the chain's newest row and hash to FILE, outside the database")
        anchor.add_argument("file", type=Path, metavar="FILE")

    def handle(self, *args, **opts):
        if opts["subcommand"] == "verify":
            self.verify(opts.get("anchors"))
        elif opts["subcommand"] == "anchor":
            self.anchor(opts["file"])

    def anchor(self, path: Path) -> None:
        a = chain.anchor()
        try:
            with path.open("a", encoding="utf-8") as f:
                f.write(a.line() + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise CommandError(f"{path}: cannot append the anchor: {exc.strerror}") from exc
        self.stdout.write(f"Anchored row {a.row_id} ({a.row_hash}) in {path}")

    def verify(self, anchors_path: Path | None = None) -> None:
        anchors = []
        if anchors_path is not None:
            try:
                anchors = chain.read_anchors(anchors_path)
            except OSError as exc:
                raise CommandError(f"{anchors_path}: cannot read the anchors: {exc.strerror}") from exc
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        result = chain.verify_all(anchors)
        for item in result.breaks:
            self.stderr.write(f"BROKEN {item}")
        if result.breaks:
            raise CommandError(f"The audit chain is broken in {len(result.breaks)} place(s) over {result.count} rows.")
        # Printing the tip lets an operator record it elsewhere: a later run that does not reach
        # the same hash shows that the newest rows were removed together with the head.
        held = f"; {len(anchors)} anchor(s) held" if anchors_path is not None else ""
        self.stdout.write(f"OK: {result.count} audit rows, chain intact; head {result.head_hash}{held}")
