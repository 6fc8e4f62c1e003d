"""Trial finder: one patient's facts, every protocol's verdict in plain words, nothing stored.

Expected verdicts worked out by hand from the protocol files:

* the patient below (one 9 cm HCC, no vascular invasion or spread, ECOG 0, Child-Pugh A with
  5 points) is BCLC stage A (Reig et al., J Hepatol 2022: a single tumour of any size with
  preserved liver function and ECOG 0), so ``sbrt-bclcc`` (inclusion ``bclc-c``: "BCLC
  stage C") rules them out;
* for RESCUE every fact fits; written consent and the investigator's attestations ("life
  expectancy of more than 3 months") remain for the site;
* total bilirubin 3.1 mg/dL fails RESCUE's ``lab-bilirubin`` ("Total bilirubin ≤ 3.0 mg/dL").
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture.models import Screening
from hccrt.web.core.models import Participant
from hccrt.web.core.services import load_builtin_protocols
from tests.web.pages.test_screening import eligible_rescue

pytestmark = [pytest.mark.database, pytest.mark.django_db]


@pytest.fixture
def protocols(db: Any) -> None:
    load_builtin_protocols()


def patient(**over: Any) -> dict[str, Any]:
    """The RESCUE-eligible candidate of the screening tests, as the finder's fields."""
    data = {k: v for k, v in eligible_rescue().items() if k.startswith("f-")
            and not k.startswith("f-attest")}
    data.update({"f-screening_date": "2026-03-02", "f-age": "64", "f-sex": "male",
                 "f-liver_function": "preserved"})
    data.update(over)
    return data


def verdict(html: str, code: str) -> str:
    match = re.search(rf'<article class="card finder-result [a-z]+" data-protocol="{code}" '
                      rf'data-status="([a-z]+)".*?</article>', html, re.S)
    assert match, f"no verdict for {code}"
    return match.group(0)


def test_anyone_may_open_the_finder_and_it_stores_nothing(protocols):
    counts = (Participant.objects.count(), Screening.objects.count(), AuditEvent.objects.count())
    c = Client()
    r = c.get("/trial-finder/")
    assert r.status_code == 200 and "Trial finder" in r.content.decode()
    r = c.post("/trial-finder/", patient())
    assert r.status_code == 200
    html = r.content.decode()
    for code in ("tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc"):
        verdict(html, code)
    assert counts == (Participant.objects.count(), Screening.objects.count(),
                      AuditEvent.objects.count())


def test_every_protocol_gets_a_plain_verdict(protocols):
    html = Client().post("/trial-finder/", patient(), HTTP_HX_REQUEST="true").content.decode()
    rescue = verdict(html, "rescue")
    assert 'data-status="incomplete"' in rescue
    assert "May be eligible, pending checks at the trial site" in rescue
    assert "life expectancy of more than 3 months" in rescue and "written consent" in rescue
    assert "Still needed" not in rescue
    assert "/protocols/rescue/" in rescue and "one group" in rescue
    sbrt = verdict(html, "sbrt-bclcc")
    assert 'data-status="ineligible"' in sbrt and "Not eligible" in sbrt
    assert "BCLC stage A, not C" in sbrt
    assert "randomized 2:1" in sbrt


def test_a_failing_lab_is_named_with_its_value(protocols):
    html = Client().post("/trial-finder/", patient(**{"f-bilirubin": "3.1"})).content.decode()
    rescue = verdict(html, "rescue")
    assert 'data-status="ineligible"' in rescue
    assert "Total bilirubin ≤ 3.0 mg/dL" in rescue and "3.1 mg/dL &gt; 3.0 mg/dL" in rescue


def test_missing_facts_are_listed_in_words(protocols):
    html = Client().post("/trial-finder/", patient(**{"f-ecog": ""})).content.decode()
    rescue = verdict(html, "rescue")
    assert "Not decided yet" in rescue
    assert re.search(r"Still needed:</strong>[^<]*ECOG performance status", rescue)


def test_bad_input_is_named_next_to_the_field(protocols):
    r = Client().post("/trial-finder/", patient(**{"f-maa_lsf": "1.5"}),
                      HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert re.search(r'id="id_f-maa_lsf_error"[^>]*hx-swap-oob="true">[^<]*1\.5', html)


def test_site_staff_get_a_link_to_screen_for_a_possible_trial(world, protocols):
    c = Client()
    c.force_login(world.users["site_coordinator"])
    html = c.post("/trial-finder/", patient()).content.decode()
    assert "/screening/new/?protocol=rescue" in verdict(html, "rescue")
    assert "/screening/new/" not in verdict(html, "sbrt-bclcc")  # ruled out: no link
    anonymous = Client().post("/trial-finder/", patient()).content.decode()
    assert "/screening/new/" not in anonymous
