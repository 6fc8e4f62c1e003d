"""eCRF forms in a real browser: the unit picker narrows by test and the lab's CTCAE grade
reaches the timeline; an AE report; an edit with a reason and its field history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hccrt.web.capture import models as m
from hccrt.web.capture.models import Membership, Role
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(world: Any) -> str:
    user = get_user_model().objects.create_user("coord-a", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=world.site_a)
    return "coord-a"


def test_lab_with_the_unit_picker_shows_its_grade_on_the_timeline(world, coordinator,
                                                                    new_page):  # fmt: skip
    page = new_page(coordinator)
    page.goto(reverse("pages:form-new", args=[world.pa.pk, "labs"]))
    page.get_by_label("Collection date").fill("2026-02-01")
    page.get_by_label("Test").select_option("BILI")
    unit = page.get_by_label("Unit")
    # htmx narrows the units to those hccrt.units accepts for bilirubin
    page.wait_for_function("document.querySelectorAll('#id_unit option').length === 7")
    assert "U/L" not in unit.inner_text() and "µmol/L" in unit.inner_text()
    unit.select_option(label="µmol/L")
    page.locator("#id_value").fill("50")
    page.get_by_label("Upper limit of normal (ULN)").fill("20")
    page.get_by_label("Upper limit of normal (ULN)").blur()
    # NCI CTCAE v5.0 Blood bilirubin increased, grade 2: >1.5 - 3.0 x ULN; 50/20 = 2.5 x ULN
    preview = page.locator("#validation .preview", has_text="CTCAE grade")
    preview.wait_for()
    assert "Blood bilirubin increased" in preview.inner_text()
    assert "CTCAE grade 2" in preview.inner_text()
    screenshot(page, "ecrf-lab-unit-picker")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/participants/{world.pa.pk}/**")
    lab = page.locator("#lab-BILI")
    assert "grade 2" in lab.inner_text()
    assert lab.get_by_role("img").count() == 1  # the trend chart, labelled
    screenshot(page, "participant-timeline-lab")


def test_report_an_adverse_event(world, coordinator, new_page):
    page = new_page(coordinator)
    page.goto(reverse("pages:form-new", args=[world.pa.pk, "adverse-events"]))
    page.get_by_label("Term").fill("Pneumonitis")
    page.get_by_label("Term").blur()
    page.locator("#grade-definitions").get_by_text("oxygen indicated").wait_for()
    page.get_by_label("Grade 3").check()
    page.get_by_label("Serious", exact=True).check()
    page.get_by_label("Requires hospitalization").check()
    page.get_by_label("Related to SBRT").select_option("PROBABLY RELATED")
    page.get_by_label("Start date").fill("2026-03-01")
    screenshot(page, "ecrf-adverse-event")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/participants/{world.pa.pk}/**")
    row = page.locator("#adverse-events tbody tr").first
    text = row.inner_text()
    assert "Pneumonitis" in text and "serious (hospitalization)" in text
    assert "SBRT: probably related" in text
    assert m.AdverseEvent.objects.get().relatedness == {"sbrt": "PROBABLY RELATED"}


def test_edit_with_a_reason_and_see_the_field_history(world, coordinator, new_page):
    lab = m.LabResult(participant=world.pa, collection_date=date(2026, 2, 1), test="ALT",
                      value=50, unit="U/L", uln=40)  # fmt: skip
    lab.save(user=world.system)
    page = new_page(coordinator)
    page.goto(reverse("pages:form-edit", args=["labs", lab.pk]))
    page.locator("#id_value").fill("130")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("A reason for the change is required").first.is_visible()
    screenshot(page, "ecrf-edit-reason-required")
    page.get_by_label("Reason for change").fill("transcription error: 130 on the lab report")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/participants/{world.pa.pk}/**")
    page.goto(reverse("pages:form-history", args=["labs", lab.pk]))
    table = page.get_by_role("table")
    assert "transcription error: 130 on the lab report" in table.inner_text()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="value")).last
    assert "50.0" in row.inner_text() and "130.0" in row.inner_text()
    screenshot(page, "ecrf-field-history")
