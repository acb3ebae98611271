"""Issue 13, item 5 (check C05): a flood of junk tip reads must not keep tipsters out.

The tip routes know nothing of who calls, so their allowances are route-wide. Before the fix, a
read spent the same allowance as a new tip before its id and passphrase were checked: about 60
junk reads a minute from one machine answered 429 to every genuine tipster. Now a read is
charged after its key is checked, to the guessers' allowance when it did not match."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.community.test_tips import ORIGIN, credentials, form_token, main, send_tip

from copps.accounts import ratelimit
from copps.community.models import Tip, TipMessage

pytestmark = pytest.mark.django_db

LIMIT = 5  # each route-wide allowance, per minute, for the test: the flood is twelve times it


@pytest.fixture
def one_minute(monkeypatch, settings):
    """Every request of the test falls in the same rate-limit minute, with small allowances."""
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_800_000_030.0)  # 30 s into a minute
    settings.COPPS_RATE_LIMITS = f"tip={LIMIT},tip_read={LIMIT},tip_guess={LIMIT}"


def junk_read(attacker: Client, path: str = "/community/tip/read/", **extra) -> int:
    """What an attacker can send: a real form token from the page, this site's origin, and a
    guessed id and passphrase."""
    data = {"tip_id": "a" * 16, "passphrase": "guess-guess-guess", "form_token": form_token(attacker, path)}
    return attacker.post(path, data | extra, HTTP_ORIGIN=ORIGIN).status_code


def test_a_flood_of_junk_reads_leaves_tips_and_genuine_reads_working(one_minute):
    tipster = Client()
    tip_id, passphrase = credentials(send_tip(tipster))  # a tip sent before the flood
    attacker = Client()
    codes = [junk_read(attacker) for _ in range(12 * LIMIT // 2)]
    codes += [junk_read(attacker, "/community/tip/answer/", message="junk") for _ in range(12 * LIMIT // 2)]
    # The junk is answered, and limited by its own allowance ...
    assert codes[:LIMIT] == [404] * LIMIT and set(codes[LIMIT:]) == {429}
    # ... while every genuine tipster of the minute is served: new tips ...
    sent = [send_tip(Client(), message=f"Sold from the side door, night {i}") for i in range(LIMIT - 1)]
    assert [r.status_code for r in sent] == [200] * (LIMIT - 1) and Tip.objects.count() == LIMIT
    # ... and reads and answers with a matching key.
    token = form_token(tipster, "/community/tip/read/")
    read = tipster.post(
        "/community/tip/read/", {"tip_id": tip_id, "passphrase": passphrase, "form_token": token}, HTTP_ORIGIN=ORIGIN
    )
    assert read.status_code == 200 and "side door after 10pm" in main(read)
    answer = tipster.post(
        "/community/tip/answer/",
        {"tip_id": tip_id, "passphrase": passphrase, "message": "The green door", "form_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    assert answer.status_code == 200 and TipMessage.objects.filter(body="The green door").exists()
    assert not TipMessage.objects.filter(body="junk").exists()


def test_the_guessers_over_the_limit_are_told_to_wait(one_minute):
    attacker = Client()
    for _ in range(LIMIT):
        junk_read(attacker)
    data = {"tip_id": "a" * 16, "passphrase": "guess", "form_token": form_token(attacker, "/community/tip/read/")}
    over = attacker.post("/community/tip/read/", data, HTTP_ORIGIN=ORIGIN)
    assert over.status_code == 429 and int(over["Retry-After"]) == 30
    assert "Too many tries with a wrong tip id or passphrase" in main(over)


def test_genuine_reads_have_their_own_allowance(one_minute):
    tipster = Client()
    tip_id, passphrase = credentials(send_tip(tipster))
    token = form_token(tipster, "/community/tip/read/")
    key = {"tip_id": tip_id, "passphrase": passphrase, "form_token": token}
    codes = [tipster.post("/community/tip/read/", key, HTTP_ORIGIN=ORIGIN).status_code for _ in range(LIMIT + 1)]
    assert codes == [200] * LIMIT + [429]
    # Reading used none of the senders' allowance.
    assert send_tip(Client(), message="Another one, by the school").status_code == 200
