"""Public portal pages, feeds and open data (no sign-in). Mounted at /public/."""

from django.urls import path

from copps.publish import views
from copps.publish.api import public_api

app_name = "publish"
urlpatterns = [
    path("", views.public_map, name="map"),
    path("about/", views.about, name="about"),
    path("data/events.csv", views.events_csv, name="events_csv"),
    path("data/events.geojson", views.events_geojson_download, name="events_geojson"),
    path("data/counts.csv", views.counts_csv, name="counts_csv"),
    path("api/", public_api.urls),
]
