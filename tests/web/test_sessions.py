"""Idle session expiry: renewed by activity, without a session write on every request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hccrt.web import security

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _signed_in() -> tuple[Client, str]:
    get_user_model().objects.create_user("idle", password="pw-idle-1")
    client = Client()
    assert client.login(username="idle", password="pw-idle-1")
    return client, client.session.session_key


def _session_writes(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return sum(1 for q in ctx.captured_queries
               if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(
                   ("UPDATE", "INSERT")))  # fmt: skip


def test_activity_within_the_refresh_interval_writes_no_session(monkeypatch) -> None:
    client, _ = _signed_in()
    now = [1_800_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    assert _session_writes(client, "/protocols/") == 1  # first request: stamped and saved
    now[0] += settings.SESSION_REFRESH_SECONDS - 1
    assert _session_writes(client, "/protocols/") == 0
    now[0] += 2  # the interval has passed: renewed once
    assert _session_writes(client, "/protocols/") == 1


def test_a_renewal_pushes_the_expiry_forward(monkeypatch) -> None:
    client, key = _signed_in()
    first = Session.objects.get(session_key=key).expire_date
    now = [security.time.time() + settings.SESSION_REFRESH_SECONDS + 5]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    client.get("/protocols/")
    assert Session.objects.get(session_key=key).expire_date > first  # saved again, later


def test_the_middleware_runs_inside_the_session_middleware() -> None:
    mw = settings.MIDDLEWARE
    assert mw.index("hccrt.web.security.IdleSessionRefreshMiddleware") > mw.index(
        "django.contrib.sessions.middleware.SessionMiddleware")
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
