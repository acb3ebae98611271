"""Staff reports (mounted at /reports/). The PDF names are stable: other rooms link to them."""

from django.urls import path

from copps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("sara/<int:pk>/", views.sara, name="sara"),
    path("sara/<int:pk>/pdf/", views.sara_pdf, name="sara-pdf"),
    path("compstat/", views.compstat, name="compstat"),
    path("compstat/pdf/", views.compstat_pdf, name="compstat-pdf"),
    path("cocoon/<int:pk>/pdf/", views.cocoon_pdf, name="cocoon-pdf"),
    # the dashboard's analysis workspace, as it is shown (the same query string)
    path("hot-spots.png", views.workspace_png, name="workspace-png"),
    path("hot-spots.pdf", views.workspace_pdf, name="workspace-pdf"),
    # a PDF a job made for the staff member who asked (copps/reports/store.py)
    path("files/<str:token>/", views.report_file, name="file"),
]
