"""A local HTTP server that answers as Socrata's SODA API and an ArcGIS FeatureServer layer do,
from a small table of crimes the test controls, so the feed tests never reach the internet.

Socrata (https://dev.socrata.com/docs/queries/): ``GET /resource/crimes.json`` with ``$where``
(``COLUMN >= 'VALUE'``), ``$order``, ``$limit``, ``$offset`` and ``$select``; rows are JSON
objects of text values, system columns ``:id`` and ``:updated_at`` only when ``$select`` asks.
ArcGIS (https://developers.arcgis.com/rest/services-reference/enterprise/query-feature-service-layer/):
``GET /arcgis/rest/services/Crimes/FeatureServer/0?f=json`` describes the layer; ``/query`` with
``where`` (``1=1`` or ``FIELD >= TIMESTAMP '...'``), ``resultOffset``, ``resultRecordCount`` and
``f=geojson`` answers a FeatureCollection of at most ``MAX_RECORDS`` features, with
``exceededTransferLimit`` true while more remain; dates are epoch milliseconds. Errors come as
HTTP 200 with ``{"error": {...}}``, as ArcGIS sends them.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_RECORDS = 4  # the layer's maxRecordCount: fewer than the feed asks for, as real servers cap


def crime(n: int, updated: str, offense: str = "THEFT") -> dict:
    """Crime ``n``: a case number, a time, an offence, a point in Chicago, when it last changed."""
    return {
        "case_id": f"JC{n:05d}",
        "date": f"2024-03-{n:02d}T10:30:00.000",
        "primary_type": offense,
        "lat": 41.88 + n / 1000,
        "lon": -87.63 - n / 1000,
        "updated": updated,  # ISO, UTC
    }


class FeedServer:
    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.requests: list[tuple[str, dict]] = []
        self.fail_at: dict[str, int] = {}  # kind ("socrata" / "arcgis") -> the offset whose page fails
        self.csv = b""  # the body of /exports/crimes.csv and /exports/crimes.geojson
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- Socrata ---------------------------------------------------------------------------------
    def socrata(self, q: dict) -> tuple[int, object]:
        rows = sorted(self.rows, key=lambda r: (r["updated"], r["case_id"]))
        where = q.get("$where", "")
        if where:
            m = re.fullmatch(r":updated_at >= '(.+)'", where)
            assert m, where
            rows = [r for r in rows if r["updated"] >= m.group(1)]
        assert q["$order"] == ":updated_at, :id" and q["$select"] == ":*, *"
        offset, limit = int(q["$offset"]), int(q["$limit"])
        if self.fail_at.get("socrata") == offset:
            return 500, {"code": "internal_error", "error": True, "message": "Internal error"}
        out = []
        for r in rows[offset : offset + limit]:
            out.append(
                {
                    ":id": f"row-{r['case_id']}",
                    ":updated_at": r["updated"],
                    "case_id": r["case_id"],
                    "date": r["date"],
                    "primary_type": r["primary_type"],
                    "location": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                }
            )
        return 200, out

    # -- ArcGIS ----------------------------------------------------------------------------------
    LAYER = {
        "name": "Crimes",
        "objectIdField": "OBJECTID",
        "maxRecordCount": MAX_RECORDS,
        "fields": [
            {"name": "OBJECTID", "type": "esriFieldTypeOID"},
            {"name": "CaseNumber", "type": "esriFieldTypeString"},
            {"name": "OccurredDate", "type": "esriFieldTypeDate"},
            {"name": "Offense", "type": "esriFieldTypeString"},
            {"name": "EditDate", "type": "esriFieldTypeDate"},
        ],
    }

    @staticmethod
    def _ms(iso: str) -> int:
        return int(datetime.fromisoformat(iso.replace("Z", "")).replace(tzinfo=UTC).timestamp() * 1000)

    def arcgis(self, q: dict) -> tuple[int, object]:
        assert q["f"] == "geojson" and q["outFields"] == "*"
        rows = sorted(self.rows, key=lambda r: (r["updated"], r["case_id"]))
        where = q["where"]
        if where != "1=1":
            m = re.fullmatch(r"EditDate >= TIMESTAMP '(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'", where)
            if not m:
                return 200, {"error": {"code": 400, "message": f"Unable to complete operation: {where}"}}
            rows = [r for r in rows if self._ms(r["updated"]) >= self._ms(m.group(1).replace(" ", "T"))]
        offset = int(q["resultOffset"])
        count = min(int(q["resultRecordCount"]), MAX_RECORDS)
        if self.fail_at.get("arcgis") == offset:
            return 200, {"error": {"code": 500, "message": "Error performing query operation", "details": []}}
        page = rows[offset : offset + count]
        features = [
            {
                "type": "Feature",
                "id": int(r["case_id"][2:]),
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "OBJECTID": int(r["case_id"][2:]),
                    "CaseNumber": r["case_id"],
                    "OccurredDate": self._ms(r["date"][:19]),
                    "Offense": r["primary_type"],
                    "EditDate": self._ms(r["updated"]),
                },
            }
            for r in page
        ]
        body = {"type": "FeatureCollection", "features": features}
        if offset + count < len(rows):
            body["exceededTransferLimit"] = True
        return 200, body

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(parts.query).items()}
                owner.requests.append((parts.path, q))
                if parts.path == "/resource/crimes.json":
                    status, body = owner.socrata(q)
                elif parts.path == "/arcgis/rest/services/Crimes/FeatureServer/0":
                    status, body = 200, owner.LAYER
                elif parts.path == "/arcgis/rest/services/Crimes/FeatureServer/0/query":
                    status, body = owner.arcgis(q)
                elif parts.path in ("/exports/crimes.csv", "/exports/crimes.geojson"):
                    self._send(200, owner.csv, "text/csv" if parts.path.endswith("csv") else "application/geo+json")
                    return
                else:
                    status, body = 404, {"error": "not found"}
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status, data: bytes, kind: str):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
