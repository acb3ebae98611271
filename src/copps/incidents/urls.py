from django.urls import path

from copps.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("map/", views.event_map, name="map"),
    path("<int:pk>/", views.event_detail, name="detail"),
]
