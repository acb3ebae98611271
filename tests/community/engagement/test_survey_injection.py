"""Issue 13, item 10 (check C10): made-up answers must not give a hidden area's answers away.

The attack: East has four answers, too few to show (minimum 10). The attacker sends six answers
of their own to East through the public form, each from a fresh browser, which takes East to
ten; the public page then showed East, and subtracting the six known answers gave the four
hidden ones exactly (mean 3.50, 2 "yes"). Now the public page counts the answers sent before
today and rounds what it shows, so the page is the same whichever four answers East held."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from engagement_helpers import answer_data, questions

from copps.community.engagement.invitations import code_key
from copps.community.engagement.models import Answer, SurveyResponse

pytestmark = pytest.mark.django_db

# Two different truths for East's four residents: (scale, yes/no) each.
TRUTH_A = [(3, 1), (4, 1), (3, 0), (4, 0)]  # mean 3.50, 2 "yes": the numbers
TRUTH_B = [(3, 1), (3, 0), (3, 0), (4, 0)]  # mean 3.25, 1 "yes"
WEST = [(3, 1 if i < 5 else 0) for i in range(12)]  # shown: 12 answers, 5 "yes"
INJECTED = 6


@pytest.fixture(autouse=True)
def refresh(monkeypatch):
    """The daily refresh, held still: the public page counts the answers sent before
    ``refresh.at`` (a moment ago), and ``refresh()`` is the next day's refresh, counting all so
    far. No test here depends on when it runs (a midnight during the test changes nothing)."""
    from copps.community.engagement.views import public

    class Refresh:
        at = timezone.now() - timedelta(seconds=1)

        def __call__(self):
            self.at = timezone.now()

    clock = Refresh()
    monkeypatch.setattr(public, "public_as_of", lambda: clock.at, raising=False)
    return clock


def resident_answers(survey, area, answers, tag: str) -> None:
    """Genuine answers, sent yesterday."""
    q = questions(survey)
    yesterday = timezone.now() - timedelta(days=1)
    for i, (scale, yes) in enumerate(answers):
        r = SurveyResponse.objects.create(survey=survey, area=area, browser=f"{tag}-{i}", submitted_at=yesterday)
        Answer.objects.create(response=r, question=q["scale"], number=scale)
        Answer.objects.create(response=r, question=q["yesno"], number=yes)
        Answer.objects.create(response=r, question=q["choice"], choice="Speeding")


def public_page(survey) -> str:
    body = Client().get(f"/community/engage/surveys/{survey.pk}/results/").content.decode()
    return body[body.index("<main") : body.index("</main>")]


def east_row(page: str, question: str) -> str:
    section = page[page.index(question) :]
    return re.search(r"East Beat</th>(.*?)</tr>", section, re.S).group(1)


def attack(survey, areas, refresh) -> str:
    """Six made-up answers through the public form; the public page a day later."""
    url = f"/community/engage/surveys/{survey.pk}/"
    before = public_page(survey)
    for i in range(INJECTED):
        attacker = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")  # a fresh browser each time
        data = answer_data(survey, areas["east"], **{f"q{questions(survey)['text'].pk}": ""})
        data |= {f"q{questions(survey)['scale'].pk}": "1", f"q{questions(survey)['yesno'].pk}": "0"}
        data |= {f"q{questions(survey)['choice'].pk}": "Litter"}
        assert attacker.post(url, data).status_code == 200
    # The public page does not move the moment the answers arrive ...
    assert public_page(survey) == before
    assert "Fewer than 10 answers: not shown" in east_row(before, "How safe do you feel after dark?")
    # ... and a day later, when it does, East is shown (it holds ten answers).
    refresh()
    after = public_page(survey)
    assert "not shown" not in east_row(after, "How safe do you feel after dark?")
    return after


def run(survey, areas, truth, refresh) -> str:
    SurveyResponse.objects.filter(survey=survey).delete()
    resident_answers(survey, areas["west"], WEST, "west")
    resident_answers(survey, areas["east"], truth, "east")
    return attack(survey, areas, refresh)


def test_made_up_answers_do_not_give_a_hidden_areas_answers_away(survey, areas, settings, refresh):
    settings.COPPS_SURVEY_MIN_N = "10"
    page_a = run(survey, areas, TRUTH_A, refresh)
    refresh.at = timezone.now() - timedelta(seconds=1)  # a new day, before the second attack
    page_b = run(survey, areas, TRUTH_B, refresh)
    # The attacker subtracts their six answers from East's row: with exact figures that gave
    # the hidden four (mean 3.50 vs 3.25, 2 vs 1 "yes"). The page must be the same for both
    # truths, so no subtraction can tell them apart.
    for question in ("How safe do you feel after dark?", "Do you trust the police?"):
        assert east_row(page_a, question) == east_row(page_b, question)
    assert page_a == page_b


def test_public_counts_are_rounded_and_staff_see_them_exactly(survey, areas, settings, client_for):
    settings.COPPS_SURVEY_MIN_N = "10"
    resident_answers(survey, areas["west"], WEST, "west")
    west = public_page(survey)
    row = re.search(r"West Beat</th>(.*?)</tr>", west[west.index("Do you trust the police?") :], re.S).group(1)
    # 12 answers shown as 10; 5 "yes" and 7 "no" counted as 5 and 5: 50%
    assert "<td>10</td>" in row and "Yes: 50%" in row and "<td>12</td>" not in row
    staff = client_for("analyst").get(f"/community/engage/staff/surveys/{survey.pk}/results/").content.decode()
    assert "<td>12</td>" in staff and "Yes: 42%" in staff


def test_with_invitation_codes_only_a_printed_code_answers_and_only_once(survey, areas, settings):
    """``COPPS_SURVEY_CODES=required``: the attack above needs six codes from six households."""
    import io

    from django.core.management import call_command

    settings.COPPS_SURVEY_CODES = "required"
    out = io.StringIO()
    call_command("survey_codes", str(survey.pk), "--count", "3", stdout=out)
    codes = out.getvalue().split()
    assert len(codes) == 3 and len(set(codes)) == 3 and all(re.fullmatch(r"(\w{4}-){3}\w{4}", c) for c in codes)
    url = f"/community/engage/surveys/{survey.pk}/"
    data = answer_data(survey, areas["east"])
    # no code, a made-up one and one changed by a character are all refused
    changed = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    for code in ("", "ABCD-EFGH-JKMN-PQRS", changed):
        refused = Client().post(url, data | {"code": code})
        assert refused.status_code == 400
    assert "not an invitation code for this survey" in Client().post(url, data | {"code": changed}).content.decode()
    assert SurveyResponse.objects.count() == 0
    # a printed code answers once, typed in any case and spacing
    assert Client().post(url, data | {"code": codes[0].lower().replace("-", " ")}).status_code == 200
    again = Client().post(url, data | {"code": codes[0]})
    assert again.status_code == 400 and "already been used" in again.content.decode()
    assert Client().post(url, data | {"code": codes[1]}).status_code == 200
    assert SurveyResponse.objects.count() == 2
    assert code_key(survey.pk + 1, codes[2]) is None  # another survey's code


def test_survey_codes_refuses_bad_input_with_a_message(survey, settings):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No survey 9999"):
        call_command("survey_codes", "9999")
    with pytest.raises(CommandError, match="--count"):
        call_command("survey_codes", str(survey.pk), "--count", "0")
    settings.COPPS_SURVEY_CODES = "yes please"
    with pytest.raises(ImproperlyConfigured, match="COPPS_SURVEY_CODES"):
        Client().get(f"/community/engage/surveys/{survey.pk}/")
