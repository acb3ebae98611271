"""A real tipster's visit leaves nothing identifying in any log (issue 13, item 3).

Chromium visits the tip pages of a `copps serve` process (gunicorn, the access log on stdout,
the application's log on stderr, both captured to a file), sends a tip, opens the page that
reads replies, and meets a 404 on the tip route. Afterwards every file the server wrote is
searched: no line about a tip route holds the browser's address, its user agent or a time finer
than the hour; no line names the tip pages as a referrer; and the pages' stylesheets and icon
were fetched from the tip route itself, so they were scrubbed like the pages."""

from __future__ import annotations

import re

import pytest
from tests.security.harness import bench

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) TipsterUA-canary-7731"
OTHER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Neighbour-canary-4410"


def test_a_tip_visit_in_chromium_leaves_nothing_identifying_in_any_log(browser, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'tips.sqlite3'}"
    bench.prepare(db_url, tmp_path)
    server = bench.Server(db_url, tmp_path, workers=1)
    server.start()
    fetched: list[tuple[str, str | None]] = []
    try:
        context = browser.new_context(user_agent=USER_AGENT)
        page = context.new_page()
        page.on("request", lambda r: fetched.append((r.url, r.headers.get("referer"))))
        page.goto(f"{server.base}/community/tip/")
        page.select_option("#id_topic", "drugs")
        page.fill("#id_message", "Cars stop at the blue house for two minutes at a time after 10pm.")
        page.click("main form button[type=submit]")
        assert page.locator("#tip-id").inner_text().strip()  # the tip was accepted
        page.wait_for_load_state("networkidle")  # the page's icon and files fetched too
        page.goto(f"{server.base}/community/tip/read/", wait_until="networkidle")
        assert page.goto(f"{server.base}/community/tip/no-such-page/", wait_until="networkidle").status == 404
        context.close()
        # then another browser (its own user agent) on an ordinary page: logged as usual
        other = browser.new_context(user_agent=OTHER_AGENT)
        other.new_page().goto(f"{server.base}/open311/v2/discovery.json")
        other.close()
    finally:
        server.stop()

    assert fetched and all("/community/tip/" in url for url, _ in fetched), fetched
    assert any("/community/tip/assets/site.css" in url for url, _ in fetched)
    assert [ref for _, ref in fetched if ref] == []  # Referrer-Policy: no-referrer
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "sqlite" not in p.name]  # every sink
    lines = [line for p in written for line in p.read_text(errors="replace").splitlines()]
    ordinary = [line for line in lines if "/open311/v2/discovery.json" in line and OTHER_AGENT in line]
    assert ordinary, "the access log was captured: the ordinary page is in it with its user agent"
    tip_lines = [line for line in lines if "/community/tip" in line]
    assert len(tip_lines) >= 5  # the pages and their files, scrubbed, but there
    for line in tip_lines:
        assert "127.0.0.1" not in line and "TipsterUA-canary" not in line, line
        stamp = re.search(r"\[(\d\d/\w+/\d{4}:\d\d:\d\d:\d\d)", line)
        assert stamp is not None and stamp[1].endswith(":00:00"), line
    assert [line for line in lines if "TipsterUA-canary" in line] == []  # not even a /favicon.ico
    assert not any("Not Found: /community/tip" in line for line in lines)  # Django's own line for the 404
