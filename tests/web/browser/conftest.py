"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

Never a browser download: the executable is the apt package's (``.ci/run`` installs it). The
tests are skipped, with the reason, where that executable is missing. Screenshots of key pages
go to ``$HCCRT_ARTIFACTS_DIR/screenshots`` (default ``test-artifacts/screenshots``).

The live server runs in a thread of this process, so the tests create their data with the ORM
directly; Playwright's sync API runs an event loop in the test thread, which Django would
otherwise refuse to run ORM calls beside (``DJANGO_ALLOW_ASYNC_UNSAFE``: tests only).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HCCRT_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "browser-test-password-1"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _serialize_live_server_on_sqlite() -> None:
    """On SQLite the live server's request threads share the test's one in-memory connection;
    two requests at once (an htmx preview racing a form submission) then deadlocked inside
    SQLite and hung the suite. A single-threaded server takes requests one at a time (Django
    closes each HTTP connection when the server is not threaded, so none is held open).
    PostgreSQL keeps the threaded server: each request thread has its own connection."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        """Requests handled in the live server's own thread, which already uses the shared
        connection (``LiveServerThread.run`` installs ``connections_override``)."""

        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = SerialWSGIServer


def artifacts_dir() -> Path:
    root = Path(os.environ.get("HCCRT_ARTIFACTS_DIR", "test-artifacts"))
    out = root / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _serialize_live_server_on_sqlite()
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(username=None)`` -> a Playwright page at a 1024x768 tablet size, signed in
    as ``username`` (password :data:`PASSWORD`) when one is given."""
    contexts = []

    def make(username: str | None = None, width: int = 1024, height: int = 768) -> Any:
        ctx = browser.new_context(viewport={"width": width, "height": height},
                                  base_url=live_server.url)  # fmt: skip
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        if username:
            sign_in(page, username)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def screenshot(page: Any, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_keeps_audit_guards() -> Iterator[None]:
    """Browser tests are transactional: Django empties every table after each test. On SQLite
    that is ``DELETE``, which the audit guards refuse for trial data, the audit trail and the
    chain heads. The flush drops those BEFORE DELETE triggers, empties the tables and recreates
    the triggers from their stored SQL, so the guards stay for every later test. (PostgreSQL
    flushes with TRUNCATE, which row triggers do not see.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND sql LIKE '%BEFORE DELETE%'")  # fmt: skip
            triggers = cursor.fetchall()
        return ([f'DROP TRIGGER "{name}"' for name, _ in triggers]
                + original(self, style, tables, **kwargs) + [sql for _, sql in triggers])

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]
