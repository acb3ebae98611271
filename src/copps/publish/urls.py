"""Public portal pages, feeds and open data (no sign-in). Mounted at /public/."""

from django.urls import path

from copps.publish import basemap, views
from copps.publish.api import public_api

app_name = "publish"
urlpatterns = [
    path("", views.public_map, name="map"),
    path("about/", views.about, name="about"),
    path("data/events.csv", views.events_csv, name="events_csv"),
    path("data/events.geojson", views.events_geojson_download, name="events_geojson"),
    path("data/counts.csv", views.counts_csv, name="counts_csv"),
    path("trends/", views.trend_page, name="trends"),
    path("compstat/", views.compstat_page, name="compstat"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/area.geojson", views.problem_area, name="problem_area"),
    path("service/", views.service_page, name="service"),
    # the maps' own base map (streets, names, city limits) and place finder: no tile server needed
    path("basemap/<int:zoom>.geojson", basemap.basemap, name="basemap"),
    path("places/", basemap.places, name="places"),
    path("places/block", basemap.block, name="place_block"),
    path("api/", public_api.urls),
]
