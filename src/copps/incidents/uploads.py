"""Files staff upload on the import page: kept in a staff-only folder until the import job reads them.

Each upload is a folder ``COPPS_DATA_DIR/uploads/<token>/`` holding the data file (under its own,
cleaned name: the import batch is named after it), the profile file when one was uploaded, and
``upload.json`` (who uploaded it, the profile, the dry run's counts, the job once queued). The
token is 128 random bits; only the person who uploaded may preview or import it. The folder is
never served: the worker reads the file by its path, so workers and app servers must share
``COPPS_DATA_DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from copps.config import setting_int
from copps.files import OwnerFolder

__all__ = [
    "ImportUploadLimit", "SizeLimit", "Upload", "is_import_upload", "max_bytes", "upload_refused", "uploads_root"
]


def uploads_root() -> Path:
    return Path(settings.COPPS_DATA_DIR) / "uploads"


def max_bytes() -> int:
    return setting_int("COPPS_IMPORT_UPLOAD_MAX_MB", 1) * 1_048_576


IMPORT_PATH = "/events/import/"


def is_import_upload(request) -> bool:
    """Whether ``request`` posts to the import page, whose files have their own, larger limit."""
    return request is not None and request.path == IMPORT_PATH


class SizeLimit(FileUploadHandler):
    """Passes a request's files on while they stay within ``max_bytes`` together, as they arrive;
    past it the file is skipped (what was kept of it is deleted, the rest read and dropped) and
    ``refused`` says so. Inactive (``active`` false), it passes every byte on untouched. The
    limits of the two kinds of upload (a resident's photo, the staff import page) are the two
    subclasses, each active where the other stands aside."""

    active = False
    max_bytes = 0

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        if not self.active:
            return raw_data
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refused = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the memory and temporary-file handlers after this one keep the file


class ImportUploadLimit(SizeLimit):
    """Caps the files posted to the import page at ``COPPS_IMPORT_UPLOAD_MAX_MB`` together, as they arrive.

    It is first in ``FILE_UPLOAD_HANDLERS``; on any other page it passes the bytes on untouched
    and the resident's photo limit (``community.photos.UploadLimit``, which stands aside here)
    applies. Django reads a form's files before any view runs (a middleware looks at every form
    field), so the limit cannot be set by the view itself. Past the limit the file is dropped
    before it is all kept, and the page says so."""

    def __init__(self, request=None):
        super().__init__(request)
        self.active = is_import_upload(request)
        self.max_bytes = max_bytes() if self.active else 0


def upload_refused(request) -> bool:
    """Did ``ImportUploadLimit`` drop a file of this request for its size?"""
    request.FILES  # noqa: B018 -- reads the body (if not yet read), so the handlers have seen it
    return any(isinstance(h, ImportUploadLimit) and h.refused for h in request.upload_handlers)


@dataclass
class Upload(OwnerFolder):
    """One uploaded file waiting to be imported."""

    MANIFEST = "upload.json"

    token: str
    username: str
    file_name: str
    profile: str  # a built-in profile's name, or the path of the uploaded profile file
    profile_label: str
    skip_bad: bool = False
    uploaded_at: str = ""
    summary: dict = field(default_factory=dict)  # the dry run's counts
    job_id: str = ""  # set when the import job is queued

    @classmethod
    def root(cls) -> Path:
        return uploads_root()

    @property
    def data_path(self) -> Path:
        return self.folder / self.file_name

    @classmethod
    def create(cls, username: str, data_file, profile_name: str, profile_file=None, skip_bad: bool = False) -> Upload:
        """Store the uploaded data file (and profile file, if any) in a new staff-only folder."""
        token, folder = cls.new_folder()
        name = get_valid_filename(Path(data_file.name).name) or "upload.csv"
        if name in ("upload.json", "profile.toml"):
            name = "data-" + name
        _write(folder / name, data_file)
        if profile_file is not None:
            profile_path = folder / "profile.toml"
            _write(profile_path, profile_file)
            profile, label = str(profile_path), Path(profile_file.name).name
        else:
            profile, label = profile_name, profile_name
        upload = cls(
            token=token,
            username=username,
            file_name=name,
            profile=profile,
            profile_label=label,
            skip_bad=skip_bad,
            uploaded_at=timezone.now().isoformat(),
        )
        upload.save()
        return upload


def _write(path: Path, uploaded) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
