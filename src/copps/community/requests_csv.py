"""Loading a city's 311 CSV export as Open311 service requests, through an import profile with
``kind = "request"`` (``copps.incidents.importing.requests`` reads and checks the rows).

Like every import: one transaction per file; a file with any bad row loads nothing (each bad row
named by file, line and column) unless ``skip_bad``; re-importing changes nothing; a later row
with the same request number updates the earlier one. Requests get their state history from the
file's times (``copps.community.history``), so service levels show when they were acknowledged
and closed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from django.db import transaction

from copps.community.importing import ImportResult, store_requests
from copps.community.models import Service
from copps.geo.blocks import hundred_block
from copps.incidents.importing.errors import ImportFailed
from copps.incidents.importing.reader import open_rows
from copps.incidents.importing.requests import RequestProfile, RequestReader, RequestRow

__all__ = ["import_request_csv"]

SAMPLE_ROWS = 200


def _values(row: RequestRow, service: Service) -> dict:
    updated = max(t for t in (row.opened, row.closed, row.updated) if t is not None)
    return {
        "service": service,
        "description": row.description,
        "lat": row.lat,
        "lon": row.lon,
        "address": row.address,
        "block_address": hundred_block(row.address),
        "zipcode": row.zipcode,
        "requested_at": row.opened,
        "updated_at": updated,
        "state": row.state,
        "agency_responsible": row.agency,
        "source": "import",
        "raw": row.raw,
    }


def import_request_csv(path: Path, profile: RequestProfile, *, skip_bad: bool = False) -> ImportResult:
    """Load ``path`` (CSV/TSV, optionally gzipped) as service requests with ``profile``."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        raise ImportFailed(f"{label}: no such file")
    result = ImportResult(file=label, kind="requests")
    good: list[RequestRow] = []
    errors = []
    with open_rows(path, delimiter=profile.delimiter, encoding=profile.encoding) as (header, rows):
        samples = list(itertools.islice(rows, SAMPLE_ROWS))
        reader = RequestReader(profile, header, label, [v for _, v in samples])
        for line, values in itertools.chain(samples, rows):
            out = reader.row(line, values)
            if isinstance(out, RequestRow):
                good.append(out)
            else:
                errors.extend(out)
                result.skipped.append(f"line {line}: {out[0].field}: {out[0].reason}")
    if errors and not skip_bad:
        bad = len(result.skipped)
        raise ImportFailed(
            f"{label}: {bad:,} of {bad + len(good):,} rows are bad; nothing was imported "
            f"(fix them, or import the good rows with --skip-bad)",
            errors,
        )
    with transaction.atomic():
        services = {s.service_code: s for s in Service.objects.all()}
        for row in good:
            if row.service_code not in services:
                services[row.service_code] = Service.objects.create(
                    service_code=row.service_code, name=row.service_name, agency_responsible=row.agency
                )
                result.services_created += 1
        store_requests([(row.id, _values(row, services[row.service_code]), row.closed) for row in good], result)
    return result
