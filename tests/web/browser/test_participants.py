"""Participant list and timeline in a real browser: search, site isolation, no arm for a reader."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hccrt.web.capture import models as m
from hccrt.web.capture.models import Membership, Role
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def user(name: str, role: str, site: Any) -> str:
    u = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=u, role=role, site=site)
    return name


@pytest.fixture
def trial(world: Any) -> Iterator[Any]:
    for p, arm in ((world.pa, "exp"), (world.pb, "ctl")):
        p.arm, p.status = arm, "enrolled"
        p.save(user=world.system, reason="allocated (test set-up)")
    for value, day in ((30, date(2026, 2, 1)), (150, date(2026, 2, 15)), (260, date(2026, 3, 1))):
        m.LabResult(participant=world.pa, collection_date=day, test="ALT", value=value,
                    unit="U/L", uln=40).save(user=world.system)  # fmt: skip
    yield world


def test_coordinator_finds_a_participant_and_opens_the_timeline(trial, new_page):
    page = new_page(user("coord-a", Role.SITE_COORDINATOR, trial.site_a))
    page.goto(reverse("pages:participant-list"))
    table = page.locator("#participant-table")
    assert "MINI-A-001" in table.inner_text() and "MINI-B-001" not in table.inner_text()
    screenshot(page, "participant-list")
    page.get_by_label("Study id").fill("nobody")
    page.get_by_text("No participant matches.").wait_for()  # htmx search as you type
    page.get_by_label("Study id").fill("a-001")
    page.get_by_role("link", name="MINI-A-001").click()
    page.wait_for_url(f"**/participants/{trial.pa.pk}/")
    chart = page.locator("#lab-ALT").get_by_role("img")
    # NCI CTCAE v5.0 ALT increased: 150/40 = 3.75 x ULN is grade 2 (>3.0 - 5.0 x ULN),
    # 260/40 = 6.5 x ULN is grade 3 (>5.0 - 20.0 x ULN)
    label = chart.get_attribute("aria-label")
    assert "2026-02-01 30;" in label and "2026-02-15 150 (grade 2)" in label
    assert "2026-03-01 260 (grade 3)" in label
    screenshot(page, "participant-timeline")
    other = new_page(user("coord-b", Role.SITE_COORDINATOR, trial.site_b))
    response = other.goto(reverse("pages:participant-detail", args=[trial.pa.pk]))
    assert response.status == 404


def test_central_reader_sees_the_assigned_participant_without_the_arm(trial, new_page):
    reader = user("reader", Role.CENTRAL_READER, None)
    m.TumourAssessment(participant=trial.pa, assessment_date=date(2026, 3, 1),
                       timepoint="follow_up", criteria="MRECIST", modality="CT SCAN",
                       evaluator="INDEPENDENT ASSESSOR",
                       reader=get_user_model().objects.get(username=reader)
                       ).save(user=trial.system)  # fmt: skip
    page = new_page(reader)
    page.goto(reverse("pages:participant-detail", args=[trial.pa.pk]))
    main = page.locator("main").inner_text()
    assert "Tumour assessments" in main
    assert "Arm" not in main and "exp" not in main and "Labs" not in main
    screenshot(page, "participant-timeline-central-reader")
