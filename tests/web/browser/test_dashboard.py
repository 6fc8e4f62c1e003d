"""The home dashboard in a real browser at tablet width: figures, the enrolment chart and the
site filter of a multi-site role."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.capture import models as m
from hccrt.web.capture.models import Membership, Role
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def user(name: str, role: str, site: Any) -> str:
    u = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=u, role=role, site=site)
    return name


def test_dashboard_shows_the_trial_and_filters_by_site(world: Any, new_page: Any) -> None:
    w = world
    for i, (p, arm) in enumerate(((w.pa, "exp"), (w.pb, "ctl"))):
        m.Allocation(participant=p, method="non_randomized", arm=arm, reason="test",
                     allocation_date=date(2026, 1, 15) + timedelta(days=20 * i)).save(user=w.system)
    m.AdverseEvent(participant=w.pa, term="Fatigue", grade=2, start_date=date(2026, 2, 1)
                   ).save(user=w.system)  # fmt: skip
    today = date.today()
    m.Visit(participant=w.pa, visit_code="fu1", name="Follow-up 1", visitnum=2, anchor="x",
            anchor_date=date(2026, 1, 15), planned_date=today - timedelta(days=20),
            window_start=today - timedelta(days=27), window_end=today - timedelta(days=13)
            ).save(user=w.system)  # fmt: skip
    page = new_page(user("dm", Role.DATA_MANAGER, None))
    page.goto("/")
    assert page.get_by_role("heading", name="Enrolment").is_visible()
    assert page.get_by_test_id("enrolled").inner_text() == "2"
    assert page.get_by_role("img", name="Cumulative enrolment").is_visible()
    assert page.get_by_test_id("visits-overdue").inner_text() == "1"
    assert page.get_by_test_id("ae-total").inner_text() == "1"
    screenshot(page, "dashboard-data-manager")
    page.get_by_label("Site").select_option("b")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert "site=b" in page.url
    assert page.get_by_test_id("enrolled").inner_text() == "1"
    assert page.get_by_test_id("ae-total").inner_text() == "0"
    # the page fits a 1024 px tablet: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
