from django.urls import path

from copps.incidents import import_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.event_list, name="list"),
    # the list's filters as a file: every staff role that reads the list (docs/events.md)
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.geojson", views.export_geojson, name="export-geojson"),
    path("export.gpkg", views.export_gpkg, name="export-gpkg"),
    path("map/", views.event_map, name="map"),
    path("<int:pk>/", views.event_detail, name="detail"),
    # analysts and administrators: upload, dry run and preview, then the import as a job
    path("import/", import_views.import_upload, name="import"),
    path("import/<str:token>/", import_views.import_start, name="import-start"),
]
