"""FractionaX Support settings, read from the environment (see README, "Configuration").

`make run` works with nothing set: DEBUG on, SQLite, in-process channel layer, cache and
broker, and a local secret key generated once under var/. With DEBUG off (production),
SECRET_KEY and ALLOWED_HOSTS are required and HTTPS hardening is on by default.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from fractionax_support.log_format import LOG_FORMATTERS

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Local state of a `make run` (generated secret key, the broker's folder): var/ unless told.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A key for local runs only, generated once and kept, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


if "SECRET_KEY" in env:
    SECRET_KEY = env.str("SECRET_KEY")
elif DEBUG:
    SECRET_KEY = _local_secret_key()
else:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")

if DEBUG:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
elif "ALLOWED_HOSTS" in env:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "csp",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "axes",
    "tickets",
    "integrations",
    "realtime",
]

MIDDLEWARE = [
    # Load balancer probes first: answered before host checks, HTTPS redirects and sessions.
    "fractionax_support.health.ProbeMiddleware",
    "fractionax_support.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fractionax_support.middleware.BodySizeLimitMiddleware",
    "fractionax_support.middleware.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]


ROOT_URLCONF = "fractionax_support.urls"
WSGI_APPLICATION = "fractionax_support.wsgi.application"
ASGI_APPLICATION = "fractionax_support.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL in production and tests, an SQLite file when nothing is configured.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with timestamps parsed by psycopg's C code (see its module).
    DATABASES["default"]["ENGINE"] = "fractionax_support.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` shares the file between the server and the worker's processes. WAL lets reads
    # go on beside a write; IMMEDIATE takes the write lock as a transaction starts, so a
    # writer waits its turn (up to `timeout` seconds) instead of failing mid-transaction
    # with "database is locked" when another process wrote first.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=30),
            # synchronous stays FULL: a commit that reached the disk is not undone by a crash,
            # and the outbox's "sending" marks must not be (integrations/attempts.py).
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )
# Under ASGI each request may run on a different thread, so persistent connections pile up;
# a per-process psycopg pool reuses them instead (PostgreSQL only; CONN_MAX_AGE must be 0).
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=0)
if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "fractionax_support.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The overdue index's INCLUDE columns are a PostgreSQL speed-up; SQLite builds the same
    # index without them, which is all it needs, so its warning asks nothing of anyone.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis, when configured, backs the cache (throttling), the channel layer and Celery.
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="fx"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: an event for every dashboard is one PUBLISH, received once per web
            # process and handed to its sockets in memory. The list-based layer pushes one
            # copy per socket into Redis and pops them back one by one (bench/RESULTS.md).
            # Live updates need no more: one that finds no socket is dropped.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # Fail fast when Redis is unreachable, rather than hold a change's side effects.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 10, "socket_connect_timeout": 2}],
                "prefix": env.str("CHANNEL_PREFIX", default="fx"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Side effects of committed changes (live events, Celery kicks) run on a background thread
# (tickets.after_commit), so responses never wait on Redis. Only with Redis: the in-process
# channel layer belongs to the server's own event loop.
AFTER_COMMIT_IN_BACKGROUND = env.bool("AFTER_COMMIT_IN_BACKGROUND", default=bool(REDIS_URL))

# Celery: Redis as broker when configured, otherwise a broker on the local filesystem that
# needs no server, so a bare `make run` still runs the worker and beat for real.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # kombu's folder transport, writing each message whole before a worker may read it.
    CELERY_BROKER_TRANSPORT = "fractionax_support.filesystem_broker:Transport"
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # The exchange tables of remote control (pidbox) and fanout; kombu's default is
        # ./control, a folder in the current directory (the checkout).
        "control_folder": str(_broker_dir / "control"),
        # The folder is read every polling interval (kombu's default, 1 s), a message or two
        # a time: a burst of deliveries or a webhook queued behind them waited a minute.
        "polling_interval": 0.1,
    }
CELERY_RESULT_BACKEND = None
# Queueing happens after a ticket change commits: a broker that is down must answer fast.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker processes (Celery's default: one per core; `make run` starts two). Without Redis the
# rate limits are shared out among them (integrations/rate_limits.py).
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=os.cpu_count() or 1)
# On a cold shutdown (SIGQUIT, or SIGTERM with REMAP_SIGTERM=SIGQUIT as `make run` sets), running
# tasks get this long to finish; then they are cancelled and, being acked late, go back to the
# broker for the next start. A warm shutdown would wait for them however long they take.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 1.0
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TIMEZONE = "UTC"

# Brute-force lockout (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one
# username from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES (429).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Counted in Redis when configured (shared by every process); otherwise in the database.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "fractionax_support.lockout.lockout_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# 24-hour times everywhere (fractionax_support/formats/en/formats.py).
FORMAT_MODULE_PATH = ["fractionax_support.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Attachments (tickets/attachments.py): files under var/attachments unless an S3-compatible
# bucket is named, then in that bucket through django-storages (AWS S3, MinIO, Ceph, R2...).
# The files are only ever served through the staff-only download view, never public URLs.
ATTACHMENTS_S3_BUCKET = env.str("ATTACHMENTS_S3_BUCKET", default="")
if ATTACHMENTS_S3_BUCKET:
    _attachments_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            # Empty: AWS's own endpoint for the region; set for MinIO and other S3-compatibles.
            "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
            # Empty keys: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": env.str("ATTACHMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ATTACHMENTS_S3_PREFIX", default="attachments"),
            "default_acl": "private",
            "querystring_auth": True,
            # A stored name is never reused: a second file of the same name is a new object.
            "file_overwrite": False,
            "addressing_style": env.str("ATTACHMENTS_S3_ADDRESSING_STYLE", default="") or None,
        },
    }
else:
    _attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("ATTACHMENTS_DIR", default=str(VAR_DIR / "attachments")), "base_url": None},
    }
# Largest file accepted, in bytes (a count per comment and refused types: tickets/limits.py).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": _attachments_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:ticket-list"
LOGOUT_REDIRECT_URL = "login"

# Content-Security-Policy: our own scripts, styles and sockets only; no inline script.
# The interactive API docs (Swagger UI) need an inline bootstrap script of their own.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Bodies larger than this are refused before parsing (the API's own limits are tighter).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tickets.api.permissions.IsStaff"],
    "DEFAULT_RENDERER_CLASSES": [
        "fractionax_support.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "tickets.api.throttling.AnonRateThrottle",
        "tickets.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "login": env.str("LOGIN_THROTTLE", default="10/min"),
    },
    "EXCEPTION_HANDLER": "tickets.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "UPDATE_LAST_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "FractionaX Support API",
    "DESCRIPTION": "Admin REST API of the FractionaX Support helpdesk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from the sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fractionax_support.schema.document_errors",
        "fractionax_support.schema.strip_trailing_slashes",
        "fractionax_support.schema.add_webhooks",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "TicketSourceEnum": "tickets.models.TicketSource",
        "ChangeSourceEnum": "tickets.models.ChangeSource",
        "TeamAssignmentEnum": "tickets.models.TeamAssignment",
        "IntegrationHealthStatusEnum": ["ok", "error", "not_configured"],
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# Conditional writes (tickets/api/preconditions.py): a browser client reads the ETag and sends it back.
CORS_ALLOW_HEADERS = (*default_headers, "if-match")
CORS_EXPOSE_HEADERS = ["ETag"]

# --- SLA targets in minutes, by priority: (first response, resolution) ---
SLA_TARGETS_MINUTES = {
    "urgent": (env.int("SLA_URGENT_RESPONSE", default=30), env.int("SLA_URGENT_RESOLUTION", default=4 * 60)),
    "high": (env.int("SLA_HIGH_RESPONSE", default=2 * 60), env.int("SLA_HIGH_RESOLUTION", default=24 * 60)),
    "medium": (env.int("SLA_MEDIUM_RESPONSE", default=4 * 60), env.int("SLA_MEDIUM_RESOLUTION", default=72 * 60)),
    "low": (env.int("SLA_LOW_RESPONSE", default=8 * 60), env.int("SLA_LOW_RESOLUTION", default=7 * 24 * 60)),
}
# A ticket is warned about once this share (percent) of a target's time has run on its clock.
SLA_WARNING_PERCENT = env.int("SLA_WARNING_PERCENT", default=80)
if not 1 <= SLA_WARNING_PERCENT <= 99:
    raise ImproperlyConfigured(f"SLA_WARNING_PERCENT must be between 1 and 99, not {SLA_WARNING_PERCENT}.")

# --- Integrations ---
ADMIN_URL = env.str("ADMIN_URL", default="http://127.0.0.1:8000")
HELPSCOUT_APP_ID = env.str("HELPSCOUT_APP_ID", default="")
# HELPSCOUT_API_KEY is the seed's name; Help Scout retired v1 keys, so it means the app secret.
HELPSCOUT_APP_SECRET = env.str("HELPSCOUT_APP_SECRET", default=env.str("HELPSCOUT_API_KEY", default=""))
HELPSCOUT_MAILBOX_ID = env.str("HELPSCOUT_MAILBOX_ID", default="")
HELPSCOUT_WEBHOOK_SECRET = env.str("HELPSCOUT_WEBHOOK_SECRET", default="")
HELPSCOUT_API_URL = env.str("HELPSCOUT_API_URL", default="https://api.helpscout.net/v2/")
# A Help Scout call slower than this is abandoned; the outbox retries it later.
HELPSCOUT_TIMEOUT_SECONDS = env.float("HELPSCOUT_TIMEOUT_SECONDS", default=20)
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_SUPPORT_CHANNEL_ID = env.str("SLACK_SUPPORT_CHANNEL_ID", default="")
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
SLACK_TIMEOUT_SECONDS = env.int("SLACK_TIMEOUT_SECONDS", default=10)  # then the outbox retries
# Names this installation in what it leaves at Slack and Help Scout (integrations/installation.py);
# by default derived from SECRET_KEY. Set it to keep it across a change of key.
INSTALLATION_ID = env.str("INSTALLATION_ID", default="")
# Calls to Slack and Help Scout are paced to their documented limits before they are sent
# (integrations/rate_limits.py); off only against a fake without limits (the benchmark).
INTEGRATION_RATE_LIMITS = env.bool("INTEGRATION_RATE_LIMITS", default=True)
# Help Scout counts per account, writes twice; lower it when other apps share the account.
HELPSCOUT_RATE_LIMIT = env.str("HELPSCOUT_RATE_LIMIT", default="400/minute")
# Slack's per-method limits, over the documented ones (integrations/slack/client.py), e.g.
# "chat.postMessage=1/second,chat.update=50/minute".
SLACK_RATE_LIMITS = env.dict("SLACK_RATE_LIMITS", default={})

# --- Production hardening: on whenever DEBUG is off, each switch overridable ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Prometheus scrapes over the internal network, where there is no HTTPS to redirect to.
SECURE_REDIRECT_EXEMPT = [r"^metrics/?$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Operations ---
# /metrics answers staff, or `Authorization: Bearer <METRICS_TOKEN>` when one is set.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# One JSON object per log line (for log collectors), or plain text.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in LOG_FORMATTERS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATTERS)}, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_credentials": {"()": "fractionax_support.log_redaction.RedactCredentials"}},
    "formatters": LOG_FORMATTERS,
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_credentials"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# No credential from a URL (a WebSocket's ?token=) in any log line or error report: the
# server loggers get the filter too, and error reports are cleaned (log_redaction.py).
LOGGING_CONFIG = "fractionax_support.log_format.configure_logging"
DEFAULT_EXCEPTION_REPORTER = "fractionax_support.log_redaction.CredentialSafeExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "fractionax_support.log_redaction.CredentialSafeExceptionReporterFilter"
