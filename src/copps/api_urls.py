"""The JSON API (django-ninja): one NinjaAPI, each app adds its router."""

from django.urls import path
from ninja import NinjaAPI

from copps.incidents.api import router as incidents_router

api = NinjaAPI(title="copps API", version="1", urls_namespace="api")
api.add_router("/events", incidents_router)

urlpatterns = [path("", api.urls)]
