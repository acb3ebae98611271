"""Importing one file: read, normalise, stage and merge, all in one transaction."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from copps import files
from copps.files import file_sha256
from copps.geo.crs import Projector, to_wgs84, utm_crs_for
from copps.geo.jurisdiction import Jurisdiction, extent_box, invalid_reasons
from copps.incidents import jurisdiction, signals, sitetime, taxonomy
from copps.incidents.areas import area_indexes
from copps.incidents.importing.batches import describe_reprocess
from copps.incidents.importing.columnar import ColumnarNormalizer, choose_path, normalise_chunk
from copps.incidents.importing.columnar import records as columnar_records
from copps.incidents.importing.errors import ImportFailed, RowError
from copps.incidents.importing.geocode import GeocodeReport, ImportGeocoder
from copps.incidents.importing.normalize import Normalizer, Record
from copps.incidents.importing.profile import Profile
from copps.incidents.importing.reader import open_rows
from copps.incidents.importing.store import Direct, Repeated, Stage
from copps.incidents.models import ImportBatch, Location, PriorVersion, Site

__all__ = ["ImportResult", "import_file", "CHUNK_ROWS"]

CHUNK_ROWS = 5000
SAMPLE_ROWS = 200


@dataclass
class ImportResult:
    """What ``copps import`` did with a file."""

    file: str
    profile: str
    batch_id: int | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicate: int = 0
    superseded: int = 0
    identical: int = 0
    ungeocoded: int = 0
    filtered: int = 0  # rows a profile [filter] rule removed
    incidents: int = 0  # distinct incidents among the events of the file (offences grouped by [columns] incident)
    grouped: bool = False  # whether the profile names an incident column
    dry_run: bool = False
    removed: int = 0  # reprocess: events of earlier imports of the file the profile no longer makes
    reprocess: bool = False
    changes: dict = field(default_factory=dict)  # reprocess: what changed (importing/batches.py)
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)
    rejects_path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. data of another zone than the site's
    locations: dict[str, int] = field(default_factory=dict)  # status -> new or changed events
    jurisdiction: str = ""  # what the statuses were judged against
    merges: dict[str, list[str]] = field(default_factory=dict)  # merge rule -> first examples
    notes: list[str] = field(default_factory=list)  # what filters, placeholders, extractions did
    preview: list[Record] = field(default_factory=list)  # the first good records as parsed (``preview=N``)

    def report_lines(self) -> list[str]:
        """Every rule that removed, merged or changed rows, with counts and the first examples."""
        what = {
            "duplicate": "merged duplicate: {n} rows identical to an earlier row (same id, or no id and the same "
            "content), counted once",
            "superseded": "merged superseded: {n} older versions of a record replaced by a later row with the same id",
            "identical": "kept identical: {n} identical rows without an id, kept as separate events",
        }
        lines = [
            what[rule].format(n=f"{getattr(self, rule):,}") + f" (e.g. {'; '.join(cases)})"
            for rule, cases in self.merges.items()
        ]
        return lines + self.notes

    geocoding: GeocodeReport | None = None  # [geocode]: matches per quality and every unmatched address
    route: str = "row"  # how rows were normalised: "columnar" or "row" (importing/columnar.py)
    route_reason: str = ""

    def summary(self) -> str:
        parts = [
            f"read {self.read:,}",
            *([f"filtered out {self.filtered:,}"] if self.filtered else []),
            f"inserted {self.inserted:,}",
            f"updated {self.updated:,}",
            f"unchanged {self.unchanged:,}",
            f"duplicate {self.duplicate:,}",
        ]
        if self.superseded:
            parts.append(f"superseded by a later row with the same id {self.superseded:,}")
        if self.identical:
            parts.append(f"identical rows kept as separate events {self.identical:,}")
        parts += [f"rejected {self.rejected:,}", f"ungeocoded {self.ungeocoded:,}"]
        rate = self.read / self.seconds if self.seconds else 0
        text = f"{self.file}: " + ", ".join(parts) + f" ({self.seconds:.1f} s, {rate:,.0f} rows/s)"
        kept = self.inserted + self.updated + self.unchanged
        if self.grouped:
            text += f"\nincidents {self.incidents:,}, holding {kept:,} offences (events grouped by [columns] incident)"
        else:
            text += f"\nincidents {self.incidents:,}: one per event (the profile names no [columns] incident)"
        for line in self.report_lines():
            text += f"\n  {line}"
        if self.reprocess:
            text += "\n" + describe_reprocess(self.updated, self.removed, self.changes)
        text += f"\npath: {self.route} ({self.route_reason})"
        if self.dry_run:
            text = "dry run, nothing written: " + text
        if self.locations:
            text += (
                f"\nlocations of the new and changed events: {jurisdiction.describe_counts(self.locations)}"
                f" (against {self.jurisdiction})"
            )
            strays = self.locations.get(Location.OUTSIDE, 0) + self.locations.get(Location.INVALID, 0)
            if strays:
                text += f"\n{strays:,} events are left out of maps and hot spots: list them with `copps events outside`"
        if self.geocoding is not None:
            text += "\n" + self.geocoding.summary()
        return text


class _Geo:
    """Per-chunk coordinate work: projection into the site CRS, area assignment and the location
    status against the jurisdiction.

    Impossible points (0,0, out of range: ``copps.geo.jurisdiction.invalid_reasons``) keep the
    lon/lat of the file (so a person can find and fix them) but get no x/y and no areas, and never
    steer the choice of the site CRS. While the jurisdiction is the data's own extent, the
    statuses are set after the merge over all events (``needs_recompute``).

    With ``guess``, the events are written meanwhile with the statuses the data's extent is
    likely to give them: the extent of the events already stored, else of the first chunk's
    points. The recompute after the merge then writes only the few statuses guessed wrong,
    instead of every new event's (an UPDATE of each new row, which on PostgreSQL costs about
    as much as inserting it, since the status is indexed)."""

    def __init__(self, profile: Profile, *, guess: bool = False):
        self.profile = profile
        self.site = Site.get()
        self.projector = Projector(self.site.crs) if self.site.crs else None
        self.indexes = area_indexes()
        self.jurisdiction = None
        self.needs_recompute = True
        self.guess, self.guessed = guess, None
        if self.projector is not None:
            self._load_jurisdiction()

    def _load_jurisdiction(self) -> None:
        j = jurisdiction.current()
        if j is not None and j.source != "data":
            self.jurisdiction, self.needs_recompute = j, False

    def _guessed(self, x: np.ndarray, y: np.ndarray) -> Jurisdiction | None:
        if self.guessed is None:
            stored = jurisdiction.current()
            box = extent_box(x, y) if stored is None else None
            self.guessed = stored if stored is not None else box and Jurisdiction(box, "data", "")
        return self.guessed

    def apply(self, records: list[Record]) -> None:
        """``apply_columns`` on the row path's records."""
        names = ("lat", "lon", "x", "y", "location", *self.indexes)
        cols = {name: [getattr(r, name) for r in records] for name in names}
        self.apply_columns(cols)
        for name in names:
            for r, value in zip(records, cols[name], strict=True):
                setattr(r, name, value)

    def apply_columns(self, cols: dict[str, list]) -> None:
        """Place a chunk given as columns (lists ``lat``, ``lon``, ``x``, ``y``, ``location`` and
        one per area index, with None for missing values), in place."""
        lat_l, lon_l, x_l, y_l, where = cols["lat"], cols["lon"], cols["x"], cols["y"], cols["location"]
        geo = [k for k, (la, xv) in enumerate(zip(lat_l, x_l, strict=True)) if la is not None or xv is not None]
        if not geo:
            return
        if self.profile.crs and self.profile.columns.get("x"):
            lon, lat = to_wgs84(np.array([x_l[k] for k in geo]), np.array([y_l[k] for k in geo]), self.profile.crs)
            for k, lo, la in zip(geo, lon, lat, strict=False):
                lon_l[k], lat_l[k] = float(lo), float(la)
        lon = np.array([lon_l[k] for k in geo], float)
        lat = np.array([lat_l[k] for k in geo], float)
        bad = invalid_reasons(lon, lat) != ""
        if self.projector is None:
            if bad.all():
                for k in geo:  # nothing possible to choose a CRS from yet
                    x_l[k] = y_l[k] = None
                    where[k] = Location.INVALID.value
                return
            self.site.crs = utm_crs_for(float(np.median(lon[~bad])), float(np.median(lat[~bad])))
            self.site.save(update_fields=["crs"])
            self.projector = Projector(self.site.crs)
            self._load_jurisdiction()
        x = np.full(len(geo), np.nan)
        y = np.full(len(geo), np.nan)
        with np.errstate(all="ignore"):
            x[~bad], y[~bad] = self.projector.forward(lon[~bad], lat[~bad])
        placed = np.isfinite(x) & np.isfinite(y)
        if self.jurisdiction is not None:
            status = self.jurisdiction.classify(lon, lat, x, y)
        elif self.guess and self._guessed(x[placed], y[placed]) is not None:
            status = self.guessed.classify(lon, lat, x, y)
        else:
            status = np.where(bad, Location.INVALID.value, Location.NONE.value)
        for k, xi, yi, ok, st in zip(geo, x.tolist(), y.tolist(), placed.tolist(), status, strict=True):
            x_l[k], y_l[k] = (xi, yi) if ok else (None, None)
            where[k] = st
        lon_ok, lat_ok = np.where(bad, np.nan, lon), np.where(bad, np.nan, lat)
        for attr, index in self.indexes.items():
            column = cols[attr]
            for k, key in zip(geo, index.lookup(lon_ok, lat_ok), strict=False):
                column[k] = key


