"""Staff pages of the problem-solving workspace (mounted at /problems/)."""

from django.urls import path

from copps.problems.views import assessments, candidates, partners, problems, stages, workspace

app_name = "problems"
urlpatterns = [
    path("", problems.problem_list, name="list"),
    path("new/", problems.problem_new, name="new"),
    path("<int:pk>/", problems.problem_detail, name="detail"),
    path("<int:pk>/edit/", problems.problem_edit, name="edit"),
    path("<int:pk>/assign/", problems.problem_assign, name="assign"),
    path("<int:pk>/triangle/", workspace.add_triangle, name="add_triangle"),
    path("<int:pk>/triangle/<int:entry_id>/delete/", workspace.delete_triangle, name="delete_triangle"),
    path("<int:pk>/hypotheses/", workspace.add_hypothesis, name="add_hypothesis"),
    path("<int:pk>/hypotheses/<int:hypothesis_id>/", workspace.edit_hypothesis, name="edit_hypothesis"),
    path("<int:pk>/notes/", workspace.add_note, name="add_note"),
    path("<int:pk>/partners/", workspace.add_partner, name="add_partner"),
    path("<int:pk>/plan/", workspace.edit_plan, name="edit_plan"),
    path("<int:pk>/objectives/", workspace.add_objective, name="add_objective"),
    path("<int:pk>/tasks/", workspace.add_task, name="add_task"),
    path("<int:pk>/tasks/<int:task_id>/", workspace.update_task, name="update_task"),
    path("<int:pk>/events/", workspace.link_events, name="link_events"),
    path("<int:pk>/links/", workspace.link_external, name="link_external"),
    path("<int:pk>/stage/", stages.request_stage, name="request_stage"),
    path("<int:pk>/assessments/new/", assessments.assessment_new, name="assessment_new"),
    path("<int:pk>/assessments/<int:assessment_id>/", assessments.assessment_detail, name="assessment"),
    path("stage-requests/", stages.stage_queue, name="stage_queue"),
    path("stage-requests/<int:change_id>/", stages.decide_stage, name="decide_stage"),
    path("candidates/", candidates.candidate_list, name="candidates"),
    path("candidates/scan/", candidates.scan_now, name="scan"),
    path("candidates/<int:pk>/", candidates.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/promote/", candidates.promote, name="promote"),
    path("candidates/<int:pk>/dismiss/", candidates.dismiss, name="dismiss"),
    path("partners/", partners.partner_list, name="partners"),
    path("partners/new/", partners.partner_edit, name="partner_new"),
    path("partners/<int:pk>/", partners.partner_edit, name="partner_edit"),
]
