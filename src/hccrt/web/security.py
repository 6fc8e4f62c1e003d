"""Security helpers: log redaction, login throttling, TOTP second factor (RFC 6238)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import struct
import time

from django.conf import settings
from django.core.cache import cache

_SECRET_PATTERNS = [
    re.compile(r"(?i)(password|passwd|token|secret|otp|authorization|cookie|sessionid|csrftoken)"
               r"(['\"]?\s*[:=]\s*['\"]?)([^\s'\",&]+)"),
]


class RedactFilter(logging.Filter):
    """Drop secrets (passwords, tokens, cookies) from log messages; hccrt stores no names.

    Query strings are removed from logged paths since they may carry search terms.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - malformed log call: keep it as is
            return True
        redacted = message
        for pattern in _SECRET_PATTERNS:
            redacted = pattern.sub(r"\1\2[redacted]", redacted)
        redacted = re.sub(r"(/[^\s?\"']*)\?[^\s\"']*", r"\1?[redacted]", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if hasattr(record, "request"):
            record.request = None  # the request object would expose bodies and headers
        return True


# --------------------------------------------------------------------------- login throttling


def _throttle_key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()
    return f"hccrt-login-fail:{digest}"


def login_blocked(username: str, address: str) -> bool:
    return cache.get(_throttle_key(username, address), 0) >= settings.LOGIN_ATTEMPTS


def record_login_failure(username: str, address: str) -> None:
    key = _throttle_key(username, address)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_ATTEMPT_WINDOW_SECONDS)


def clear_login_failures(username: str, address: str) -> None:
    cache.delete(_throttle_key(username, address))


# --------------------------------------------------------------------------- TOTP


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp(secret_b32: str, at: float | None = None, step: int = 30, digits: int = 6,
         algorithm: str = "sha1") -> str:  # fmt: skip
    """The RFC 6238 time-based one-time password of ``secret_b32`` at time ``at``."""
    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    key = base64.b32decode(padded.upper())
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def verify_totp(secret_b32: str, code: str, at: float | None = None, drift: int = 1) -> bool:
    now = time.time() if at is None else at
    code = (code or "").strip()
    return any(hmac.compare_digest(totp(secret_b32, now + k * 30), code)
               for k in range(-drift, drift + 1))  # fmt: skip


# --------------------------------------------------------------------------- every login path


class ThrottledModelBackend:
    """Django's model backend with the login throttle, so the admin login, the session login
    and the token endpoint share one limit per user name and address."""

    def __new__(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.contrib.auth.backends import ModelBackend

        class _Backend(ModelBackend):
            def authenticate(self, request, username=None, password=None, **kw):  # type: ignore[no-untyped-def]
                from django.core.exceptions import PermissionDenied

                address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
                if username and login_blocked(str(username), address):
                    raise PermissionDenied("too many failed logins")
                user = super().authenticate(request, username=username, password=password, **kw)
                if user is None and username:
                    record_login_failure(str(username), address)
                return user

        return _Backend(*args, **kwargs)


# --------------------------------------------------------------------------- idle sessions


class IdleSessionRefreshMiddleware:
    """Idle session expiry without a database write on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` would re-save the session (a write and a commit) on every
    page and htmx call just to push its expiry forward. This middleware does it at most once
    per ``SESSION_REFRESH_SECONDS`` (default 60 s): the session still expires after
    ``SESSION_COOKIE_AGE`` without activity, give or take that interval. It must come after
    ``SessionMiddleware`` in ``MIDDLEWARE`` (its response hook runs before the session is
    saved).
    """

    KEY = "_hccrt_refreshed"

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            every = getattr(settings, "SESSION_REFRESH_SECONDS", 60)
            if now - int(session.get(self.KEY, 0)) >= every:
                session[self.KEY] = now  # marks the session modified: saved, expiry renewed
        return response
