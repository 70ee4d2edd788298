"""One settings module, driven by environment variables (see config/env.py and docs/deploy.md)."""

from __future__ import annotations

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_database, env_email, env_int, env_list, env_redis, env_str


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Running under pytest: tests need a key but must not depend on DEBUG being on.
TESTING = "pytest" in sys.modules

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or give SECRET_KEY_FILE)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form (most often one left open past the sign-out) gets a page in the visitor's language with a way back.
CSRF_FAILURE_VIEW = "frontend.site_views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "django_htmx",
    "localflavor",
    "csp",
    "django_otp_webauthn",
    # Before our apps: their AppConfig.ready registers periodic tasks on its app (core.jobs).
    "procrastinate.contrib.django",
    # Our apps, lowest layer first (docs/architecture.md): each imports only the ones above it in this list.
    "core",
    "notifications",
    "accounts",
    "partners",
    "network",
    "people",
    "referrals",
    "employment",
    "reporting",
    "webhooks",
    "demo",
    "api",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything else below, so that every answer (pages, API, admin, errors) carries the headers; the
    # second adds the websocket origin to the first's policy, so it must sit inside it.
    "csp.middleware.CSPMiddleware",
    "core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.request_limits.RequestSizeMiddleware",
    "frontend.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A person's own account reaches only /moje/ and its API: everything else is a 404 to it.
    "accounts.middleware.AccountKindMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.NotFoundLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an idle sign-out leaves a message for the login page.
    "accounts.idle.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "frontend.middleware.UserLanguageMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontend.context_processors.navigation",
            ],
        },
    },
]

# Connections come from psycopg's pool, one per process (docs/deploy.md, "Database connections"): a request takes
# one and hands it back when it ends, so a process holds at most DATABASE_POOL_MAX_SIZE however many threads
# uvicorn and Channels run. Persistent per-thread connections (CONN_MAX_AGE) piled up under uvicorn until
# PostgreSQL refused them (docs/performance.md). DATABASE_POOL=0 goes back to one connection per request.
DATABASE_POOL = env_bool("DATABASE_POOL", True)
DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=0)
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)
if DATABASE_POOL_MIN_SIZE > DATABASE_POOL_MAX_SIZE:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MIN_SIZE ({DATABASE_POOL_MIN_SIZE}) is larger than DATABASE_POOL_MAX_SIZE "
        f"({DATABASE_POOL_MAX_SIZE})"
    )
if DATABASE_POOL and env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0):
    raise ImproperlyConfigured(
        "DATABASE_CONN_MAX_AGE keeps a connection per thread, which the connection pool replaces: "
        "unset it, or set DATABASE_POOL=0 to go without the pool"
    )
# Behind PgBouncer in transaction mode, a connection may change between two transactions: no server-side cursor
# may outlive one (Django's .iterator() opens them), and no prepared statement (Django already leaves psycopg's
# off; a pooler in transaction mode must keep it that way).
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)


