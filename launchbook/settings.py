"""Launchbook settings, read from the environment.

Embedded defaults need no server: SQLite under var/ and kombu's filesystem broker.
Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAUNCHBOOK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# Kept apart from DEBUG, which the test runner switches off: true when deployed with DEBUG=0.
LAUNCHBOOK_PRODUCTION = not DEBUG
_INSECURE_KEY = "launchbook-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "axes",
    "csp",
    "vehicles",
    "customers",
    "booking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language), English by default; then the account's own choice.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "launchbook.languages.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "launchbook.security.SessionTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the lockout the login view's authenticate() call flagged on the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "launchbook.urls"
WSGI_APPLICATION = "launchbook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "launchbook" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
if not DEBUG and not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
    # The embedded defaults (SQLite, a file-system broker, per-process caches) are for one machine.
    raise ImproperlyConfigured("DATABASE_URL and REDIS_URL must be set when DEBUG is off.")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'launchbook.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers serialise
    # instead of failing half-way: the same service code is safe on the embedded default.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # Parameters bound by the server: a query run five times on one connection becomes a prepared
    # statement, planned once instead of on every run (planning a booking's joins costs more than
    # running them). Off behind a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21).
    if os.environ.get("LAUNCHBOOK_DB_PREPARED_STATEMENTS", "1") != "0":
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# A lock wait longer than this becomes a "busy, retry" answer instead of a stuck request.
LAUNCHBOOK_LOCK_TIMEOUT_MS = int(os.environ.get("LAUNCHBOOK_LOCK_TIMEOUT_MS", "3000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (portal, admin, API token login) while the account or the
    # client address is locked out, before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule on the password: its password_changed() hook revokes the user's API tokens
    # whenever a password is set (portal change or reset, admin, manage.py changepassword).
    {"NAME": "booking.passwords.RevokeApiTokensOnPasswordChange"},
]

# --- sign-in, sessions, client addresses -----------------------------------------------------
# Proxies in front of the app that append to X-Forwarded-For (e.g. 1 behind one load balancer).
# 0 trusts none: the header is ignored and the client is the connection's address, so a forged
# X-Forwarded-For changes nothing. Used by the login lockout and by the API's rate limits.
LAUNCHBOOK_TRUSTED_PROXIES = int(os.environ.get("LAUNCHBOOK_TRUSTED_PROXIES", "0"))
# Failed sign-ins allowed per account and, separately, per client address before a lockout.
LAUNCHBOOK_LOGIN_FAILURE_LIMIT = int(os.environ.get("LAUNCHBOOK_LOGIN_FAILURE_LIMIT", "10"))
LAUNCHBOOK_LOGIN_COOLOFF_MINUTES = int(os.environ.get("LAUNCHBOOK_LOGIN_COOLOFF_MINUTES", "15"))
# Password-reset e-mails per address and per client address in an hour.
LAUNCHBOOK_PASSWORD_RESET_LIMIT = int(os.environ.get("LAUNCHBOOK_PASSWORD_RESET_LIMIT", "5"))
# A session ends after this long without a request, and at the latest this long after sign-in.
LAUNCHBOOK_SESSION_IDLE_MINUTES = int(os.environ.get("LAUNCHBOOK_SESSION_IDLE_MINUTES", "60"))
LAUNCHBOOK_SESSION_MAX_HOURS = int(os.environ.get("LAUNCHBOOK_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = LAUNCHBOOK_SESSION_MAX_HOURS * 3600

AXES_ENABLED = True
AXES_FAILURE_LIMIT = LAUNCHBOOK_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one over the limit locks
AXES_COOLOFF_TIME = "launchbook.security.axes_cooloff"
AXES_LOCKOUT_CALLABLE = "launchbook.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "launchbook.security.client_ip"
AXES_RESET_ON_SUCCESS = False  # a success with one account must not clear an address's failures
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
# The product's two languages. A signed-in user's own choice (customers.UserProfile) wins, then
# the browser's Accept-Language, then English. Catalogs: locale/<lang>/LC_MESSAGES/django.po,
# compiled by ``make install`` (scripts/compile_messages.py).
LANGUAGES = [("en-gb", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "launchbook" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "/portal/login/"
LOGIN_REDIRECT_URL = "/portal/"
LOGOUT_REDIRECT_URL = "/portal/login/"

# E-mail: password resets and notifications. The console backend by default; SMTP in production
# (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the host below); the file
# backend (EMAIL_FILE_PATH) keeps every message as a file, as ``make run`` does.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "launchbook@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The address links in e-mails start with.
LAUNCHBOOK_SITE_URL = os.environ.get("LAUNCHBOOK_SITE_URL", "http://127.0.0.1:8000")
# How many days ahead finance members are told of a payment falling due.
LAUNCHBOOK_PAYMENT_REMINDER_DAYS = int(os.environ.get("LAUNCHBOOK_PAYMENT_REMINDER_DAYS", "3"))

# --- production hardening (manage.py check --deploy is clean with DEBUG off) -------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer probes over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# Scripts only from our own static files (no inline script, no eval); styles also allow inline
# style attributes, which the admin timeline uses to place its bars and which cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API -------------------------------------------------------------------------------
# Bodies above this are refused with 413 (the API checks Content-Length and the bytes it reads).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("LAUNCHBOOK_API_MAX_BODY_BYTES", str(1024 * 1024)))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "booking.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "booking.api.base.CappedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["booking.api.base.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        "booking.api.filtering.StrictFilterBackend",
        "booking.api.filtering.StrictOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "booking.api.base.UserTokenRateThrottle",
        "booking.api.base.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("LAUNCHBOOK_API_RATE_USER", "1200/minute"),
        "anon": os.environ.get("LAUNCHBOOK_API_RATE_ANON", "120/minute"),
        "auth": os.environ.get("LAUNCHBOOK_API_RATE_LOGIN", "20/minute"),
    },
    "EXCEPTION_HANDLER": "booking.api.exceptions.api_exception_handler",
    # The same proxy rule as the login lockout: 0 means X-Forwarded-For is never read.
    "NUM_PROXIES": LAUNCHBOOK_TRUSTED_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Launchbook API",
    "DESCRIPTION": "Book payloads onto commercial launches, order 24-hour express launches and follow readiness.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "booking.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrbitFamilyEnum": "vehicles.models.OrbitFamily",
        "CurrencyEnum": "vehicles.models.Currency",
        "QuoteKindEnum": "booking.models.Quote.Kind",
        "QuoteLineKindEnum": "booking.models.QuoteLine.Kind",
    },
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, int | str] = {"visibility_timeout": 3600}
else:
    for _sub in ("out", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "data_folder_processed": str(_BROKER_DIR / "processed"),
        # The exchanges' table (the worker's control commands); kombu's default is ./control.
        "control_folder": str(_BROKER_DIR / "control"),
    }
# Throttling counters and other short-lived state: shared through Redis when there is one, so
# every gunicorn worker counts the same requests; per process on the embedded defaults.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Two queues: "celery" (holds, quotes, readiness) and "webhooks" (sends to customers' receivers).
# A worker started without -Q consumes both; in production a separate
# ``celery -A launchbook worker -Q webhooks`` keeps slow receivers away from the rest.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("webhooks", routing_key="webhooks"),
)
CELERY_TASK_ROUTES = {"booking.tasks.webhook_deliver": {"queue": "webhooks", "routing_key": "webhooks"}}
# Every task is stopped if it runs away: SoftTimeLimitExceeded at the soft limit, the process
# killed at the hard one (acks_late: the message is then delivered again). Tasks that need longer
# say so on their decorator (booking/tasks.py).
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "booking-release-expired-holds": {"task": "booking.bookings_release_expired", "schedule": 60.0},
    "booking-expire-quotes": {"task": "booking.quotes_expire", "schedule": 300.0},
    "webhooks-deliver-due": {"task": "booking.tasks.webhooks_deliver_due", "schedule": 30.0},
    "notifications-deliver-due": {
        "task": "booking.tasks.notifications_deliver_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-catch-up": {
        "task": "booking.tasks.notifications_catch_up",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "webhooks-catch-up": {
        "task": "booking.tasks.webhooks_catch_up",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "payment-reminders": {"task": "booking.tasks.payment_reminders_notify", "schedule": 900.0},
    "standby-sweep": {"task": "booking.tasks.standby_sweep", "schedule": 300.0, "options": {"expires": 290}},
    "manifest-offers-lapse": {"task": "booking.tasks.manifest_offers_lapse", "schedule": 300.0},
    "readiness-reconcile": {
        "task": "booking.tasks.readiness_reconcile",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}

LAUNCHBOOK_DEMO_PASSWORD = os.environ.get("LAUNCHBOOK_DEMO_PASSWORD", "launchbook-demo")
LAUNCHBOOK_REQUIRE_SERVICES = env_bool("LAUNCHBOOK_REQUIRE_SERVICES", False)
# How far a sun-synchronous payload's local time of the ascending node may lie from its rideshare
# launch's (docs/orbits.md: at 500 km, 1° off the SSO inclination drifts the node 3 hours a year).
LAUNCHBOOK_LTAN_TOLERANCE_MINUTES = int(os.environ.get("LAUNCHBOOK_LTAN_TOLERANCE_MINUTES", "30"))
# Webhooks to loopback, private, link-local, multicast or reserved addresses are refused (SSRF)
# unless this is set, e.g. for a receiver on the same machine in development.
LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS", False)
# The manifest optimiser (booking/selectors/manifest): the objective's weights as JSON, overriding
# any of {"mass": points per kg flown, "revenue": per 1,000 USD of price, "dates": per day before
# the payload's latest date, "dates_cap_days", "move": the cost of one move}; the solver's time
# limit and workers; how far out a payload not yet ready (export, documents) may be placed; how long
# a customer has to answer a move offered.
LAUNCHBOOK_MANIFEST_WEIGHTS: dict[str, float] = json.loads(
    os.environ.get("LAUNCHBOOK_MANIFEST_WEIGHTS", "{}")
)
LAUNCHBOOK_MANIFEST_TIME_LIMIT_SECONDS = float(os.environ.get("LAUNCHBOOK_MANIFEST_TIME_LIMIT_SECONDS", "4"))
LAUNCHBOOK_MANIFEST_WORKERS = int(os.environ.get("LAUNCHBOOK_MANIFEST_WORKERS", "2"))
LAUNCHBOOK_MANIFEST_READINESS_DAYS = int(os.environ.get("LAUNCHBOOK_MANIFEST_READINESS_DAYS", "30"))
LAUNCHBOOK_MANIFEST_OFFER_HOURS = int(os.environ.get("LAUNCHBOOK_MANIFEST_OFFER_HOURS", "72"))
# Days a new API token lives; empty: tokens never expire. Each token keeps the expiry it was issued with.
_token_days = os.environ.get("LAUNCHBOOK_API_TOKEN_DAYS", "").strip()
LAUNCHBOOK_API_TOKEN_DAYS: int | None = int(_token_days) if _token_days else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Referenced by booking services: how long quotes and holds live.
LAUNCHBOOK_QUOTE_TTL = timedelta(hours=72)
LAUNCHBOOK_HOLD_TTL = timedelta(minutes=30)
# An express quote: its launch is scheduled and its seat held this long for the customer to confirm.
LAUNCHBOOK_EXPRESS_HOLD_MINUTES = int(os.environ.get("LAUNCHBOOK_EXPRESS_HOLD_MINUTES", "10"))
# How long a seat offered from a standby list is held for the customer to accept it.
LAUNCHBOOK_STANDBY_OFFER_HOURS = int(os.environ.get("LAUNCHBOOK_STANDBY_OFFER_HOURS", "24"))

# Readiness: where the weather and range check reads the forecast, as a dotted path to a callable
# ``(site, at) -> (go, detail)``; the default is a deterministic simulator keyed by site and hour.
LAUNCHBOOK_WEATHER_SOURCE = os.environ.get(
    "LAUNCHBOOK_WEATHER_SOURCE", "booking.services.checks.simulated_weather"
)
