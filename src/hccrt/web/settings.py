"""Django settings for the hccrt web app, read from the environment.

HCCRT_DATABASE_URL   database URL (default: SQLite file under $HCCRT_DATA_DIR)
HCCRT_DATA_DIR       working directory for the embedded default (default: ./hccrt-data)
HCCRT_SECRET_KEY     secret key (a fixed development key is used when unset and DEBUG is on;
                     a random per-process key otherwise, so sessions do not survive restarts)
HCCRT_DEBUG          "1"/"true" turns Django debug on (off by default)
HCCRT_ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1,[::1])
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
    "hccrt.web.core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
            ]
        },
    }
]

DATABASES = {"default": dj_database_url.parse(database_url(), conn_max_age=60)}

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
