"""Engagement pages, mounted at /community/engage/: public first, staff under staff/."""

from django.urls import path

from copps.community.engagement.views import public, staff, subscriptions, watch

app_name = "engagement"
urlpatterns = [
    path("", public.home, name="home"),
    path("surveys/<int:pk>/", public.survey_answer, name="survey"),
    path("surveys/<int:pk>/results/", public.survey_results_public, name="survey_results"),
    path("meetings/", public.meetings, name="meetings"),
    path("meetings.ics", public.meetings_ics, name="meetings_ics"),
    path("beat-officer/", public.beat_officer, name="beat_officer"),
    path("subscribe/", subscriptions.subscribe, name="subscribe"),
    path("subscribe/near/", subscriptions.subscribe_near, name="subscribe_near"),
    path("follow/<str:public_id>/", subscriptions.follow, name="follow"),
    path("subscribe/confirm/<str:token>/", subscriptions.confirm, name="confirm"),
    path("subscribe/unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("subscribe/one-click/<str:token>/", subscriptions.unsubscribe_one_click, name="unsubscribe_one_click"),
    path("watch/", watch.watch_groups, name="watch_groups"),
    path("watch/<int:pk>/join/", watch.watch_join, name="watch_join"),
    path("watch/confirm/<str:token>/", watch.watch_confirm, name="watch_confirm"),
    path("staff/surveys/", staff.survey_list, name="staff_surveys"),
    path("staff/surveys/new/", staff.survey_new, name="staff_survey_new"),
    path("staff/surveys/<int:pk>/", staff.survey_detail, name="staff_survey"),
    path("staff/surveys/<int:pk>/publish/", staff.survey_toggle, name="staff_survey_toggle"),
    path("staff/surveys/<int:pk>/results/", staff.survey_results_staff, name="staff_results"),
    path("staff/surveys/<int:pk>/review/", staff.text_review, name="staff_review"),
    path("staff/groups/", staff.group_list, name="staff_groups"),
    path("staff/groups/<int:pk>/", staff.group_detail, name="staff_group"),
    path("staff/groups/<int:pk>/requests/<int:join_pk>/", staff.join_decide, name="staff_join_decide"),
    path("staff/meetings/", staff.meeting_list, name="staff_meetings"),
    path("staff/meetings/new/", staff.meeting_new, name="staff_meeting_new"),
]
