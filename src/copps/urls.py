"""The URL map: each app owns its own urls.py.

The public pages answer at their own address and under a language prefix (``/es/...``) that
holds the visitor's language in the URL (``copps/language.py``); staff pages, the APIs and the
sign-in have no prefix."""

from django.contrib import admin
from django.urls import include, path

from copps.accounts.views import admin_login_view
from copps.jobs.views import healthz
from copps.language import public_language_patterns
from copps.publish.views import home

urlpatterns = [
    path("accounts/", include("copps.accounts.urls")),
    # The admin signs in through the same two-factor flow as every other staff page.
    path("admin/login/", admin_login_view),
    path("admin/", admin.site.urls),
    path("events/", include("copps.incidents.urls")),
    path("api/", include("copps.api_urls")),
    path("open311/v2/", include("copps.community.open311_urls")),
    path("problems/", include("copps.problems.urls")),
    path("reports/", include("copps.reports.urls")),
    path("jobs/", include("copps.jobs.urls")),
    # for load balancers: no sign-in, no private data (copps/jobs/views.py)
    path("healthz", healthz, name="healthz"),
    # the language switcher of the public pages (POST, sets the language cookie)
    path("i18n/", include("django.conf.urls.i18n")),
    *public_language_patterns(
        # the residents' front door; signed-in staff are sent on to their work
        path("", home, name="home"),
        # surveys, watch groups, meetings, beat officers, subscriptions (before community/: its own prefix)
        path("community/engage/", include("copps.community.engagement.urls")),
        path("community/", include("copps.community.urls")),
        path("public/", include("copps.publish.urls")),
    ),
]

# a PermissionDenied raised anywhere gets the same helpful page as copps' own refusals
handler403 = "copps.accounts.views.permission_denied_view"
