"""The URL map: each app owns its own urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:map", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("events/", include("copps.incidents.urls")),
    path("api/", include("copps.api_urls")),
    path("open311/v2/", include("copps.community.open311_urls")),
    path("community/", include("copps.community.urls")),
    path("problems/", include("copps.problems.urls")),
    path("public/", include("copps.publish.urls")),
]
