"""The public survey results page agrees with itself: every figure on the page recomputed from
the stored answers (counts rounded to 5, shares and their Wilson intervals from the rounded
counts), and a hidden "All areas" row says why it is hidden rather than "fewer than 10 answers"
over areas that show more."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from engagement_helpers import questions
from scipy.stats import binomtest

from copps.community.engagement.models import Answer, SurveyResponse
from copps.community.engagement.results import round5

pytestmark = pytest.mark.django_db


def respond(survey, area, answers: list[tuple[int, str]], texts=()):
    """One response per (yes/no, choice), sent yesterday (the public page counts before today)."""
    q = questions(survey)
    yesterday = timezone.now() - timedelta(days=1)
    for i, (yes, choice) in enumerate(answers):
        r = SurveyResponse.objects.create(survey=survey, area=area, browser=f"{area.pk}-{i}", submitted_at=yesterday)
        Answer.objects.create(response=r, question=q["yesno"], number=yes)
        Answer.objects.create(response=r, question=q["choice"], choice=choice)
        if i < len(texts):
            Answer.objects.create(response=r, question=q["text"], text=texts[i], review=Answer.Review.APPROVED)


def section(body: str, question: str) -> str:
    start = body.index(f"<h2>{question}</h2>")
    return body[start : body.index("</section>", start)]


def rows(part: str) -> dict[str, str]:
    return {
        html.unescape(m[1]).strip(): m[2]
        for m in re.finditer(r'<th scope="row">(.*?)</th>(.*?)</tr>', part, re.S)
    }


def pc(value: float) -> str:
    return f"{100 * value:.0f}%"


def expected_shares(yes_no: list[int]) -> list[str]:
    n = round5(len(yes_no))
    out = []
    for label, count in (("Yes", sum(yes_no)), ("No", len(yes_no) - sum(yes_no))):
        k = round5(count)
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")  # scipy, not copps
        out.append(f"{label}: {pc(k / n)} ({pc(ci.low)}–{pc(ci.high)})")
    return out


@pytest.fixture
def answered(survey, areas, settings):
    settings.COPPS_SURVEY_MIN_N = "5"
    west = [(1, "Speeding")] * 9 + [(0, "Litter")] * 4  # 13 answers: 9 yes
    east = [(1, "Litter")] * 3 + [(0, "Speeding")] * 5  # 8 answers: 3 yes
    respond(survey, areas["west"], west, texts=["Fix the streetlight"])
    respond(survey, areas["east"], east)
    return {"West Beat": [a for a, _ in west], "East Beat": [a for a, _ in east]}


def test_every_share_and_count_on_the_page_is_recomputed_from_the_answers(client, survey, answered):
    body = client.get(f"/community/engage/surveys/{survey.pk}/results/").content.decode()
    table = rows(section(body, "Do you trust the police?"))
    everyone = [a for answers in answered.values() for a in answers]
    for area, answers in [*answered.items(), ("All areas", everyone)]:
        cells = re.findall(r"<td>(.*?)</td>", table[area], re.S)
        assert cells[0].strip() == str(round5(len(answers))), area
        shown = [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", cells[1])]
        assert shown == expected_shares(answers), area


def test_a_total_hidden_to_protect_a_small_area_does_not_claim_to_be_small(client, survey, areas, settings):
    settings.COPPS_SURVEY_MIN_N = "10"
    respond(survey, areas["west"], [(1, "Speeding")] * 40)  # 40 answers: shown
    respond(survey, areas["east"], [(0, "Litter")] * 3)  # 3 answers: hidden, and the total would tell them
    body = client.get(f"/community/engage/surveys/{survey.pk}/results/").content.decode()
    table = rows(section(body, "Do you trust the police?"))
    assert re.search(r"<td>40</td>", table["West Beat"])
    assert "Fewer than 10 answers" in table["East Beat"]
    total = table["All areas"]
    assert "Fewer than 10 answers" not in total
    assert "would give away the answers of an area with fewer than 10" in total


def test_a_column_of_comments_is_headed_as_comments(client, survey, answered):
    body = client.get(f"/community/engage/surveys/{survey.pk}/results/").content.decode()
    comments = section(body, "Anything else?")
    assert "Published comments" in comments and "95% interval" not in comments
    assert "Fix the streetlight" in comments
    assert "Result (95% interval)" in section(body, "Do you trust the police?")
