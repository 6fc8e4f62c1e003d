"""The end-to-end journey of issue 10 in a real browser (Chromium, 1024x768), on a real protocol.

One ordered test, as a site would live it on sbrt-bclcc (SBRT for BCLC C, randomized 1:1,
stratified by site only: the registry text names no other factor):

1. the site-A coordinator signs in, screens an eligible and an ineligible candidate (criteria
   outcome live, then saved and confirmed), enrols and randomizes the eligible one and sees
   the arm on the confirmation page;
2. enters a lab with the unit picker and sees its CTCAE grade on the participant timeline;
3. enters a baseline and a follow-up tumour assessment and sees the live RECIST 1.1 response;
4. reports an adverse event, signs out;
5. the site-B coordinator cannot see the participant (not listed; direct URL refused);
6. the central reader assigned a read of the participant sees no arm and no site.

Expected values are taken from outside this code:
- eligibility: sbrt-bclcc.yaml criteria (registry NCT text), checked by hand: ECOG 1 with
  macrovascular invasion is BCLC C (Reig et al., J Hepatol 2022, BCLC 2022 update); bilirubin
  1.0 mg/dL, albumin 40 g/L, INR 1.1, no ascites, no encephalopathy is Child-Pugh 5 (A);
  intrahepatic progression (PD) on systemic therapy fails 'stable-intrahepatic-disease'.
- NCI CTCAE v5.0 'Blood bilirubin increased': grade 2 is > 1.5 - 3.0 x ULN; 50 umol/L with an
  ULN of 20 umol/L is 2.5 x ULN.
- RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009, section 4.3.1): PR is a >= 30 % decrease
  of the sum of target diameters from baseline; 60 + 40 = 100 mm -> 40 + 29 = 69 mm is -31 %.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.allocation import create_randomization_list
from hccrt.web.capture.models import (
    AdverseEvent,
    Allocation,
    LabResult,
    Membership,
    Role,
    Screening,  # fmt: skip
    TumourAssessment,
)
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import load_builtin_protocols
from tests.web.browser.conftest import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROTOCOL = "sbrt-bclcc"


def eligible_sbrt(site_pk: int, study_id: str) -> dict[str, str]:
    """Form data of a sbrt-bclcc candidate meeting every criterion of sbrt-bclcc.yaml (see the
    module docstring); the last field typed by hand fires the live evaluation."""
    return {
        "p-study_id": study_id, "p-site": str(site_pk), "p-consent_date": "2026-03-01",
        "p-consent_version": "1.0", "p-sex": "M", "p-age": "61", "p-screening_date": "2026-03-02",
        "f-ecog": "1", "f-labs_date": "2026-02-27",
        "f-bilirubin": "1.0", "f-bilirubin_unit": "mg/dL", "f-albumin": "40",
        "f-albumin_unit": "g/L", "f-inr": "1.1", "f-ascites": "none", "f-encephalopathy": "none",
        "f-liver_function": "preserved", "f-n_lesions": "2", "f-largest_cm": "6",
        "f-largest_cm_unit": "cm", "f-macrovascular_invasion": "yes",
        "f-extrahepatic_spread": "no", "f-measurable_disease": "yes", "f-total_lesions": "3",
        "f-systemic_therapy_start_date": "2025-10-15", "f-systemic_therapy_ongoing": "yes",
    }  # fmt: skip


def set_fields(page: Any, data: dict[str, str]) -> None:
    """Set many fields at once (as a fast typist would), without firing change events."""
    page.evaluate(
        """data => { for (const [name, value] of Object.entries(data)) {
             const el = document.getElementsByName(name)[0];
             if (el.type === 'checkbox') el.checked = value === 'on'; else el.value = value;
           } }""",
        data,
    )


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("User name").is_visible()


def no_horizontal_overflow(page: Any) -> None:
    """Nothing is cut off at the 1024 px tablet width: the page does not scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"{page.url} is {width} px wide at a 1024 px viewport"


@pytest.fixture
def trial() -> Iterator[dict[str, Any]]:
    load_builtin_protocols()
    site_a = Site.objects.create(code="a", name="Hospital Alpha", country="KR")
    site_b = Site.objects.create(code="b", name="Hospital Beta", country="FR")
    protocol = Protocol.objects.get(code=PROTOCOL, is_current=True)
    stored = create_randomization_list(protocol, 12, seed=20260302)
    User = get_user_model()
    for name, role, site in (("coord-a", Role.SITE_COORDINATOR, site_a),
                             ("coord-b", Role.SITE_COORDINATOR, site_b),
                             ("reader", Role.CENTRAL_READER, None)):  # fmt: skip
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, role=role, site=site)
    yield {"site_a": site_a, "site_b": site_b, "protocol": protocol,
           "first_arm": stored.load().stratum({"site": "a"}).entries[0].arm,
           "system": User.objects.create_user("setup")}  # fmt: skip


