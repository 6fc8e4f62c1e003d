"""Tumour assessment in a real browser: typing follow-up diameters updates the live response.

Expected values (RECIST 1.1, Eisenhauer et al. 2009, section 4.3.1: PR is a >= 30 % decrease
of the target sum from baseline): baseline 60 + 40 = 100 mm; follow-up 40 + 29 = 69 mm is
-31 % -> PR; with 40 + 31 = 71 mm it is -29 % -> SD.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, Role, TumourAssessment
from tests.web.browser.conftest import PASSWORD, screenshot
from tests.web.conftest import World
from tests.web.pages.test_assessments import BASE, BASELINE_LESIONS, make_read

pytestmark = pytest.mark.django_db(transaction=True)


def test_follow_up_assessment_shows_the_live_response(new_page: Any) -> None:
    world = World()
    user = get_user_model().objects.create_user("coord", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=world.site_a)
    with audit_context(world.system):
        make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS)
    page = new_page("coord")
    page.goto(f"/participants/{world.pa.pk}/assessments/new/")
    page.get_by_label("Date of imaging").fill("2026-04-20")
    page.get_by_label("Longest diameter of T01 (mm)").fill("40")
    page.get_by_label("Longest diameter of T02 (mm)").fill("31")
    overall = page.get_by_test_id("overall-recist11")
    overall.filter(has_text="SD").wait_for()
    assert page.get_by_test_id("pchg-recist11").inner_text() == "-29.0 %"
    page.get_by_label("Longest diameter of T02 (mm)").fill("29")
    overall.filter(has_text="PR").wait_for()
    assert page.get_by_test_id("pchg-recist11").inner_text() == "-31.0 %"
    screenshot(page, "assessment-follow-up-live-response")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_load_state("networkidle")
    stored = TumourAssessment.objects.get(participant=world.pa, timepoint="follow_up")
    assert stored.overall_response == "PR"
