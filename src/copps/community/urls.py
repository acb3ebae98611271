"""Public and staff pages of the community front door (Open311 lives in open311_urls.py).

The anonymous-tip pages live under ``tip/`` and nothing else does: that prefix is what
``copps.community.tipguard`` scrubs (no address, user agent or cookie)."""

from django.urls import path

from copps.community.views import levels, report, tip_assets, tips, track, triage

app_name = "community"
urlpatterns = [
    path("report/", report.report_start, name="report"),
    path("report/details/", report.report_details, name="report-details"),
    path("report/nearby.json", report.nearby, name="nearby"),
    path("report/already/<str:public_id>/", report.already_reported, name="already-reported"),
    path("track/", track.track_lookup, name="track-lookup"),
    path("track/<str:key>/", track.track, name="track"),
    path("track/<str:key>/photo.jpg", track.track_photo, name="track-photo"),
    path("tip/", tips.tip_new, name="tip"),
    path("tip/read/", tips.tip_read, name="tip-read"),
    path("tip/answer/", tips.tip_answer, name="tip-answer"),
    path("tip/assets/<str:name>", tip_assets.tip_asset, name="tip-asset"),
    path("staff/", triage.queue, name="staff-queue"),
    path("staff/queue.geojson", triage.queue_map, name="staff-queue-map"),
    path("staff/bulk/", triage.bulk, name="staff-bulk"),
    path("staff/requests/<str:public_id>/", triage.request_detail, name="staff-request"),
    path("staff/requests/<str:public_id>/photo.jpg", triage.request_photo, name="staff-request-photo"),
    path("staff/tips/<str:public_id>/", triage.tip_detail, name="staff-tip"),
    path("staff/service-levels/", levels.levels, name="staff-levels"),
]
