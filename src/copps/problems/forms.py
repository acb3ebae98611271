"""The workspace's forms. Every form posts with a CSRF token; geometry comes as GeoJSON text."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copps.accounts.models import Role
from copps.analysis import coverage as cov
from copps.geo.shapes import GeometryError, parse_polygon
from copps.incidents import coverage
from copps.incidents.models import Area, OffenseCategory
from copps.problems import analyses, stages, techniques
from copps.problems import hotspot_workspace as hw
from copps.problems.assessing import similar_controls
from copps.problems.models import (
    Activity,
    Candidate,
    Dosage,
    Hypothesis,
    Objective,
    Partner,
    Problem,
    ProblemPartner,
    ResponsePlan,
    Task,
    TriangleEntry,
)
from copps.problems.presenting import EVENT_KINDS

__all__ = [
    "ActivityForm",
    "WorkspaceForm",
    "AssessmentForm",
    "AssignForm",
    "BulkDecisionForm",
    "DecisionForm",
    "DismissForm",
    "DosageForm",
    "EventLinkForm",
    "ExternalLinkForm",
    "HypothesisForm",
    "ObjectiveForm",
    "PartnerForm",
    "PlanForm",
    "RequestLinkForm",
    "TipLinkForm",
    "ProblemForm",
    "ProblemPartnerForm",
    "StageRequestForm",
    "TaskForm",
    "TaskStatusForm",
    "TriangleForm",
    "ZoneForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVENT_KIND_CHOICES = [(kind, words.capitalize()) for kind, words in EVENT_KINDS.items()]


def _areas():
    return Area.objects.exclude(type=Area.Type.CITY).order_by("type", "name")


def _officers():
    return get_user_model().objects.filter(is_active=True, role=Role.OFFICER).order_by("username")


def _staff():
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.OFFICER, Role.ANALYST, Role.SUPERVISOR])
        .order_by("username")
    )


class PolygonField(forms.CharField):
    """A GeoJSON Polygon/MultiPolygon typed, pasted or drawn on the map (problems.js fills it)."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "geojson", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_polygon(value)
        except GeometryError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def prepare_value(self, value):
        import json

        return json.dumps(value) if isinstance(value, dict) else value


