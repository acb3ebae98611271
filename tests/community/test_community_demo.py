"""copps community_demo: seeds front-door requests and tips with replies, once."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from copps.community.models import ReplyTemplate, RequestReply, ServiceRequest, Tip, TipMessage

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_requests_and_a_tip_conversation_that_work_on_the_pages(services, beats, make_request, cast):
    make_request()
    out = io.StringIO()
    call_command("community_demo", stdout=out)
    text = out.getvalue()
    web = ServiceRequest.objects.filter(source="web")
    assert web.count() == 3 and RequestReply.objects.count() == 2
    assert all(t.body_en and t.body_es for t in ReplyTemplate.objects.all()) and ReplyTemplate.objects.count() == 3
    assert set(web.values_list("state", flat=True)) == {"acknowledged", "referred", "closed_fixed"}
    # every step happened already: nothing is stamped in the future on the track page or in Open311
    from django.utils import timezone

    from copps.community.models import StateChange

    now = timezone.now()
    assert all(sr.requested_at < sr.updated_at <= now for sr in web.exclude(state="received"))
    assert not StateChange.objects.filter(at__gt=now).exists()
    assert Tip.objects.count() == 2 and TipMessage.objects.filter(from_tipster=False).count() == 1
    # The printed tracking id and tip credentials open the public pages.
    track = re.search(r"/community/track/(\w+)/", text).group(0)
    assert Client().get(track).status_code == 200
    tip_id, passphrase = re.search(r"demo tip \(demo only\): id (\w+) passphrase ([\w-]+)", text).groups()
    client = Client()
    token = re.search(r'name="form_token" value="([^"]+)"', client.get("/community/tip/read/").content.decode())[1]
    page = client.post(
        "/community/tip/read/",
        {"tip_id": tip_id, "passphrase": passphrase, "form_token": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert page.status_code == 200 and "Which nights are busiest?" in page.content.decode()
    again = io.StringIO()
    call_command("community_demo", stdout=again)
    assert "already there" in again.getvalue() and Tip.objects.count() == 2
