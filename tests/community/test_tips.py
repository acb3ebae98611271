"""Anonymous tips, the tipster's side: a two-way conversation held by tip id and passphrase, and
nothing that identifies the tipster stored, logged or set as a cookie."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.test import Client

from copps.community.models import Tip, TipMessage

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
# What a tipster's browser would send: every one of these must vanish.
CLIENT_ADDR = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (TipsterPhone 12; Frontdoor-UA-canary)"
FORWARDED = "198.51.100.23"
IDENTIFYING = [CLIENT_ADDR, "Frontdoor-UA-canary", FORWARDED, "cookie-canary-value"]


def tip_client() -> Client:
    client = Client(
        REMOTE_ADDR=CLIENT_ADDR, HTTP_USER_AGENT=USER_AGENT, HTTP_X_FORWARDED_FOR=FORWARDED, HTTP_X_REAL_IP=FORWARDED
    )
    client.cookies["sessionid"] = "cookie-canary-value"
    client.cookies["csrftoken"] = "cookie-canary-value"
    return client


def form_token(client, path="/community/tip/") -> str:
    return re.search(r'name="form_token" value="([^"]+)"', client.get(path).content.decode()).group(1)


def send_tip(client, message="The blue house on Oak sells from the side door after 10pm", **extra):
    data = {"topic": "drugs", "where": "Oak St near the park", "message": message, "form_token": form_token(client)}
    data.update(extra)
    return client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN)


def credentials(response) -> tuple[str, str]:
    body = response.content.decode()
    return (
        re.search(r'id="tip-id">([^<]+)<', body).group(1),
        re.search(r'id="tip-passphrase">([^<]+)<', body).group(1),
    )


def main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_the_tip_page_sets_no_cookie_and_is_not_cached(client):
    response = tip_client().get("/community/tip/")
    assert response.status_code == 200
    assert not response.cookies and "Set-Cookie" not in response.headers
    # no-referrer: nothing the page leads to (its files, a link, its own post) names the tip page
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert 'name="form_token"' in response.content.decode()


def test_a_tip_is_stored_with_a_slow_hashed_passphrase_and_coarse_time(client):
    response = send_tip(tip_client())
    assert response.status_code == 200
    tip_id, passphrase = credentials(response)
    tip = Tip.objects.get()
    assert tip.public_id == tip_id and len(tip_id) == 16
    assert re.fullmatch(r"([a-z2-9]{5}-){4}[a-z2-9]{5}", passphrase)
    assert passphrase not in tip.passphrase_hash and tip.passphrase_hash.startswith(("argon2", "md5", "pbkdf2"))
    assert tip.check_passphrase(passphrase) and not tip.check_passphrase(passphrase.upper() + "x")
    (message,) = TipMessage.objects.all()
    assert message.from_tipster and message.author is None and "side door" in message.body
    assert (tip.created_at.minute, tip.created_at.second, message.at.minute) == (0, 0, 0)


def test_the_spanish_tip_page_names_the_topics_in_spanish_and_staff_read_them_in_english(cast):
    from tests.conftest import sign_in

    client = tip_client()
    page = client.get("/community/tip/", HTTP_ACCEPT_LANGUAGE="es")
    topics = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', main(page))
    assert topics == [
        ("drugs", "Venta o consumo de drogas"),
        ("weapons", "Armas o violencia"),
        ("gangs", "Actividad de pandillas"),
        ("property", "Robo, allanamiento o daños"),
        ("traffic", "Conducción peligrosa"),
        ("other", "Otro asunto"),
    ]
    # What is stored is the topic's code, so staff read it in the staff pages' English.
    data = {
        "topic": "traffic",
        "message": "Coches a toda velocidad junto a la escuela",
        "form_token": form_token(client),
    }
    assert client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN, HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    assert Tip.objects.get().topic == Tip.Topic.TRAFFIC
    staff = Client()
    sign_in(staff, cast["officer"])
    queue = staff.get("/community/staff/?show=new", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Dangerous driving" in queue and "Conducción peligrosa" not in queue


def test_the_tip_route_stores_logs_and_sets_nothing_that_identifies_the_tipster(caplog):
    caplog.set_level(logging.DEBUG)
    client = tip_client()
    responses = [client.get("/community/tip/"), send_tip(client)]
    tip_id, passphrase = credentials(responses[-1])
    token = form_token(client, "/community/tip/read/")
    responses.append(
        client.post(
            "/community/tip/read/",
            {"tip_id": tip_id, "passphrase": passphrase, "form_token": token},
            HTTP_ORIGIN=ORIGIN,
        )
    )
    responses.append(
        client.post(
            "/community/tip/answer/",
            {"tip_id": tip_id, "passphrase": passphrase, "message": "It is the second door", "form_token": token},
            HTTP_ORIGIN=ORIGIN,
        )
    )
    responses.append(
        client.post(
            "/community/tip/read/", {"tip_id": "nosuchtip", "passphrase": "x", "form_token": token}, HTTP_ORIGIN=ORIGIN
        )
    )
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404]
    assert TipMessage.objects.filter(from_tipster=True).count() == 2
    # No cookie is set, whatever the browser sent.
    for response in responses:
        assert not response.cookies and "Set-Cookie" not in response.headers
        assert not any(canary in response.content.decode() for canary in IDENTIFYING)
    # Nothing in any table of the database (tips, sessions, audit log, ...).
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    for canary in IDENTIFYING:
        assert canary not in dump.getvalue()
    # Nothing in any log record, including their request objects: not even Django's "Not Found"
    # line for the unknown tip, which would keep the visit's second (issue 13, item 3).
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'request', '') and r.request.META}" for r in caplog.records)
    assert "/community/tip/" not in logged
    for canary in IDENTIFYING:
        assert canary not in logged


def test_a_signed_in_users_session_is_neither_read_nor_touched_on_the_tip_route(cast, client):
    from tests.conftest import sign_in

    sign_in(client, cast["officer"])
    response = client.get("/community/tip/")
    assert "officer" not in main(response) and not response.cookies
    # The header is the anonymous one: the session cookie never reached the app.
    assert "Sign out" not in response.content.decode()


def test_a_post_from_another_site_or_without_origin_is_refused():
    client = tip_client()
    token = form_token(client)
    data = {"topic": "other", "message": "hello", "form_token": token}
    assert client.post("/community/tip/", data, HTTP_ORIGIN="https://evil.example").status_code == 400
    refused = client.post("/community/tip/", data)
    assert refused.status_code == 400 and "must be sent from this site" in refused.content.decode()
    assert not Tip.objects.exists()
    # "Origin: null" (what a no-referrer page's own post sends) from another site is refused too
    cross = {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"}
    assert client.post("/community/tip/", data, **cross).status_code == 400
    assert not Tip.objects.exists()
    # A same-site Referer stands in for a missing Origin (and is then dropped).
    assert client.post("/community/tip/", data, HTTP_REFERER="http://testserver/community/tip/").status_code == 200


def test_the_pages_own_post_under_no_referrer_is_accepted():
    """Under Referrer-Policy: no-referrer a browser posts the form with "Origin: null" and no
    Referer; its Sec-Fetch-Site header (which no page can set) says the post is the site's own."""
    client = tip_client()
    data = {"topic": "other", "message": "hello", "form_token": form_token(client)}
    own = client.post("/community/tip/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    assert own.status_code == 200 and Tip.objects.count() == 1


def test_a_forged_or_expired_form_token_is_refused(monkeypatch):
    client = tip_client()
    data = {"topic": "other", "message": "hello", "form_token": "made-up:token"}
    response = client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400 and "This form has expired" in response.content.decode()
    assert "hello" in response.content.decode()  # the tipster's text is kept for resending
    data["form_token"] = form_token(client)
    monkeypatch.setattr("copps.community.tipguard.TOKEN_MAX_AGE", -1)
    assert client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN).status_code == 400
    assert not Tip.objects.exists()


