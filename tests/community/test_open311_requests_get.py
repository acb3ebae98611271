"""GET requests and GET requests/{id}: the filters, the 90-day window, paging, extensions,
and withheld requests that answer exactly as unknown ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.community.conftest import BASE, FORMATS, get_both, parse

from copps.community.models import ServiceRequest


def ids(doc) -> list[str]:
    return [item["service_request_id"] for item in doc]


def test_request_carries_every_georeport_element_in_order(make_request, client):
    sr = make_request(state="referred", agency_responsible="County Roads", status_notes="Their crew")
    status, (item,) = get_both(client, f"requests/{sr.public_id}")
    assert status == 200
    assert list(item) == [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    ]
    assert item["status"] == "open"
    assert item["status_notes"] == "Referred to County Roads. Their crew"
    assert item["address"] == "75XX MAPLE CT"  # the hundred block, never the house
    assert (item["lat"], item["long"]) == (None, None)  # no public snap set built: no point at all
    local = timezone.localtime(sr.requested_at).replace(microsecond=0)
    assert item["requested_datetime"] == local.isoformat()
    assert item["requested_datetime"][-6] in "+-"  # an explicit UTC offset


def test_the_list_defaults_to_the_last_90_days_newest_first(make_request, client):
    recent, older = make_request(days_ago=1), make_request(days_ago=80)
    make_request(days_ago=120)
    status, doc = get_both(client, "requests")
    assert status == 200
    assert ids(doc) == [recent.public_id, older.public_id]


def test_start_and_end_dates_select_on_requested_datetime(make_request, client):
    make_request(days_ago=400)
    inside = make_request(days_ago=300)
    start = (timezone.now() - timedelta(days=310)).isoformat()
    end = (timezone.now() - timedelta(days=290)).isoformat()
    assert ids(get_both(client, "requests", start_date=start, end_date=end)[1]) == [inside.public_id]
    # A start alone runs 90 days on; an end alone reaches 90 days back.
    assert ids(get_both(client, "requests", start_date=start)[1]) == [inside.public_id]
    assert ids(get_both(client, "requests", end_date=end)[1]) == [inside.public_id]


def test_a_far_offset_names_the_same_moment(make_request, client):
    """+23:00 is a valid W3C offset that PostgreSQL cannot store: the window is read in UTC."""
    sr = make_request(days_ago=1)
    far_east = timezone.now().astimezone(timezone.get_fixed_timezone(23 * 60))
    start = (far_east - timedelta(days=2)).isoformat()
    end = (far_east - timedelta(hours=12)).isoformat()
    assert ids(get_both(client, "requests", start_date=start, end_date=end)[1]) == [sr.public_id]
    end = (far_east - timedelta(days=1, hours=1)).isoformat()  # ends before it was made
    assert ids(get_both(client, "requests", start_date=start, end_date=end)[1]) == []


def test_dates_may_be_plain_dates_or_carry_an_unescaped_plus(make_request, client):
    sr = make_request(days_ago=0.5)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    doc = get_both(client, "requests", start_date=str(today - timedelta(days=2)), end_date=str(tomorrow))[1]
    assert ids(doc) == [sr.public_id]
    response = client.get(f"{BASE}/requests.json?start_date={today - timedelta(days=2)}T00:00:00+00:00")
    assert response.status_code == 200 and ids(parse(response)) == [sr.public_id]


@pytest.mark.parametrize("params,error", [
    ({"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-06-01T00:00:00Z"},
     "start_date and end_date may not span more than 90 days"),
    ({"start_date": "2020-02-01T00:00:00Z", "end_date": "2020-01-01T00:00:00Z"}, "end_date is before start_date"),
    ({"start_date": "last tuesday"}, "start_date 'last tuesday' is not a W3C datetime such as 2010-01-01T00:00:00Z"),
    ({"end_date": "2020-13-45"}, "end_date '2020-13-45' is not a W3C datetime such as 2010-01-01T00:00:00Z"),
    ({"status": "pending"}, "status must be open or closed, not pending"),
    ({"page": "0"}, "page must be a whole number from 1 to 1000000"),
    ({"page": "two"}, "page must be a whole number from 1 to 1000000"),
    ({"page_size": "1001"}, "page_size must be a whole number from 1 to 1000"),
    ({"service_request_id": ",".join(str(i) for i in range(1001))}, "service_request_id may list at most 1000 ids"),
])
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_filters_are_400_with_the_reason(db, client, fmt, params, error):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    assert [(str(e["code"]), e["description"]) for e in parse(response)] == [("400", error)]


def test_service_code_filter_takes_a_comma_list(make_request, client):
    graf, dump, _ = make_request(service="GRAF"), make_request(service="DUMP"), make_request(service="NOIS")
    assert set(ids(get_both(client, "requests", service_code="GRAF,DUMP")[1])) == {graf.public_id, dump.public_id}
    assert ids(get_both(client, "requests", service_code="DUMP")[1]) == [dump.public_id]


def test_status_filter_maps_the_richer_states_to_open_and_closed(make_request, client):
    states = ["received", "acknowledged", "in_progress", "referred", "closed_fixed", "closed_not_fixed", "reopened"]
    made = {s: make_request(state=s, days_ago=i + 1) for i, s in enumerate(states)}
    open_ids = set(ids(get_both(client, "requests", status="open")[1]))
    closed_ids = set(ids(get_both(client, "requests", status="closed")[1]))
    assert closed_ids == {made["closed_fixed"].public_id, made["closed_not_fixed"].public_id}
    assert open_ids == {sr.public_id for s, sr in made.items() if not s.startswith("closed")}
    assert len(ids(get_both(client, "requests", status="open,closed")[1])) == 7


def test_service_request_ids_override_every_other_filter(make_request, client):
    old, recent, _ = make_request(days_ago=500, state="closed_fixed"), make_request(days_ago=1), make_request()
    doc = get_both(client, "requests", service_request_id=f"{old.public_id}, {recent.public_id},unknown",
                   status="open", service_code="DUMP")[1]
    assert set(ids(doc)) == {old.public_id, recent.public_id}
    # Overridden, but not unread: a malformed one beside the ids is refused all the same.
    for bad in ({"start_date": "yesterday"}, {"end_date": "2010-13-45"}, {"status": "pending"}):
        response = client.get(f"{BASE}/requests.json", {"service_request_id": old.public_id, **bad})
        assert response.status_code == 400 and next(iter(bad)) in parse(response)[0]["description"]


def test_paging_extension_walks_the_list(make_request, client):
    made = [make_request(days_ago=i + 1) for i in range(5)]
    pages = [ids(get_both(client, "requests", page=p, page_size=2)[1]) for p in (1, 2, 3, 4)]
    assert pages == [[made[0].public_id, made[1].public_id], [made[2].public_id, made[3].public_id],
                     [made[4].public_id], []]


def test_without_paging_the_answer_stops_at_the_first_1000(services, client):
    at = timezone.now() - timedelta(days=1)
    ServiceRequest.objects.bulk_create(
        ServiceRequest(public_id=f"bulk{i:05d}", service=services["DUMP"], requested_at=at, updated_at=at)
        for i in range(1001))
    assert len(parse(client.get(f"{BASE}/requests.json"))) == 1000
    assert len(parse(client.get(f"{BASE}/requests.json", {"page": 2}))) == 1


def test_extensions_add_the_richer_state_and_areas(make_request, beats, client):
    sr = make_request(state="closed_not_fixed", closed_reason="Private property", beat=beats["west"],
                      district=beats["district"])
    (plain,) = get_both(client, "requests")[1]
    assert "extended_attributes" not in plain
    assert plain["status"] == "closed" and plain["status_notes"] == "Closed – not fixed: Private property"
    (item,) = get_both(client, "requests", extensions="true")[1]
    assert item["extended_attributes"] == {"state": "closed_not_fixed", "state_label": "Closed – not fixed",
                                           "closed_reason": "Private property", "beat": "A1", "district": "A"}
    (one,) = get_both(client, f"requests/{sr.public_id}", extensions="true")[1]
    assert one == item


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_withheld_request_answers_exactly_as_an_unknown_one(make_request, client, fmt):
    hidden = make_request(public=False)
    unknown = client.get(f"{BASE}/requests/doesnotexist0000.{fmt}")
    withheld = client.get(f"{BASE}/requests/{hidden.public_id}.{fmt}")
    assert unknown.status_code == withheld.status_code == 404
    assert unknown.content == withheld.content
    assert unknown["Content-Type"] == withheld["Content-Type"]
    assert parse(client.get(f"{BASE}/requests.{fmt}")) in ([], None)
    assert parse(client.get(f"{BASE}/requests.{fmt}", {"service_request_id": hidden.public_id})) in ([], None)


def test_the_list_costs_the_same_queries_for_few_and_many_requests(make_request, beats, client,
                                                                   django_assert_num_queries):
    for _ in range(3):
        make_request(beat=beats["west"], district=beats["district"])
    # One query for the site's time zone, one for the requests, one to check the (cached) public snap set.
    with django_assert_num_queries(3):
        client.get(f"{BASE}/requests.json", {"extensions": "true"})
    for _ in range(30):
        make_request(beat=beats["east"], district=beats["district"])
    with django_assert_num_queries(3):
        assert len(parse(client.get(f"{BASE}/requests.json", {"extensions": "true"}))) == 33


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_path_that_is_no_resource_is_the_spec_404(db, client, fmt):
    response = client.get(f"{BASE}/nothing/here.{fmt}")
    assert response.status_code == 404
    assert str(parse(response)[0]["code"]) == "404"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ({"page": "99999999999999999999"}, 400, "page must be a whole number from 1 to 1000000"),
        ({"page": "1000001"}, 400, "page must be a whole number from 1 to 1000000"),
        ({"page": "1000000"}, 200, ""),
        ({"start_date": "9999-12-30T00:00:00Z"}, 200, ""),
        ({"end_date": "0001-01-02T00:00:00Z"}, 200, ""),
        # offsets Python takes and PostgreSQL does not (it stops at 15:59), at the calendar's ends too
        ({"end_date": "3425-02-10T16:43:59.4+23:00"}, 200, ""),
        ({"start_date": "0001-01-01T00:00:00+05:00"}, 200, ""),
        ({"end_date": "9999-12-31T23:59:00-23:59"}, 200, ""),
    ],
)
def test_extreme_paging_and_dates_answer_without_a_server_error(services, make_request, client, fmt, query, status,
                                                                 says):
    make_request()
    response = client.get(f"{BASE}/requests.{fmt}", query)
    assert response.status_code == status
    if says:
        assert says in response.content.decode()
        errors = parse(response)
        assert errors and all(int(e["code"]) == 400 for e in errors)
    else:
        assert parse(response) in ([], {}, "", None)  # nothing is that far off
