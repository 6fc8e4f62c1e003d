"""Exports and queries in a real browser: an export started from the page shows its progress
by htmx polling and then its download link; a monitor's query answered by the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.capture import models as m
from hccrt.web.capture import query_flow
from hccrt.web.capture.models import Membership, Role
from hccrt.web.pages.models import ReportRun
from hccrt.web.pages.workspace import runner
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def user(name: str, role: str, site: Any) -> str:
    u = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=u, role=role, site=site)
    return name


def test_export_progress_then_download(world: Any, new_page: Any, monkeypatch: Any,
                                       tmp_path: Any) -> None:
    """The run is driven by the test (the live server shares the test's SQLite connection, a
    worker thread could not): queued, then progress, then the real export, each seen by the
    page's one-second polling."""
    monkeypatch.setenv("HCCRT_DATA_DIR", str(tmp_path))
    started: list[int] = []
    monkeypatch.setattr(runner, "launch", started.append)
    page = new_page(user("stat", Role.STATISTICIAN, None))
    page.goto("/exports/?protocol=mini-trial")
    page.get_by_label("Record tables (SDTM-shaped CSV, zip)").check()
    page.get_by_role("button", name="Start").click()
    row = page.locator("#runs tbody tr").first
    row.get_by_text("Queued", exact=True).wait_for()
    assert len(started) == 1
    ReportRun.objects.filter(pk=started[0]).update(status="running", progress=0.5,
                                                   message="compressing")
    row.get_by_text("50%").wait_for()
    assert row.get_by_role("progressbar").get_attribute("value") == "50"
    screenshot(page, "exports-progress")
    runner.execute(started[0])
    link = page.get_by_role("link", name="mini-trial-records-csv.zip")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "mini-trial-records-csv.zip"
    screenshot(page, "exports-done")


def test_site_answers_a_monitors_query(world: Any, new_page: Any) -> None:
    mon = get_user_model().objects.get(username=user("mon", Role.MONITOR, world.site_a))
    q = query_flow.raise_query(mon, world.pa, text="Please confirm the consent date")
    page = new_page(user("coord", Role.SITE_COORDINATOR, world.site_a))
    page.goto("/queries/")
    page.get_by_role("link", name=f"#{q.pk}").click()
    page.get_by_label("Answer").fill("Confirmed against the signed form")
    page.get_by_role("button", name="Answer").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Query #{q.pk} is now answered.").is_visible()
    q.refresh_from_db()
    assert (q.status, q.response) == ("answered", "Confirmed against the signed form")
    screenshot(page, "query-answered")
    assert m.DataQuery.objects.count() == 1
    # the audit history shows the answer: who, old -> new, the reason
    page.goto("/audit/")
    page.get_by_label("Form").select_option("queries")  # htmx reloads the results
    results = page.locator("#audit-results")
    results.get_by_text("query answered").wait_for()
    assert "Confirmed against the signed form" in results.inner_text()
    assert "MINI-B-001" not in page.content()
    screenshot(page, "audit-history")
    results.get_by_role("link", name=f"data query {q.pk}").first.click()
    page.wait_for_url(f"**/queries/{q.pk}/")
