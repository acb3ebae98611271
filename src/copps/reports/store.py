"""The small store of report files made by background jobs for staff who asked for them on a page.

Each file lives in ``COPPS_DATA_DIR/reports/<token>/`` (owner-only permissions, never served as a
static file) beside ``report.json``: who asked, which report, the file's name. The token is 128
random bits; only the person who asked may download the file, and each download is audited
(``report.download``). The worker writes the file whole (``copps report --out``), so a download
finds either no file yet or the whole of it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

__all__ = ["ReportFile", "reports_root"]

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def reports_root() -> Path:
    return Path(settings.COPPS_DATA_DIR) / "reports"


@dataclass
class ReportFile:
    token: str
    username: str
    file_name: str
    report: str  # compstat or sara
    params: dict = field(default_factory=dict)
    requested_at: str = ""
    job_id: str = ""

    @property
    def path(self) -> Path:
        return reports_root() / self.token / self.file_name

    @classmethod
    def create(cls, username: str, report: str, file_name: str, params: dict) -> ReportFile:
        token = secrets.token_hex(16)
        folder = reports_root() / token
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(reports_root(), 0o700)
        made = cls(token, username, file_name, report, params, timezone.now().isoformat())
        made.save()
        return made

    @classmethod
    def find(cls, token: str, username: str) -> ReportFile | None:
        """The file ``token`` asked for by ``username``, or None (unknown, malformed, someone else's)."""
        if not _TOKEN.match(token or ""):
            return None
        try:
            data = json.loads((reports_root() / token / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        found = cls(**data)
        return found if found.username == username and found.token == token else None

    def save(self) -> None:
        path = reports_root() / self.token / "report.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)