class ProblemForm(forms.ModelForm):
    polygon = PolygonField(
        required=False,
        label="Area drawn on the map (GeoJSON)",
        help_text="Click the map to draw, or paste a GeoJSON polygon.",
    )
    areas = forms.ModelMultipleChoiceField(
        queryset=_areas(), required=False, label="Areas", widget=forms.SelectMultiple(attrs={"size": 6})
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=OffenseCategory.objects.all(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    class Meta:
        model = Problem
        fields = ["title", "problem_type", "summary", "public", "title_es", "summary_es", "areas", "polygon",
                  "categories"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = _areas()


class AssignForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["owner", "officers"]
        widgets = {"officers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _officers()
        self.fields["officers"].queryset = _officers()


class TriangleForm(forms.ModelForm):
    class Meta:
        model = TriangleEntry
        fields = ["side", "description", "place", "partner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(active=True)


class HypothesisForm(forms.ModelForm):
    class Meta:
        model = Hypothesis
        fields = ["statement", "status", "evidence"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 2})}


class ActivityForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=[c for c in Activity.Kind.choices if c[0] != Activity.Kind.CHANGE])

    class Meta:
        model = Activity
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "role", "contact_name", "phone", "email", "address", "notes", "active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ProblemPartnerForm(forms.ModelForm):
    class Meta:
        model = ProblemPartner
        fields = ["partner", "role", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(active=True)


class PlanForm(forms.ModelForm):
    techniques = forms.MultipleChoiceField(
        choices=techniques.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Situational crime prevention techniques",
    )

    class Meta:
        model = ResponsePlan
        fields = ["summary", "techniques"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["text", "measure"]


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "owner", "partner", "due", "status"]
        widgets = {"due": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff()
        self.fields["partner"].queryset = Partner.objects.filter(active=True)


class TaskStatusForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["status"]


class EventLinkForm(forms.Form):
    event_ids = forms.CharField(label="Event numbers", help_text="separated by spaces or commas", max_length=2000)
    note = forms.CharField(max_length=300, required=False)

    def clean_event_ids(self):
        raw = self.cleaned_data["event_ids"].replace(",", " ").split()
        try:
            ids = sorted({int(v) for v in raw})
        except ValueError as exc:
            raise forms.ValidationError("event numbers are whole numbers") from exc
        if not ids or len(ids) > 500:
            raise forms.ValidationError("give between 1 and 500 event numbers")
        return ids


class ExternalLinkForm(forms.Form):
    KINDS = [
        ("community.servicerequest", "Community service request"),
        ("community.tip", "Anonymous tip"),
        ("community.meeting", "Community meeting"),
    ]
    target = forms.ChoiceField(choices=KINDS, label="Record type")
    object_id = forms.CharField(max_length=64, label="Record id")
    label = forms.CharField(max_length=300, required=False, help_text="what it says, briefly")


class RequestLinkForm(forms.Form):
    request_id = forms.CharField(max_length=64, label="Community request", help_text="its number or public id")
    note = forms.CharField(max_length=300, required=False)

    def clean_request_id(self):
        return self.cleaned_data["request_id"].strip()


class TipLinkForm(forms.Form):
    tip_id = forms.CharField(max_length=64, label="Anonymous tip", help_text="its number or tip id")
    note = forms.CharField(max_length=300, required=False)

    def clean_tip_id(self):
        return self.cleaned_data["tip_id"].strip()


class ZoneForm(forms.Form):
    """Open a DDACTS zone from one of the overlay's zones (by its number on the page)."""

    zone = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    start = forms.DateField(widget=DATE, help_text="first day of the deployment")
    open_problem = forms.BooleanField(required=False, label="Also open a traffic problem for it")


class DosageForm(forms.ModelForm):
    """One spell of enforcement or visibility in a zone."""

    started_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    class Meta:
        model = Dosage
        fields = ["officer", "kind", "started_at", "ended_at", "contacts", "note"]

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers if officers is not None else _staff()

    def clean(self):
        data = super().clean()
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end:
            if end <= start:
                self.add_error("ended_at", "The end must come after the start.")
            elif (end - start).total_seconds() > 16 * 3600:
                self.add_error("ended_at", "One spell lasts at most 16 hours: log a long day as several.")
            elif end > timezone.now():
                self.add_error("ended_at", "The spell cannot end in the future.")
        return data


class AnalysisRunForm(forms.Form):
    """What an analyst chooses before running an analysis of the problem: the analysis, the
    events, the period (blank: the year up to the latest imported day) and the analysis's own
    settings (blank: the defaults shown as placeholders)."""

    MAX_DAYS = 3660

    kind = forms.ChoiceField(label="Analysis of the problem's area and categories",
                             choices=[(k.value, k.label) for k in analyses.KINDS])
    event_kind = forms.ChoiceField(label="Events", choices=EVENT_KIND_CHOICES, initial="crime")
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    top = forms.IntegerField(label="Places, addresses or street segments: how many to list", required=False,
                             min_value=1, max_value=200)
    band_m = forms.IntegerField(label="Near repeats: distance band (metres)", required=False, min_value=10,
                                max_value=2000)
    band_days = forms.IntegerField(label="Near repeats: time band (days)", required=False, min_value=1,
                                   max_value=180)
    permutations = forms.IntegerField(label="Near repeats: permutations", required=False, min_value=19,
                                      max_value=999)
    step_days = forms.IntegerField(label="Trend: days per step", required=False, min_value=1, max_value=92)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, default in analyses.DEFAULTS.items():  # a blank field keeps the default it shows
            self.fields[name].widget.attrs["placeholder"] = str(default)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The period ends before it starts.")
            elif (end - start).days + 1 > self.MAX_DAYS:
                self.add_error("date_from", f"The period may be at most {self.MAX_DAYS} days.")
        return data

    def settings_fields(self):
        """The bound fields after the analysis, the events and the period."""
        return [self[name] for name in ("date_from", "date_to", "top", "band_m", "band_days", "permutations",
                                        "step_days")]

    def error_text(self) -> str:
        """Every error, each with the label of its field, on one line (for a message)."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            parts += [f"{label}: {e}" if label else e for e in errors]
        return " ".join(parts)


class StageRequestForm(forms.Form):
    to_stage = forms.ChoiceField(choices=[])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = list(targets)


class DecisionForm(forms.Form):
    """A supervisor's decision on a stage change: a refusal says why (the team reads it)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="required when refusing: what the team must do first",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why you refuse: the team needs to know what to do next.")
        return data


class BulkDecisionForm(DecisionForm):
    """The same decision on several stage changes at once (the "Waiting for me" list)."""

    changes = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one stage change."},
    )

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changes"].queryset = pending


class DismissForm(forms.ModelForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), min_length=5, help_text="why this is not a problem to work now"
    )

    class Meta:
        model = Candidate
        fields = ["reason"]


def _year_before(day: date, years: int = 1) -> date:
    """The same calendar day ``years`` earlier (later when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class AssessmentForm(forms.Form):
    """Periods and zones of an outcome assessment."""

    ZONE = [("polygon", "The problem's polygon"), ("areas", "Chosen areas"),
            ("geojson", "A polygon drawn on the map or pasted (GeoJSON)")]
    title = forms.CharField(max_length=200, required=False)
    before_start = forms.DateField(widget=DATE)
    before_end = forms.DateField(widget=DATE)
    after_start = forms.DateField(widget=DATE)
    after_end = forms.DateField(widget=DATE)
    kind = forms.ChoiceField(choices=EVENT_KIND_CHOICES)
    use_problem_categories = forms.BooleanField(
        required=False, initial=True, label="Count only the problem's categories"
    )
    target_from = forms.ChoiceField(choices=ZONE, initial="polygon", label="Target")
    target_areas = forms.ModelMultipleChoiceField(
        queryset=_areas(), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    target_geojson = PolygonField(required=False, label="Target polygon (GeoJSON)")
    buffer_m = forms.FloatField(
        min_value=0, initial=400, required=False, label="Buffer ring around the target, metres (0: no buffer)"
    )
    control_from = forms.ChoiceField(choices=ZONE[1:], initial="areas", label="Control")
    control_areas = forms.ModelMultipleChoiceField(
        queryset=_areas(), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    control_geojson = PolygonField(required=False, label="Control polygon (drawn on the map, or GeoJSON)")
    alpha = forms.FloatField(
        min_value=0.001,
        max_value=0.2,
        initial=0.05,
        label="Significance level",
        help_text="0.05 gives 95% intervals and calls a change significant when p is below 0.05",
    )
    dispersion = forms.FloatField(
        min_value=1.0,
        max_value=20.0,
        initial=1.0,
        label="Overdispersion",
        help_text="how much more the counts vary than chance alone would make them (1 = no more: Poisson)",
    )
    conclusion = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem = problem
        self.fields["target_areas"].queryset = _areas()
        self.fields["control_areas"].queryset = _areas()
        self.control_suggestions: list[dict] = []
        self.periods_note = "" if self.is_bound else self._default_periods()

    def _default_periods(self) -> str:
        """Fill in the usual comparison: the 12 months before the response began against the 12
        months from its start, cut at the data's last complete day (and its first day). Returns
        the sentence the page shows about where the dates come from."""
        kinds = set(self.problem.categories.values_list("kind", flat=True))
        kind = kinds.pop() if len(kinds) == 1 else "crime"
        self.initial.setdefault("kind", kind)
        began = stages.response_started(self.problem)
        if began is None:
            return "The response has not started (the problem has not moved into Response): choose the periods."
        c = coverage.of(kind)
        if c is None:
            return f"There is no {kind} data yet to compare."
        first, last = coverage.as_date(c.first), coverage.as_date(c.complete_to)
        if last < began:
            return (
                f"The response began on {began}, after the {kind} data's last complete day ({last}): "
                "there is no after period to count yet."
            )
        before_start = max(_year_before(began), first)
        after_end = min(_year_before(began, years=-1) - timedelta(days=1), last)
        self.initial.update(
            before_start=before_start, before_end=began - timedelta(days=1), after_start=began, after_end=after_end
        )
        if self.problem.polygon:
            cats = tuple(self.problem.categories.values_list("code", flat=True))
            self.control_suggestions = similar_controls(
                self.problem.polygon, kind, cats, (before_start, began - timedelta(days=1))
            )
            if self.control_suggestions:
                self.initial.update(control_from="areas",
                                    control_areas=[row["area"].pk for row in self.control_suggestions])
        cut = []
        if before_start > _year_before(began):
            cut.append(f"the before period starts at the data's first day ({first})")
        if after_end < _year_before(began, years=-1) - timedelta(days=1):
            cut.append(f"the after period ends at the data's last complete day ({last})")
        return (
            f"Periods filled in from the response's start on {began}: the 12 months before it against "
            f"the 12 months from it" + (f"; {' and '.join(cut)}" if cut else "") + "."
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        b0, b1, a0, a1 = (data.get(k) for k in ("before_start", "before_end", "after_start", "after_end"))
        if not (b0 <= b1 < a0 <= a1):
            raise forms.ValidationError("Periods must run before start ≤ before end < after start ≤ after end.")
        if a1 > timezone.localdate():
            self.add_error("after_end", "The after period cannot end in the future.")
        else:
            self._check_coverage(data.get("kind"), {"before": (b0, b1), "after": (a0, a1)})
        zones = {}
        for zone in ("target", "control"):
            how = data[f"{zone}_from"]
            if how == "polygon":
                if not self.problem.polygon:
                    self.add_error(f"{zone}_from", "The problem has no polygon: draw one or choose areas.")
                zones[zone] = {"polygon": self.problem.polygon}
            elif how == "areas":
                areas = list(data.get(f"{zone}_areas") or [])
                zones[zone] = {"areas": areas}
                if not areas:
                    self.add_error(f"{zone}_areas", "Choose at least one area.")
            else:
                polygon = data.get(f"{zone}_geojson")
                zones[zone] = {"polygon": polygon}
                if not polygon:
                    self.add_error(f"{zone}_geojson", "Give a polygon.")
        data["zones"] = zones
        return data

    def _check_coverage(self, kind, periods) -> None:
        """Both periods must lie where the data of ``kind`` is complete: a period the data does not
        cover (in full) would count missing data as a fall."""
        c = coverage.of(kind)
        for name, (a, b) in periods.items():
            status = cov.window_status(c, a, b + timedelta(days=1))
            if status != cov.FULL:
                what = "does not cover" if status == cov.NONE else "covers only part of"
                self.add_error(
                    f"{name}_end",
                    f"The {kind} {coverage.describe(c)}; it {what} the {name} period: choose dates inside it.",
                )


class CrashForm(forms.Form):
    """The crash page's filters: an area (a district or beat; blank: the whole city), the period
    (blank: the 365 days ending on the collision data's last complete day) and the severities
    (none ticked: every one). ``problem`` is asked only when the analysis is saved."""

    MAX_DAYS = AnalysisRunForm.MAX_DAYS
    DAYS = 365

    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.filter(type__in=[Area.Type.DISTRICT, Area.Type.BEAT]).order_by("type", "code"),
        required=False,
        empty_label=_("The whole city"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    severity = forms.MultipleChoiceField(
        label=_("Severity"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, problems=None, **kwargs):
        from copps.problems.crashes import SEVERITIES

        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = list(SEVERITIES)
        self.fields["area"].label_from_instance = lambda a: f"{a.get_type_display()} {a.name}"
        if problems is not None:
            self.fields["problem"] = forms.ModelChoiceField(label=_("Problem"), queryset=problems)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The period ends before it starts."))
            elif (end - start).days + 1 > self.MAX_DAYS:
                self.add_error("date_from", _("The period may be at most %(days)s days.") % {"days": self.MAX_DAYS})
        return data

    def parameters(self, last_day: date | None) -> dict:
        """The analysis's parameters, every date resolved (a re-run reads the same collisions)."""
        from copps.problems.dashboard import scan_area

        data = self.cleaned_data
        end = data.get("date_to") or (
            data["date_from"] + timedelta(days=self.DAYS - 1) if data.get("date_from") else None
        )
        end = end or last_day or timezone.localdate()
        start = data.get("date_from") or end - timedelta(days=self.DAYS - 1)
        area = data.get("area")
        return {
            "event_kind": "collision",
            "categories": [],
            "area": scan_area(area),
            "area_ids": [area.pk] if area else [],
            "polygon": None,
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "severity": [s for s, _label in self.fields["severity"].choices if s in (data.get("severity") or [])],
        }

    def error_text(self) -> str:
        """Every error with the label of its field, on one line."""
        return " ".join(
            f"{self.fields[name].label}: {e}" if name in self.fields else str(e)
            for name, errors in self.errors.items()
            for e in errors
        )


class WorkspaceForm(forms.Form):
    """The analysis workspace of the dashboard (GET): what to map, where, when, and how finely.
    Blank fields keep :func:`copps.problems.hotspot_workspace.defaults`; dates the data of the
    chosen kind does not reach are refused with the days it covers."""

    MAX_DAYS = 3660

    kind = forms.ChoiceField(label=_("Events"), choices=EVENT_KIND_CHOICES, required=False)
    category = forms.MultipleChoiceField(label=_("Categories (none: every category)"), required=False)
    severity = forms.ChoiceField(
        label=_("Collision severity"),
        required=False,
        choices=[("all", _("All collisions")), ("injury", _("Injury or fatal")), ("fatal", _("Fatal only"))],
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label=_("Area"), required=False)
    zone_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cell = forms.IntegerField(label=_("Cell (metres)"), required=False, min_value=hw.CELL[0], max_value=hw.CELL[1])
    bandwidth = forms.IntegerField(
        label=_("Bandwidth (metres)"), required=False, min_value=hw.BANDWIDTH[0], max_value=hw.BANDWIDTH[1]
    )
    permutations = forms.IntegerField(
        label=_("Gi* permutations (0: normal approximation)"),
        required=False,
        min_value=hw.PERMUTATIONS[0],
        max_value=hw.PERMUTATIONS[1],
    )
    layer = forms.MultipleChoiceField(
        label=_("Layers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("kde", _("Density (KDE)")),
            ("gistar", _("Gi* hot and cold spots")),
            ("emerging", _("Emerging hot spots")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cats = OffenseCategory.objects.order_by("kind", "name").values_list("code", "name", "kind")
        self.category_kinds = {code: kind for code, _name, kind in cats}
        self.fields["category"].choices = [(code, f"{name} ({kind})") for code, name, kind in cats]
        self.fields["area"].choices = [("", _("The whole city"))] + [
            (str(pk), f"{type_.capitalize()} {name}") for pk, type_, name in _workspace_areas()
        ]
        self.fields["layer"].initial = list(hw.LAYERS)
        self.fields["cell"].widget.attrs["placeholder"] = "150"
        self.fields["bandwidth"].widget.attrs["placeholder"] = "300"
        self.fields["permutations"].widget.attrs["placeholder"] = "0"

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "crime"
        data["kind"] = kind
        wrong = [c for c in data.get("category") or [] if self.category_kinds.get(c) != kind]
        if wrong:
            self.add_error(
                "category",
                _("%(codes)s: not a category of %(kind)s.") % {"codes": ", ".join(wrong), "kind": EVENT_KINDS[kind]},
            )
        c = coverage.of(kind)
        if c is None:
            self.add_error("kind", _("There is no data of this kind yet."))
            return data
        last = coverage.as_date(c.complete_to)
        end = data.get("date_to") or last
        start = data.get("date_from") or end - timedelta(days=364)
        if end > last:
            self.add_error(
                "date_to",
                _("The data ends on %(last)s (its last complete day): choose that day or an earlier one.")
                % {"last": last},
            )
        elif end < start:
            self.add_error("date_to", _("The period ends before it starts."))
        elif (end - start).days + 1 > self.MAX_DAYS:
            self.add_error("date_from", _("The period may be at most %(n)s days.") % {"n": self.MAX_DAYS})
        elif cov.days_covered(c, start, end + timedelta(days=1)).size == 0:
            self.add_error(
                "date_from", _("The data covers none of these days (%(span)s).") % {"span": coverage.describe(c)}
            )
        data["date_from"], data["date_to"] = start, end
        return data

    def parameters(self, zone: Problem | None = None) -> dict:
        """The workspace's parameters (``hotspot_workspace`` keys) from the cleaned data; ``zone``:
        the problem whose areas and polygon bound the map."""
        d = self.cleaned_data
        params = hw.defaults(d["kind"]) | {
            "categories": sorted(d.get("category") or []),
            "severity": d.get("severity") or "all",
            "date_from": d["date_from"].isoformat(),
            "date_to": d["date_to"].isoformat(),
            "cell_m": d.get("cell") or 150,
            "bandwidth_m": d.get("bandwidth") or 300,
            "permutations": d.get("permutations") or 0,
            "layers": [x for x in hw.LAYERS if x in (d.get("layer") or hw.LAYERS)],
        }
        if zone is not None:
            params["area_ids"] = sorted(zone.areas.values_list("pk", flat=True))
            params["polygon"] = zone.polygon
        elif d.get("area"):
            params["area_ids"] = [int(d["area"])]
        return params

    def error_text(self) -> str:
        """Every error, each with its field's name, on one line (the GeoJSON endpoint's 400)."""
        return " ".join(f"{name}: {e}" for name, errors in self.errors.items() for e in errors)


def _workspace_areas():
    return (
        Area.objects.filter(type__in=[Area.Type.DISTRICT, Area.Type.BEAT])
        .order_by("type", "code")
        .values_list("pk", "type", "name")
    )
