"""Public pages say in which zone their days and months are counted: the site's (its data's) zone."""

from __future__ import annotations

from django.urls import reverse

from copps.incidents import sitetime
from copps.incidents.models import Site


def test_public_compstat_trends_and_map_name_the_site_zone(client, town):
    site = Site.get()
    site.time_zone = "America/New_York"
    site.save()
    for i in range(12):
        town.event(category="burglary", days_ago=40 + 30 * (i % 13), district="A", at=i)
    with sitetime.in_zone():
        town.publish()
    for name in ("publish:compstat", "publish:trends"):
        html = client.get(reverse(name), {"area": "city", "kind": "crime"}).content.decode()
        assert "Dates and times in the America/New_York time zone." in html, name
    spanish = client.get(reverse("publish:compstat"), {"area": "city"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Fechas y horas en la zona horaria America/New_York." in spanish
