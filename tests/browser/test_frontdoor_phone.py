"""The public front door on a phone (390 x 844, touch, an iPhone 12-14 in portrait), in English and
in Spanish: reporting a concern (both steps, the map tapped), following it, an anonymous tip (sent,
then its conversation read), and the engagement pages (home, a survey and its results, meetings,
the beat-officer lookup, e-mail updates).

Each page must fit the width (no sideways scrolling), keep its main heading on screen, have no text
under 12 px, give every link, button and form control in the main content a target of at least
24 x 24 CSS px with no two overlapping (WCAG 2.2, 2.5.8 Target Size (Minimum)) and pass axe. One
concern and one tip go end to end in each language. Screenshots: tests/artifacts/frontdoor-phone/."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from tests.browser.axe import audit
from tests.browser.conftest import ARTIFACTS
from tests.community.conftest import make_request, services, snap_set  # noqa: F401 (fixtures)
from tests.community.engagement.conftest import (  # noqa: F401 (fixtures)
    areas,
    compiled_translations,
    gazetteer,
    group,
    meetings,
    officers,
    survey,
)
from tests.community.frontdoor import jpeg_with_gps

from copps.community.models import ServiceRequest, Tip, TipMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "frontdoor-phone"
MIN_TARGET = 24  # CSS px, WCAG 2.2 success criterion 2.5.8
MIN_TEXT = 12  # CSS px

# Everything the checks need from the page, measured in one pass. A target is a link, button, form
# control or <summary> inside <main>, the map's own controls included; none is exempt (not even a
# link in a sentence, which 2.5.8 would allow).
MEASURE = r"""([minTarget, minText]) => {
  const TARGETS = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const shown = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !el.closest("[hidden]");
  };
  const label = (el) => {
    const words = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim();
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "") +
      (el.type && el.tagName === "INPUT" ? `[type=${el.type}]` : "") + (words ? ` "${words.slice(0, 40)}"` : "");
  };
  const box = (r) => [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
  const main = document.querySelector("main");
  const targets = [...main.querySelectorAll(TARGETS)].filter(shown);
  const small = [];
  for (const el of targets) {
    // a link wrapped over two lines is two short pieces, not one tall target
    const r = el.getBoundingClientRect();
    const low = Math.min(...[...el.getClientRects()].map((p) => p.height));
    if (r.width < minTarget - 0.5 || low < minTarget - 0.5) {
      small.push(`${label(el)} ${box(r)}`);
    }
  }
  const overlaps = [];
  const rects = targets.map((el) => [el, [...el.getClientRects()]]);
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const [a, ra] = rects[i], [b, rb] = rects[j];
      if (a.contains(b) || b.contains(a)) continue;
      const hit = ra.some((p) => rb.some((q) =>
        Math.min(p.right, q.right) - Math.max(p.left, q.left) > 0.5 &&
        Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 0.5));
      if (hit) overlaps.push(`${label(a)} / ${label(b)}`);
    }
  }
  const tiny = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minText) tiny.add(`${label(el)} ${size}px`);
  }
  const h1 = main.querySelector("h1");
  const h = h1 ? h1.getBoundingClientRect() : null;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => !e.closest(".table-wrap, .leaflet-container"))  // these scroll in their own box
      .slice(0, 5).map(label),
    small, overlaps, tiny: [...tiny],
    heading: h1 && shown(h1) ? {text: h1.innerText.trim(), left: h.left, right: h.right} : null,
    lang: document.documentElement.lang,
  };
}"""


def check(page, lang: str, name: str, heading: str) -> list[str]:
    """Screenshot the page, measure it and run axe; the list of what is wrong (empty when it fits)."""
    page.wait_for_load_state()  # images in: the page has its final height
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"), full_page=True)
    where = f"{lang} {name} ({page.url})"
    m = page.evaluate(MEASURE, [MIN_TARGET, MIN_TEXT])
    problems = []
    if m["lang"] != lang:
        problems.append(f'{where}: <html lang="{m["lang"]}">, not {lang}')
    limit = min(m["innerWidth"], PHONE["width"]) + 1
    if m["scrollWidth"] > limit:
        problems.append(f"{where}: the page is {m['scrollWidth']}px wide on a {m['innerWidth']}px phone: {m['wide']}")
    if m["small"]:
        problems.append(f"{where}: targets under {MIN_TARGET}x{MIN_TARGET}px [x, y, w, h]: {m['small']}")
    if m["overlaps"]:
        problems.append(f"{where}: overlapping targets: {m['overlaps']}")
    if m["tiny"]:
        problems.append(f"{where}: text under {MIN_TEXT}px: {m['tiny']}")
    h = m["heading"]
    if h is None:
        problems.append(f"{where}: no visible main heading")
    else:
        if h["left"] < 0 or h["right"] > m["innerWidth"] + 1:
            problems.append(f"{where}: the heading runs off screen: {h}")
        if heading not in h["text"]:
            problems.append(f"{where}: heading {h['text']!r}, expected {heading!r}")
    report = audit(page, where)
    if report:
        problems.append(report)
    return problems


def said(lang: str, msgid: str) -> str:
    """``msgid`` as the page says it in ``lang`` (the catalogue's words, so a reworded translation
    does not break the test; an untranslated page does)."""
    with translation.override(lang):
        return translation.gettext(msgid)


@pytest.fixture
def front_door(services, make_request, survey, meetings, gazetteer, officers, settings, snap_set):  # noqa: F811
    """Graffiti with its questions and one open report at the district's centre (offered as a
    duplicate: the look-up compares public snap points), a running survey whose results show from
    one answer, meetings, a beat officer."""
    settings.COPPS_SURVEY_MIN_N = "1"
    make_request(lat=38.7101, lon=-121.2801, description="Tag on the library wall")
    return services["GRAF"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_front_door_pages_fit_a_phone(browser, live_server, front_door, survey, lang):  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=lang)
    page = context.new_page()
    url = live_server.url
    problems: list[str] = []
    try:
        # Report a concern, step one: the category, a tap on the map, the address.
        page.goto(f"{url}/community/report/")
        page.select_option("#id_service", str(front_door.pk))
        page.locator("#report-map path.leaflet-interactive").first.wait_for()  # the district drawn
        page.locator("#report-map").tap()  # the middle of the map: the district's centre
        assert page.locator("#id_lat").input_value() != ""
        page.fill("#id_address", "7400 Elm St")
        page.locator("#nearby li").first.wait_for()
        problems += check(page, lang, "01-report-where", said(lang, "Report a concern"))
        page.locator("#where-form button[type=submit]").tap()
        page.wait_for_url(re.compile(r".*/community/report/details/\?.*"))
        step_two = page.url

        # Step two: the details, the service's questions, a photo, contact.
        problems += check(page, lang, "02-report-details", said(lang, "Report a concern"))
        # "Yes, this is it" on the open report nearby: nothing new is filed.
        page.locator("#nearby-list a").first.tap()
        page.wait_for_url(re.compile(r".*/community/report/already/\w+/$"))
        problems += check(page, lang, "02a-already-reported", said(lang, "Thank you"))
        page.goto(step_two)
        page.fill("#id_description", "Fresh tag on the bus shelter")
        page.select_option("select[name='attribute[SURFACE]']", "wall")
        page.locator("input[name='attribute[COLOURS]'][value=red]").tap()
        page.set_input_files("#id_photo", files=[{"name": "wall.jpg", "mimeType": "image/jpeg",
                                                  "buffer": jpeg_with_gps()}])
        page.fill("#id_email", "ada@example.org")
        page.locator("form[enctype] button[type=submit]").tap()
        page.wait_for_url(re.compile(r".*/community/track/\w+/\?new=1$"))
        key = page.locator("#tracking-id").inner_text().strip()
        sr = ServiceRequest.objects.get(track_key=key)
        assert sr.description == "Fresh tag on the bus shelter" and sr.lat is not None and sr.address == "7400 Elm St"
        page.locator("img.photo").wait_for()
        problems += check(page, lang, "03-track-received", said(lang, "Graffiti"))

        # Track a request: the lookup, then the request's page.
        page.goto(f"{url}/community/track/")
        problems += check(page, lang, "04-track-lookup", said(lang, "Follow a concern you reported"))
        page.fill("#id_id", key)
        page.locator("main form button[type=submit]").tap()
        page.locator("#state").wait_for()
        problems += check(page, lang, "05-track", said(lang, "Graffiti"))
        page.goto(f"{url}/community/track/?id=not-a-tracking-id")
        problems += check(page, lang, "05a-track-not-found", said(lang, "Not found"))

        # An anonymous tip: written, sent (the receipt shows its id), its conversation read.
        page.goto(f"{url}/community/tip/")
        problems += check(page, lang, "06-tip-new", said(lang, "Give an anonymous tip"))
        page.select_option("#id_topic", "drugs")
        page.fill("#id_where", "Oak St near the park")
        page.fill("#id_message", "Cars stop at the blue house for two minutes at a time after 10pm.")
        page.locator("main form button[type=submit]").tap()
        tip_id = page.locator("#tip-id").inner_text().strip()
        passphrase = page.locator("#tip-passphrase").inner_text().strip()
        assert page.locator("#tip-id").is_visible() and passphrase
        tip = Tip.objects.get(public_id=tip_id)
        assert tip.messages.get().body.startswith("Cars stop at the blue house")
        problems += check(page, lang, "07-tip-sent", said(lang, "Thank you: your tip was sent"))
        TipMessage.objects.create(tip=tip, from_tipster=False, body="Thank you. Which nights are busiest?")
        page.goto(f"{url}/community/tip/read/")
        problems += check(page, lang, "08-tip-read", said(lang, "Read replies to your tip"))
        page.fill("#id_tip_id", tip_id)
        page.fill("#id_passphrase", passphrase)
        page.locator("main form button[type=submit]").tap()
        page.locator(".conversation").filter(has_text="Which nights are busiest?").wait_for()
        problems += check(page, lang, "09-tip-conversation", said(lang, "Your tip"))

        # Engagement: home, a survey answered on the phone, its results, meetings, the beat
        # officer found from an address, e-mail updates.
        page.goto(f"{url}/community/engage/")
        problems += check(page, lang, "10-engage-home", said(lang, "Work with your police department"))
        page.goto(f"{url}/community/engage/surveys/{survey.pk}/")
        problems += check(page, lang, "11-survey-answer", survey.title)
        questions = {q.kind: q for q in survey.questions.all()}
        page.select_option("select[name=area]", label="West Beat")
        page.locator(f"input[name=q{questions['scale'].pk}][value='4']").tap()
        page.locator(f"input[name=q{questions['yesno'].pk}][value='1']").tap()
        page.locator(f"input[name=q{questions['choice'].pk}][value=Speeding]").tap()
        page.locator("form.survey button[type=submit]").tap()
        page.get_by_text(said(lang, "Your answers have been recorded.")).wait_for()
        assert survey.responses.count() == 1
        page.goto(f"{url}/community/engage/surveys/{survey.pk}/results/")
        problems += check(page, lang, "12-survey-results", survey.title)
        page.goto(f"{url}/community/engage/meetings/")
        problems += check(page, lang, "13-meetings", said(lang, "Community meetings"))
        page.goto(f"{url}/community/engage/beat-officer/")
        problems += check(page, lang, "14-beat-officer", said(lang, "Who is my beat officer?"))
        page.fill("input[name=address]", "7520 Maple Ct")
        page.locator("form.stack button[type=submit]").tap()
        page.locator("text=Officer Q. Z.").wait_for()
        problems += check(page, lang, "15-beat-officer-found", said(lang, "Who is my beat officer?"))
        page.goto(f"{url}/community/engage/subscribe/")
        problems += check(page, lang, "16-subscribe", said(lang, "E-mail updates for your area"))
    finally:
        context.close()
    assert not problems, "the front door on a phone:\n" + "\n".join(problems)
