"""Plain Django WSGI app for bench/comments_bench.py (POSTs bypass the page store anyway)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
application = get_wsgi_application()
