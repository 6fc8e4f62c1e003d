"""Screening, trial finder and randomization in a real browser (Chromium, 1024x768).

The view tests (tests/web/pages/test_screening.py, test_finder.py, test_enrol.py) prove the
rules; these prove the pages work in a browser: the live (htmx) criteria update on change,
saving and confirming, the finder's verdicts, and the randomization confirmation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.allocation import create_randomization_list
from hccrt.web.capture.models import Allocation, Membership, Role, Screening
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import load_builtin_protocols
from tests.web.browser.conftest import PASSWORD, screenshot
from tests.web.pages.test_screening import eligible_rescue

pytestmark = pytest.mark.django_db(transaction=True)


def coordinator() -> Site:
    site = Site.objects.create(code="a", name="Site A", country="KR")
    user = get_user_model().objects.create_user("coord", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=site)
    return site


def set_fields(page: Any, data: dict[str, Any]) -> None:
    """Set many fields at once (as a fast typist would), without firing change events."""
    page.evaluate(
        """data => { for (const [name, value] of Object.entries(data)) {
             const el = document.getElementsByName(name)[0];
             if (!el) continue;
             if (el.type === 'checkbox') el.checked = value === 'on'; else el.value = value;
           } }""",
        data,
    )


def result_row(page: Any, cid: str) -> Any:
    return page.locator(f'#results tr[data-criterion="{cid}"]')


def test_screen_an_eligible_and_an_ineligible_candidate(new_page: Any) -> None:
    load_builtin_protocols()
    site = coordinator()
    page = new_page("coord")
    page.goto("/screening/new/?protocol=rescue")
    data = eligible_rescue(**{"p-site": str(site.pk)})
    data.pop("f-bilirubin")
    set_fields(page, data)
    # typing the last value fires the live evaluation (htmx on change)
    page.get_by_label("Total bilirubin", exact=True).fill("1.0")
    page.get_by_label("Total bilirubin", exact=True).press("Tab")
    page.locator('#results [data-status="eligible"]').wait_for()
    assert "met" in result_row(page, "lab-bilirubin").inner_text()
    screenshot(page, "screening-eligible-live")
    page.get_by_role("button", name="Save and confirm eligibility").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_text("eligibility confirmed").is_visible()
    screenshot(page, "screening-eligible-confirmed")
    s = Screening.objects.get(participant__study_id="RESCUE-A-101")
    assert s.confirmed and s.outcome == Screening.Outcome.ELIGIBLE

    page.goto("/screening/new/?protocol=rescue")
    data = eligible_rescue(**{"p-site": str(site.pk), "p-study_id": "RESCUE-A-102"})
    data.pop("f-bilirubin")
    set_fields(page, data)
    page.get_by_label("Total bilirubin: unit").select_option("umol/L")
    page.get_by_label("Total bilirubin", exact=True).fill("53")  # 3.10 mg/dL
    page.get_by_label("Total bilirubin", exact=True).press("Tab")
    page.locator('#results [data-status="ineligible"]').wait_for()
    row = result_row(page, "lab-bilirubin").inner_text()
    assert "not met" in row and "excludes" in row
    screenshot(page, "screening-ineligible-live")
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_text("Not eligible").first.is_visible()
    page.goto("/screening/?protocol=rescue")
    assert page.get_by_role("row", name="RESCUE-A-102").get_by_text("lab-bilirubin").is_visible()
    screenshot(page, "screening-log")


def test_trial_finder_for_one_patient(new_page: Any) -> None:
    load_builtin_protocols()
    page = new_page()  # anonymous: the finder stores nothing
    page.goto("/trial-finder/")
    data = {k: v for k, v in eligible_rescue().items()
            if k.startswith("f-") and not k.startswith("f-attest")}
    data.update({"f-screening_date": "2026-03-02", "f-age": "64", "f-sex": "male",
                 "f-liver_function": "preserved"})
    data.pop("f-ecog")
    set_fields(page, data)
    page.get_by_label("ECOG performance status").fill("0")
    page.get_by_label("ECOG performance status").press("Tab")
    page.locator('#finder-results article[data-protocol="sbrt-bclcc"]').wait_for()
    assert page.locator('article[data-protocol="sbrt-bclcc"]').get_attribute(
        "data-status") == "ineligible"
    assert "pending checks at the trial site" in page.locator(
        'article[data-protocol="rescue"]').inner_text()
    screenshot(page, "trial-finder")


def test_randomize_a_participant(new_page: Any) -> None:
    load_builtin_protocols()
    site = coordinator()
    Site.objects.create(code="b", name="Site B", country="FR")
    protocol = Protocol.objects.get(code="sbrt-bclcc", is_current=True)
    stored = create_randomization_list(protocol, 9)
    first = stored.load().stratum({"site": "a"}).entries[0]
    system = get_user_model().objects.create_user("setup")
    with audit_context(system):
        p = Participant(study_id="SB-A-001", site=site, protocol=protocol, sex="F", age=58)
        p.save(user=system)
        Screening(participant=p, screening_date=p.created_at.date(), confirmed=True,
                  outcome=Screening.Outcome.ELIGIBLE).save(user=system)
    page = new_page("coord")
    page.goto(f"/participants/{p.pk}/enrol/")
    page.get_by_role("button", name="Randomize SB-A-001").click()
    page.wait_for_load_state("networkidle")
    if not page.locator(".allocation-statement").count():
        screenshot(page, "randomization-failed")
    page.locator(".allocation-statement").wait_for()
    names = {a["id"]: a["name"] for a in protocol.document["arms"]}
    assert names[first.arm] in page.locator(".allocation-statement").inner_text()
    assert Allocation.objects.get(participant=p).arm == first.arm
    screenshot(page, "randomization-confirmation")
