"""The WSGI application that `byline serve` (granian) runs: the page store in front of Django."""

import os

from django.conf import settings

from byline.core.handler import reader_application
from byline.ops.drivers import keep_postgresql_driver_out

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")

# Before Django loads the apps, which would load the driver (byline.ops.drivers).
keep_postgresql_driver_out(settings.DATABASES)
django_application = reader_application()

# After Django is set up: the layer reads settings (and, on a miss, hands over to Django).
from byline.ops.requestlog import RequestLogApp  # noqa: E402
from byline.pagecache.wsgi import PageStoreApp  # noqa: E402

# The request log outermost, so page-store hits (which never reach Django) get their line.
application = RequestLogApp(PageStoreApp(django_application))

# Last: what the imports made lives as long as the worker; the collector need not walk it.
from byline.ops import collector  # noqa: E402

collector.connect()