def test_an_empty_tip_gets_a_field_error():
    client = tip_client()
    response = client.post(
        "/community/tip/", {"topic": "nonsense", "message": "", "form_token": form_token(client)}, HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write what you know." in body and "Select a valid choice" in body


def test_wrong_passphrase_and_unknown_id_answer_alike():
    client = tip_client()
    tip_id, _passphrase = credentials(send_tip(client))
    token = form_token(client, "/community/tip/read/")
    wrong = client.post(
        "/community/tip/read/", {"tip_id": tip_id, "passphrase": "aaaaa-bbbbb", "form_token": token}, HTTP_ORIGIN=ORIGIN
    )
    unknown = client.post(
        "/community/tip/read/",
        {"tip_id": "zzzzzzzzzzzzzzzz", "passphrase": "aaaaa-bbbbb", "form_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    assert wrong.status_code == unknown.status_code == 404

    # The same page, once the echoed form values (the typed id, a fresh form token) are set aside.
    def unvalued(response):
        return re.sub(r'value="[^"]*"', 'value=""', main(response))

    assert unvalued(wrong) == unvalued(unknown)
    assert "No tip matches that id and passphrase." in main(wrong) and "side door" not in main(wrong)
    assert "No tip matches that id and passphrase." in main(unknown)


def test_the_tipster_reads_a_staff_reply_and_answers(cast):
    client = tip_client()
    tip_id, passphrase = credentials(send_tip(client))
    tip = Tip.objects.get()
    TipMessage.objects.create(tip=tip, from_tipster=False, author=cast["officer"], body="Which door exactly?")
    token = form_token(client, "/community/tip/read/")
    read = client.post(
        "/community/tip/read/", {"tip_id": tip_id, "passphrase": passphrase, "form_token": token}, HTTP_ORIGIN=ORIGIN
    )
    body = main(read)
    assert "Which door exactly?" in body and "The department" in body and "officer" not in body
    answer = client.post(
        "/community/tip/answer/",
        {"tip_id": tip_id, "passphrase": passphrase, "message": "The green one", "form_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    assert answer.status_code == 200 and "The green one" in main(answer)
    assert list(tip.messages.values_list("from_tipster", "body")) == [
        (True, "The blue house on Oak sells from the side door after 10pm"),
        (False, "Which door exactly?"),
        (True, "The green one"),
    ]
    empty = client.post(
        "/community/tip/answer/",
        {"tip_id": tip_id, "passphrase": passphrase, "message": "", "form_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    assert empty.status_code == 400 and "Write your answer." in main(empty)
    bad = client.post(
        "/community/tip/answer/",
        {"tip_id": tip_id, "passphrase": "wrong", "message": "x", "form_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    assert bad.status_code == 404 and tip.messages.count() == 3


def test_an_answer_over_the_shared_limit_comes_back_ready_to_send_again(client, settings):
    settings.COPPS_RATE_LIMITS = "tip_read=1"
    tip_id, passphrase = credentials(send_tip(client))
    token = form_token(client, "/community/tip/read/")
    key = {"tip_id": tip_id, "passphrase": passphrase, "form_token": token}
    assert client.post("/community/tip/read/", key, HTTP_ORIGIN=ORIGIN).status_code == 200  # the minute's one read
    answer = key | {"message": "It is the second door"}
    over = client.post("/community/tip/answer/", answer, HTTP_ORIGIN=ORIGIN)
    body = over.content.decode()
    assert over.status_code == 429 and int(over["Retry-After"]) >= 1
    assert "It is the second door" in body and 'action="/community/tip/answer/"' in body and tip_id in body
    assert TipMessage.objects.count() == 1  # nothing sent
    settings.COPPS_RATE_LIMITS = "tip_read=0"  # the minute has passed
    sent = client.post(
        "/community/tip/answer/",
        answer | {"form_token": form_token(client, "/community/tip/read/")},
        HTTP_ORIGIN=ORIGIN,
    )
    assert sent.status_code in (200, 302) and TipMessage.objects.filter(body="It is the second door").exists()


def tip_form(client, message="The blue house on Oak sells from the side door after 10pm") -> dict:
    return {"topic": "drugs", "where": "Oak St near the park", "message": message, "form_token": form_token(client)}


def test_the_same_tip_form_sent_twice_makes_one_tip_with_the_same_passphrase():
    """A retry after a lost answer: the page is the only place the passphrase appears, so the
    retry must show the first send's passphrase again, and store nothing new."""
    client = tip_client()
    data = tip_form(client)
    first = client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN)
    again = client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN)
    assert first.status_code == again.status_code == 200
    assert credentials(first) == credentials(again)
    tip = Tip.objects.get()
    assert tip.check_passphrase(credentials(again)[1]) and TipMessage.objects.count() == 1
    # A fresh page is a fresh tip, with its own passphrase.
    other = client.post("/community/tip/", tip_form(client), HTTP_ORIGIN=ORIGIN)
    assert other.status_code == 200 and credentials(other)[1] != credentials(first)[1]
    assert Tip.objects.count() == 2


def test_what_is_kept_of_a_form_is_a_hash_that_gives_neither_nonce_nor_passphrase():
    from django.core import signing

    from copps.community.tipguard import TOKEN_SALT

    client = tip_client()
    data = tip_form(client)
    _tip_id, passphrase = credentials(client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN))
    nonce = signing.TimestampSigner(salt=TOKEN_SALT).unsign(data["form_token"])
    assert len(nonce) >= 21  # 16 random bytes, base64
    dump = io.StringIO()
    call_command("dumpdata", "community", stdout=dump)
    assert nonce not in dump.getvalue() and passphrase not in dump.getvalue()
    assert len(Tip.objects.get().submission) == 64


def test_a_used_form_sent_with_other_words_is_handed_back_and_sends_as_new():
    client = tip_client()
    data = tip_form(client)
    assert client.post("/community/tip/", data, HTTP_ORIGIN=ORIGIN).status_code == 200
    changed = client.post("/community/tip/", data | {"message": "Also a car waits outside"}, HTTP_ORIGIN=ORIGIN)
    body = main(changed)
    assert changed.status_code == 409 and "already sent, with other words" in body
    assert "Also a car waits outside" in body and 'id="tip-passphrase"' not in body  # nothing of the first tip
    assert Tip.objects.count() == 1
    fresh = re.search(r'name="form_token" value="([^"]+)"', body).group(1)
    assert fresh != data["form_token"]
    sent = client.post(
        "/community/tip/", data | {"message": "Also a car waits outside", "form_token": fresh}, HTTP_ORIGIN=ORIGIN
    )
    assert sent.status_code == 200 and Tip.objects.count() == 2


def test_an_answer_sent_twice_is_kept_once_and_a_changed_resend_is_handed_back():
    client = tip_client()
    tip_id, passphrase = credentials(send_tip(client))
    answer = {
        "tip_id": tip_id,
        "passphrase": passphrase,
        "message": "The green door",
        "form_token": form_token(client, "/community/tip/read/"),
    }
    first = client.post("/community/tip/answer/", answer, HTTP_ORIGIN=ORIGIN)
    again = client.post("/community/tip/answer/", answer, HTTP_ORIGIN=ORIGIN)
    assert first.status_code == again.status_code == 200
    assert main(again).count("The green door") == 1
    assert TipMessage.objects.filter(body="The green door").count() == 1
    changed = client.post("/community/tip/answer/", answer | {"message": "No, the red one"}, HTTP_ORIGIN=ORIGIN)
    assert changed.status_code == 409 and "already sent, with other words" in main(changed)
    assert "No, the red one" in main(changed) and not TipMessage.objects.filter(body="No, the red one").exists()


def test_a_form_stored_by_a_concurrent_send_is_the_one_returned():
    """Two sends of one form racing: the loser of the unique index gets the winner's tip."""
    from copps.community.models.tips import submission_digest
    from copps.community.tipping import new_tip, tipster_answer

    digest = submission_digest("racing-nonce")
    form = {"passphrase": "aaaaa-bbbbb-ccccc-ddddd-eeeee", "topic": "drugs", "where": "Oak", "message": "one"}
    first = new_tip(**form, digest=digest)
    assert new_tip(**form, digest=digest) == first
    assert Tip.objects.count() == 1 and TipMessage.objects.count() == 1
    answer = tipster_answer(first, "two", digest=submission_digest("answer-nonce"))
    assert tipster_answer(first, "two", digest=submission_digest("answer-nonce")) == answer
    assert TipMessage.objects.count() == 2


def test_an_answer_to_a_closed_tip_opens_it_again_for_staff(cast):
    from tests.conftest import sign_in

    client = tip_client()
    tip_id, passphrase = credentials(send_tip(client))
    Tip.objects.filter(public_id=tip_id).update(state=Tip.State.CLOSED)
    read = client.post(
        "/community/tip/read/",
        {"tip_id": tip_id, "passphrase": passphrase, "form_token": form_token(client, "/community/tip/read/")},
        HTTP_ORIGIN=ORIGIN,
    )
    assert "has closed this tip" in main(read)
    answer = client.post(
        "/community/tip/answer/",
        {
            "tip_id": tip_id,
            "passphrase": passphrase,
            "message": "He is back every night now",
            "form_token": form_token(client, "/community/tip/read/"),
        },
        HTTP_ORIGIN=ORIGIN,
    )
    assert answer.status_code == 200 and "has closed this tip" not in main(answer)
    assert Tip.objects.get(public_id=tip_id).state == Tip.State.OPEN
    staff = Client()
    sign_in(staff, cast["officer"])
    queue = staff.get("/community/staff/?show=open")
    assert queue.status_code == 200 and tip_id in queue.content.decode()
