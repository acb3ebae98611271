"""The task library registers its result table in the admin; copps takes it out again. Staff see
jobs on the Jobs page (``/jobs/``), which checks both factors and shows what each job is for; the
raw rows hold a job's arguments and any traceback, which have no place in a second screen."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
