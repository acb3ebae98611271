"""WSGI entry point for app servers (``copps serve`` runs gunicorn on it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copps.settings")
application = get_wsgi_application()
