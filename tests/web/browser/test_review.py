"""Central review in a real browser: a reader's inbox and read page show no arm and no site."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, Role, TumourAssessment
from hccrt.web.pages.assessments.logic import blinded_id
from tests.web.browser.conftest import PASSWORD, screenshot
from tests.web.conftest import World
from tests.web.pages.test_assessments import BASE, BASELINE_LESIONS, FU1, make_read

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_inbox_and_read_are_blinded(new_page: Any) -> None:
    world = World()
    reader = get_user_model().objects.create_user("reader", password=PASSWORD)
    Membership.objects.create(user=reader, role=Role.CENTRAL_READER, site=None)
    with audit_context(world.system):
        world.pa.arm = "exp"
        world.pa.save(user=world.system, reason="allocated")
        make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS,
                  evaluator="INDEPENDENT ASSESSOR", reader=reader, overall="")
        fu = TumourAssessment(participant=world.pa, assessment_date=FU1, timepoint="follow_up",
                              criteria="RECIST 1.1", modality="MRI",
                              evaluator="INDEPENDENT ASSESSOR", reader=reader)  # fmt: skip
        fu.save(user=world.system)
    page = new_page("reader")
    page.get_by_role("link", name="Central review").click()
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    case = blinded_id(world.pa.pk)
    assert case in text
    for hidden in ("Site A", world.pa.study_id, "Experimental", "exp"):
        assert hidden not in text
    screenshot(page, "review-inbox-blinded")
    page.get_by_role("row").filter(has_text="Follow-up").get_by_role("link", name=case).click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Longest diameter of T01 (mm)").fill("40")
    page.get_by_label("Longest diameter of T02 (mm)").fill("29")
    page.get_by_test_id("overall-recist11").filter(has_text="PR").wait_for()
    text = page.locator("main").inner_text()
    for hidden in ("Site A", world.pa.study_id, "Experimental"):
        assert hidden not in text
    screenshot(page, "review-read-blinded")
    page.get_by_role("button", name="Mark read complete").click()
    page.wait_for_load_state("networkidle")
    fu.refresh_from_db()
    assert fu.overall_response == "PR"


def test_adjudicator_chooses_between_two_reads_side_by_side(new_page: Any) -> None:
    world = World()
    admin = get_user_model().objects.create_user("adjudicator", password=PASSWORD)
    Membership.objects.create(user=admin, role=Role.ADMINISTRATOR, site=None)
    readers = []
    with audit_context(world.system):
        world.pa.arm = "exp"
        world.pa.save(user=world.system, reason="allocated")
        for name, t02, overall in (("r1", 29.0, "PR"), ("r2", 35.0, "SD")):
            r = get_user_model().objects.create_user(name)
            Membership.objects.create(user=r, role=Role.CENTRAL_READER, site=None)
            readers.append(r)
            make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS,
                      evaluator="INDEPENDENT ASSESSOR", reader=r)  # fmt: skip
            make_read(world, world.pa, FU1, "follow_up",
                      [("T01", "TARGET", 40.0, 40.0, ""), ("T02", "TARGET", t02, t02, ""),
                       ("NT01", "NON-TARGET", None, None, "PRESENT")],
                      evaluator="INDEPENDENT ASSESSOR", reader=r, overall=overall)  # fmt: skip
    page = new_page("adjudicator")
    page.goto("/review/")
    case = blinded_id(world.pa.pk)
    page.get_by_role("link", name=case).click()
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    assert "Reader 1: PR" in text and "Reader 2: SD" in text
    for hidden in ("Site A", world.pa.study_id, "Experimental"):
        assert hidden not in text
    page.get_by_label("Accept reader 2's read").check()
    page.get_by_label("Reason for the choice").fill("T02 re-measured on the same slice")
    screenshot(page, "review-adjudication")
    page.get_by_role("button", name="Store adjudication").click()
    page.wait_for_load_state("networkidle")
    key = f"recist11|{FU1.isoformat()}"
    assert page.get_by_test_id(f"accepted-{key}").inner_text() == "SD"
    adj = TumourAssessment.objects.get(evaluator="ADJUDICATOR")
    assert adj.overall_response == "SD" and adj.reader_id == admin.pk
