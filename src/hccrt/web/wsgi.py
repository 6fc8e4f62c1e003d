"""WSGI entry point used by gunicorn (``hccrt serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hccrt.web.settings")
application = get_wsgi_application()
