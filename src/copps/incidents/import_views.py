"""Importing a file from the browser: upload, dry run with a preview, then the import as a job.

The page is the CLI's ``copps import --dry-run`` and ``copps import`` behind a form: the same
profile loading, the same importer (``importing.import_file``), the same summary and the same
list of bad rows (file, row, field). Analysts and administrators only; each step is audited
(``import.upload`` with the dry run's counts; the job's own ``job.enqueue`` and ``job.finish``).
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from copps.accounts import audit
from copps.accounts.models import Role
from copps.accounts.permissions import deny_path, staff_required
from copps.incidents.importing import ImportFailed, builtin_profiles, import_file, load_profile
from copps.incidents.importing.errors import ProfileError
from copps.incidents.models import Location, OffenseCategory
from copps.incidents.uploads import Upload, max_bytes, upload_refused
from copps.jobs import tasks
from copps.jobs.queue import enqueue

__all__ = ["IMPORT_ROLES", "import_start", "import_upload"]

IMPORT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
PREVIEW_ROWS = 10
ERRORS_SHOWN = 200


def event_profiles() -> list[tuple[str, str]]:
    """(name, "name — title") of every built-in profile of events (service-request profiles load
    with ``copps requests import``)."""
    choices = []
    for name in builtin_profiles():
        profile = load_profile(name)
        if profile.kind != "request":
            choices.append((name, f"{name} — {profile.title}"))
    return choices


class ImportUploadForm(forms.Form):
    profile = forms.ChoiceField(
        required=False,
        label="Built-in profile",
        help_text="How to read the export. Or leave this empty and upload your own profile below.",
    )
    profile_file = forms.FileField(
        required=False, label="Or your own profile (TOML)", help_text="See docs/import-profiles.md."
    )
    data_file = forms.FileField(label="Export file", help_text="CSV or TSV, optionally gzipped.")
    skip_bad = forms.BooleanField(
        required=False,
        label="Import the good rows even if some are bad",
        help_text="Like copps import --skip-bad: the bad rows are listed and left out. Without it, a "
        "file with any bad row imports nothing.",
    )

    def __init__(self, *args, refused: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused
        self.fields["profile"].choices = [("", "— choose one, or upload a profile —"), *event_profiles()]
        self.fields["data_file"].help_text += f" At most {max_bytes() // 1_048_576} MB."

    def clean(self):
        data = super().clean()
        if self.refused:
            raise forms.ValidationError(
                f"The upload is larger than {max_bytes() // 1_048_576} MB, the largest accepted "
                "(COPPS_IMPORT_UPLOAD_MAX_MB). Import a file that large with copps import.",
                code="too_large",
            )
        if bool(data.get("profile")) == bool(data.get("profile_file")):
            raise forms.ValidationError("Choose a built-in profile or upload a profile file (one of the two).")
        return data


def _may_import(request) -> bool:
    return request.user.role in IMPORT_ROLES


@staff_required
def import_upload(request):
    """GET: the form. POST: store the files, run the dry run, show the preview and summary."""
    if not _may_import(request):
        return deny_path(request)
    if request.method != "POST":
        return render(request, "incidents/import_upload.html", {"form": ImportUploadForm()})
    refused = upload_refused(request)
    form = ImportUploadForm(request.POST, request.FILES, refused=refused)
    if not form.is_valid():
        return render(request, "incidents/import_upload.html", {"form": form}, status=400)
    data = form.cleaned_data
    upload = Upload.create(
        request.user.get_username(),
        data["data_file"],
        data["profile"],
        data["profile_file"],
        skip_bad=data["skip_bad"],
    )
    context = {"upload": upload, "form": form}
    try:
        profile = load_profile(upload.profile)
        if profile.kind == "request":
            raise ProfileError(
                f'{upload.profile_label} is a service-request profile (kind = "request"): load the file with '
                "copps requests import"
            )
    except ProfileError as exc:
        context["failure"] = str(exc).replace(str(upload.folder) + "/", "")
        _audit(request, upload, "profile refused")
        return render(request, "incidents/import_upload.html", context, status=400)
    try:
        result = import_file(
            upload.data_path, profile, skip_bad=upload.skip_bad, dry_run=True, user=request.user, preview=PREVIEW_ROWS
        )
    except ImportFailed as exc:
        context |= {"failure": _plain(str(exc), upload), "errors": exc.errors[:ERRORS_SHOWN], "result": exc.result}
        context["more_errors"] = max(0, len(exc.errors) - ERRORS_SHOWN)
        context["preview"] = _preview_rows(exc.result.preview if exc.result else [])
        _audit(request, upload, "refused", {"bad_rows": len(exc.errors)})
        return render(request, "incidents/import_upload.html", context, status=400)
    upload.summary = {
        "read": result.read,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "ungeocoded": result.ungeocoded,
    }
    upload.save()
    _audit(request, upload, "dry run", upload.summary)
    context |= {
        "result": result,
        "summary": _plain(result.summary(), upload),
        "errors": result.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(result.errors) - ERRORS_SHOWN),
        "preview": _preview_rows(result.preview),
        "outside": result.locations.get(Location.OUTSIDE, 0) + result.locations.get(Location.INVALID, 0),
        "buffer": result.locations.get(Location.BUFFER, 0),
    }
    return render(request, "incidents/import_preview.html", context)


@require_POST
@staff_required
def import_start(request, token: str):
    """Queue the import job of an upload previewed by this user, once, and show it on the Jobs page."""
    if not _may_import(request):
        return deny_path(request)
    upload = Upload.find(token, request.user.get_username())
    if upload is None or not upload.summary:  # unknown, someone else's, or its dry run refused it
        raise Http404("no such upload")
    if not upload.job_id:
        job = enqueue(
            tasks.import_file,
            str(upload.data_path),
            upload.profile,
            skip_bad=upload.skip_bad,
            label=f"Import {upload.file_name} ({upload.profile_label})",
            request=request,
        )
        upload.job_id = str(job.id)
        upload.save()
    return redirect(reverse("jobs:list") + f"#job-{upload.job_id}")


def _audit(request, upload: Upload, outcome: str, counts: dict | None = None) -> None:
    audit.record(
        "import.upload",
        request=request,
        object_type="upload",
        object_id=upload.token,
        params={
            "file": upload.file_name,
            "bytes": upload.data_path.stat().st_size,
            "profile": upload.profile_label,
            "skip_bad": upload.skip_bad,
            "dry_run": outcome,
            **(counts or {}),
        },
    )


def _plain(text: str, upload: Upload) -> str:
    """The importer names files by their path; the page names them as the user did."""
    return text.replace(str(upload.folder) + "/", "")


def _preview_rows(records) -> list[dict]:
    names = dict(OffenseCategory.objects.filter(pk__in={r.category_id for r in records}).values_list("pk", "name"))
    locations = dict(Location.choices)
    return [
        {
            "line": r.line,
            "id": r.source_id,
            "occurred": r.occurred_from,
            "reported": r.reported_at,
            "offense": r.offense,
            "category": names.get(r.category_id, ""),
            "sensitive": r.sensitive,
            "address": r.block_address or r.address,
            "lat": r.lat,
            "lon": r.lon,
            # a point not judged yet (the jurisdiction is the data's own extent until the merge)
            "location": locations.get(r.location, r.location) if r.location or r.lat is None else "—",
        }
        for r in records
    ]
