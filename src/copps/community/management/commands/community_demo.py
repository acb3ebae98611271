"""copps community_demo: a few front-door requests and anonymous tips, with replies, and the
triage room's reply templates, in the demo."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from copps.community import tipping
from copps.community.intake import NewRequest, create_request
from copps.community.models import ReplyTemplate, RequestReply, Service, ServiceRequest
from copps.community.models.tips import new_passphrase
from copps.community.states import advance
from copps.incidents import sitetime

MARK = "[demo front door]"

REQUESTS = [
    # description, steps (state, extra), reply from the department
    (
        "Streetlight out at the corner by the bus stop; very dark at night " + MARK,
        [("acknowledged", {"notes": "Sent to the beat officer"})],
        "Thank you: the beat officer will look tonight.",
    ),
    (
        "Abandoned car, flat tyres, not moved for three weeks " + MARK,
        [("referred", {"agency": "Public Works (towing)", "notes": "Towing is Public Works"})],
        "",
    ),
    (
        "Graffiti on the park toilets " + MARK,
        [("in_progress", {}), ("closed_fixed", {"notes": "Painted over"})],
        "Painted over this morning.",
    ),
]

# the triage room's reply templates (admins keep them in the admin): name, English, Spanish
REPLY_TEMPLATES = [
    (
        "Received, on the beat officer's list",
        "Thank you for your report. It is on the beat officer's list; you will hear from us here.",
        "Gracias por su reporte. Está en la lista del agente del sector; tendrá noticias nuestras aquí.",
    ),
    (
        "Fixed",
        "Thank you: this has been fixed. If it comes back, reopen your report from this page.",
        "Gracias: ya se arregló. Si vuelve a pasar, reabra su reporte desde esta página.",
    ),
    (
        "Referred to another department",
        "This is handled by another city department; we have passed your report on to them.",
        "De esto se ocupa otro departamento de la ciudad; les hemos pasado su reporte.",
    ),
]

TIPS = [
    (
        "drugs",
        "Oak St near the park",
        [
            "Cars stop at the blue house for two minutes at a time, mostly after 10pm.",
            "Which nights are busiest?",
            "Fridays and Saturdays.",
        ],
    ),
    ("property", "", ["Someone is selling new bikes cheap from a garage on Birch."]),
]


class Command(BaseCommand):
    help = "Add demo service requests filed through the report page and anonymous tips with replies."

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        if settings.MODE != "demo":
            raise CommandError("community_demo adds invented records: it runs only with COPPS_MODE=demo")
        if ServiceRequest.objects.filter(description__endswith=MARK).exists():
            self.stdout.write("Community front-door demo records are already there; nothing added.")
            return
        officer = get_user_model().objects.filter(role="officer").order_by("id").first()
        with transaction.atomic():
            for name, english, spanish in REPLY_TEMPLATES:
                ReplyTemplate.objects.get_or_create(name=name, defaults={"body_en": english, "body_es": spanish})
            keys = self._requests(officer)
            tip_id, passphrase = self._tips(officer)
        self.stdout.write("Community front door: report at /community/report/, tips at /community/tip/.")
        self.stdout.write("  demo tracking ids: " + ", ".join(f"/community/track/{k}/" for k in keys))
        self.stdout.write(f"  demo tip (demo only): id {tip_id} passphrase {passphrase}")

    def _requests(self, officer) -> list[str]:
        service = Service.objects.filter(active=True).order_by("id").first()
        if service is None:
            service = Service.objects.create(service_code="DEMO-LIGHT", name="Streetlight out", group="Streets")
        # Near places the city's own requests already came from, so the beats are real.
        places = list(ServiceRequest.objects.filter(lat__isnull=False).values_list("lat", "lon", "address")[:3])
        keys = []
        for i, (description, steps, reply) in enumerate(REQUESTS):
            lat, lon, address = places[i] if i < len(places) else (None, None, f"{100 + i} Main St")
            sr = create_request(
                NewRequest(
                    service=service,
                    description=description,
                    lat=lat,
                    lon=lon,
                    address=address or "",
                    first_name="Demo",
                    last_name=f"Resident {i + 1}",
                    email=f"resident{i + 1}@example.org",
                ),
                source="web",
            )
            # made hours ago, so that every step (3 hours apart) lies in the past, not in the future
            at = timezone.now() - timedelta(hours=3 * (len(steps) + 1))
            ServiceRequest.objects.filter(pk=sr.pk).update(requested_at=at, updated_at=at)
            sr.refresh_from_db()
            for n, (to, extra) in enumerate(steps, start=1):
                advance(sr, to, user=officer, at=at + timedelta(hours=3 * n), **extra)
            if reply:
                RequestReply.objects.create(request=sr, body=reply, author=officer)
            keys.append(sr.track_key)
        return keys

    def _tips(self, officer) -> tuple[str, str]:
        """Tips sent and answered the way the tip pages and triage do it (``community/tipping.py``)."""
        first = ("", "")
        for topic, where, messages in TIPS:
            passphrase = new_passphrase()
            tip = tipping.new_tip(passphrase=passphrase, topic=topic, where=where, message=messages[0])
            for n, body in enumerate(messages[1:], start=1):
                if n % 2:  # the department's reply, then the tipster's answer, in turn
                    tipping.staff_reply(tip, body, by=officer)
                else:
                    tipping.tipster_answer(tip, body)
            if not first[0]:
                first = (tip.public_id, passphrase)
        return first
