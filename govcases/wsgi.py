import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcases.settings")
# A server never creates its SQLite database: a missing file is an error (and /healthz says so), not an
# empty database that every page fails on. `manage.py migrate` creates it.
os.environ.setdefault("SQLITE_CREATE", "0")
application = get_wsgi_application()
