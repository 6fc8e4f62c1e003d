"""The screening log's pages in a real browser: the page links are a labelled navigation
landmark, reachable and named for a screen reader, the current page is marked, and axe-core
(WCAG 2.1 A/AA, the harness of test_accessibility) finds no serious or critical violation on
the first or the last page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from hccrt.web.audit.bulk import audited_bulk_create
from hccrt.web.capture.models import Role, Screening
from hccrt.web.core.models import Participant
from hccrt.web.pages.screening.log import LOG_PAGE_SIZE
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_accessibility import AXE, FAILING_IMPACTS, run_axe, set_password
from tests.web.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

N = LOG_PAGE_SIZE + 3  # two pages, the second holding three rows


def serious(page: Any) -> list[str]:
    result = run_axe(page)
    assert result["passes"] > 5, f"axe evaluated almost nothing: {result}"
    return [f"{v['id']} at {n['target']}: {v['help']}"
            for v in result["violations"] for n in v["nodes"]
            if (n["impact"] or v["impact"]) in FAILING_IMPACTS]  # fmt: skip


def test_the_log_pages_are_navigable_and_accessible(world: World, new_page: Any) -> None:
    assert AXE.exists()
    people = [Participant(study_id=f"LOG-A-{i:03d}", site=world.site_a, protocol=world.protocol,
                          consent_date=date(2025, 1, 1), consent_version="1.0", sex="M", age=70)
              for i in range(N)]  # fmt: skip
    audited_bulk_create(people, user=world.system)
    audited_bulk_create([
        Screening(participant=p, screening_date=date(2025, 1, 1) + timedelta(days=i),
                  outcome=Screening.Outcome.NOT_ELIGIBLE,
                  criteria=[{"id": "ecog", "kind": "inclusion", "outcome": "not met"}])
        for i, p in enumerate(people)], user=world.system)  # fmt: skip
    page = new_page(set_password(world.users[Role.SITE_COORDINATOR]))
    page.goto("/screening/?protocol=mini-trial")
    nav = page.get_by_role("navigation", name="Pages of the screening log")
    assert nav.get_by_role("link", name="Page 1").get_attribute("aria-current") == "page"
    assert nav.get_by_role("link", name="Previous page").count() == 0
    assert page.locator("table.grid tbody tr").count() == LOG_PAGE_SIZE
    assert page.locator("[data-count='Not eligible']").inner_text() == str(N)
    problems = serious(page)
    assert not problems, problems

    nav.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2")
    nav = page.get_by_role("navigation", name="Pages of the screening log")
    assert nav.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"
    assert nav.get_by_role("link", name="Next page").count() == 0
    screenshot(page, "screening-log-last-page")
    rows = page.locator("table.grid tbody th[scope='row']").all_inner_texts()
    assert rows == ["LOG-A-002", "LOG-A-001", "LOG-A-000"]  # the three screened first
    assert page.locator("[data-count='Not eligible']").inner_text() == str(N)
    problems = serious(page)
    assert not problems, problems

    # keyboard: the page links take focus in order (Previous, then the page numbers)
    nav.get_by_role("link", name="Previous page").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Page 1"
