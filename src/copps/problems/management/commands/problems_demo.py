"""copps problems_demo: the demo's candidates and two worked example problems on the synthetic city."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from copps.community.models import ServiceRequest
from copps.incidents import coverage, sitetime
from copps.incidents.models import OffenseCategory
from copps.problems import analyses, ddacts, stages
from copps.problems.assessing import effect_statement, run_assessment
from copps.problems.changes import record_change
from copps.problems.models import (
    Activity,
    Candidate,
    DdactsZone,
    Dosage,
    Hypothesis,
    Objective,
    Partner,
    Problem,
    ProblemPartner,
    RequestLink,
    ResponsePlan,
    SavedAnalysis,
    Task,
    TriangleEntry,
)
from copps.problems.promotion import promote
from copps.problems.scanning import ScanOptions, run

CORNER_CATEGORIES = (
    "theft-from-vehicle",
    "shoplifting",
    "larceny",
    "simple-assault",
    "aggravated-assault",
    "robbery",
    "vandalism",
    "drugs",
    "disorderly",
    "trespass",
)
MOTEL_CATEGORIES = ("disorderly", "drugs", "theft-from-vehicle", "simple-assault")
ASSESSED_TITLE = "Theft and disorder at the Sunridge commercial corner"


def _user(role: str):
    return get_user_model().objects.filter(role=role, is_active=True).order_by("pk").first()


class Command(BaseCommand):
    help = (
        "Scan the demo city for candidates and add two worked example problems (one assessed against "
        "the planted intervention, one in analysis) and a DDACTS zone with logged dosage. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--truth", type=Path, required=True, help="the synthetic city's truth.json")

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        opts["truth"] = Path(opts["truth"])
        if not opts["truth"].exists():
            raise CommandError(f"{opts['truth']} not found: run copps simulate first")
        truth = json.loads(opts["truth"].read_text())
        report = run(None, ScanOptions())
        self.stdout.write("Candidates: " + ", ".join(f"{k} {v['created'] + v['updated']}" for k, v in report.items()))
        self.ddacts_example()
        if Problem.objects.filter(title=ASSESSED_TITLE).exists():
            self.stdout.write("The worked example problems are there already.")
            return
        officer, analyst, supervisor = _user("officer"), _user("analyst"), _user("supervisor")
        if not (officer and analyst and supervisor):
            raise CommandError(
                "the worked examples need an officer, an analyst and a supervisor: create the demo accounts first"
            )
        with transaction.atomic():
            assessed = self.assessed_example(truth, officer, analyst, supervisor)
            in_analysis = self.analysis_example(officer, analyst, supervisor)
        self.stdout.write(f"Worked examples: problem {assessed.pk} (assessment), problem {in_analysis.pk} (analysis).")

    def _move(self, problem, to_stage, requested_by, supervisor, note):
        """The move the way staff make it: asked for by one user, approved by a supervisor."""
        change = stages.request_move(problem, to_stage, by=requested_by, note=note)
        stages.decide(change, by=supervisor, approve=True, note="demo")
        problem.refresh_from_db()

    def assessed_example(self, truth, officer, analyst, supervisor) -> Problem:
        iv = truth["intervention"]
        start = date.fromisoformat(iv["start_date"])
        problem = Problem.objects.create(
            title=ASSESSED_TITLE,
            problem_type="hot_spot",
            owner=officer,
            created_by=analyst,
            summary=(
                "Thefts from cars, shoplifting, fights and drug dealing clustered at the commercial corner, "
                "mostly in the evenings, for more than a year."
            ),
            polygon=iv["target"]["polygon"],
            opened_at=timezone.now() - timedelta(days=120),
        )
        problem.officers.add(officer)
        problem.categories.set(OffenseCategory.objects.filter(code__in=CORNER_CATEGORIES))
        record_change(None, problem, "create", "Problem opened (demo)", {"demo": True}, user=analyst)
        association = Partner.objects.create(
            name="Sunridge Corner Business Association",
            kind="business",
            role="manager",
            contact_name="Association chair",
        )
        lighting = Partner.objects.create(
            name="City Public Works, street lighting", kind="city_department", role="guardian"
        )
        ProblemPartner.objects.create(problem=problem, partner=association, role="manager")
        ProblemPartner.objects.create(problem=problem, partner=lighting, role="guardian")
        for side, text, place, partner in [
            ("place", "the car parks and forecourts of the corner's shops", "commercial corner", None),
            ("offender", "small groups loitering after the shops close, some known for drug sales", "", None),
            ("victim", "shoppers' parked cars and the shops' stock", "", None),
            ("manager", "shop owners and the car park's owner, not managing the lots after hours", "", association),
            ("guardian", "street lighting, several lamps out", "", lighting),
        ]:
            TriangleEntry.objects.create(
                problem=problem, side=side, description=text, place=place, partner=partner, created_by=analyst
            )
        Hypothesis.objects.create(
            problem=problem,
            created_by=analyst,
            status="supported",
            statement="Crime peaks after closing time when the lots are dark and unmanaged",
            evidence="Most incidents fall between 19:00 and 01:00 (hour x weekday profile)",
        )
        # The analysis the hypothesis rests on, for the year before the response, kept with its parameters.
        before = {"date_from": start - timedelta(days=365), "date_to": start - timedelta(days=1)}
        for kind in (SavedAnalysis.Kind.TEMPORAL, SavedAnalysis.Kind.PLACES):
            params = analyses.with_choices(analyses.default_parameters(problem, kind), kind, before)
            analyses.save(problem, kind, params, analyst)
        # What residents reported inside the corner: the community's side of the same problem.
        target = shape(problem.polygon)
        located = ServiceRequest.objects.filter(lat__isnull=False, lon__isnull=False).order_by("requested_at")
        for request in [r for r in located if target.contains(Point(r.lon, r.lat))][:5]:
            RequestLink.objects.create(problem=problem, request=request, added_by=officer,
                                       note="reported at the corner (demo)")
        plan = ResponsePlan.objects.create(
            problem=problem,
            summary=(
                "Lots closed after hours with the owners; lamps repaired; private security and directed patrols "
                "in the evening; signs."
            ),
            techniques=[
                "control-access",
                "natural-surveillance",
                "place-managers",
                "formal-surveillance",
                "post-instructions",
            ],
        )
        Objective.objects.create(
            plan=plan,
            text="Crime at the corner down by a third within a year",
            measure="before/after with a control corner, and displacement to a 400 m ring",
        )
        for title, partner, status in [
            ("Repair the lamps", lighting, "done"),
            ("Agree after-hours lot closure", association, "done"),
            ("Evening directed patrols", None, "done"),
            ("Trespass signs on every lot", association, "dropped"),
        ]:
            Task.objects.create(
                problem=problem,
                title=title,
                owner=officer,
                partner=partner,
                status=status,
                completed_at=timezone.now() if status == "done" else None,
            )
        for to_stage in ("analysis", "response", "assessment"):
            self._move(problem, to_stage, officer, supervisor, "checklist met")
        data = {
            "title": "One year after the response",
            "kind": "crime",
            "use_problem_categories": False,
            "before_start": date.fromisoformat(truth["start"]),
            "before_end": start - timedelta(days=1),
            "after_start": start,
            # to the last complete day of data (the day of the latest event counts as partial)
            "after_end": coverage.complete_to("crime") or date.fromisoformat(truth["end"]) - timedelta(days=2),
            "zones": {"target": {"polygon": iv["target"]["polygon"]}, "control": {"polygon": iv["control"]["polygon"]}},
            "target_from": "polygon",
            "control_from": "geojson",
            "buffer_m": iv["buffer"]["outer_radius_m"] - iv["buffer"]["inner_radius_m"],
            "alpha": 0.05,
            "dispersion": 1.0,
        }
        a = run_assessment(problem, data, analyst)
        a.conclusion = (
            f"Crime at the corner fell: {effect_statement(a.result['before_after'])}. "
            "Some crime moved into the surrounding ring (WDQ below zero)."
        )
        a.save(update_fields=["conclusion"])
        record_change(None, problem, "assessment.run", "Assessment run (demo)", {"assessment": a.pk}, user=analyst)
        return problem

    def analysis_example(self, officer, analyst, supervisor) -> Problem:
        candidate = (
            Candidate.objects.filter(kind=Candidate.Kind.RISKY_PLACE, status=Candidate.Status.OPEN)
            .order_by("-score")
            .first()
        )
        if candidate is None:
            raise CommandError("no open risky-place candidate to promote")
        problem = promote(candidate.pk, analyst)
        problem.summary = (
            "Far more crimes and calls than any other place: disturbances, drugs and car crime at "
            "and around the motel, night after night."
        )
        problem.owner = officer
        problem.save()
        problem.officers.add(officer)
        # the scanning checklist, as staff would fill it before asking to move on
        problem.categories.add(*OffenseCategory.objects.filter(code__in=MOTEL_CATEGORIES))
        self._move(problem, "analysis", analyst, supervisor, "promoted from scanning; owner assigned")
        TriangleEntry.objects.create(
            problem=problem,
            side="place",
            description="the motel and its car park",
            place=candidate.evidence.get("place", ""),
            created_by=officer,
        )
        Hypothesis.objects.create(
            problem=problem,
            created_by=analyst,
            statement="Weekly-rate rooms let to the same few guests generate most calls",
        )
        Activity.objects.create(
            problem=problem,
            user=officer,
            kind=Activity.Kind.VISIT,
            text="Met the night manager; no guest register checks after 22:00.",
        )
        return problem

    def ddacts_example(self) -> None:
        """The overlay's strongest zone, opened 90 days before the data end, with a few logged patrols."""
        if DdactsZone.objects.exists():
            return
        officer, analyst = _user("officer"), _user("analyst")
        ov = ddacts.overlay()
        if not (officer and analyst and ov and ov.zones):
            self.stdout.write("DDACTS: no zone where crime and collisions are both hot (or no demo accounts).")
            return
        start = date.fromisoformat(ov.parameters["last_day"]) - timedelta(days=90)
        with transaction.atomic():
            zone = ddacts.create_zone(ov.zones[0], ov.parameters, "DDACTS zone 1 (demo)", start, analyst)
            now = timezone.now().replace(minute=0, second=0, microsecond=0)
            for days_ago, hours, contacts, kind in [
                (3, 2, 6, "traffic_enforcement"),
                (2, 1.5, 2, "visibility"),
                (1, 2, 9, "saturation"),
            ]:
                begin = now - timedelta(days=days_ago, hours=4)
                Dosage.objects.create(
                    zone=zone,
                    officer=officer,
                    kind=kind,
                    started_at=begin,
                    ended_at=begin + timedelta(hours=hours),
                    contacts=contacts,
                    logged_by=officer,
                )
        self.stdout.write(
            f"DDACTS: zone {zone.pk} ({zone.evidence['crimes']} crimes, "
            f"{zone.evidence['collisions']} collisions) with 3 patrols logged."
        )
