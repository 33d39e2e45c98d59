"""Loopdesk settings: the one place that reads the environment.

Every knob is an environment variable with a default that runs on one machine with nothing
installed (SQLite file, a file-system Celery broker, console email). Production sets
``DEBUG=0`` and must then give ``SECRET_KEY`` and ``ALLOWED_HOSTS``; see README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from config.log_config import logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the embedded default keeps its SQLite file, broker spool and beat schedule.
VAR_DIR = Path(os.environ.get("LOOPDESK_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used with DEBUG on: a production process refuses to start without its own key.
    SECRET_KEY = "django-insecure-loopdesk-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.admin.LoopdeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tenants",
    "customers",
    "notifications",
    "complaints",
    "surveys",
    "ratings",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    # Permissions-Policy and Referrer-Policy on every answer, the ones below give included.
    "tenants.headers.BrowserPolicyMiddleware",
    # An over-limit body is refused before anything (health check included) reads it.
    "tenants.limits.RequestSizeMiddleware",
    "config.health.HealthCheckMiddleware",
    # Each request starts acting for no tenant (PostgreSQL row-level security: tenants.rls).
    "tenants.rls.TenantContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on every page.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with the second factor (tenants.two_factor).
    "django_otp.middleware.OTPMiddleware",
    # Signs out a session idle or old past the limits below (tenants.sessions).
    "tenants.sessions.SessionExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.ApplicationErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the sign-in page saying so.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.workspace",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'loopdesk.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
DATABASE_VENDOR = "postgresql" if "postgresql" in DATABASES["default"]["ENGINE"] else "sqlite"
# PostgreSQL: the app connects (DATABASE_URL) as a role that neither owns the tables nor has
# BYPASSRLS, so row-level security holds it (tenants.rls); `migrate` connects as the tables'
# owner (DATABASE_OWNER_URL, the "owner" alias) and grants the app role what it needs.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
DATABASE_APP_ROLE = DATABASES["default"].get("USER", "")

if DATABASE_VENDOR == "postgresql":
    # Django's psycopg 3 pool: one pool per process, connections reused across requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN", "1")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
            "timeout": 10,
        }
    }
    if DATABASE_OWNER_URL:
        DATABASES["owner"] = dj_database_url.parse(DATABASE_OWNER_URL)
else:
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions take the
    # write lock up front, so two writers queue for it instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so a Celery worker started by the tests can open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-loopdesk.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker, tasks ---------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis out of reach fails a cache call in seconds, not after the system's TCP
            # timeout: the callers on request paths (the rate limiter, the interactions page)
            # then go on without it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = (
    os.environ.get("CELERY_RESULT_BACKEND")
    or REDIS_URL
    or f"file://{VAR_DIR / 'celery' / 'results'}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport: producer and consumer share one spool directory.
    _spool = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_spool),
        "data_folder_out": str(_spool),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _spool.mkdir(parents=True, exist_ok=True)
else:
    # A broker out of reach (packets dropped, not refused) must not hold a request that hands
    # it a task after commit: connect within 2 s; the sweeper sends what was not handed over.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # A worker takes from its queues in the order of CELERY_TASK_QUEUES, the first one
        # first whenever it holds a message (Redis' default would take turns).
        "queue_order_strategy": "priority",
    }
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "loopdesk")
# Bulk customer mail (survey invitations and reminders) waits in a queue of its own, so a
# receipt or a decision never waits behind a few thousand of them (notifications.services).
OUTBOX_BULK_QUEUE = os.environ.get("CELERY_BULK_QUEUE") or f"{CELERY_TASK_DEFAULT_QUEUE}-bulk"


def celery_queues(*names: str) -> list[Queue]:
    """The queues a worker consumes unless told otherwise (``-Q``), in the order it serves
    them: each its own direct exchange and routing key, as Celery makes a queue it meets."""
    return [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in names]


CELERY_TASK_QUEUES = celery_queues(CELERY_TASK_DEFAULT_QUEUE, OUTBOX_BULK_QUEUE)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- auth --------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "tenants.auth.EmailOrUsernameBackend",
]
# Checked wherever a password is chosen: the reset and change forms, the admin's user forms,
# createsuperuser and changepassword.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace-picker"
LOGOUT_REDIRECT_URL = "login"
# A password reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60)))
# "Forgot your password?" answers no sooner than this, account or not
# (notifications.password_reset).
PASSWORD_RESET_MIN_SECONDS = float(os.environ.get("PASSWORD_RESET_MIN_SECONDS", "0.3"))

# Failed sign-ins (django-axes, tenants.auth.LoginAttempts). Counted per account over every
# address, so spraying one account from many addresses stops at the limit and one person's
# typos lock only their own account, never the colleagues behind the same office NAT; and per
# address over every account, with a limit far above one person's typos, so one address
# cannot try many accounts. A lock lifts after the cool-off, or when an admin unlocks it
# (/admin/axes/, `manage.py axes_reset_username <email>`), or when the password is reset.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOOPDESK_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "tenants.auth.LoginAttempts"
AXES_USERNAME_CALLABLE = "tenants.auth.account_key"
AXES_CLIENT_IP_CALLABLE = "tenants.auth.client_address"
AXES_LOCKOUT_CALLABLE = "tenants.auth.locked_out"
# A try while locked is refused without counting, so the cool-off runs from the last real
# failure: nobody can keep someone else's account locked for ever by trying on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Masked in the attempt rows' form data and in axes' log lines: the password, the second
# factor's code, and (in the logs) who and from where. The admin lists name and address in
# their own columns, to unlock.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
AXES_VERBOSE = False

# Two-factor sign-in (django-otp, tenants.two_factor): the name authenticator apps show.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Loopdesk")

# Sessions of signed-in staff end after LOOPDESK_SESSION_IDLE_MINUTES without a request
# (a page open in a tab does not count: the bell's poll is no activity) and, whatever the
# activity, LOOPDESK_SESSION_MAX_HOURS after signing in (tenants.sessions). The cookie ends
# with the browser too, and the session row at the same maximum age.
LOOPDESK_SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
LOOPDESK_SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "8"))
SESSION_COOKIE_AGE = LOOPDESK_SESSION_MAX_HOURS * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# --- i18n --------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("el", _("Greek")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static files --------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # vendor/plotly.min.js, from the installed plotly package (static/js/charts.js draws with it).
    "dashboards.staticfiles.PlotlyFinder",
]
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# --- email -------------------------------------------------------------------------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 10
else:
    # Printed by the worker: one line per message, the whole message with EMAIL_LOG_BODIES=1.
    EMAIL_BACKEND = "notifications.mail_console.EmailBackend"
EMAIL_LOG_BODIES = env_bool("EMAIL_LOG_BODIES", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Loopdesk <noreply@loopdesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Loopdesk API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- security (production: DEBUG=0) ---------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The full address only to our own pages: a link out of a status page (with its key) or the
# queue tells the other site nothing.
SECURE_REFERRER_POLICY = "same-origin"
# Scripts, styles, images and form targets only from our own origin, and no inline script at
# all: an injected <script> or on*= handler (a customer's text that escaped escaping) does not
# run, and a page cannot post a form elsewhere or be framed. The only inline element is the
# brand's colours on public pages, a <style> carrying the response's nonce (NONCE is dropped
# from the header of a page that does not use it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# A page drawing Plotly charts adds these (csp_update): the hashes of the two fixed <style>s
# plotly.js writes, an empty one it fills through the CSSOM and maplibre's; no other inline
# style passes. tests/ratings/test_calibration.py fails (and names the hash) on a new plotly.
CHART_PAGE_CSP = {
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty <style>
        "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # plotly.js 4.1.1's maplibre CSS
    ]
}
# Browser features no page uses, turned off on every response (tenants.headers).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# The largest request body (tenants.limits refuses a longer Content-Length with 413 before
# reading it). The default fits a public complaint with its 5 attachments of 10 MB (the default
# largest attachment) and 1 MB of fields; raise it with a tenant's largest attachment.
LOOPDESK_MAX_REQUEST_BYTES = int(
    os.environ.get("LOOPDESK_MAX_REQUEST_BYTES", str(51 * 1024 * 1024))
)
# How long a link that opens a complaint's status page works (complaints.access): the one in
# each email about the complaint, and the one the lookup page sends on request. Either works once.
LOOPDESK_STATUS_LINK_DAYS = int(os.environ.get("LOOPDESK_STATUS_LINK_DAYS", "30"))
LOOPDESK_STATUS_LOOKUP_MINUTES = int(os.environ.get("LOOPDESK_STATUS_LOOKUP_MINUTES", "30"))
# Django's own limits, never above ours: the fields of a form (no files) parsed in memory, and
# the size from which an upload is spooled to a temporary file instead of kept in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, LOOPDESK_MAX_REQUEST_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, LOOPDESK_MAX_REQUEST_BYTES)
if not DEBUG:
    # Behind a TLS-terminating load balancer that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Request logs name the path, with a customer's link redacted (``config.log_config``).
LOGGING = logging_settings(level=os.environ.get("LOG_LEVEL", "INFO"))

# --- Loopdesk ---------------------------------------------------------------------------------

# The public address, used in the links of customer emails and printed by seed_demo.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The key of the secret in customers' links (survey tokens: ``notifications.links``). Unset, one
# is derived from SECRET_KEY for this purpose alone. Changing either breaks the links of emails
# still waiting in the outbox (sent ones keep working): change it with the outbox empty.
LOOPDESK_LINK_KEY = os.environ.get("LOOPDESK_LINK_KEY", "")
# How many proxies (load balancers) in front of the app append to X-Forwarded-For; the
# public pages' rate limits key on the address the outermost one saw.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# SMS (see notifications/sms.py): "console" prints messages; "http" posts them as JSON
# ({"to", "from", "text"}) with a bearer token to a gateway.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
if SMS_BACKEND not in {"console", "http"}:
    raise ImproperlyConfigured(f"SMS_BACKEND must be console or http, not {SMS_BACKEND!r}")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "10"))
if SMS_BACKEND == "http" and not SMS_HTTP_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "SMS_HTTP_URL must be an http(s):// address when SMS_BACKEND is http."
    )
# The sender name or number of an SMS whose delivery names none.
SMS_SENDER = os.environ.get("SMS_SENDER", "Loopdesk")
