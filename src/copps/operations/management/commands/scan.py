"""copps scan hotspots|places|near-repeat|temporal|compstat|alerts|coverage|categories: crime analysis over the
database.

Every scan first says what period the data covers (``copps.incidents.coverage``); CompStat and
alerts compare only periods the data covers in full."""

from __future__ import annotations

import math
from argparse import ArgumentTypeError
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from copps import files
from copps.analysis import alerts, compstat, getis_ord, hotspots, near_repeat, places, temporal
from copps.analysis import coverage as cov
from copps.geo.crs import Projector
from copps.geo.studygrid import GridTooLarge, study_grids
from copps.incidents import coverage, jurisdiction, sitetime
from copps.incidents.models import OffenseCategory, Site
from copps.incidents.scan_output import grid_geojson, heatmap_svg, peak, table, without_time_of_day
from copps.incidents.scanning import ScanError, ScanFilter, day_argument, find_area, load_events, positive_number

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CLASS_NAMES = {3: "hot 99%", 2: "hot 95%", 1: "hot 90%", 0: "", -1: "cold 90%", -2: "cold 95%", -3: "cold 99%"}


class Command(BaseCommand):
    help = "Scan the events for hot spots, risky places, near repeats, time patterns, CompStat changes and alerts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="scan", required=True)

        def common(p):
            p.add_argument("--kind", choices=["crime", "call", "collision"])
            p.add_argument("--category", action="append", default=[], help="taxonomy code (repeatable)")
            p.add_argument("--area", help="type:code, e.g. beat:1533 or district:17")
            p.add_argument("--from", dest="date_from", type=day_argument, help="first day, YYYY-MM-DD")
            p.add_argument("--to", dest="date_to", type=day_argument, help="last day, YYYY-MM-DD")
            p.add_argument("--csv", type=Path, help="also write the table as CSV")
            return p

        h = common(sub.add_parser("hotspots", help="Gi* hot spots on a grid (with KDE)"))
        h.add_argument("--cell", type=positive_number, default=150.0, help="cell size in metres (default 150)")
        h.add_argument("--neighbourhood", default="queen", help="queen, rook or a radius in cells")
        h.add_argument(
            "--permutations", type=int, default=0, help="conditional permutations; when given, classes come from p_sim"
        )
        h.add_argument("--bandwidth", type=positive_number, default=400.0, help="quartic KDE radius in metres")
        h.add_argument("--top", type=int, default=15)
        h.add_argument("--geojson", type=Path, help="write the cells with their Gi* class as GeoJSON")
        h.add_argument("--seed", type=int, default=0)
        p = common(sub.add_parser("places", help="concentration of events at places (80/20) and the riskiest places"))
        p.add_argument("--top", type=int, default=15)
        n = common(sub.add_parser("near-repeat", help="Knox near-repeat table (Near Repeat Calculator)"))
        n.add_argument(
            "--distance", type=float, nargs="+", default=[0, 100, 200, 300, 400], help="band edges in metres"
        )
        n.add_argument("--days", type=float, nargs="+", default=[0, 7, 14, 21, 28], help="band edges in days")
        n.add_argument("--permutations", type=int, default=99)
        n.add_argument("--seed", type=int, default=0)
        t = common(sub.add_parser("temporal", help="hour x weekday profile (aoristic)"))
        t.add_argument("--svg", type=Path, help="write the heat map as SVG")
        c = common(sub.add_parser("compstat", help="week / 28 days / year to date vs prior period and prior year"))
        c.add_argument(
            "--today",
            type=day_argument,
            help="last day of the current windows (default: the last complete day of data, the day before the "
            "latest event's)",
        )
        a = common(sub.add_parser("alerts", help="weekly alerts per category from control limits"))
        a.add_argument("--method", choices=["poisson", "negbin", "cusum"], default="negbin")
        a.add_argument("--false-alarm", type=float, default=0.01, help="in-control chance of an alert per week")
        a.add_argument("--weeks", type=int, default=8, help="recent weeks to report")
        sub.add_parser("coverage", help="the period each kind and source covers, and its gaps")
        sub.add_parser("categories", help="list the taxonomy codes usable with --category")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        scan = opts["scan"]
        if scan == "categories":
            rows = OffenseCategory.objects.values_list("code", "kind", "name", "sensitive")
            self.stdout.write(
                table(["code", "kind", "name", "sensitive"], [(c, k, n, "yes" if s else "") for c, k, n, s in rows])
            )
            return
        if scan == "coverage":
            self.scan_coverage()
            return
        f = ScanFilter(
            kind=opts["kind"],
            categories=tuple(opts["category"]),
            area=opts["area"],
            date_from=opts["date_from"],
            date_to=opts["date_to"],
        )
        try:
            events = load_events(f)
        except ScanError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"{len(events):,} events ({f.describe()})")
        if len(events) == 0:
            raise CommandError("no events match these filters")
        whole = coverage.of(f.kind)
        self.stdout.write(f"{f.kind or 'all kinds'}: {coverage.describe(whole)}")
        # days outside --from/--to are not covered either: the scan reads no events there
        stop = f.date_to + timedelta(days=1) if f.date_to else None
        self.coverage = cov.clip(whole, f.date_from, stop)
        try:
            getattr(self, "scan_" + scan.replace("-", "_"))(events, opts)
        except ValueError as exc:  # a parameter the analysis refuses (bands out of order, ...): say which
            raise CommandError(f"copps scan {scan}: {exc}; see copps scan {scan} --help") from exc

    def emit(self, headers, rows, opts, right=()):
        self.stdout.write(table(headers, rows, right))
        if opts.get("csv"):
            files.write_csv(opts["csv"], headers, rows)
            self.stdout.write(f"written {opts['csv']}")

    # ----- hot spots
    def geocoded(self, ev, what):
        """The events with coordinates, or a plain refusal when none (or too few) have them."""
        geo = ev.geocoded()
        if len(geo) < 2:
            raise CommandError(
                f"{what} needs events with coordinates, and {len(geo)} of these {len(ev):,} events have them: "
                "import a file whose profile names lat/lon or x/y columns (docs/import-profiles.md), "
                "or widen the filters"
            )
        return geo

    def scan_hotspots(self, ev, opts):
        nb = opts["neighbourhood"]
        if nb not in ("queen", "rook"):
            try:
                nb = positive_number(nb)
            except ArgumentTypeError:
                raise CommandError(f"--neighbourhood {nb!r}: give queen, rook or a radius in cells") from None
        neighbourhood = nb
        left_out = ev.left_out_text()
        ev = self.geocoded(ev, "a hot-spot scan")
        if left_out:
            self.stdout.write(left_out + " (`copps events outside` lists the misplaced ones)")
        area = find_area(opts["area"]) if opts["area"] else None
        study, label = jurisdiction.study_area(area)
        if study is None:
            raise CommandError(f"no study area for a grid: {label}; import geocoded events first")
        self.stdout.write(f"study area: {label}")
        try:
            (g,) = study_grids(study, opts["cell"], [(ev.x, ev.y)])
        except GridTooLarge as exc:
            raise CommandError(str(exc)) from exc
        in_study = int(g.counts[g.valid].sum())
        if in_study < getis_ord.MIN_FEATURES:
            raise CommandError(
                f"only {in_study} events lie in the study area; a Gi* map needs at least "
                f"{getis_ord.MIN_FEATURES} (widen the dates, the categories or the area)"
            )
        self.stderr.write(
            f"grid {g.shape[1]} x {g.shape[0]} cells of {opts['cell']:.0f} m, "
            f"{int(g.valid.sum()):,} in the study area; Gi* ..."
        )
        permutations = opts["permutations"]
        gi = hotspots.gistar(
            g,
            neighbourhood=neighbourhood,
            permutations=permutations,
            seed=opts["seed"],
            classify="p_sim" if permutations > 0 else "p",
            min_events=getis_ord.MIN_HOT_WINDOW,
        )
        density = hotspots.kde(ev.x, ev.y, g, opts["bandwidth"])
        projector = Projector(Site.get().crs)
        cx, cy = g.centres()
        lon, lat = projector.inverse(cx.ravel(), cy.ravel())
        lon, lat = lon.reshape(g.shape), lat.reshape(g.shape)
        hot = np.argwhere(gi.classes > 0)
        order = sorted(hot.tolist(), key=lambda rc: -gi.z[rc[0], rc[1]])
        counts = {lvl: int((gi.classes == lvl).sum()) for lvl in (3, 2, 1)}
        if permutations > 0:
            smallest = 2 / (permutations + 1)
            needed = math.ceil(smallest * int(g.valid.sum()) / 0.05)
            source = (
                f"classes from the permutation p-value (p_sim, {permutations} conditional permutations, ties "
                f"counted in both tails; the smallest two-sided p is {smallest:.2g}, so under the FDR a cell "
                f"reaches 95% only when at least {needed:,} cells do: more permutations resolve smaller p)"
            )
        else:
            source = "classes from the normal p-value of z"
        self.stdout.write(
            f"{in_study:,} events in {int(g.valid.sum()):,} cells of the study area; {source}; "
            f"a hot cell holds an event and its window at least {getis_ord.MIN_HOT_WINDOW}"
        )
        self.stdout.write(
            f"hot-spot cells: {counts[3]} at 99%, {counts[2]} at 95%, {counts[1]} at 90% "
            f"(Benjamini-Hochberg FDR {gi.fdr}); cold-spot cells: {int((gi.classes < 0).sum())}"
        )
        rows = [
            (
                i + 1,
                f"{lat[r, c]:.5f}",
                f"{lon[r, c]:.5f}",
                int(g.counts[r, c]),
                f"{gi.z[r, c]:.2f}",
                f"{gi.p_used[r, c]:.2g}",
                f"{density[r, c] * 1e6:.1f}",
                CLASS_NAMES[int(gi.classes[r, c])],
            )
            for i, (r, c) in enumerate(order[: opts["top"]])
        ]
        self.emit(
            ["rank", "lat", "lon", "events", "Gi* z", "p", "KDE per km²", "class"], rows, opts, right=(0, 3, 4, 5, 6)
        )
        if opts["geojson"]:
            cells = [
                {
                    "row": int(r),
                    "col": int(c),
                    "events": int(g.counts[r, c]),
                    "z": round(float(gi.z[r, c]), 4),
                    "p": float(gi.p_used[r, c]),
                    "class": int(gi.classes[r, c]),
                    "label": CLASS_NAMES[int(gi.classes[r, c])],
                }
                for r, c in np.argwhere(gi.classes != 0)
            ]
            grid_geojson(opts["geojson"], g, cells, projector)
            self.stdout.write(f"written {opts['geojson']} ({len(cells)} significant cells)")

    # ----- places
    def scan_places(self, ev, opts):
        keys, counts = np.unique(ev.place[ev.place != ""], return_counts=True)
        if len(keys) == 0:
            raise CommandError("these events have no addresses to group by place")
        res = places.concentration(counts)
        self.stdout.write(
            f"{len(keys):,} places (hundred blocks) with events; Gini {res.gini:.2f}; "
            f"the top 20% of places hold {res.top_shares[0.2]:.0%} of events; "
            f"{res.places_for_80:.0%} of places hold 80%"
        )
        order = np.argsort(-counts)[: opts["top"]]
        share = counts / counts.sum()
        self.emit(
            ["rank", "place", "events", "share"],
            [(i + 1, keys[j], int(counts[j]), f"{share[j]:.1%}") for i, j in enumerate(order)],
            opts,
            right=(0, 2, 3),
        )

    # ----- near repeat
    def scan_near_repeat(self, ev, opts):
        left_out = ev.left_out_text(what="the Knox test")
        ev = self.geocoded(ev, "a near-repeat scan")
        if left_out:
            self.stdout.write(left_out)
        days = (ev.start - ev.start.min()).astype("timedelta64[m]").astype(float) / 1440.0
        self.stderr.write(f"Knox test, {opts['permutations']} permutations ...")
        res = near_repeat.knox(
            ev.x, ev.y, days, opts["distance"], opts["days"], permutations=opts["permutations"], seed=opts["seed"]
        )
        headers = ["distance \\ days", *res.time_labels]
        rows = []
        beyond = False
        for i, dlabel in enumerate(res.distance_labels):
            cells = []
            for j in range(len(res.time_labels)):
                if not np.isfinite(res.ratio[i, j]):  # no pair could fall here, even by chance: no ratio
                    beyond = True
                    cells.append(f"— ({res.observed[i, j]})")
                    continue
                mark = "*" if res.p[i, j] <= 0.05 and res.ratio[i, j] > 1 else ""
                cells.append(f"{res.ratio[i, j]:.2f}{mark} ({res.observed[i, j]})")
            rows.append([dlabel, *cells])
        self.stdout.write("Knox ratio (observed pairs); * = more pairs than chance, p <= 0.05")
        self.emit(headers, rows, opts)
        if beyond:
            self.stdout.write(
                "— = beyond the data's span: no two events are that far apart in time or space, "
                "so that band has no ratio"
            )

    # ----- temporal
    def scan_temporal(self, ev, opts):
        profile = temporal.weekly_profile(ev.start, ev.end)
        self.stdout.write(f"events by hour and weekday, hours in {timezone.get_current_timezone_name()}")
        rows = [
            [WEEKDAYS[d], *[f"{profile[d, h]:.0f}" for h in range(24)], f"{profile[d].sum():.0f}"] for d in range(7)
        ]
        self.emit(["day", *[f"{h:02d}" for h in range(24)], "total"], rows, opts, right=tuple(range(1, 26)))
        dateless = without_time_of_day(ev.start, ev.end)
        if dateless.all():
            self.stdout.write(
                "no peak hour: these events carry no time of day (dates only, or every time 00:00), "
                "so each is spread evenly over its day; " + peak("busiest weekday", profile.sum(axis=1), WEEKDAYS)
            )
        else:
            if dateless.any():
                self.stdout.write(
                    f"{int(dateless.sum()):,} of {len(ev):,} events carry no time of day and are spread evenly "
                    "over their day"
                )
            cells = [f"{d} {h:02d}:00" for d in WEEKDAYS for h in range(24)]
            self.stdout.write(
                peak("peak hour", profile.ravel(), cells)
                + " (events with a time window are spread over it)"
            )
        if opts["svg"]:
            title = f"Events by hour and weekday ({timezone.get_current_timezone_name()})"
            heatmap_svg(opts["svg"], profile, WEEKDAYS, title)
            self.stdout.write(f"written {opts['svg']}")

    # ----- coverage
    def scan_coverage(self):
        rows = [
            (
                r.kind or "all",
                r.source or ("every source" if r.kind else ""),
                f"{r.coverage.events:,}",
                coverage.as_date(r.coverage.first),
                coverage.as_date(r.coverage.complete_to),
                coverage.as_date(r.coverage.last),
                "; ".join(f"{coverage.as_date(a)} to {coverage.as_date(b)}" for a, b in r.coverage.gaps) or "none",
            )
            for r in coverage.table()
        ]
        if not rows:
            raise CommandError("no events yet: import some with `copps import FILE --profile NAME`")
        self.stdout.write(
            "days in the site's time zone; the last event's day counts as partial; a gap is a run of empty days "
            f"with probability below {cov.GAP_ALPHA} under the source's own daily rate (at least {cov.MIN_GAP_DAYS} "
            "days)"
        )
        self.stdout.write(
            table(["kind", "source", "events", "first day", "complete to", "last event", "gaps"], rows, right=(2,))
        )

    # ----- CompStat
    def scan_compstat(self, ev, opts):
        days = ev.start.astype("datetime64[D]")
        if opts["today"]:
            today = np.datetime64(opts["today"], "D")
        elif self.coverage is not None and self.coverage.complete_to >= self.coverage.first:
            today = self.coverage.complete_to
        else:
            raise CommandError(
                f"the data holds no complete day yet ({coverage.describe(self.coverage)}); name a day with --today"
            )
        codes, groups = np.unique(ev.category, return_inverse=True)
        windows = compstat.period_counts(days, today, groups=groups, ngroups=len(codes))
        status = compstat.period_status(today, self.coverage)
        self.stdout.write(
            f"CompStat to {today}; ▲/▼ = significant change (exact rate-ratio test, p <= 0.05); only windows the "
            "data covers in full are compared ('no data': a window outside the data, 'partial': a window it "
            f"covers in part); days in {timezone.get_current_timezone_name()}"
        )
        rows = []
        for window, periods in windows.items():
            now, now_days = periods["now"]
            for label in ("prior period", "prior year"):
                before, before_days = periods[label]
                s_now, s_before = status[window]["now"], status[window][label]
                res = compstat.covered_compare(now, before, now_days, before_days, s_now, s_before)
                missing = "no data" if cov.NONE in (s_now, s_before) else "partial"
                for k, code in enumerate(codes):
                    if now[k] == 0 and before[k] == 0 and compstat.comparable(s_now, s_before):
                        continue
                    flag = {1: "▲", -1: "▼", 0: ""}[int(res.direction[k])]
                    if not compstat.comparable(s_now, s_before):
                        pct, ci, p = missing, "", ""
                    else:
                        pct = "" if np.isnan(res.percent_change[k]) else f"{res.percent_change[k]:+.0f}%"
                        ci, p = f"{res.lower[k]:.2f}–{res.upper[k]:.2f}", f"{res.p[k]:.3f}"
                    rows.append(
                        [
                            window,
                            f"vs {label}",
                            code,
                            int(now[k]) if s_now != cov.NONE else "no data",
                            int(before[k]) if s_before != cov.NONE else "no data",
                            pct,
                            ci,
                            p,
                            flag,
                        ]
                    )
        self.emit(
            ["window", "compared with", "category", "now", "before", "change", "rate ratio 95% CI", "p", ""],
            rows,
            opts,
            right=(3, 4, 5, 7),
        )

    # ----- alerts
    def scan_alerts(self, ev, opts):
        days = ev.start.astype("datetime64[D]")
        c = self.coverage
        last = c.complete_to if c is not None else days.max()
        # whole weeks ending on the last complete day, back to the last week the data does not cover in
        # full: neither a tested week nor a baseline week ever holds time without data
        nweeks = cov.covered_steps_back(c, last + np.timedelta64(1, "D"))
        seven = np.timedelta64(7, "D")
        if nweeks == 0:
            raise CommandError(f"the data covers no whole week ({coverage.describe(c)})")
        keep = (days <= last) & (days > last - seven * nweeks)
        days, ev_category = days[keep], ev.category[keep]
        week = (last - days).astype(int) // 7
        codes, groups = np.unique(ev_category, return_inverse=True)
        series = np.zeros((len(codes), nweeks))
        np.add.at(series, (groups, nweeks - 1 - week), 1)
        res = alerts.detect(series, method=opts["method"], false_alarm=opts["false_alarm"])
        rows = []
        for k, code in enumerate(codes):
            for w in range(max(0, nweeks - opts["weeks"]), nweeks):
                if res.alert[k, w]:
                    end = last - np.timedelta64(7 * (nweeks - 1 - w), "D")
                    rows.append(
                        [
                            code,
                            f"week to {end}",
                            int(series[k, w]),
                            f"{res.expected[k, w]:.1f}",
                            f"{res.limit[k, w]:.1f}",
                        ]
                    )
        # a week is tested only with a full baseline of the 8 whole weeks before it
        shown = range(max(0, nweeks - opts["weeks"]), nweeks)
        testable = sum(1 for w in shown if w >= alerts.DEFAULT_BASELINE)
        if testable == 0:
            raise CommandError(
                f"the data covers {nweeks} whole week{'s' if nweeks != 1 else ''} to {last}, and a week is tested "
                f"only against the {alerts.DEFAULT_BASELINE} whole weeks before it: no week can be tested "
                f"({coverage.describe(c)})"
            )
        self.stdout.write(
            f"{len(rows)} alerts in {testable} tested week{'s' if testable != 1 else ''} to {last} "
            f"(of the last {opts['weeks']} asked; each tested against the {alerts.DEFAULT_BASELINE} whole weeks "
            f"before it; {opts['method']}, false-alarm rate {opts['false_alarm']} per week and category; days in "
            f"{timezone.get_current_timezone_name()})"
        )
        self.emit(["category", "week", "events", "expected", "limit"], rows, opts, right=(2, 3, 4))
