"""Byline's one settings module, driven by environment variables (see .env.example)."""

import datetime
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from byline.core import private_files


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    """A whole number; unset or empty is the default (as for env_bool), anything else fails."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_float(name: str, default: float) -> float:
    """A number such as 1.5; unset or empty is the default, anything else fails."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_origin(name: str, default: str) -> str:
    """An http(s) origin such as https://news.example.com or http://127.0.0.1:9000, without a
    trailing slash (links are the origin followed by a path); unset or empty is the default.
    A path, query or fragment fails: Wagtail's Site records, which give pages their full
    addresses, have none either."""
    value = (os.environ.get(name) or default).rstrip("/")
    try:
        parts = urlsplit(value)
        port_ok = parts.port != 0  # .port raises ValueError past 65535 or on a non-number
    except ValueError:
        parts, port_ok = None, False
    if (
        parts is None
        or not port_ok
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"{name} must be an http(s) address with no path, e.g. https://news.example.com, "
            f"not {value!r}"
        )
    return value


BASE_DIR = Path(__file__).resolve().parent.parent
# Everything Byline writes at run time (database, secret key, media, caches) lives here.
VAR_DIR = Path(os.environ.get("BYLINE_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A key generated once and kept under var/: fine for one machine, never for production,
    where SECRET_KEY must be set so that every app server signs alike. Readable by this user
    only, and the same for every process of a first start (the first one to save it wins)."""
    return private_files.read_or_create(
        VAR_DIR / "secret_key", make=lambda: secrets.token_urlsafe(50)
    )


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("BYLINE_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "byline.core",
    "byline.images",
    "byline.blogs",
    "byline.publication",
    "byline.comments",
    "byline.mailguard",
    "byline.featured",
    "byline.feeds",
    "byline.corrections",
    "byline.search",
    "byline.newsletters",
    "byline.importers",
    "byline.pagecache",
    "byline.demo",
    "byline.ops",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "anymail",  # any e-mail provider, and its bounce webhooks (byline/newsletters)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # admin login lock-out (byline/ops, AXES_* below)
]

MIDDLEWARE = [
    # First, so that its duration covers the whole stack and its status is the one sent.
    "byline.ops.requestlog.RequestLogMiddleware",
    # Next, so that it stores the response every middleware below has finished (mailguard's
    # protected addresses, security headers); hits never get here (byline/pagecache/wsgi.py).
    "byline.pagecache.middleware.PageStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "byline.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a failed login past the limit into the lock-out answer (after auth, per axes).
    "axes.middleware.AxesMiddleware",
    # A full disk during an upload or import is a clear 507, not a 500 (byline/ops/diskfull.py).
    "byline.ops.diskfull.DiskFullMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # WordPress's /?p=ID addresses answer 200 (the home page), so Wagtail's 404-only
    # redirects never see them; this looks them up first.
    "byline.importers.middleware.LegacyQueryRedirectMiddleware",
    # Last, so that whatever comes before it (page store, compression, ETags) gets pages with
    # every e-mail address already protected, once per render (byline/mailguard).
    "byline.mailguard.middleware.MailguardMiddleware",
]

ROOT_URLCONF = "byline.urls"
WSGI_APPLICATION = "byline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "byline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "byline.core.context_processors.publication",
            ],
            # {% url %} remembering its answers (byline/core/reversing.py) in every template.
            "builtins": ["byline.core.templatetags.remembered_urls"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'byline.sqlite3'}",
        conn_max_age=env_int("BYLINE_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked"
    # when a read transaction tries to upgrade (Django ticket #29280).
    # cache_size: SQLite's page cache in kB (BYLINE_SQLITE_CACHE_KB), per connection, and a
    # worker keeps one connection per thread (BYLINE_THREADS). 20 MB each filled within a
    # minute on 100,000 posts and held a web worker at ~225 MB (bench/memory_bench.py). The
    # OS keeps the file's pages for every process, but scans (feeds, search) may cost more
    # CPU with less: render_serve_bench.py --cpu was within noise in one run and slower on
    # those in another; raise it on a box with memory to spare. 2 MB rather than 4: a
    # connection's 4 MB were full after its first requests at 100,000 posts (with ~1.3 MB of
    # schema and statements besides), and 2 MB cost no CPU we could see in memory_bench's
    # requests per CPU second (79 against 70 at 4 MB, side by side).
    sqlite_cache_kb = max(env_int("BYLINE_SQLITE_CACHE_KB", 2000), 0)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            f"PRAGMA cache_size=-{sqlite_cache_kb};"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else DATABASES["default"]["CONN_MAX_AGE"]
    # Readers' comments and addresses, editors' sessions: the file (and its -wal and -shm)
    # readable by this user only, which SQLite's own 0644 is not (byline/core/private_files.py).
    private_files.sqlite_database(str(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL read replica: reads go there, writes and the reads of a request that wrote go
# to the primary (byline/ops/db_router.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["byline.ops.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "byline.ops.db_router.ReplicaPinningMiddleware")

# Cache: a file cache under var/ shared by the workers of one box; Redis when REDIS_URL is set,
# shared by every app server.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Sites sharing one Redis keep apart by prefix: the cache's keys and the page store's too.
CACHE_PREFIX = os.environ.get("BYLINE_CACHE_PREFIX", "byline")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Background work (mail, notifications, Wagtail's own tasks) off the request path; the
# worker runs inside `byline serve`. BYLINE_TASKS_IMMEDIATE=1 runs tasks in the request.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("BYLINE_TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Admin login lock-out (django-axes): after BYLINE_LOGIN_FAILURE_LIMIT failed logins as one
# user name from one address (an IPv6 /64 is one address), that user name is refused at that
# address for BYLINE_LOGIN_LOCKOUT_MINUTES. Attempts are kept in the database, so every app
# server counts together. `byline axes_reset` lifts every lock-out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("BYLINE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_float("BYLINE_LOGIN_LOCKOUT_MINUTES", 15.0))
# What is counted: comma-separated alternatives, each a parameter (ip_address, username,
# user_agent) or several joined by "+" and counted together. Not the user name alone: a
# stranger failing as "admin" from their own address would lock the editors out everywhere.
AXES_LOCKOUT_PARAMETERS = [
    part.split("+") if "+" in part else part
    for part in env_list("BYLINE_LOGIN_LOCKOUT_BY", "ip_address+username")
]
AXES_RESET_ON_SUCCESS = True
# The same address rule as comments and rate limits (REMOTE_ADDR or BYLINE_TRUSTED_PROXIES),
# stored as a pseudonymous address made from the salted hash: no raw IP in the database.
AXES_CLIENT_IP_CALLABLE = "byline.ops.axes.hashed_client_ip"
AXES_USERNAME_CALLABLE = "byline.ops.axes.client_username"
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_VERBOSE = False

# Sessions in the database, read through the shared cache: any app server sees a login
# (Django's cached_db, refusing keys no session has: byline/core/sessions.py).
SESSION_ENGINE = "byline.core.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("BYLINE_LANGUAGE_CODE", "en-us")
TIME_ZONE = os.environ.get("BYLINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("BYLINE_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "byline" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    # Django's file storage, minus the partial file a write that fails (full disk) leaves.
    "default": {"BACKEND": "byline.ops.diskfull.CleanFileSystemStorage"},
    # Hashed names and gzip/brotli copies, made once by collectstatic.
    "staticfiles": {"BACKEND": "byline.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# HTTPS: on behind a TLS-terminating proxy, BYLINE_HTTPS=1 turns on the secure parts.
BYLINE_HTTPS = env_bool("BYLINE_HTTPS")
# Lets `byline serve` answer public host names over plain HTTP (a private network behind a
# TLS proxy that does not say so). Read as a yes/no: .env.example's "0" means no.
BYLINE_ALLOW_PLAIN_HTTP = env_bool("BYLINE_ALLOW_PLAIN_HTTP")
if BYLINE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("BYLINE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BYLINE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("BYLINE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a promise to browsers that is slow to undo and covers every
        # subdomain; it is the publication's decision (BYLINE_HSTS_PRELOAD=1), not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Wagtail's preview views override this with SAMEORIGIN for its live preview panel.
X_FRAME_OPTIONS = "DENY"
# Send the CSP as Report-Only (to try a theme or an embed provider before enforcing).
BYLINE_CSP_REPORT_ONLY = env_bool("BYLINE_CSP_REPORT_ONLY")
SESSION_COOKIE_HTTPONLY = True

# E-mail: console output unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (  # empty, as in .env.example: the default
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# Seconds a mail server may stall before a send gives up. Django's default is to wait for
# ever: a server that stopped answering mid-newsletter held the task worker, and the issue
# half-sent, until someone killed it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Byline <byline@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Any e-mail provider through django-anymail: EMAIL_BACKEND=anymail.backends.<provider>.
# EmailBackend, and its options as ANYMAIL_<NAME> variables (ANYMAIL_POSTMARK_SERVER_TOKEN=…).
# ANYMAIL_WEBHOOK_SECRET (user:password) turns on the provider's bounce and complaint webhooks
# under /newsletter/anymail/, which suppress the addresses (docs/newsletters.md).
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "byline.ops.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("BYLINE_LOG_LEVEL", "INFO")},
    # Wagtail and django-tasks log every page save and task run at INFO.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # One JSON line per request (byline/ops/requestlog.py); BYLINE_REQUEST_LOG=0 stops them.
        "byline.requests": {
            "handlers": ["json"],
            "level": "INFO" if env_bool("BYLINE_REQUEST_LOG", True) else "WARNING",
            "propagate": False,
        },
    },
}

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("BYLINE_SITE_NAME", "Byline")
# WAGTAILADMIN_BASE_URL, Byline's base URL too, is set below, after the port it defaults to.
# Search: Wagtail's database backend (SQLite FTS5 / PostgreSQL full text) unless
# BYLINE_SEARCH_BACKEND names another, e.g. "wagtail.search.backends.opensearch2" or
# "wagtail.search.backends.elasticsearch8" with BYLINE_SEARCH_URLS (comma-separated) and
# BYLINE_SEARCH_INDEX; the client library for that engine must be installed.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": os.environ.get("BYLINE_SEARCH_BACKEND", "wagtail.search.backends.database")
    }
}
if os.environ.get("BYLINE_SEARCH_URLS"):
    WAGTAILSEARCH_BACKENDS["default"].update(
        URLS=env_list("BYLINE_SEARCH_URLS"),
        INDEX=os.environ.get("BYLINE_SEARCH_INDEX", "byline"),
        TIMEOUT=env_int("BYLINE_SEARCH_TIMEOUT", 5),
    )
WAGTAIL_I18N_ENABLED = False
# Upload limits. Image and document files (megabytes), then the rest of a request's body
# (a long post in the editor is a big form, so more than Django's 2.5 MB) and its field count
# (every StreamField block is several fields).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("BYLINE_IMAGE_MAX_UPLOAD_MB", 20) * 2**20
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("BYLINE_DOCUMENT_MAX_UPLOAD_MB", 50) * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("BYLINE_FORM_MAX_MB", 10) * 2**20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads past this many bytes are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
# No SVG (it can carry scripts) and no formats browsers cannot show.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
# Uploads must decode in full (truncated files, hostile metadata), not just have a valid header.
WAGTAILIMAGES_IMAGE_FORM_BASE = "byline.images.forms.StrictImageForm"
# Offer AVIF renditions beside WebP when Pillow can write them; encoding AVIF costs more CPU.
BYLINE_IMAGES_AVIF = env_bool("BYLINE_IMAGES_AVIF", True)
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "csv", "xlsx", "mp3", "mp4"]
# Documents only through Wagtail's view at /documents/<id>/<name>, which checks a collection's
# view restriction (password, login, groups). Wagtail's default for a storage with URLs but no
# paths (S3) is "redirect", to the file's own address, which anyone holding it can fetch; and
# "direct" links straight to MEDIA_URL. /media/ refuses documents (byline/core/views.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: each admin page would send the MD5 of every editor's e-mail address shown to a
# third party, which recognises the person across every site using it; and its default
# address is scheme-relative, so plain http: on a site without TLS, which the admin's img-src
# refuses (a broken image). Editors get Wagtail's own avatar, or one they upload themselves.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
TAGGIT_CASE_INSENSITIVE = True

# Byline
BYLINE_POSTS_PER_PAGE = env_int("BYLINE_POSTS_PER_PAGE", 10)
# How often `byline serve` publishes what editors scheduled (seconds).
BYLINE_SCHEDULER_INTERVAL = env_int("BYLINE_SCHEDULER_INTERVAL", 30)
# How much lower than the web workers' the task worker's CPU priority is (nice(1) steps,
# 0-19): a newsletter send or a re-render takes what readers leave. 0: the same.
BYLINE_TASKS_NICE = min(max(env_int("BYLINE_TASKS_NICE", 10), 0), 19)
# `byline serve` (byline/ops/serve.py): the address and port granian listens on (the port from
# PORT, as hosting platforms name it), its worker processes (0: one per core) and the threads
# of each; its options override these.
BYLINE_HOST = os.environ.get("BYLINE_HOST", "127.0.0.1")
BYLINE_PORT = env_int("PORT", 8000)
BYLINE_WORKERS = env_int("BYLINE_WORKERS", 0)
# 2 threads a worker, not 4: Python's lock runs one thread at a time, and each thread keeps
# a database connection with its own SQLite cache, so 4 threads held more memory for the same
# work. After bench/memory_bench.py's 5 minutes on 100,000 posts a worker ended at 149-152 MB
# with 2 threads against 165-172 with 4 (94 and 98 req/s, run one after the other), and with
# 2 MB SQLite caches as well at 145-147 against 154-162 (side by side); issue #14 asks under
# 150 MB. Raise it when the database is remote: threads then wait on the network rather than
# compete for the CPU.
BYLINE_THREADS = env_int("BYLINE_THREADS", 2)
# A web worker whose resident memory stays at or above this many MB for two of granian's
# samples in a row (every 30 s; GRANIAN_RSS_SAMPLE_INTERVAL) is replaced: granian starts a
# fresh worker, then stops the old one once its requests are answered. A ceiling for a leak
# or a worker that a rare page swelled; 0: never. Off by default because, unless the kernel
# migrates queued connections (sysctl net.ipv4.tcp_migrate_req=1), a connection waiting in the
# old worker's queue at that moment may be reset (docs/deploy.md).
BYLINE_WORKER_MAX_RSS_MB = env_int("BYLINE_WORKER_MAX_RSS_MB", 0)
# Every this many seconds at most, a process serving requests gives the memory it freed back to
# the system after a response (glibc's malloc_trim, byline/ops/memory.py); 0: never.
BYLINE_MALLOC_TRIM_SECONDS = max(env_float("BYLINE_MALLOC_TRIM_SECONDS", 10.0), 0.0)
# A web worker takes the objects alive once it is loaded, and again after this many responses,
# out of the cyclic garbage collector's walks (gc.freeze, byline/ops/collector.py): a full
# collection over them paused a reader's request for up to 0.8 s. 0: never.
BYLINE_GC_FREEZE_AFTER = max(env_int("BYLINE_GC_FREEZE_AFTER", 500), 0)
# The public address (BYLINE_BASE_URL) every absolute link that leaves without a request is
# built from (byline/core/links.py): e-mails (comments, contact, Wagtail's own), feeds' tag:
# URIs, `byline bake`, the demo's Site record. One setting, Wagtail's, so that Wagtail's mail
# and Byline's cannot disagree. Default: this machine at PORT, where `byline serve` listens,
# so that the links `PORT=9000 make run` mails open.
WAGTAILADMIN_BASE_URL = env_origin("BYLINE_BASE_URL", f"http://127.0.0.1:{BYLINE_PORT}")
# A page behind a password (Privacy settings, or a protected WordPress post) asks for it in
# the site's own layout rather than Wagtail's bare page.
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "password_required.html"
# Serve uploaded media from Byline itself (one box, local disk); turn off when nginx, a CDN or
# object storage serves /media/.
BYLINE_SERVE_MEDIA = env_bool("BYLINE_SERVE_MEDIA", True)

# Feeds (byline/feeds/): items per feed; whole posts in feeds (1) or excerpts only (0); words of
# body a summary takes when a post has no excerpt; the authority (a domain the publication
# owns) in the tag: URIs that identify posts in feeds; set it once and never change it, or
# feed readers show every post again (default: the host of BYLINE_BASE_URL).
BYLINE_FEED_ITEMS = env_int("BYLINE_FEED_ITEMS", 20)
BYLINE_FEED_FULL_CONTENT = env_bool("BYLINE_FEED_FULL_CONTENT", True)
BYLINE_FEED_SUMMARY_WORDS = env_int("BYLINE_FEED_SUMMARY_WORDS", 50)
BYLINE_FEED_TAG_AUTHORITY = os.environ.get("BYLINE_FEED_TAG_AUTHORITY", "")
# Search results per page.
BYLINE_SEARCH_PER_PAGE = env_int("BYLINE_SEARCH_PER_PAGE", 10)

# Reader forms on cached pages (byline/core/formguard.py). A person takes longer than this many
# seconds to fill a form; a form token older than the max age must be sent again.
BYLINE_FORMGUARD_MIN_SECONDS = env_float("BYLINE_FORMGUARD_MIN_SECONDS", 3.0)
BYLINE_FORMGUARD_MAX_AGE = env_int("BYLINE_FORMGUARD_MAX_AGE", 7 * 86400)
# Readers' addresses are kept only as HMACs keyed with this (default: derived from SECRET_KEY).
BYLINE_IP_HASH_SALT = os.environ.get("BYLINE_IP_HASH_SALT", "")
# How many proxies in front of Byline append to X-Forwarded-For (0: use the socket address).
BYLINE_TRUSTED_PROXIES = env_int("BYLINE_TRUSTED_PROXIES", 0)

# Reader comments (byline/comments). Moderation: all, first (hold a commenter's first comment
# until approved) or none; each blog may choose its own in the admin.
BYLINE_COMMENTS_MODERATION = os.environ.get("BYLINE_COMMENTS_MODERATION", "first")
# Comments one address may post, e.g. 5/m, 20/h, 3/10m.
BYLINE_COMMENTS_RATE_LIMIT = os.environ.get("BYLINE_COMMENTS_RATE_LIMIT", "5/10m")
# Replies nest this deep at most (a reply to a comment at the cap joins its level).
BYLINE_COMMENTS_MAX_DEPTH = env_int("BYLINE_COMMENTS_MAX_DEPTH", 3)
# A comment with more links than this waits for a moderator whatever the policy.
BYLINE_COMMENTS_MAX_LINKS = env_int("BYLINE_COMMENTS_MAX_LINKS", 2)
# Comma-separated blocklists: words or phrases; e-mail addresses, @domains and IP addresses.
BYLINE_COMMENTS_BLOCKED_WORDS = env_list("BYLINE_COMMENTS_BLOCKED_WORDS")
BYLINE_COMMENTS_BLOCKED_ADDRESSES = env_list("BYLINE_COMMENTS_BLOCKED_ADDRESSES")
# Who is told of comments awaiting moderation (default: editors allowed to moderate them).
BYLINE_COMMENTS_MODERATORS = env_list("BYLINE_COMMENTS_MODERATORS")
# Spam checkers, dotted paths (see byline/comments/spam.py to add one, e.g. Akismet).
BYLINE_COMMENTS_SPAM_CHECKERS = env_list("BYLINE_COMMENTS_SPAM_CHECKERS") or [
    "byline.comments.spam.BotSignalChecker",
    "byline.comments.spam.BlocklistChecker",
    "byline.comments.spam.LinkCountChecker",
    "byline.comments.spam.DuplicateChecker",
]
# A proof-of-work challenge (ALTCHA) for sites under attack: 0 is off, else the difficulty
# (the largest number a reader's browser may have to try; 50000 is about a second at worst).
# Editors can also switch it on under Settings > Comments. Without a solution a comment is
# held for moderation, never refused.
BYLINE_COMMENTS_PROOF_OF_WORK = env_int("BYLINE_COMMENTS_PROOF_OF_WORK", 0)

# E-mail protection and author contact (byline/mailguard). Paths whose responses are left
# as they are (comma-separated prefixes): the editors' admin.
BYLINE_MAILGUARD_EXEMPT_PATHS = env_list("BYLINE_MAILGUARD_EXEMPT_PATHS", "/admin/")
# Messages one reader address may send through authors' contact forms, e.g. 5/h, 3/10m.
BYLINE_CONTACT_RATE_LIMIT = os.environ.get("BYLINE_CONTACT_RATE_LIMIT", "5/h")

# Newsletters (byline/newsletters, docs/newsletters.md). Sign-ups one address may send, e.g.
# 10/10m: an office behind one address can still sign up a handful of people in a minute.
BYLINE_NEWSLETTERS_RATE_LIMIT = os.environ.get("BYLINE_NEWSLETTERS_RATE_LIMIT", "10/10m")
# Confirmation mails one e-mail address may be sent a day, whoever asks.
BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_DAY = env_int("BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_DAY", 3)
# Confirmation mails the whole site sends in an hour (a flood of sign-ups from many addresses).
BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR = env_int(
    "BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR", 1000
)
# Seconds a confirmation link works.
BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE = env_int("BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE", 3 * 86400)
# The From of newsletter mail (default: DEFAULT_FROM_EMAIL).
BYLINE_NEWSLETTERS_FROM_EMAIL = os.environ.get("BYLINE_NEWSLETTERS_FROM_EMAIL", "")
# Messages a second the worker hands to the mail server (0: as fast as it takes them), in
# batches of this many (one SMTP connection each); a send task lets the worker go after this
# many seconds and queues itself again, behind whatever else waits (confirmation mails,
# re-renders of stored pages), which would otherwise wait for the whole send.
BYLINE_NEWSLETTERS_SEND_RATE = env_float("BYLINE_NEWSLETTERS_SEND_RATE", 10.0)
BYLINE_NEWSLETTERS_BATCH_SIZE = env_int("BYLINE_NEWSLETTERS_BATCH_SIZE", 200)
BYLINE_NEWSLETTERS_TASK_SECONDS = env_int("BYLINE_NEWSLETTERS_TASK_SECONDS", 60)
# A post dated more than this many hours before it goes live (an import, a back-dated post)
# is not mailed.
BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS = env_int("BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS", 48)
# The hour (TIME_ZONE) daily digests go out, and weekly ones on Mondays.
BYLINE_NEWSLETTERS_DIGEST_HOUR = env_int("BYLINE_NEWSLETTERS_DIGEST_HOUR", 7)

# The page store (byline/pagecache): anonymous pages kept for every worker and app server, in
# files under BYLINE_PAGECACHE_DIR, or in Redis when BYLINE_PAGECACHE_REDIS_URL (default:
# REDIS_URL) is set. Freshness comes from purging on every change; the ages below only bound
# how long browsers and CDNs may keep a copy.
BYLINE_PAGECACHE = env_bool("BYLINE_PAGECACHE", True)
# Tries at a protected page's (or document collection's) password, per address and
# restriction, right or wrong; empty turns the limit off.
BYLINE_PAGE_PASSWORD_RATE_LIMIT = os.environ.get("BYLINE_PAGE_PASSWORD_RATE_LIMIT", "10/10m")
# Admin password-reset requests one address may send (each may mail an editor); empty: off.
BYLINE_PASSWORD_RESET_RATE_LIMIT = os.environ.get("BYLINE_PASSWORD_RESET_RATE_LIMIT", "5/h")
# … and that one e-mail address may be sent, from any number of addresses; empty: off.
BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT = os.environ.get(
    "BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT", "3/h"
)
BYLINE_PAGECACHE_DIR = Path(os.environ.get("BYLINE_PAGECACHE_DIR") or VAR_DIR / "pagecache")
# "off" keeps the page store in files even where REDIS_URL is set.
BYLINE_PAGECACHE_REDIS_URL = os.environ.get("BYLINE_PAGECACHE_REDIS_URL") or REDIS_URL
if BYLINE_PAGECACHE_REDIS_URL == "off":
    BYLINE_PAGECACHE_REDIS_URL = ""
BYLINE_PAGECACHE_PREFIX = os.environ.get("BYLINE_PAGECACHE_PREFIX") or f"{CACHE_PREFIX}:pages:"
# Longest an entry is kept without a purge (seconds): under formguard's token age.
BYLINE_PAGECACHE_MAX_AGE = env_int("BYLINE_PAGECACHE_MAX_AGE", 86400)
BYLINE_PAGECACHE_BROWSER_MAX_AGE = env_int("BYLINE_PAGECACHE_BROWSER_MAX_AGE", 10)
BYLINE_PAGECACHE_CDN_MAX_AGE = env_int("BYLINE_PAGECACHE_CDN_MAX_AGE", 60)
BYLINE_PAGECACHE_STALE_WHILE_REVALIDATE = env_int("BYLINE_PAGECACHE_STALE_WHILE_REVALIDATE", 30)
BYLINE_PAGECACHE_MAX_BYTES = env_int("BYLINE_PAGECACHE_MAX_BYTES", 4 * 2**20)
# Most the file page store holds (MB; 0: no cap). Past it pages are served but not stored
# until the sweeper makes room: `byline serve` sweeps every BYLINE_PAGECACHE_SWEEP_INTERVAL
# seconds (expired pages, then the oldest near the cap); otherwise run `byline
# pagecache_sweep` from cron. Redis: its maxmemory caps the store (docs/scaling.md).
BYLINE_PAGECACHE_MAX_MB = env_int("BYLINE_PAGECACHE_MAX_MB", 1024)
# A sweep of 10,000 pages costs a third of a second of CPU (bench/pagecache_sweep_bench.py).
BYLINE_PAGECACHE_SWEEP_INTERVAL = env_int("BYLINE_PAGECACHE_SWEEP_INTERVAL", 300)
BYLINE_PAGECACHE_BROTLI_QUALITY = env_int("BYLINE_PAGECACHE_BROTLI_QUALITY", 6)
# Never answered from the store (path prefixes): editors, files, forms and search.
BYLINE_PAGECACHE_EXEMPT_PATHS = env_list(
    "BYLINE_PAGECACHE_EXEMPT_PATHS",
    "/admin/,/static/,/media/,/documents/,/search/,/healthz,/comments/post/,/comments/unsub",
)
# A request carrying one of these cookies (besides the session, CSRF and messages cookies),
# or one starting with a prefix below, is personal and goes to Django.
BYLINE_PAGECACHE_BYPASS_COOKIES = env_list("BYLINE_PAGECACHE_BYPASS_COOKIES")
BYLINE_PAGECACHE_BYPASS_COOKIE_PREFIXES = env_list(
    "BYLINE_PAGECACHE_BYPASS_COOKIE_PREFIXES", "wagtail,byline"
)
# Query parameters that only tell analytics where a reader came from (a name, or a prefix
# ending in *): a request whose query is these (and ?page=N) is answered as the address
# without them, from the store, and Django never sees them. Every click from Facebook
# carries a unique fbclid, from a newsletter tool utm_* parameters: without this, each such
# reader cost a full render. Scripts in the page still read them from the address bar.
BYLINE_PAGECACHE_IGNORED_PARAMETERS = env_list(
    "BYLINE_PAGECACHE_IGNORED_PARAMETERS",
    "utm_*,fbclid,gclid,gclsrc,dclid,gbraid,wbraid,msclkid,yclid,twclid,ttclid,igshid,"
    "li_fat_id,mc_cid,mc_eid,_ga,_gl,mkt_tok,_hsenc,_hsmi",
)
for _parameter in BYLINE_PAGECACHE_IGNORED_PARAMETERS:
    # "*" alone would make every query (a search, WordPress's ?p=ID) the plain page's.
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+\*?", _parameter):
        raise ImproperlyConfigured(
            "BYLINE_PAGECACHE_IGNORED_PARAMETERS takes parameter names, or a prefix ending in *"
            f" (utm_*), separated by commas, not {_parameter!r}"
        )
