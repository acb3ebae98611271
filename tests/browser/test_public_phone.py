"""Every public page on a 390-px phone, in English and in Spanish (by the URL's /es/ prefix): the
page never scrolls sideways (``document.documentElement.scrollWidth <= 390``; wide tables scroll
in their own box), every link, button and control -- in the page, the shared header and the
footer -- is a target of at least 24 x 24 px, and axe finds no serious violation. Screenshots:
tests/artifacts/public-phone/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_frontdoor_phone import MEASURE, MIN_TARGET, MIN_TEXT
from tests.community.conftest import services  # noqa: F401 (fixture)
from tests.community.engagement.conftest import (  # noqa: F401 (fixtures)
    areas,
    compiled_translations,
    gazetteer,
    group,
    meetings,
    officers,
    survey,
)
from tests.publish.conftest import town  # noqa: F401 (fixture)
from tests.publish.test_trends import history  # noqa: F401 (fixture)

from copps.community.engagement.models import Answer, SurveyResponse
from copps.community.models import Service, ServiceRequest, StateChange
from copps.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "public-phone"

# the header's and footer's targets, measured like the page's own (MEASURE looks inside <main>)
FRAME_TARGETS = r"""(minTarget) => {
  const out = [];
  for (const el of document.querySelectorAll("header a[href], header button, footer a[href]")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const low = Math.min(...[...el.getClientRects()].map((p) => p.height));
    if (r.width < minTarget - 0.5 || low < minTarget - 0.5) {
      const words = (el.innerText || "").trim().slice(0, 30);
      out.push(`${el.tagName.toLowerCase()} "${words}" ${Math.round(r.width)}x${Math.round(low)}`);
    }
  }
  return out;
}"""


@pytest.fixture
def portal(history, services, survey, meetings, gazetteer, officers, areas, settings):  # noqa: F811
    """Published months for trends and CompStat, service figures, a public problem, a survey
    with results, meetings and a beat officer: every public page has its widest content."""
    settings.COPPS_SURVEY_MIN_N = "1"
    now = timezone.now()
    graffiti = Service.objects.get(service_code="GRAF")
    for i in range(12):
        at = now - timedelta(days=30 + i)
        state = "closed_fixed" if i < 8 else "closed_not_fixed"
        r = ServiceRequest.objects.create(service=graffiti, requested_at=at, updated_at=at, state=state,
                                          description="x", lat=38.71, lon=-121.29)
        StateChange.objects.create(request=r, at=at + timedelta(hours=5), from_state="received",
                                   to_state="acknowledged")
        StateChange.objects.create(request=r, at=at + timedelta(days=3), from_state="acknowledged", to_state=state)
    problem = Problem.objects.create(title="Cars racing on Elm", public=True, stage="response",
                                     summary="Night-time racing along Elm St near the school.")
    questions = {q.kind: q for q in survey.questions.all()}
    for i in range(6):
        resp = SurveyResponse.objects.create(survey=survey, area=areas["west"], browser=f"b{i}",
                                             submitted_at=now - timedelta(days=1))
        Answer.objects.create(response=resp, question=questions["scale"], number=3 + i % 2)
        Answer.objects.create(response=resp, question=questions["yesno"], number=i % 2)
        Answer.objects.create(response=resp, question=questions["choice"], choice="Speeding")
    return {"problem": problem.pk, "survey": survey.pk}


def pages(portal) -> list[tuple[str, str]]:
    return [
        ("01-home", "/"),
        ("02-map", "/public/"),
        ("03-trends", "/public/trends/?area=city&kind=crime"),
        ("04-compstat", "/public/compstat/?area=city&kind=crime"),
        ("05-problems", "/public/problems/"),
        ("06-problem", f"/public/problems/{portal['problem']}/"),
        ("07-service", "/public/service/"),
        ("08-about", "/public/about/"),
        ("09-report", "/community/report/"),
        ("10-track", "/community/track/"),
        ("11-tip", "/community/tip/"),
        ("12-tip-read", "/community/tip/read/"),
        ("13-community", "/community/engage/"),
        ("14-survey", f"/community/engage/surveys/{portal['survey']}/"),
        ("15-survey-results", f"/community/engage/surveys/{portal['survey']}/results/"),
        ("16-meetings", "/community/engage/meetings/"),
        ("17-beat-officer", "/community/engage/beat-officer/"),
        ("18-watch-groups", "/community/engage/watch/"),
        ("19-subscribe", "/community/engage/subscribe/"),
    ]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_public_page_fits_a_phone(browser, live_server, portal, lang):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en")
    page = context.new_page()
    prefix = "/es" if lang == "es" else ""
    problems: list[str] = []
    widths: dict[str, int] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for name, path in pages(portal):
            response = page.goto(f"{live_server.url}{prefix}{path}")
            assert response is not None and response.status == 200, (lang, path)
            page.wait_for_load_state()
            page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=True)
            where = f"{lang} {path}"
            m = page.evaluate(MEASURE, [MIN_TARGET, MIN_TEXT])
            widths[path] = m["scrollWidth"]
            if m["lang"] != lang:
                problems.append(f'{where}: <html lang="{m["lang"]}">')
            if m["scrollWidth"] > PHONE["width"]:
                problems.append(f"{where}: {m['scrollWidth']}px wide: {m['wide']}")
            if m["small"]:
                problems.append(f"{where}: targets under {MIN_TARGET}px: {m['small']}")
            if m["overlaps"]:
                problems.append(f"{where}: overlapping targets: {m['overlaps']}")
            frame = page.evaluate(FRAME_TARGETS, MIN_TARGET)
            if frame:
                problems.append(f"{where}: header/footer targets under {MIN_TARGET}px: {frame}")
            report = audit(page, where)
            if report:
                problems.append(report)
    finally:
        context.close()
    assert len(widths) == len(pages(portal))
    assert not problems, "public pages on a 390-px phone:\n" + "\n".join(problems)
