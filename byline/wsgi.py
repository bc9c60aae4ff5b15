"""The WSGI application that `byline serve` (granian) runs: the page store in front of Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")

from byline.pagecache.wsgi import PageStoreApp  # noqa: E402  (needs the settings module set)

application = PageStoreApp(get_wsgi_application())
