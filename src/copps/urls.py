"""The URL map: each app owns its own urls.py."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from copps.accounts.views import admin_login_view
from copps.jobs.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:map", permanent=False)),
    path("accounts/", include("copps.accounts.urls")),
    # The admin signs in through the same two-factor flow as every other staff page.
    path("admin/login/", admin_login_view),
    path("admin/", admin.site.urls),
    path("events/", include("copps.incidents.urls")),
    path("api/", include("copps.api_urls")),
    path("open311/v2/", include("copps.community.open311_urls")),
    # surveys, watch groups, meetings, beat officers, subscriptions (before community/: its own prefix)
    path("community/engage/", include("copps.community.engagement.urls")),
    path("community/", include("copps.community.urls")),
    path("problems/", include("copps.problems.urls")),
    path("public/", include("copps.publish.urls")),
    path("reports/", include("copps.reports.urls")),
    path("jobs/", include("copps.jobs.urls")),
    # for load balancers: no sign-in, no private data (copps/jobs/views.py)
    path("healthz", healthz, name="healthz"),
    # the language switcher of the public pages (POST, sets the language cookie)
    path("i18n/", include("django.conf.urls.i18n")),
]
