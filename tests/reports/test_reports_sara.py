"""The SARA report of problems_demo's worked examples: every section of an award submission, the
assessment with its interval and p, a map and a monthly chart drawn as SVG on the server; the PDF
carries the same text."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape
from tests.reports.conftest import pdf_by_job, pdf_text

from copps.accounts.models import AuditLog
from copps.problems import analyses
from copps.problems.assessing import buffer_statement, effect_statement, net_statement

SECTIONS = ("Summary", "Scanning", "Analysis", "Response", "Assessment")


# the worker closes a connection left inside a transaction, as a real one must: a committed test
@pytest.mark.django_db(transaction=True)
def test_sara_page_and_pdf_of_the_assessed_example(client_for, demo):
    assessed, _ = demo
    a = assessed.assessments.get()
    c = client_for("officer")
    page = c.get(reverse("reports:sara", args=[assessed.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for heading in SECTIONS:
        assert f">{heading}</h2>" in html
    # the map (problem area, buffer, control) and the monthly chart split at the response, as inline SVG
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="report-map"') == 1
    assert html.count('class="report-chart"') == 1 and "control area" in html and "<script" not in html
    assert "problem area (target)" in html and "buffer (displacement zone)" in html
    months = re.findall(r"<title>(\d{4}-\d{2}): (\d+)</title>", html)
    assert len(months) >= 20 and sum(int(n) for _, n in months) >= a.counts["target"]["before"]
    # assessment: the stored result, worded with its interval and p; WDQ read; process done vs planned
    assert effect_statement(a.result["before_after"]) in html
    assert "some displacement to the buffer" in html and "3 of 3 planned tasks done" in html
    # ... and whether that displacement, and the effect net of it, are larger than chance
    assert buffer_statement(a.result) in html and net_statement(a.result) in unescape(html)
    assert "Sunridge Corner Business Association" in html and "Natural surveillance" in html.replace(
        "natural", "Natural"
    )
    # analysis: each saved analysis with its finding; the community's reports beside the police data
    saved = list(assessed.analyses.exclude(kind="candidate"))
    assert {an.kind for an in saved} >= {"temporal", "places"}
    for an in saved:
        assert unescape(analyses.summary(an.kind, an.result)) in unescape(html)
    found = next(an for an in saved if an.kind == "temporal").result
    assert f"{found['peak_text']} ({found['time_zone']})" in unescape(html)
    requests = list(assessed.request_links.select_related("request__service"))
    assert requests and f"{len(requests)} community request" in html
    for link in requests:
        assert link.request.service.name in html and link.request.block_address in html
        assert link.request.description not in html  # the resident's own words stay in triage
    assert "Restricted — law-enforcement sensitive" in html

    pdf = pdf_by_job(c, reverse("reports:sara-pdf", kwargs={"pk": assessed.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    flat = pdf_text(pdf.content)
    assert assessed.title in flat
    at = flat.index(" Summary ")
    for heading in SECTIONS:  # the award submission's sections, in order
        at = flat.index(f" {heading} ", at) + 1
    assert "Restricted — law-enforcement sensitive" in flat
    assert "95% CI" in flat and "relative to the control" in flat and "weighted displacement quotient" in flat
    assert "than the control's trend predicts" in flat.replace("’", "'")
    assert [r.params["format"] for r in AuditLog.objects.filter(action="report.sara").order_by("id")] == ["html", "pdf"]


def test_sara_report_of_a_problem_found_by_scanning_shows_the_candidate_evidence(client_for, demo):
    _, in_analysis = demo
    candidate = in_analysis.candidates.get()
    html = client_for("analyst").get(reverse("reports:sara", args=[in_analysis.pk])).content.decode()
    assert "Found by copps' scan as a <strong>risky place</strong> candidate" in html
    assert "Candidate evidence" in html and "Times the mean place" in html
    assert escape(candidate.title) in html  # an intersection's "&" is escaped like any text
    assert "No outcome assessment has been run yet." in html and "not assessed yet" in html
    assert "Weekly-rate rooms" in html  # the hypothesis
    assert html.count('class="report-map"') == 1 and html.count('class="report-chart"') == 1
