"""The small store of report files made by background jobs for staff who asked for them on a page.

Each file lives in ``COPPS_DATA_DIR/reports/<token>/`` (owner-only permissions, never served as a
static file) beside ``report.json``: who asked, which report, the file's name. The token is 128
random bits; only the person who asked may download the file, and each download is audited
(``report.download``). The worker writes the file whole (``copps report --out``), so a download
finds either no file yet or the whole of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from copps.files import OwnerFolder

__all__ = ["ReportFile", "reports_root"]


def reports_root() -> Path:
    return Path(settings.COPPS_DATA_DIR) / "reports"


@dataclass
class ReportFile(OwnerFolder):
    MANIFEST = "report.json"

    token: str
    username: str
    file_name: str
    report: str  # compstat or sara
    params: dict = field(default_factory=dict)
    requested_at: str = ""
    job_id: str = ""

    @classmethod
    def root(cls) -> Path:
        return reports_root()

    @property
    def path(self) -> Path:
        return self.folder / self.file_name

    @classmethod
    def create(cls, username: str, report: str, file_name: str, params: dict) -> ReportFile:
        token, _ = cls.new_folder()
        made = cls(token, username, file_name, report, params, timezone.now().isoformat())
        made.save()
        return made
