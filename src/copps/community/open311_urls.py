"""Open311 GeoReport v2 at /open311/v2/: every resource in JSON and XML by its suffix."""

from django.urls import path, re_path, register_converter

from copps.community.open311 import views


class FormatConverter:
    """``json`` or ``xml``: the suffix that picks the format."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<open311fmt:fmt>", views.services, name="services"),
    path("services/<str:code>.<open311fmt:fmt>", views.service_definition, name="service"),
    path("requests.<open311fmt:fmt>", views.requests, name="requests"),
    path("requests/<str:public_id>.<open311fmt:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<open311fmt:fmt>", views.token, name="token"),
    path("openapi.json", views.openapi, {"fmt": "json"}, name="openapi"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
