"""Aduan settings: one module, everything read from the environment (see README)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ADUAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)
# Without an explicit key, only a debug run may use a development key.
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-insecure-aduan-key-not-for-production" if DEBUG else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "complaints.console.site.ConsoleAdminConfig",  # django.contrib.admin, our site class
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files (issue 8)
    "staff",
    "complaints",
    "channels_intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# --- Database: PostgreSQL only. DATABASE_URL, else an embedded server under var/. ---
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from config.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(VAR_DIR / "pgdata")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Aduan runs on PostgreSQL only; DATABASE_URL must be postgres://")
# No JIT: at 10M cases the planner's estimates for ordinary console queries pass
# jit_above_cost and compiling takes longer than running them (a 0.2 ms query took 74 ms;
# bench/RESULTS.md). Parallel workers only where they save more than starting them costs:
# a page's 26 rows walked by a Gather Merge took 24-39 ms, alone 8-27 ms, at 10M; the
# dashboards' scans of whole tables still go parallel. Added to any "options" already given
# in DATABASE_URL (?options=...).
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = (
    f"{_db_options.get('options', '')} -c jit=off -c parallel_setup_cost=10000".strip()
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend that loads a staff user's roles, units, permissions and console language in
# the same query as the user (staff.backends): a console page needs no query of its own for them.
AUTHENTICATION_BACKENDS = ["staff.backends.StaffBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time: Bahasa Indonesia first; store UTC, show the unit's zone. ---
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security: strict unless DEBUG. Behind a TLS proxy set SECURE_PROXY_SSL_HEADER. ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Celery: broker from CELERY_BROKER_URL, else kombu's filesystem transport under var/. ---
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    # Must exceed the longest task and ETA, or Redis re-delivers work that is still running.
    _visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # kombu looks for a dead worker's expired messages only every interval * throttle
        # seconds (100 s by default); look every few seconds so that they come back soon
        # after the visibility timeout.
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 4)),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Domain settings ---
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
SLA_AT_RISK_FRACTION = 0.8

# --- Channels and providers. Unset credentials mean "no provider": outbound messages stay in
# the local outbox (visible in the admin) instead of being sent. ---
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_ACCESS_TOKEN = os.environ.get("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_API_BASE_URL = os.environ.get(
    "WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0"
).rstrip("/")
# The bot (WhatsApp, Messenger, Instagram DMs) forgets a conversation left idle this long.
WHATSAPP_CONVERSATION_IDLE_MINUTES = env_int("WHATSAPP_CONVERSATION_IDLE_MINUTES", 30)
# Unit code that receives cases without a known customer (a social comment, an unknown ID
# pelanggan) for triage; unset = the first region.
INTAKE_FALLBACK_UNIT = os.environ.get("INTAKE_FALLBACK_UNIT", "")
# The staff page that plays customer on every channel (/channels/simulator/); on in debug.
CHANNEL_SIMULATOR_ENABLED = env_bool("CHANNEL_SIMULATOR_ENABLED", DEBUG)
META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "")
META_PAGE_ACCESS_TOKEN = os.environ.get("META_PAGE_ACCESS_TOKEN", "")
META_API_BASE_URL = os.environ.get("META_API_BASE_URL", "https://graph.facebook.com/v21.0").rstrip(
    "/"
)
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "PLN123")
FCM_API_URL = os.environ.get("FCM_API_URL", "")
FCM_ACCESS_TOKEN = os.environ.get("FCM_ACCESS_TOKEN", "")
EMAIL_INBOUND_SECRET = os.environ.get("EMAIL_INBOUND_SECRET", "")
# Raw mail larger than this is refused (HTTP 413, SMTP 552); photos arrive as attachments.
EMAIL_INBOUND_MAX_BYTES = env_int("EMAIL_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
# The telephony system's bearer token for POST /api/v1/cti/calls; unset = agents' sessions only.
CTI_API_TOKEN = os.environ.get("CTI_API_TOKEN", "")
# Reverse proxies in front of the app that append the client to X-Forwarded-For: per-IP rate
# limits read the address that many hops from the right; 0 = REMOTE_ADDR (no proxy).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# A friendly, bilingual page for an expired form instead of Django's technical 403.
CSRF_FAILURE_VIEW = "channels_intake.web.views.csrf_failure"
# SMTP for outbound mail: EMAIL_HOST unset keeps mail in the local outbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Aduan <pengaduan@localhost>")
OUTBOUND_HTTP_TIMEOUT = env_int("OUTBOUND_HTTP_TIMEOUT", 15)
# A customer gets at most one update per case within this many seconds (coalesced).
NOTIFY_QUIET_SECONDS = env_int("NOTIFY_QUIET_SECONDS", 300)
# Outbox delivery: retries back off exponentially (base * 2^n, capped) and end in "failed".
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
NOTIFY_RETRY_CAP_SECONDS = env_int("NOTIFY_RETRY_CAP_SECONDS", 3600)
# A due row still pending this long after its time had its task lost: the sweep re-enqueues it.
NOTIFY_REQUEUE_GRACE_SECONDS = env_int("NOTIFY_REQUEUE_GRACE_SECONDS", 30)
# A row "sending" this long lost its worker (must exceed OUTBOUND_HTTP_TIMEOUT and EMAIL_TIMEOUT).
NOTIFY_SENDING_TIMEOUT = env_int("NOTIFY_SENDING_TIMEOUT", 300)
# An "unknown" WhatsApp/Messenger send with no status callback after this long never reached
# the provider (which confirms every accepted message): it is sent again.
NOTIFY_RECONCILE_SECONDS = env_int("NOTIFY_RECONCILE_SECONDS", 3600)
# Approved WhatsApp templates for notices outside the 24-hour window: "event:name,…"; an event
# not listed uses "aduan_<event>".
WHATSAPP_TEMPLATES = dict(
    item.split(":", 1) for item in env_list("WHATSAPP_TEMPLATES") if ":" in item
)
# Messenger/Instagram replies outside the 24-hour window need a message tag.
META_MESSAGE_TAG = os.environ.get("META_MESSAGE_TAG", "ACCOUNT_UPDATE")
# Shared secret the SMS gateway puts in its delivery reports (?token=…); unset disables them.
SMS_STATUS_TOKEN = os.environ.get("SMS_STATUS_TOKEN", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Satisfaction survey (complaints.satisfaction): how long the link in the "closed" notice
# works, and within how many days of the closing a "not fixed" answer reopens the case.
SURVEY_TOKEN_DAYS = env_int("SURVEY_TOKEN_DAYS", 30)
SURVEY_REOPEN_DAYS = env_int("SURVEY_REOPEN_DAYS", 7)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # --- API v1 (issue 8): one error shape for every DRF view ---
    "EXCEPTION_HANDLER": "channels_intake.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aduan API",
    "VERSION": "1.0.0",
    # --- API v1 (issue 8) ---
    "DESCRIPTION": (
        "Staff API (/api/v1/: cases, customers, categories, service units, technicians, "
        "incidents, planned outages), the customer app API (/api/v1/app/) and the CTI API "
        "(/api/v1/cti/). Errors: {error, detail, fields}. Open311 GeoReport v2 is at "
        "/open311/v2/ (discovery.json / discovery.xml)."
    ),
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set shared by several serializers.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "complaints.workflow.CaseStatus",
        "EventKindEnum": "complaints.models.EventKind",
        "IncidentStatusEnum": "complaints.models.IncidentStatus",
        "IncidentKindEnum": "complaints.models.IncidentKind",
        "IncidentEventKindEnum": "complaints.models.IncidentEventKind",
        "PriorityEnum": "complaints.models.Priority",
        "LanguageEnum": "complaints.models.Language",
        "UnitKindEnum": "staff.models.UnitKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "complaints.api.schema.add_error_responses",
    ],
}
# --- Open311 GeoReport v2 (issue 8): one jurisdiction per deployment. ---
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "pln.co.id")
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "PLN Contact Center 123, pln123@pln.co.id")
OPEN311_KEY_SERVICE = os.environ.get(
    "OPEN311_KEY_SERVICE", "Request an api_key from the Aduan administrators (Klien Open311)."
)
# --- Outage incidents (issue 6, complaints.incidents) ---
# This many open, unlinked outage reports of one area (feeder code, else within the radius of
# the first report) within the window make an incident; storm mode uses its own, looser rules.
INCIDENT_THRESHOLD = env_int("INCIDENT_THRESHOLD", 3)
INCIDENT_WINDOW_MINUTES = env_int("INCIDENT_WINDOW_MINUTES", 60)
INCIDENT_RADIUS_M = env_int("INCIDENT_RADIUS_M", 1000)
INCIDENT_STORM_THRESHOLD = env_int("INCIDENT_STORM_THRESHOLD", 2)
INCIDENT_STORM_WINDOW_MINUTES = env_int("INCIDENT_STORM_WINDOW_MINUTES", 180)
INCIDENT_STORM_RADIUS_M = env_int("INCIDENT_STORM_RADIUS_M", 3000)
# Storm mode switches itself on for a unit with this many outage reports within the window
# (and off again below a quarter of it, if it switched itself on); 0 = only by hand.
STORM_AUTO_REPORTS = env_int("STORM_AUTO_REPORTS", 0)
STORM_AUTO_WINDOW_MINUTES = env_int("STORM_AUTO_WINDOW_MINUTES", 15)
# Service-quality (TMP) levels used until a unit's decreed values are entered in the admin
# (TmpThreshold). Permen ESDM 27/2017 Pasal 2 (as amended by 18/2019) sets the indicators and
# units — kecepatan menanggapi pengaduan gangguan in hours, lama gangguan in hours and jumlah
# gangguan in times per customer per month — but not the numbers: the Director General of
# Electricity decrees them per unit every year. These defaults are published examples, not
# any unit's law: 1 hour response (Kepdirjen 50 K/23/DJL.3/2017, Area Pontianak), 5 hours
# per month (PLN Area Menteng 2018); 4 outages a month is an assumption (no urban decree
# value found; the 2017 Pontianak rayon allowed 12-18).
TMP_MAX_RESPONSE_MINUTES = env_int("TMP_MAX_RESPONSE_MINUTES", 60)
TMP_MAX_OUTAGE_MINUTES = env_int("TMP_MAX_OUTAGE_MINUTES", 300)
TMP_MAX_OUTAGE_COUNT = env_int("TMP_MAX_OUTAGE_COUNT", 4)
TMP_REFRESH_MINUTES = env_int("TMP_REFRESH_MINUTES", 60)
# --- end issue 6 ---
# --- Hazard lane (issue 5, complaints.hazard) ---
# Phrases that make a report of any category an emergency, comma-separated; a word's
# alternatives are separated by "/", a trailing "*" matches the start of a word:
# "kabel/kbl putus/menjuntai,korslet*". Empty = the built-in list (complaints.hazard
# DEFAULT_KEYWORDS); HAZARD_EXTRA_KEYWORDS adds to whichever list is in force.
HAZARD_KEYWORDS = env_list("HAZARD_KEYWORDS")
HAZARD_EXTRA_KEYWORDS = env_list("HAZARD_EXTRA_KEYWORDS")
