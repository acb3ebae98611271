"""`copps problems_demo` gives the demo its candidates and two worked example problems, one of them
assessed against the planted intervention; running it again adds nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from copps.problems import checklist
from copps.problems.models import Candidate, Problem


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

    call_command("problems_demo", truth=str(paths["truth"]))
    assert "there already" in capsys.readouterr().out
    assert Problem.objects.count() == 2
