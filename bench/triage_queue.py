"""Triage queue at city scale: the staff queue's page and its map with N service requests.

    python bench/triage_queue.py [--requests 20000] [--db sqlite|postgres]

A freshly migrated database gets N requests (ten categories, forty beats in four districts, every
state, spread over two years, a third routed) and a staff user. Then it times, through Django's
test client (the whole view: filters, count, page, audit row, template), the queue with the
filters staff use — none, a beat, a district and a state, a search word, an age bucket, newest
first, a page deep in the list — and the queue's map, each as the median of 15 runs, against
the peer: the same page when nothing matches (its fixed cost: sign-in, audit row, menus,
template). The old queue's cap (200 rows, no paging) is gone: the page stays flat because it
reads one page and one count, through the indexes of migration community.0006.
"""

from __future__ import annotations

import os
import statistics
import time

import fresh_site

QUERIES = {
    "open queue, oldest first": {},
    "beat B17": {"beat": "B17"},
    "district D2, in progress": {"district": "D2", "state": "in_progress"},
    "search 'mattress'": {"q": "mattress"},
    "age 7-30 days, newest first": {"age": "month", "sort": "newest"},
    "all, by state, page 40": {"show": "all", "sort": "state", "page": "40"},
    "routed to the POP unit": {"routed": "pop"},
}


def load(n: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    django.setup()
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from copps.accounts.models import User
    from copps.community.models import Service, ServiceRequest
    from copps.community.states import State
    from copps.incidents.models import Area

    t = time.perf_counter()
    with transaction.atomic():
        User.objects.create_user(username="clerk", password="bench-password-123", role="officer")
        box = {"min_lon": -87.7, "min_lat": 41.8, "max_lon": -87.6, "max_lat": 41.9}
        square = {"type": "Polygon", "coordinates": [[[-87.7, 41.8], [-87.6, 41.8], [-87.6, 41.9], [-87.7, 41.8]]]}
        districts = [Area.objects.create(type="district", code=f"D{d}", name=f"D{d}", geometry=square, **box)
                     for d in range(4)]
        beats = [Area.objects.create(type="beat", code=f"B{b}", name=f"B{b}", parent=districts[b % 4],
                                     geometry=square, **box) for b in range(40)]
        words = ["graffiti", "mattress", "pothole", "streetlight", "noise", "car", "dumping", "sign", "tree", "water"]
        services = [Service.objects.create(service_code=w.upper(), name=w.title()) for w in words]
        states = list(State)
        now = timezone.now()
        rows = []
        for i in range(n):
            at = now - timedelta(minutes=(i * 997) % (730 * 24 * 60))
            beat = beats[(i * 7) % 40]
            rows.append(ServiceRequest(
                service=services[i % 10], beat=beat, district_id=beat.parent_id, lat=41.8 + (i % 100) / 1000,
                lon=-87.7 + (i % 77) / 1000, description=f"{words[(i * 3) % 10]} reported near the corner",
                block_address=f"{(i % 90) + 1}XX W MAIN ST", requested_at=at, updated_at=at,
                state=states[(i * 5) % len(states)], routed_to=["", "beat", "pop"][i % 3],
            ))
        ServiceRequest.objects.bulk_create(rows, batch_size=5000)
    print(f"  loaded {n:,} requests in {time.perf_counter() - t:.1f} s", flush=True)


def measure() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    from copps.accounts.mfa import mark_mfa_verified
    from copps.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="clerk"))
    session = client.session
    mark_mfa_verified(session)
    session.save()

    def median_ms(fn, runs: int = 15) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return 1000 * statistics.median(times)

    def count():
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM community_servicerequest")
            return cur.fetchone()[0]

    total = count()
    bare = median_ms(count)
    # the peer: the same page when nothing matches — its fixed cost (sign-in, audit row, menus,
    # template) without a row or a count to speak of
    empty = {"q": "no-such-words-anywhere"}
    peer = median_ms(lambda: client.get("/community/staff/", empty))
    print(f"  {total:,} requests; SELECT COUNT(*) {bare:.1f} ms; peer (the page, nothing matching) {peer:.1f} ms")
    for label, params in QUERIES.items():
        response = client.get("/community/staff/", params)
        assert response.status_code == 200, (label, response.status_code)
        shown = response.content.decode().split('id="request-count">', 1)[1].split("<", 1)[0].split(" ·")[0]
        ms = median_ms(lambda p=params: client.get("/community/staff/", p))
        print(f"  queue, {label:30} {ms:7.1f} ms  ({ms / peer:4.1f} x the peer)  {shown}")
    ms = median_ms(lambda: client.get("/community/staff/queue.geojson", {"beat": "B17"}))
    print(f"  map (GeoJSON), beat B17               {ms:7.1f} ms  ({ms / peer:4.1f} x the peer)")


def main() -> None:
    fresh_site.main(__file__, load, measure, name="triage", what="requests", default_size=20_000, default_db="sqlite")


if __name__ == "__main__":
    main()
