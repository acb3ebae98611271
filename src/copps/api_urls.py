"""The JSON API (django-ninja): one NinjaAPI, each app adds its router."""

from django.urls import path

from copps.accounts.api import StaffAPI
from copps.incidents.api import router as incidents_router

# StaffAPI: its OpenAPI schema also documents the 400/401/403 answers every staff operation gives.
# No Swagger UI page (as the public API): it loads its scripts from a CDN, which the CSP blocks.
api = StaffAPI(title="copps API", version="1", urls_namespace="api", docs_url=None)
api.add_router("/events", incidents_router)

urlpatterns = [path("", api.urls)]