def test_the_journey_of_issue_10(trial: dict[str, Any], new_page: Any) -> None:
    protocol: Protocol = trial["protocol"]
    arms = {a["id"]: a["name"] for a in protocol.document["arms"]}
    page = new_page("coord-a")
    no_horizontal_overflow(page)
    screenshot(page, "journey-01-home-coordinator")

    # 1a. an eligible candidate: the criteria turn 'met' live, then save and confirm
    page.goto(f"/screening/new/?protocol={PROTOCOL}")
    data = eligible_sbrt(trial["site_a"].pk, "SB-A-101")
    set_fields(page, data)
    response = page.get_by_label("Intrahepatic response on systemic therapy")
    with page.expect_response(lambda r: "/screening/new/" in r.url and r.request.method == "POST"):
        response.select_option("SD")
    page.locator('#results [data-status="eligible"]').wait_for()
    for cid in ("bclc-c", "child-pugh-a-b", "stable-intrahepatic-disease"):
        assert "met" in page.locator(f'#results tr[data-criterion="{cid}"]').inner_text()
    assert "Child-Pugh class A" in page.locator("#results").inner_text()
    no_horizontal_overflow(page)
    screenshot(page, "journey-02-screening-eligible-live")
    page.get_by_role("button", name="Save and confirm eligibility").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_text("eligibility confirmed").is_visible()
    screening = Screening.objects.get(participant__study_id="SB-A-101")
    assert screening.confirmed and screening.outcome == Screening.Outcome.ELIGIBLE

    # 1b. an ineligible candidate: intrahepatic progression on systemic therapy
    page.goto(f"/screening/new/?protocol={PROTOCOL}")
    set_fields(page, eligible_sbrt(trial["site_a"].pk, "SB-A-102"))
    with page.expect_response(lambda r: "/screening/new/" in r.url and r.request.method == "POST"):
        page.get_by_label("Intrahepatic response on systemic therapy").select_option("PD")
    page.locator('#results [data-status="ineligible"]').wait_for()
    row = page.locator('#results tr[data-criterion="stable-intrahepatic-disease"]').inner_text()
    assert "not met" in row and "PD" in row
    screenshot(page, "journey-03-screening-ineligible-live")
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_text("Not eligible").first.is_visible()
    failed = Screening.objects.get(participant__study_id="SB-A-102")
    assert failed.outcome == Screening.Outcome.NOT_ELIGIBLE
    page.goto(f"/screening/?protocol={PROTOCOL}")
    log = page.get_by_role("row", name="SB-A-102")
    assert log.get_by_text("stable-intrahepatic-disease").is_visible()

    # 1c. enrol and randomize the eligible one; the site stratum is taken from the participant
    page.goto(reverse("pages:screening-detail", args=[screening.pk]))
    page.get_by_role("link", name="Enrol / allocate SB-A-101").click()
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "Stratified by site (a, taken from the participant)" in main
    assert "confirmed eligible" in main
    page.get_by_label("Allocation date").fill("2026-03-03")
    page.get_by_role("button", name="Randomize SB-A-101").click()
    page.locator(".allocation-statement").wait_for()
    statement = page.locator(".allocation-statement").inner_text()
    assert arms[trial["first_arm"]] in statement
    no_horizontal_overflow(page)
    screenshot(page, "journey-04-randomization-confirmation")
    participant = Participant.objects.get(study_id="SB-A-101")
    allocation = Allocation.objects.get(participant=participant)
    assert allocation.arm == trial["first_arm"] and allocation.strata == {"site": "a"}
    assert allocation.allocation_date == date(2026, 3, 3)

    # 2. a lab with the unit picker; its CTCAE grade on the timeline
    page.goto(reverse("pages:form-new", args=[participant.pk, "labs"]))
    page.get_by_label("Collection date").fill("2026-03-20")
    with page.expect_response(lambda r: "/forms/lab-units/" in r.url):
        page.get_by_label("Test").select_option("BILI")  # htmx narrows the unit picker
    page.wait_for_function("![...document.querySelectorAll('#id_unit option')]"
                           ".some(o => o.textContent.trim() === 'U/L')")  # fmt: skip
    page.get_by_label("Unit").select_option(label="µmol/L")
    page.locator("#id_value").fill("50")
    page.get_by_label("Upper limit of normal (ULN)").fill("20")
    page.get_by_label("Upper limit of normal (ULN)").blur()
    page.locator("#validation .preview", has_text="CTCAE grade 2").wait_for()
    screenshot(page, "journey-05-lab-entry")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/participants/{participant.pk}/**")
    assert "grade 2" in page.locator("#lab-BILI").inner_text()
    assert LabResult.objects.get(participant=participant).unit in ("umol/L", "µmol/L")

    # 3. baseline (60 + 40 mm) and follow-up (40 + 29 mm) reads: live PR under RECIST 1.1
    page.goto(reverse("pages:assessment-new", args=[participant.pk]))
    page.get_by_label("Date of imaging").fill("2026-03-05")
    page.get_by_label("Couinaud segment of T01").select_option("7")
    page.get_by_label("Longest diameter of T01 (mm)").fill("60")
    page.get_by_role("button", name="Add a lesion").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Lesion id, row 2").fill("T02")
    page.get_by_label("Couinaud segment of new row").select_option("4")
    page.get_by_label("Longest diameter of new row (mm)").fill("40")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_load_state("networkidle")
    baseline = TumourAssessment.objects.filter(participant=participant, timepoint="baseline")
    assert baseline.exists(), page.locator("main").inner_text()[:2000]

    page.goto(reverse("pages:assessment-new", args=[participant.pk]))
    page.get_by_label("Date of imaging").fill("2026-05-04")
    page.get_by_label("Longest diameter of T01 (mm)").fill("40")
    page.get_by_label("Longest diameter of T02 (mm)").fill("29")
    page.get_by_test_id("overall-recist11").filter(has_text="PR").wait_for()
    assert page.get_by_test_id("pchg-recist11").inner_text() == "-31.0 %"
    no_horizontal_overflow(page)
    screenshot(page, "journey-06-follow-up-live-response")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_load_state("networkidle")
    follow_up = TumourAssessment.objects.filter(participant=participant, timepoint="follow_up",
                                                criteria="RECIST 1.1")  # fmt: skip
    assert [a.overall_response for a in follow_up] == ["PR"]

    # 4. an adverse event, then sign out
    page.goto(reverse("pages:form-new", args=[participant.pk, "adverse-events"]))
    page.get_by_label("Term").fill("Pneumonitis")
    page.get_by_label("Term").blur()
    page.locator("#grade-definitions").get_by_text("oxygen indicated").wait_for()
    page.get_by_label("Grade 2").check()
    page.get_by_label("Related to Stereotactic body radiotherapy").select_option("POSSIBLY RELATED")
    page.get_by_label("Start date").fill("2026-04-10")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/participants/{participant.pk}/**")
    assert "Pneumonitis" in page.locator("#adverse-events").inner_text()
    assert AdverseEvent.objects.get(participant=participant).grade == 2
    no_horizontal_overflow(page)
    screenshot(page, "journey-07-timeline-after-follow-up")
    sign_out(page)

    # 5. the other site's coordinator does not see SB-A-101
    sign_in(page, "coord-b")
    page.goto(reverse("pages:participant-list"))
    assert "SB-A-101" not in page.locator("main").inner_text()
    screenshot(page, "journey-08-site-b-list")
    refused = page.goto(reverse("pages:participant-detail", args=[participant.pk]))
    assert refused is not None and refused.status in (403, 404)
    assert "SB-A-101" not in page.locator("body").inner_text()
    page.goto(reverse("pages:home"))
    sign_out(page)

    # 6. the central reader assigned a read of SB-A-101 sees neither arm nor site
    reader = get_user_model().objects.get(username="reader")
    with audit_context(trial["system"]):
        TumourAssessment(participant=participant, assessment_date=follow_up[0].assessment_date,
                         timepoint="follow_up", criteria="RECIST 1.1", modality="CT SCAN",
                         evaluator="INDEPENDENT ASSESSOR", reader=reader
                         ).save(user=trial["system"])  # fmt: skip
    sign_in(page, "reader")
    hidden = [allocation.arm, arms[allocation.arm], "Hospital Alpha", "Site A"]
    for url in (reverse("pages:home"), reverse("pages:review-inbox")):
        page.goto(url)
        text = page.locator("body").inner_text()
        for word in hidden:
            assert word not in text, f"{word!r} shown to the central reader at {url}"
    page.get_by_role("row").filter(has_text="Follow-up").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    text = page.locator("body").inner_text()
    for word in hidden:
        assert word not in text, f"{word!r} shown to the central reader on the read page"
    assert re.search(r"T01|Lesion", text)
    screenshot(page, "journey-09-central-reader-blinded")
