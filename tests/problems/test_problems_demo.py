"""`copps problems_demo` gives the demo its candidates, two worked example problems (one of them
assessed against the planted intervention) and a DDACTS zone with dosage; running it again adds nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from copps.problems import checklist
from copps.problems.models import Candidate, DdactsZone, Problem


def test_demo_seeds_candidates_and_two_worked_examples(imported, city, cast, client_for, capsys):
    paths, _ = city
    call_command("problems_demo", truth=str(paths["truth"]))
    assert "Worked examples" in capsys.readouterr().out
    assessed = Problem.objects.get(stage="assessment")
    in_analysis = Problem.objects.get(stage="analysis")
    a = assessed.assessments.get()
    assert a.result["before_after"]["rate_ratio_upper"] < 1 and a.result["wdq"]["wdq"] < 0
    assert "95% CI" in a.conclusion
    assert all(row["met"] for row in checklist.evaluate(assessed))  # ready to close
    assert in_analysis.candidates.get().kind == "risky_place" and in_analysis.owner == cast["officer"]
    assert Candidate.objects.filter(status="open").count() >= 10
    page = client_for("supervisor").get(reverse("problems:list"))
    assert assessed.title.encode() in page.content and in_analysis.title[:30].encode() in page.content

    zone = DdactsZone.objects.get()
    assert zone.evidence["crimes"] > 20 and zone.dosage.count() == 3
    zone_page = client_for("officer").get(reverse("problems:ddacts_zone", args=[zone.pk])).content.decode()
    assert "3 spells, 5.5 hours in the zone, 17 contacts" in zone_page and "95% CI" in zone_page

    call_command("problems_demo", truth=str(paths["truth"]))
    assert "there already" in capsys.readouterr().out
    assert Problem.objects.count() == 2 and DdactsZone.objects.count() == 1