def _database(name: str) -> dict:
    database = env_database(name)
    database["CONN_MAX_AGE"] = 0 if DATABASE_POOL else env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    # With the pool, this makes psycopg check a connection before a request gets it: one broken since its last use
    # (a restart of PostgreSQL or PgBouncer) is replaced instead of failing that request.
    database["CONN_HEALTH_CHECKS"] = True
    database["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_PGBOUNCER
    options = database.setdefault("OPTIONS", {})
    options["prepare_threshold"] = None
    if DATABASE_POOL:
        options["pool"] = {
            "min_size": DATABASE_POOL_MIN_SIZE,
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
        }
    return database


DATABASES = {"default": _database("DATABASE_URL")}
# An optional read replica (streaming replication) for the reporting selectors only: the dashboard and the reports
# read there (core/replica.py), everything else, and every write, stays on the primary. Unset: all on the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# The owner role's connection (docs/deploy.md, "Two database roles"): only `manage.py migrate` and
# `manage.py db_roles` use it; DATABASE_URL is then the application role, which owns no table.
DATABASE_OWNER = env_database("DATABASE_OWNER_URL") if env_str("DATABASE_OWNER_URL") else None
if DATABASE_OWNER is not None and DATABASE_OWNER["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured(
        f"DATABASE_OWNER_URL names the database {DATABASE_OWNER['NAME']!r} but DATABASE_URL names "
        f"{DATABASES['default']['NAME']!r}: both must reach the same database"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (core/jobs.py, docs/deploy.md "Workers"): procrastinate keeps its queue in this same database, so
# a job is written in the transaction of the change that asked for it. `manage.py run_jobs` runs a worker.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
_heartbeat = env_int("JOBS_HEARTBEAT_SECONDS", 10, minimum=1)
JOBS_STALLED_AFTER_SECONDS = env_int("JOBS_STALLED_AFTER_SECONDS", 3 * _heartbeat, minimum=_heartbeat + 1)
PROCRASTINATE_WORKER_DEFAULTS = {
    # Tasks running at once in one worker (sync tasks run in threads, each with its own database connection).
    "concurrency": env_int("JOBS_CONCURRENCY", 4, minimum=1),
    # A job scheduled for a moment is looked for this often: the deadline alert comes within this many seconds.
    "fetch_job_polling_interval": env_int("JOBS_POLL_SECONDS", 1, minimum=1),
    "update_heartbeat_interval": _heartbeat,
    # A worker silent this long is taken for dead; its running jobs are retried (core.tasks).
    "stalled_worker_timeout": JOBS_STALLED_AFTER_SECONDS,
    # Succeeded jobs leave the table (the change they made is the record); failed ones stay for the admin.
    "delete_jobs": "successful",
}
# The periodic safety nets (core.jobs.register): each pass finds what a scheduled task might have missed.
JOBS_SWEEP_CRON = env_str("JOBS_SWEEP_CRON", "*/5 * * * *")

REDIS_URL = env_redis("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's 5 s default socket timeout is shorter than channels_redis' 5 s blocking read, which
            # closed idle sockets; its 100-connection pool was too small for mass disconnects (measured in
            # docs/performance.md).
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "max_connections": 1000}],
                "prefix": env_str("CHANNEL_PREFIX", "lsw"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked. The standalone variant
    # authenticates nobody and answers no permission question itself, so ModelBackend stays the one that does
    # (and the backend recorded in existing sessions stays valid).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Speed only: hashing with PBKDF2 would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Guardian: no anonymous user row; we never grant anything to anonymous.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates print as DD.MM.RRRR in every language (config/formats/): what Polish offices write, and never ISO.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".data" / "static")))
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
# Uploaded documents (signed consents, agreements) live outside the web root and are
# served only through permission-checked views; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Uploads (core/request_limits.py): one document of at most UPLOAD_MAX_SIZE per request, and a body at most that
# plus UPLOAD_FORM_OVERHEAD, refused with 413 before it is read (the ASGI wrapper in config/asgi.py, the middleware
# for other servers) and stopped as it streams (LimitedUploadHandler) when it has no length or lies about it.
UPLOAD_MAX_SIZE = env_int("UPLOAD_MAX_SIZE", 10 * 1024 * 1024, minimum=1024 * 1024)
UPLOAD_FORM_OVERHEAD = 256 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.request_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Everything but the files: form fields and JSON bodies. None of ours comes near it; the whole body's limit above
# is the larger wall, and this one keeps a JSON or form body from being read into memory past it.
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_SIZE + UPLOAD_FORM_OVERHEAD

# The hour (local time) at which the daily e-mail digest goes out, for those who chose a digest.
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7, minimum=0)
if NOTIFICATIONS_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(
        f"NOTIFICATIONS_DIGEST_HOUR must be an hour from 0 to 23, got {NOTIFICATIONS_DIGEST_HOUR}"
    )

# Text messages to people (issue 18): console:// while developing, locmem:// in tests, smsapi://TOKEN@api.smsapi.pl
# in production (notifications/sms.py). A malformed value stops the start-up here.
SMS_URL = env_str("SMS_URL", "locmem://" if TESTING else "console://")
from notifications.sms import parse_sms_url  # noqa: E402 - checks SMS_URL at start-up

parse_sms_url(SMS_URL)
_email = env_email("EMAIL_URL", "console:")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LSW <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The accessibility statement (deklaracja dostępności, ustawa z 4 kwietnia 2019 r. o dostępności cyfrowej stron
# internetowych i aplikacji mobilnych podmiotów publicznych), shown at /deklaracja-dostepnosci/ and linked from the
# footer of every page: the operator running this installation fills these in (docs/deploy.md lists them). Lists
# are separated by "|" (their items may hold commas); dates are YYYY-MM-DD.


def _a11y_date(name: str, default: str) -> str:
    from datetime import date

    value = env_str(name, default)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None
    return value


def _a11y_items(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "|".join(default))
    return [item.strip() for item in value.split("|") if item.strip()]


_A11Y_COMPLIANCE = env_str("ACCESSIBILITY_COMPLIANCE", "partial")
if _A11Y_COMPLIANCE not in ("full", "partial", "none"):
    raise ImproperlyConfigured("ACCESSIBILITY_COMPLIANCE must be full, partial or none")
ACCESSIBILITY_STATEMENT = {
    "operator": env_str("ACCESSIBILITY_OPERATOR", "Operator systemu (nazwa podmiotu publicznego)"),
    "product_name": env_str("ACCESSIBILITY_PRODUCT_NAME", "Lokalny System Współdziałania (LSW)"),
    "site_url": env_str("ACCESSIBILITY_SITE_URL", SITE_URL),
    "contact_name": env_str("ACCESSIBILITY_CONTACT_NAME", ""),
    "contact_email": env_str("ACCESSIBILITY_CONTACT_EMAIL", ""),
    "contact_phone": env_str("ACCESSIBILITY_CONTACT_PHONE", ""),
    "published_on": _a11y_date("ACCESSIBILITY_PUBLISHED_ON", "2026-12-03"),
    "updated_on": _a11y_date("ACCESSIBILITY_UPDATED_ON", "2026-12-03"),
    "prepared_on": _a11y_date("ACCESSIBILITY_PREPARED_ON", "2026-12-03"),
    "reviewed_on": _a11y_date("ACCESSIBILITY_REVIEWED_ON", "2026-12-03"),
    "compliance": _A11Y_COMPLIANCE,
    "method": env_str("ACCESSIBILITY_METHOD", "samoocena przeprowadzona przez podmiot publiczny"),
    "non_accessible": _a11y_items(
        "ACCESSIBILITY_NON_ACCESSIBLE",
        [
            "Dokumenty PDF tworzone przez system (raporty roczne, wydruki zgód) mogą nie mieć pełnej struktury "
            "nagłówków i opisów alternatywnych.",
            "Niektóre szerokie tabele na telefonie przewijają się w poziomie we własnym, opisanym obszarze.",
            "Powiadomienia na żywo znikają po 8 sekundach; pozostają w centrum powiadomień.",
        ],
    ),
    "exclusions": _a11y_items(
        "ACCESSIBILITY_EXCLUSIONS",
        [
            "Skany dokumentów dołączanych przez użytkowników (np. podpisanych zgód) — treści pochodzące od osób "
            "trzecich, niewytworzone przez podmiot publiczny.",
        ],
    ),
    "address": env_str("ACCESSIBILITY_ADDRESS", ""),
    "architecture": env_str(
        "ACCESSIBILITY_ARCHITECTURE",
        "Informacje o dostępności architektonicznej siedziby podmiotu publicznego są dostępne na jego stronie "
        "internetowej.",
    ),
    "mobile_apps": env_str("ACCESSIBILITY_MOBILE_APPS", "Podmiot nie udostępnia aplikacji mobilnych."),
}

# Security: secure by default, relaxed only by DEBUG (local HTTP) or explicit variables.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The absolute limit: a session ends this long after sign-in, whatever happens in between (accounts.idle fixes
# the expiry date at sign-in, so writing to the session never pushes it back).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_SAVE_EVERY_REQUEST = False
# The idle limit: a session unused this long is ended at its next request (ASVS 7.3.1). Background traffic (the
# notification poll, websocket pings, pushed refreshes) does not count as use.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
# The security log (accounts.SecurityEvent) keeps 12 months; its trigger refuses to let a row go sooner.
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 365, minimum=365)
# Lockout (django-axes, ASVS V6.3): after AXES_FAILURE_LIMIT failures in a row on the sign-in page, the token
# endpoint or the second-factor step, that username is refused from that address for the cool-off time.
# By the pair, not the username alone: anyone could otherwise lock every coordinator out of a ward with five
# guesses each; nor by the address alone: a hospital's staff often share one outgoing address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Counted in the database, so that every application machine sees the same failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# A sign-in tried while locked out is refused but does not restart the cool-off: the page's "N minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in forgets the earlier typos of that username from that address.
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are in the security log (accounts.SecurityEvent), which has its retention; no second table.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# No start-up banner on every manage.py command (a command's stderr is for its own errors).
AXES_VERBOSE = False
# Never copied into axes' table of attempts (it keeps the posted form, masked by these names).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "token", "old_password", "new_password"]
# The client's address as the server saw it (REMOTE_ADDR, as the security log): a forwarded header is the
# client's to forge unless the proxy in front sets it, and then the proxy's own configuration says so.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# API tokens (django-rest-knox): only a hash is stored; each expires after API_TOKEN_TTL seconds (8 hours by
# default), a user may hold several (one per client) and revoke each. The header stays "Authorization: Token …".
API_TOKEN_TTL = env_int("API_TOKEN_TTL", 8 * 3600, minimum=60)
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=API_TOKEN_TTL),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Password-reset e-mails: at most this many per e-mail address and per client address in an hour (ASVS V6.4);
# counted in the security log, so every application machine agrees. The form answers the same either way.
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10, minimum=1)

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. Websockets go to the page's own
# host, which 'self' covers for ws:/wss: in CSP Level 3 browsers; core.headers adds the host explicitly for older
# ones. A TOTP QR code may come as a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the product uses none of these powerful features; passkeys (WebAuthn) only on our own pages.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# The second factor (accounts/mfa.py). Required (enrolment before any other page) for everyone who can read person
# data; on by default in production, off by default in development and under tests (a test turns it on).
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG and not TESTING)
# A second step not finished within this many seconds of the password starts over from the password.
MFA_PENDING_SECONDS = env_int("MFA_PENDING_SECONDS", 300, minimum=60)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "LSW")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys: the relying party is the site's host name (an IP address cannot be one: 127.0.0.1 falls back to
# localhost, which browsers treat as a secure context). Credentials are bound to it; changing it later means
# everyone registers their passkeys again.
_site = urlsplit(SITE_URL)
_site_host = _site.hostname or "localhost"
OTP_WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "localhost" if _is_ip_address(_site_host) else _site_host)
OTP_WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "LSW")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS",
    [f"{_site.scheme}://{OTP_WEBAUTHN_RP_ID}" + (f":{_site.port}" if _site.port else "")],
)
# Passkeys are a second factor here; signing in with a passkey alone is not offered.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LSW — Lokalny System Współdziałania Partnerów API",
    "DESCRIPTION": "API of the local cooperation network (DESIGN §9).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and Swagger UI are served to signed-in users only, unless DEBUG (api.urls).
    "SERVE_PERMISSIONS": ["api.permissions.SignedInUnlessDebug"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.declare_pagination"],
    "ENUM_NAME_OVERRIDES": {
        "PartnerTypeEnum": "partners.choices.PartnerType",
        "ContactByEnum": "people.models.ContactBy",
        "AccountRelationEnum": "people.models.AccountRelation",
        "LanguageEnum": "partners.models.User.Language",
        "MeetingCorrectionKindEnum": "people.models.MeetingCorrectionKind",
        "OwnRequestKindEnum": ["entry", "consent"],
        "ReportPeriodKindEnum": ["month", "quarter", "year", "range"],
        "ReaderKindEnum": "people.visibility.ReaderKind",
        "ActivityKindEnum": "people.models.ActivityKind",
        "ShareSourceEnum": "people.visibility.ShareSource",
        "GoalStatusEnum": "people.models.GoalStatus",
        "FundingSourceEnum": "partners.choices.FundingSource",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes announces itself at every start-up; a failed start must stay one line (scripts/dev.py).
        "axes.apps": {"level": "WARNING"},
        # procrastinate lists its tasks at every start-up of every command; the worker logs what it runs (run_jobs).
        "procrastinate": {"level": "WARNING"},
    },
}

# Webhooks (docs/webhooks.md): HTTPS to public addresses only. WEBHOOKS_ALLOW_PRIVATE names networks allowed all the
# same (`make run` allows loopback, "127.0.0.0/8,::1/128"); WEBHOOKS_ALLOW_HTTP allows plain http:// (local trials).
WEBHOOKS_ALLOW_PRIVATE = env_list("WEBHOOKS_ALLOW_PRIVATE")
for _network in WEBHOOKS_ALLOW_PRIVATE:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"WEBHOOKS_ALLOW_PRIVATE must list networks like 127.0.0.0/8, got {_network!r}"
        ) from None
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
WEBHOOKS_TIMEOUT = env_int("WEBHOOKS_TIMEOUT", 5, minimum=1)
# The canonical base of our FHIR code systems and extensions (docs/fhir.md): a URI that names them, which need not
# resolve. Keep it stable once partners' systems store our codes.
FHIR_CANONICAL_BASE = env_str("FHIR_CANONICAL_BASE", f"{SITE_URL}/fhir").rstrip("/")
