"""copps feeds: define the sources that send data by themselves, list them with their runs, run them."""

from __future__ import annotations

import getpass
import json
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from copps.incidents.feeds import due_feeds, run_feed
from copps.incidents.models import Feed, FeedRun
from copps.jobs import tasks
from copps.jobs.queue import enqueue, pending

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def interval(text: str) -> int:
    """``90``, ``90s``, ``15m``, ``6h`` or ``1d`` -> seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r}: write the interval as seconds or with a unit, e.g. 90s, 15m, 6h, 1d")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def _every(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def _counts(run: FeedRun) -> str:
    return f"added {run.added:,}, updated {run.updated:,}, unchanged {run.unchanged:,}, rejected {run.rejected:,}"


class Command(BaseCommand):
    help = (
        "Feeds: a watched folder, a Socrata or ArcGIS endpoint, or a CSV/JSON URL, imported on a schedule with a "
        "profile (only what changed since the last run). `copps worker` queues the due ones; "
        "add, list and run them here."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="define a feed")
        add.add_argument("name", help="a short name (letters, digits, - and _)")
        add.add_argument("--kind", required=True, choices=Feed.Kind.values)
        add.add_argument("--location", required=True, help="the folder's path, or the URL")
        add.add_argument("--profile", required=True, help="a built-in import profile, or a TOML profile's path")
        add.add_argument("--source", default="", help="the data source's name (default: the profile's)")
        add.add_argument("--every", default="1h", help="time between runs: 90s, 15m, 6h, 1d (default 1h)")
        add.add_argument("--cursor-field", default="", help="Socrata: the updated-at column; ArcGIS: a date or id")
        add.add_argument("--since", default="", help="the cursor's first value (default: everything)")
        add.add_argument("--page-size", type=int, default=1000, help="records per request (default 1000)")
        add.add_argument("--skip-bad", action="store_true", help="import the good rows of a file with bad ones")
        add.add_argument("--disabled", action="store_true", help="define it without running it yet")
        ls = sub.add_parser("list", help="the feeds with their last run, or (--runs N) the last runs")
        ls.add_argument("--runs", type=int, metavar="N", help="list the last N runs with their counts")
        ls.add_argument("--json", action="store_true", help="one JSON object per line")
        run = sub.add_parser("run", help="run a feed now, or every due one")
        run.add_argument("name", nargs="?", help="the feed to run")
        run.add_argument("--due", action="store_true", help="every enabled feed whose time has come")
        run.add_argument("--queue", action="store_true", help="queue the runs as jobs for `copps worker`")

    def handle(self, *args, **opts):
        return getattr(self, f"_{opts['action']}")(opts)

    def _add(self, opts):
        if Feed.objects.filter(name=opts["name"]).exists():
            raise CommandError(f"there is already a feed {opts['name']!r} (copps feeds list; change it in the admin)")
        try:
            every = interval(opts["every"])
        except ValueError as exc:
            raise CommandError(f"--every {exc}") from exc
        feed = Feed(
            name=opts["name"],
            kind=opts["kind"],
            location=opts["location"],
            profile=opts["profile"],
            source=opts["source"],
            interval=every,
            cursor_field=opts["cursor_field"],
            cursor=opts["since"],
            page_size=opts["page_size"],
            skip_bad=opts["skip_bad"],
            enabled=not opts["disabled"],
        )
        try:
            feed.full_clean()
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        feed.save()
        self.stdout.write(f"feed {feed.name}: {feed.get_kind_display()} {feed.location}, every {_every(every)}")

    def _list(self, opts):
        if opts["runs"]:
            for run in FeedRun.objects.select_related("feed")[: opts["runs"]]:
                row = {
                    "feed": run.feed.name,
                    "started_at": run.started_at.isoformat(),
                    "state": run.state,
                    "attempt": run.attempt,
                    "added": run.added,
                    "updated": run.updated,
                    "unchanged": run.unchanged,
                    "rejected": run.rejected,
                    "error": run.error.splitlines()[0] if run.error else "",
                    "next_retry_at": run.next_retry_at.isoformat() if run.next_retry_at else None,
                }
                if opts["json"]:
                    self.stdout.write(json.dumps(row))
                    continue
                line = f"{row['feed']:20} {run.started_at:%Y-%m-%d %H:%M:%S}  {run.state:9}  {_counts(run)}"
                if run.error:
                    line += f"\n  attempt {run.attempt} failed: {row['error']}"
                    if run.next_retry_at:
                        line += f"; retry at {run.next_retry_at:%Y-%m-%d %H:%M:%S} UTC"
                self.stdout.write(line)
            return
        feeds = list(Feed.objects.all())
        last = {}
        for run in FeedRun.objects.filter(feed__in=feeds).order_by("feed_id", "-started_at", "-id"):
            last.setdefault(run.feed_id, run)
        for feed in feeds:
            run = last.get(feed.pk)
            row = {
                "name": feed.name,
                "kind": feed.kind,
                "location": feed.location,
                "profile": feed.profile,
                "every": _every(feed.interval),
                "enabled": feed.enabled,
                "cursor": feed.cursor,
                "next_run_at": feed.next_run_at.isoformat() if feed.next_run_at else None,
                "failures": feed.failures,
                "last_run": None
                if run is None
                else {"state": run.state, "started_at": run.started_at.isoformat(), "added": run.added,
                      "updated": run.updated, "unchanged": run.unchanged, "rejected": run.rejected},
            }  # fmt: skip
            if opts["json"]:
                self.stdout.write(json.dumps(row))
                continue
            when = f"{feed.next_run_at:%Y-%m-%d %H:%M:%S} UTC" if feed.next_run_at else "now"
            self.stdout.write(
                f"{feed.name:20} {feed.kind:8} {'enabled' if feed.enabled else 'disabled':8} every {row['every']:5} "
                f"next {when}  {feed.location}"
                + (f"\n  cursor {feed.cursor_field} = {feed.cursor}" if feed.cursor_field else "")
                + (
                    f"\n  last run {run.started_at:%Y-%m-%d %H:%M:%S} {run.state}: {_counts(run)}"
                    if run
                    else "\n  never run"
                )
                + (f"\n  {feed.failures} failed run(s) in a row" if feed.failures else "")
            )

    def _run(self, opts):
        if bool(opts["name"]) == opts["due"]:
            raise CommandError("give a feed's name or --due (not both)")
        if opts["name"]:
            feed = Feed.objects.filter(name=opts["name"]).first()
            if feed is None:
                raise CommandError(f"there is no feed {opts['name']!r} (copps feeds list)")
            feeds = [feed]
        else:
            feeds = list(due_feeds())
        if opts["queue"]:
            return self._queue(feeds)
        failed = []
        for feed in feeds:
            run = run_feed(feed)
            self.stdout.write(f"feed {feed.name}: {run.get_state_display()}, {_counts(run)}")
            if run.state == FeedRun.State.FAILED:
                failed.append(f"{feed.name} ({run.error.splitlines()[0][:300]})")
                self.stderr.write(
                    f"feed {feed.name}: attempt {run.attempt} failed: {run.error}\n"
                    f"  retry at {run.next_retry_at:%Y-%m-%d %H:%M:%S} UTC"
                )
        if failed:
            raise CommandError(f"feed run failed: {'; '.join(failed)} (copps feeds list --runs 10)")

    def _queue(self, feeds):
        """Queue one job per feed, unless its last job is still queued or running. The feed is
        claimed by a conditional UPDATE in the job's own transaction, so two workers asking at
        once queue it once."""
        who = f"cli:{getpass.getuser()}"
        for feed in feeds:
            if feed.queued_job and pending(feed.queued_job):
                continue
            with transaction.atomic():
                if not Feed.objects.filter(pk=feed.pk, queued_job=feed.queued_job).update(queued_job=uuid.uuid4()):
                    continue  # another worker queued it just now
                result = enqueue(tasks.feed_run, feed.name, label=f"Feed {feed.name}", username=who)
                Feed.objects.filter(pk=feed.pk).update(queued_job=result.id)
            self.stdout.write(f"feed {feed.name}: queued job {result.id} ({timezone.now():%H:%M:%S} UTC)")
