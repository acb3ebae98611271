"""Survey results: the numbers against a hand calculation, suppression below n, texts after approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from engagement_helpers import questions

from copps.community.engagement.models import Answer, SurveyResponse
from copps.community.engagement.results import survey_results

WEST_SCALE = [2, 3, 3, 4, 5, 4]  # mean 3.5
WEST_YES = [1, 1, 0, 1, 0, 1]  # 4 of 6
EAST_SCALE = [1, 1, 2]


def respond(survey, area, i, scale, yes, choice="Speeding", text="", review=Answer.Review.PENDING):
    q = questions(survey)
    # sent yesterday: the public page counts the answers sent before today
    yesterday = timezone.now() - timedelta(days=1)
    r = SurveyResponse.objects.create(survey=survey, area=area, browser=f"{area.pk}-{i}", submitted_at=yesterday)
    Answer.objects.create(response=r, question=q["scale"], number=scale)
    Answer.objects.create(response=r, question=q["yesno"], number=yes)
    Answer.objects.create(response=r, question=q["choice"], choice=choice)
    if text:
        Answer.objects.create(response=r, question=q["text"], text=text, review=review)


@pytest.fixture
def answered(survey, areas, settings):
    settings.COPPS_SURVEY_MIN_N = "5"
    texts = [
        ("Fix the streetlight on Maple", Answer.Review.APPROVED),
        ("PENDING-SECRET-TEXT", Answer.Review.PENDING),
        ("REJECTED-TEXT", Answer.Review.REJECTED),
    ]
    for i, (s, y) in enumerate(zip(WEST_SCALE, WEST_YES, strict=True)):
        text, review = texts[i] if i < len(texts) else ("", Answer.Review.PENDING)
        respond(survey, areas["west"], i, s, y, choice="Speeding" if i < 2 else "Litter", text=text, review=review)
    for i, s in enumerate(EAST_SCALE):
        respond(
            survey, areas["east"], i, s, 0, text="EAST-APPROVED-TEXT" if i == 0 else "", review=Answer.Review.APPROVED
        )
    return survey


def by_kind(results):
    return {r.question.kind: r for r in results}


def test_staff_numbers_match_the_hand_calculation(answered):
    res = by_kind(survey_results(answered, public=False))
    west = res["scale"].cells[1]  # areas sorted by name: East Beat, West Beat
    assert west.area == "West Beat" and west.n == 6 and not west.suppressed
    # s^2 = 5.5 / 5 = 1.1; t(0.975, 5) = 2.570582; half = 2.570582 * sqrt(1.1 / 6) = 1.100665
    assert west.mean.value == pytest.approx(3.5)
    assert west.mean.low == pytest.approx(3.5 - 1.100665, abs=1e-5)
    assert west.mean.high == pytest.approx(3.5 + 1.100665, abs=1e-5)
    yes = dict(res["yesno"].cells[1].shares)["yes"]
    # Wilson, k=4, n=6: centre 0.601611, half-width 0.301616
    assert yes.value == pytest.approx(4 / 6)
    assert (yes.low, yes.high) == (pytest.approx(0.299995, abs=1e-5), pytest.approx(0.903227, abs=1e-5))
    shares = dict(res["choice"].cells[1].shares)
    assert shares["Speeding"].value == pytest.approx(2 / 6) and shares["Litter"].value == pytest.approx(4 / 6)
    east = res["scale"].cells[0]
    assert east.n == 3 and east.suppressed and east.mean.value == pytest.approx(4 / 3)
    # the total would give East away by subtraction (West is shown): suppressed too
    assert res["scale"].total.n == 9 and res["scale"].total.suppressed


def test_public_results_hide_small_areas_and_the_total_that_would_reveal_them(client, answered):
    page = client.get(f"/community/engage/surveys/{answered.pk}/results/")
    assert page.status_code == 200
    body = page.content.decode()
    # West: 6 answers, shown as 5; its mean 3.50 (2.40–4.60) to the nearest half point
    assert "3.50 (2.50–4.50)" in body
    # 4 of 6 said yes: counted as 5 of 5 (counts to the nearest 5, shares from the rounded counts)
    assert "100% (57%–100%)" in body and "67%" not in body
    assert body.count("Fewer than 5 answers: not shown") == 4  # East, for 4 questions
    # all areas (9 answers) is hidden because it would give East away, and says so
    assert body.count("it would give away the answers of an area with fewer than 5") == 4
    assert "1.33" not in body  # East's mean
    assert "EAST-APPROVED-TEXT" not in body


def test_total_is_shown_when_no_area_is_hidden(client, answered, settings):
    settings.COPPS_SURVEY_MIN_N = "3"
    res = by_kind(survey_results(answered, public=True))
    # 9 answers, shown as 10; the mean 25 / 9 = 2.78, to the nearest half point
    assert not res["scale"].total.suppressed and res["scale"].total.n == 10
    assert res["scale"].total.mean.value == 3.0


def test_free_text_is_public_only_after_approval(client, client_for, answered):
    public = client.get(f"/community/engage/surveys/{answered.pk}/results/").content.decode()
    assert "Fix the streetlight on Maple" in public
    assert "PENDING-SECRET-TEXT" not in public and "REJECTED-TEXT" not in public
    staff = client_for("analyst").get(f"/community/engage/staff/surveys/{answered.pk}/results/").content.decode()
    assert "PENDING-SECRET-TEXT" in staff and "[rejected] REJECTED-TEXT" in staff
    assert "suppressed in public" in staff and "1.33" in staff


def test_staff_approval_publishes_a_text_and_is_audited(client, client_for, answered):
    from copps.accounts.models import AuditLog

    pending = Answer.objects.get(text="PENDING-SECRET-TEXT")
    analyst = client_for("analyst")
    review = analyst.get(f"/community/engage/staff/surveys/{answered.pk}/review/")
    assert review.status_code == 200 and b"PENDING-SECRET-TEXT" in review.content
    done = analyst.post(
        f"/community/engage/staff/surveys/{answered.pk}/review/", {"answer": [pending.pk], "decision": "approved"}
    )
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.review == "approved" and pending.reviewed_by.username == "analyst"
    assert AuditLog.objects.filter(action="engagement.text.approved", object_id=str(answered.pk)).exists()
    client.logout()
    assert "PENDING-SECRET-TEXT" in client.get(f"/community/engage/surveys/{answered.pk}/results/").content.decode()


def test_bad_minimum_n_is_refused_loudly(answered, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.COPPS_SURVEY_MIN_N = "0"
    with pytest.raises(ImproperlyConfigured, match="COPPS_SURVEY_MIN_N"):
        survey_results(answered, public=True)