def import_file(
    path: str | Path,
    profile: Profile,
    *,
    skip_bad: bool = False,
    source: str | None = None,
    user=None,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    reprocess: bool = False,
    preview: int = 0,
    route: str = "auto",
) -> ImportResult:
    """Import ``path`` with ``profile``.

    With ``skip_bad`` false (the default) a file with any bad row imports nothing and
    raises ImportFailed listing every bad row. With ``skip_bad`` the good rows are
    imported and the bad ones written to ``<file>.rejects.csv`` beside the input.
    With ``dry_run`` everything is done and counted inside the transaction, which is then
    rolled back: the summary says what the import would do, and nothing is written. With
    ``reprocess`` the profile is re-applied to rows already stored (importing/batches.py).
    ``preview`` keeps the first that many good records, as parsed, in ``result.preview`` (the
    upload page shows them beside the dry run's summary). ``route`` (``auto``, ``columnar``,
    ``row``) picks how rows are normalised: column by column (importing/columnar.py) or one row
    at a time; both give the same events, and ``auto`` takes the columnar path unless the
    profile uses a section only the row path applies.
    """
    path = Path(path)
    label = str(path)
    started = time.monotonic()
    if not path.is_file():
        raise ImportFailed(f"{label}: no such file")
    try:
        taken, why = choose_path(profile, route)
    except ValueError as exc:
        raise ImportFailed(str(exc)) from exc
    sha = file_sha256(path)
    result = ImportResult(
        file=label,
        profile=profile.name,
        dry_run=dry_run,
        grouped="incident" in profile.columns,
        reprocess=reprocess,
        route=taken,
        route_reason=why,
    )
    source = source or profile.source
    rejected_rows: list[tuple[RowError, list[str]]] = []

    header_given = list(profile.header) if profile.header else None
    with (
        transaction.atomic(),
        open_rows(path, delimiter=profile.delimiter, encoding=profile.encoding, header=header_given) as (header, rows),
    ):
        taxonomy.sync()
        samples = list(itertools.islice(rows, SAMPLE_ROWS))
        batch = ImportBatch.objects.create(
            file_name=path.name,
            sha256=sha,
            profile=profile.name,
            source=source,
            user=user if getattr(user, "pk", None) else None,
            started_at=timezone.now(),
            reprocess=reprocess,
        )
        earlier = ImportBatch.objects.filter(sha256=sha, source=source, rolled_back_at__isnull=True)
        file_batches = tuple(earlier.exclude(pk=batch.pk).values_list("pk", flat=True))

        def read_and_merge(rows, samples, direct: Direct | None):
            """Normalise, stage (or insert straight away: store.Direct) and merge every row."""
            result.read = result.filtered = 0
            result.errors, result.preview = [], []
            rejected_rows.clear()
            normalizer = Normalizer(profile, header, label, taxonomy.category_ids(), [v for _, v in samples])
            columnar = ColumnarNormalizer(normalizer) if taken == "columnar" else None
            all_rows = itertools.chain(samples, rows)
            geo = _Geo(profile, guess=columnar is not None)
            geocoder = ImportGeocoder.for_profile(profile)
            stage = Stage(
                distinct=profile.identical_rows == "distinct",
                newest_by_updated="updated" in profile.columns,
                reprocess=reprocess,
                file_batches=file_batches,
                direct=direct,
            )
            while True:
                chunk = list(itertools.islice(all_rows, CHUNK_ROWS))
                if not chunk:
                    break
                result.read += len(chunk)
                if columnar is not None:
                    cols, filtered, bad = normalise_chunk(columnar, chunk)
                    result.filtered += filtered
                    for errors, values in bad:
                        result.errors.extend(errors)
                        rejected_rows.append((errors[0], values))
                    geo.apply_columns(cols)
                    if len(result.preview) < preview:
                        firsts = sorted(columnar_records(cols, len(cols["line"])), key=lambda r: r.line)
                        for r in firsts if geo.jurisdiction is None else ():
                            # a status guessed (_Geo) is not shown, as the row path shows none: it is decided later
                            r.location = r.location if r.location == Location.INVALID else Location.NONE.value
                        result.preview.extend(firsts[: preview - len(result.preview)])
                    stage.write_columns(cols)
                    if progress:
                        progress(result.read)
                    continue
                good: list[Record] = []
                for line, values in chunk:
                    out = normalizer.row(line, values)
                    if isinstance(out, Record):
                        good.append(out)
                    elif out is None:
                        result.filtered += 1
                    else:
                        result.errors.extend(out)
                        rejected_rows.append((out[0], values))
                if geocoder is not None:
                    geocoder.apply(good)
                geo.apply(good)
                if len(result.preview) < preview:
                    result.preview.extend(good[: preview - len(result.preview)])
                stage.write(good)
                if progress:
                    progress(result.read)
            result.rejected = len(rejected_rows)
            result.notes = normalizer.report()
            result.geocoding = geocoder.report if geocoder is not None else None
            if result.errors and not skip_bad:
                raise ImportFailed(
                    f"{label}: {result.rejected:,} of {result.read:,} rows are bad; nothing was imported "
                    f"(fix them, or import the good rows with --skip-bad)",
                    result.errors,
                    result,
                )
            counts = stage.merge(source=source, kind=profile.kind, batch_id=batch.id)
            return counts, stage, geo

        direct = Direct(profile.kind, source, batch.id) if taken == "columnar" and not reprocess else None
        try:
            with transaction.atomic():  # a savepoint: a file whose ids repeat is read again, all staged
                counts, stage, geo = read_and_merge(rows, samples, direct)
        except Repeated:
            with open_rows(
                path, delimiter=profile.delimiter, encoding=profile.encoding, header=header_given
            ) as (_, again):
                counts, stage, geo = read_and_merge(again, list(itertools.islice(again, SAMPLE_ROWS)), None)
        if geo.needs_recompute and Site.get().crs:
            jurisdiction.recompute(unclassified_known=True, announced_batch=batch.id)
        result.locations = dict(jurisdiction.location_counts(batch.events.all()))
        judged = jurisdiction.current()
        result.jurisdiction = judged.label if judged else "no jurisdiction yet"
        for name in ImportBatch.COUNTS:
            if hasattr(counts, name):  # read, rejected and filtered were counted while staging
                setattr(result, name, getattr(counts, name))
        result.merges = counts.examples
        result.changes = stage.changes
        if result.inserted or result.updated or result.superseded or result.removed:
            # in this transaction: whatever derives from the events is marked stale with them; the
            # events it inserted or updated carry the batch, those it removed are prior versions
            removed = batch.prior_versions.filter(change=PriorVersion.Change.REMOVED)
            touched = [batch.events.values_list("id", flat=True), removed.values_list("event_id", flat=True)]
            signals.events_changed.send(sender=ImportBatch, batch_id=batch.id, events=touched)
        if rejected_rows and not dry_run:
            result.rejects_path = _write_rejects(path, header, rejected_rows)
        for name in ImportBatch.COUNTS:
            setattr(batch, name, getattr(result, name))
        batch.errors = [str(e) for e in result.errors[:1000]]
        batch.notes = result.report_lines()
        batch.finished_at = timezone.now()
        batch.save()
        result.batch_id = None if dry_run else batch.id
        zone_warning = sitetime.adopt(profile.timezone, given=profile.timezone_given)
        if zone_warning:
            result.warnings.append(zone_warning)
        if dry_run:
            transaction.set_rollback(True)
    result.seconds = time.monotonic() - started
    return result


def _write_rejects(path: Path, header: list[str], rows: list[tuple[RowError, list[str]]]) -> Path:
    out = path.with_name(path.name + ".rejects.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = files.csv_writer(fh)  # the rows came from outside: a formula in one is made inert
        writer.writerow(["line", "field", "reason", *header])
        for err, values in rows:
            writer.writerow([err.line, err.field, err.reason, *values])
    return out
