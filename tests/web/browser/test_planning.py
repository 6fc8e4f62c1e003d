"""Y-90 planning in a real browser: live results as the physicist types, a failing protocol
check, the saved plan's printable summary (screenshot in print media)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, Role, Y90Plan
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import load_builtin_protocols
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def physicist_and_participant() -> Participant:
    load_builtin_protocols()
    site = Site.objects.create(code="s1", name="Site one", country="KR")
    user = get_user_model().objects.create_user("physicist", password=PASSWORD,
                                                first_name="Ada", last_name="Physicist")
    Membership.objects.create(user=user, role=Role.MEDICAL_PHYSICIST, site=site)
    with audit_context(user):
        p = Participant(study_id="UT7-S1-001", site=site, arm="tare",
                        protocol=Protocol.objects.get(code="tare-ut7", is_current=True),
                        status=Participant.Status.ENROLLED, sex="M", age=61)
        p.save()
    return p


def test_y90_plan_live_results_failing_check_and_printable_summary(new_page: Any) -> None:
    p = physicist_and_participant()
    page = new_page("physicist")
    page.goto("/planning/?protocol=tare-ut7")
    page.get_by_role("link", name="Plan Y-90 for UT7-S1-001").click()
    page.get_by_label("Dosimetry method").select_option("mird")
    page.get_by_label("Prescribe by").select_option("perfused_dose")
    page.get_by_label("Target dose (Gy) or activity (GBq)").fill("400")
    page.get_by_label("Perfused volume (mL)").fill("1000")
    page.get_by_label("Lung shunt fraction").fill("1.2")  # impossible: the core's message
    error = page.locator("#id_lsf_error")
    error.get_by_text("got 1.2; allowed: Input should be less than 1").wait_for()
    page.get_by_label("Lung shunt fraction").fill("0.2")
    results = page.locator("#results")
    # htmx: the results follow the inputs without a page load
    lung = results.locator('[data-result="lung"]')
    lung.wait_for()
    assert lung.inner_text().startswith("103.00 Gy")
    assert error.inner_text() == ""  # 400 x 1.03 x 0.2 / 0.8 / 1 kg
    assert results.get_attribute("aria-live") == "polite"
    failing = results.locator("tr.check-fail", has_text="lung_dose_cumulative")
    assert failing.count() == 1
    assert "cumulative lung dose remains below 50 Gy" in failing.inner_text()
    page.get_by_label("Lung shunt fraction").fill("0.05")
    page.wait_for_function(
        "() => document.querySelector('[data-result=\"lung\"]').innerText.startsWith('21.68')")
    assert results.locator("tr.check-fail").count() == 0
    screenshot(page, "planning-y90-live")
    page.get_by_label("Lung shunt fraction").fill("0.2")
    page.wait_for_function(
        "() => document.querySelector('[data-result=\"lung\"]').innerText.startsWith('103.00')")
    page.get_by_role("button", name="Save plan").click()
    page.wait_for_load_state("networkidle")
    assert "/planning/y90/plan/" in page.url
    assert Y90Plan.objects.filter(participant=p).count() == 1
    assert page.get_by_text("not signed").first.is_visible()
    assert page.get_by_role("button", name="Sign this plan as physicist").count() == 0
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.get_by_text("Physicist: ______").is_visible()
    screenshot(page, "planning-y90-summary-print")
    pdf = page.pdf(format="A4", print_background=True)  # the print CSS: one A4 page
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == 1, f"the printed plan summary has {pages} pages"


def test_sbrt_and_haic_live_results(new_page: Any) -> None:
    load_builtin_protocols()
    site = Site.objects.create(code="s2", name="Site two", country="KR")
    user = get_user_model().objects.create_user("investigator", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_INVESTIGATOR, site=site)
    with audit_context(user):
        s = Participant(study_id="SBRT-S2-001", site=site, arm="sbrt-systemic",
                        protocol=Protocol.objects.get(code="sbrt-bclcc", is_current=True),
                        status=Participant.Status.ENROLLED)
        s.save()
        h = Participant(study_id="SH-S2-001", site=site, arm="haic",
                        protocol=Protocol.objects.get(code="sirt-haic", is_current=True),
                        status=Participant.Status.ENROLLED)
        h.save()
    page = new_page("investigator")
    page.goto(f"/planning/sbrt/{s.pk}/")
    page.get_by_label("Prescribed total dose (Gy)").fill("45")
    page.get_by_label("Fractions").fill("5")
    bed = page.locator('[data-result="bed"]')
    bed.wait_for()
    assert bed.inner_text() == "85.50 Gy"  # 45 x (1 + 9 / 10)
    assert page.locator("tr.check-fail", has_text="sbrt_total_dose").count() == 1
    screenshot(page, "planning-sbrt-live")
    page.goto(f"/planning/haic/{h.pk}/")
    page.get_by_label("Height (cm)").fill("170")
    page.get_by_label("Weight (kg)").fill("70")
    page.locator('[data-result="bsa"]').wait_for()
    assert page.locator('[data-result="bsa"]').inner_text() == "1.818"  # sqrt(170 x 70 / 3600)
    screenshot(page, "planning-haic-live")
