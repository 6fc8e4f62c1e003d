"""Django settings for the hccrt web app, read from the environment.

HCCRT_DATABASE_URL   database URL (default: SQLite file under $HCCRT_DATA_DIR)
HCCRT_DATA_DIR       working directory for the embedded default (default: ./hccrt-data)
HCCRT_SECRET_KEY     secret key (a fixed development key is used when unset and DEBUG is on;
                     a random per-process key otherwise, so sessions do not survive restarts)
HCCRT_DEBUG          "1"/"true" turns Django debug on (off by default)
HCCRT_ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1,[::1])
HCCRT_HTTPS          "1" when served over HTTPS (behind a TLS proxy): secure cookies, HSTS,
                     redirect to HTTPS, X-Forwarded-Proto trusted
HCCRT_SESSION_HOURS  idle session lifetime in hours (default 8)
HCCRT_LOGIN_ATTEMPTS failed logins allowed per user name and address in 15 minutes (default 5)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """Directory that holds the embedded SQLite database and other local state."""
    return Path(os.environ.get("HCCRT_DATA_DIR", "hccrt-data")).resolve()


def database_url() -> str:
    url = os.environ.get("HCCRT_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'hccrt.sqlite3'}"


DEBUG = _flag("HCCRT_DEBUG")
SECRET_KEY = os.environ.get("HCCRT_SECRET_KEY") or (
    "hccrt-development-key-not-for-production" if DEBUG else secrets.token_urlsafe(50)
)
_DEFAULT_HOSTS = "localhost,127.0.0.1,[::1],testserver"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("HCCRT_ALLOWED_HOSTS", _DEFAULT_HOSTS).split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "hccrt.web.audit",
    "hccrt.web.core",
    "hccrt.web.capture",
    "hccrt.web.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hccrt.web.security.IdleSessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hccrt.web.urls"
WSGI_APPLICATION = "hccrt.web.wsgi.application"

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
                "hccrt.web.pages.shell.shell",
            ]
        },
    }
]

DATABASES = {"default": dj_database_url.parse(database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # every transaction takes the write lock first: audited saves (read the chain head, then
    # append) never interleave, and concurrent writers wait instead of failing
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30}
    )

# --------------------------------------------------------------------------- security
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
HTTPS = _flag("HCCRT_HTTPS")
SESSION_COOKIE_AGE = int(float(os.environ.get("HCCRT_SESSION_HOURS", "8")) * 3600)
# idle expiry: the age counts from the last activity, renewed at most once a minute by
# hccrt.web.security.IdleSessionRefreshMiddleware (not a session write on every request)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AUTHENTICATION_BACKENDS = ["hccrt.web.security.ThrottledModelBackend"]
LOGIN_URL = "pages:login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:login"
LOGIN_ATTEMPTS = int(os.environ.get("HCCRT_LOGIN_ATTEMPTS", "5"))
LOGIN_ATTEMPT_WINDOW_SECONDS = 15 * 60
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hccrt.web.security.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --------------------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "hccrt.web.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hccrt.web.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hccrt data capture API",
    "DESCRIPTION": "eCRFs, audit trail, allocation, visits and queries of hccrt trials.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = data_dir() / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve app static files straight from the apps too, so pages work before collectstatic.
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
