"""Screening pages: live criteria, units through the form, attestation, saving, the log.

Expected outcomes are worked out by hand from the RESCUE protocol file
(``src/hccrt/protocols/trials/rescue.yaml``, seed: the NCT registry text) and quoted here:

* ``lab-bilirubin``: "Total bilirubin ≤ 3.0 mg/dL (blood test within one month of
  enrolment)" -- 3.1 mg/dL fails it;
* bilirubin in µmol/L: 1 mg/dL = 10 mg/L / 584.66 g/mol = 17.10 µmol/L (molar mass of
  bilirubin, C33H36N4O6), so 53 µmol/L = 3.10 mg/dL (fails) and 50 µmol/L = 2.92 mg/dL (meets);
* ``life-expectancy`` and ``consent`` need the investigator's attestation ("life expectancy
  of more than 3 months"; "the patient has adequately understood the clinical trial").
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hccrt.web.audit.base import audit_context
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture.models import Membership, Role, Screening
from hccrt.web.core.models import Participant, Protocol
from hccrt.web.core.services import load_builtin_protocols

pytestmark = [pytest.mark.database, pytest.mark.django_db]

SCREEN_DATE = "2026-03-02"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rescue(world: Any) -> Protocol:
    load_builtin_protocols()
    return Protocol.objects.get(code="rescue", is_current=True)


def client_for(world: Any, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def eligible_rescue(**over: Any) -> dict[str, Any]:
    """Form data of a RESCUE candidate meeting every criterion (values checked by hand
    against rescue.yaml: one 9 cm tumour (> 8 cm, <= 5 lesions), Child-Pugh A (bilirubin
    1.0 mg/dL -> 1 point, albumin 40 g/L -> 1, INR 1.1 -> 1, no ascites 1, no
    encephalopathy 1: 5 points), labs inside every limit, lung shunt 5 %)."""
    data = {
        "p-study_id": "RESCUE-A-101", "p-site": "", "p-consent_date": "2026-03-01",
        "p-consent_version": "2.1", "p-sex": "M", "p-age": "64", "p-screening_date": SCREEN_DATE,
        "f-labs_date": "2026-02-27",
        "f-bilirubin": "1.0", "f-bilirubin_unit": "mg/dL",
        "f-albumin": "40", "f-albumin_unit": "g/L", "f-inr": "1.1",
        "f-wbc": "6000", "f-wbc_unit": "/uL", "f-neutrophils": "3500", "f-neutrophils_unit": "/uL",
        "f-hemoglobin": "12.5", "f-hemoglobin_unit": "g/dL",
        "f-platelets": "180000", "f-platelets_unit": "/uL",
        "f-ast": "40", "f-ast_unit": "U/L", "f-alt": "35", "f-alt_unit": "U/L",
        "f-alp": "120", "f-alp_unit": "U/L", "f-creatinine": "0.9", "f-creatinine_unit": "mg/dL",
        "f-on_anticoagulant": "no", "f-ecog": "0", "f-ascites": "none", "f-encephalopathy": "none",
        "f-hcc_histology": "yes", "f-lirads": "LR-5", "f-n_lesions": "1", "f-largest_cm": "9",
        "f-largest_cm_unit": "cm", "f-macrovascular_invasion": "no", "f-bile_duct_invasion": "no",
        "f-extrahepatic_spread": "no", "f-prior_hcc_treatment": "no",
        "f-planned_immunotherapy": "no", "f-biliary_procedure": "no",
        "f-other_malignancy_date_never": "on", "f-severe_ap_shunt": "no",
        "f-maa_lsf": "0.05", "f-maa_tnr": "3", "f-tumour_volume_ml": "400",
        "f-treated_nontumoral_volume_ml": "700", "f-nontumoral_liver_volume_ml": "1400",
        "f-reproductive_potential": "no", "f-pregnant": "no", "f-breastfeeding": "no",
        "f-attest__life-expectancy": "yes", "f-attest__consent": "yes",
    }  # fmt: skip
    data.update(over)
    return data


def criterion_row(html: str, cid: str) -> str:
    match = re.search(rf'<tr class="crit-[a-z-]+" data-criterion="{re.escape(cid)}">(.*?)</tr>',
                      html, re.S)
    assert match, f"no row for criterion {cid}"
    return match.group(1)


def overall(html: str) -> str:
    match = re.search(r'data-status="([a-z]+)"', html)
    assert match
    return match.group(1)


def url(path: str, code: str = "rescue") -> str:
    return f"{path}?protocol={code}"


def test_an_eligible_candidate_is_eligible_live(world, rescue):
    c = client_for(world, "site_coordinator")
    r = c.post(url("/screening/new/"), eligible_rescue(**{"p-site": world.site_a.pk}), **HX)
    assert r.status_code == 200
    html = r.content.decode()
    assert overall(html) == "eligible"
    assert "Total bilirubin 1 mg/dL &lt;= 3.0 mg/dL" in html  # the values used, in words


def test_bilirubin_3_1_mg_dl_fails_lab_bilirubin(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-bilirubin": "3.1"})
    html = c.post(url("/screening/new/"), data, **HX).content.decode()
    row = criterion_row(html, "lab-bilirubin")
    assert "Total bilirubin ≤ 3.0 mg/dL (blood test within one month of enrolment)." in row
    assert 'class="badge not-met">not met' in row and ">excludes<" in row
    assert "3.1 mg/dL &gt; 3.0 mg/dL" in row
    assert overall(html) == "ineligible"


@pytest.mark.parametrize(("umol", "outcome"), [("53", "not met"), ("50", "met")])
def test_bilirubin_in_umol_per_l_is_converted_by_the_core(world, rescue, umol, outcome):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-bilirubin": umol,
                              "f-bilirubin_unit": "umol/L"})
    row = criterion_row(c.post(url("/screening/new/"), data, **HX).content.decode(),
                        "lab-bilirubin")
    assert f">{outcome}</span>" in row
    shown = float(re.search(r"Total bilirubin ([0-9.]+) mg/dL", row).group(1))
    assert shown == pytest.approx(float(umol) / 17.10, abs=0.01)


def test_a_unit_the_core_refuses_is_shown_next_to_the_field(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-bilirubin_unit": "mmHg"})
    r = c.post(url("/screening/new/"), data, **HX)
    html = r.content.decode()
    assert re.search(r'id="id_f-bilirubin_unit_error"[^>]*hx-swap-oob="true">[^<]*mmHg', html)


def test_missing_and_to_attest_criteria_are_named(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-attest__life-expectancy": "",
                              "f-ecog": ""})
    html = c.post(url("/screening/new/"), data, **HX).content.decode()
    assert overall(html) == "incomplete"
    assert 'class="badge attest">to attest' in criterion_row(html, "life-expectancy")
    ecog = criterion_row(html, "ecog")
    assert 'class="badge missing">missing' in ecog and "ECOG performance status" in ecog


def test_confirm_needs_every_attestation_and_stores_nothing_before(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-attest__consent": "",
                              "action": "confirm"})
    r = c.post(url("/screening/new/"), data)
    assert r.status_code == 400
    assert "can be confirmed only when" in r.content.decode()
    assert not Participant.objects.filter(study_id="RESCUE-A-101").exists()
    assert not Screening.objects.exists()
    r = c.post(url("/screening/new/"), {**data, "f-attest__consent": "yes"})
    assert r.status_code == 302
    s = Screening.objects.get()
    assert s.confirmed and s.outcome == Screening.Outcome.ELIGIBLE
    assert r["Location"] == f"/screening/{s.pk}/"
    p = s.participant
    assert (p.study_id, p.site, p.consent_version, p.sex, p.age) == (
        "RESCUE-A-101", world.site_a, "2.1", "M", 64)
    assert s.facts["labs"]["bilirubin"] == {"value": 1.0, "unit": "mg/dL", "date": "2026-02-27"}
    assert s.facts["attestations"] == {"life-expectancy": True, "consent": True}
    assert s.rule_version.startswith(p.protocol.content_hash[:16])
    assert {c["id"]: c["outcome"] for c in s.criteria}["lab-bilirubin"] == "met"
    assert AuditEvent.objects.filter(model="capture.screening", object_pk=str(s.pk)).exists()
    detail = c.get(f"/screening/{s.pk}/").content.decode()
    assert "eligibility confirmed" in detail and f"/participants/{p.pk}/enrol/" in detail


def test_an_ineligible_screening_is_saved_with_its_reason(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-bilirubin": "3.1", "action": "save"})
    assert c.post(url("/screening/new/"), data).status_code == 302
    s = Screening.objects.get()
    assert s.outcome == Screening.Outcome.NOT_ELIGIBLE and not s.confirmed
    assert s.participant.status == Participant.Status.SCREEN_FAILED
    log = c.get(url("/screening/")).content.decode()
    # bilirubin > 3 mg/dL also scores 3 Child-Pugh points: 7 in all, class B (Pugh 1973)
    assert "RESCUE-A-101" in log and "not met: child-pugh-a, lab-bilirubin" in log


def test_a_coordinator_cannot_screen_at_or_see_another_site(world, rescue):
    c = client_for(world, "site_coordinator")  # member of site a only
    r = c.post(url("/screening/new/"), eligible_rescue(**{"p-site": world.site_b.pk,
                                                         "action": "save"}))
    assert r.status_code == 400 and not Screening.objects.exists()
    assert "Select a valid choice" in r.content.decode()
    page = c.get(url("/screening/new/")).content.decode()
    assert f'<option value="{world.site_a.pk}">' in page
    assert f'<option value="{world.site_b.pk}">' not in page
    # a screening at site b, made by someone there
    other = get_user_model().objects.create_user("coord-b")
    Membership.objects.create(user=other, role=Role.SITE_COORDINATOR, site=world.site_b)
    cb = Client()
    cb.force_login(other)
    assert cb.post(url("/screening/new/"), eligible_rescue(
        **{"p-site": world.site_b.pk, "p-study_id": "RESCUE-B-1", "action": "save"})
    ).status_code == 302
    s = Screening.objects.get(participant__study_id="RESCUE-B-1")
    assert c.get(f"/screening/{s.pk}/").status_code == 404
    assert c.get(f"/screening/{s.pk}/update/").status_code == 404
    assert "RESCUE-B-1" not in c.get(url("/screening/")).content.decode()
    assert "RESCUE-B-1" in cb.get(url("/screening/")).content.decode()


def test_roles_without_screening_rights_are_refused(world, rescue):
    for role in ("statistician", "central_reader", "medical_physicist"):
        assert client_for(world, role).get(url("/screening/new/")).status_code == 403
    assert client_for(world, "monitor").get(url("/screening/new/")).status_code == 403
    assert client_for(world, "monitor").get(url("/screening/")).status_code == 200


def test_update_needs_a_reason_and_reports_a_stale_version(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-ecog": "", "action": "save"})
    c.post(url("/screening/new/"), data)
    s = Screening.objects.get()
    assert s.outcome == Screening.Outcome.UNDETERMINED
    form = {k: v for k, v in data.items() if k.startswith("f-")}
    edit = f"/screening/{s.pk}/update/"
    body = {**form, "p-screening_date": SCREEN_DATE, "f-ecog": "1", "action": "confirm",
            "version": str(s.version)}
    r = c.post(edit, body)
    assert r.status_code == 400 and "Give a reason" in r.content.decode()
    stale = {**body, "reason": "ECOG assessed", "version": str(s.version - 1)}
    r = c.post(edit, stale)
    assert r.status_code == 400 and "changed this screening meanwhile" in r.content.decode()
    assert 'value="1"' in r.content.decode()  # the entry is kept
    r = c.post(edit, {**body, "reason": "ECOG assessed"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.confirmed and s.outcome == Screening.Outcome.ELIGIBLE and s.facts["ecog"] == 1
    assert AuditEvent.objects.filter(model="capture.screening", object_pk=str(s.pk),
                                     reason="ECOG assessed").exists()


def test_screening_log_counts_filters_and_csv(world, rescue):
    c = client_for(world, "site_coordinator")
    for i, over in enumerate([{}, {"f-bilirubin": "3.1"}, {"f-ecog": "3"},
                              {"f-ecog": ""}]):
        data = eligible_rescue(**{"p-site": world.site_a.pk, "p-study_id": f"RESCUE-A-{i}",
                                  "action": "save", **over})
        assert c.post(url("/screening/new/"), data).status_code == 302
    html = c.get(url("/screening/")).content.decode()
    assert re.search(r'data-count="Eligible">1<', html)
    assert re.search(r'data-count="Not eligible">2<', html)
    assert re.search(r'data-count="Incomplete">1<', html)
    assert "data missing: ecog" in html
    only = c.get(url("/screening/") + "&outcome=not_eligible").content.decode()
    assert "RESCUE-A-1" in only and "RESCUE-A-2" in only and "RESCUE-A-0" not in only
    r = c.get(url("/screening/") + "&format=csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = {row["study_id"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    # bilirubin > 3 mg/dL scores 3 Child-Pugh points: 3+1+1+1+1 = 7, class B (Pugh 1973)
    assert rows["RESCUE-A-1"]["criteria_not_met"] == "child-pugh-a;lab-bilirubin"
    assert rows["RESCUE-A-2"]["criteria_not_met"] == "ecog"
    assert rows["RESCUE-A-0"]["outcome"] == "eligible"
    assert rows["RESCUE-A-3"]["data_missing_for"] == "ecog"


def test_screening_log_queries_do_not_grow_with_rows(world, rescue, django_assert_max_num_queries):
    with audit_context(world.system):
        for i in range(30):
            p = world.participant(f"RESCUE-A-{i:03}", world.site_a, rescue)
            Screening(participant=p, screening_date=date(2026, 3, 1),
                      outcome=Screening.Outcome.NOT_ELIGIBLE, criteria=[
                          {"id": "ecog", "kind": "inclusion", "outcome": "not met"}],
                      ).save(user=world.system)  # fmt: skip
    c = client_for(world, "site_coordinator")
    c.get(url("/screening/"))
    with django_assert_max_num_queries(12):
        html = c.get(url("/screening/")).content.decode()
    assert html.count("not met: ecog") == 30


def test_existing_participant_is_screened_with_its_own_age_sex_and_consent(world, rescue):
    with audit_context(world.system):
        p = world.participant("RESCUE-A-77", world.site_a, rescue)  # M, 64, consent 2026-01-10
    c = client_for(world, "site_coordinator")
    page = c.get(url("/screening/new/") + f"&participant={p.pk}").content.decode()
    assert 'value="RESCUE-A-77"' in page  # offered from the participant's pages
    data = eligible_rescue(**{"p-existing": "RESCUE-A-77", "p-study_id": "", "p-age": "",
                              "p-sex": "", "p-consent_date": "", "action": "save"})
    assert c.post(url("/screening/new/"), data).status_code == 302
    s = Screening.objects.get(participant=p)
    assert s.facts["age"] == 64 and s.facts["sex"] == "male"
    assert s.facts["consent_date"] == "2026-01-10"
    assert s.outcome == Screening.Outcome.ELIGIBLE
    # another site's participant is not found, whatever its study id
    with audit_context(world.system):
        world.participant("RESCUE-B-77", world.site_b, rescue)
    r = c.post(url("/screening/new/"), {**data, "p-existing": "RESCUE-B-77"})
    assert r.status_code == 400 and "No participant &#x27;RESCUE-B-77&#x27;" in r.content.decode()


def test_a_duplicate_study_id_is_refused_by_the_field(world, rescue):
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "action": "save"})
    assert c.post(url("/screening/new/"), data).status_code == 302
    r = c.post(url("/screening/new/"), data)
    assert r.status_code == 400
    html = r.content.decode()
    err = html.split('id="id_p-study_id_error"')[1].split("</div>")[0]
    assert "already exists" in err
    assert Participant.objects.filter(study_id="RESCUE-A-101").count() == 1
    assert Screening.objects.count() == 1


def test_consent_after_the_screening_date_is_named(world, rescue):
    # the core refuses a consent date after screening_date (candidate.py: "a date on or
    # before screening_date"); the message goes next to the participant's consent date
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "p-consent_date": "2026-03-09",
                              "action": "save"})
    r = c.post(url("/screening/new/"), data)
    assert r.status_code == 400
    assert not Participant.objects.filter(study_id="RESCUE-A-101").exists()
    err = r.content.decode().split('id="id_p-consent_date_error"')[1].split("</div>")[0]
    assert "2026-03-09" in err and "on or before screening_date" in err


def test_a_protocol_without_executable_rules_is_explained_not_crashed(world):
    # the mini trial's criteria ("Age >= 18", "Pregnancy") carry no rule
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "action": "save"})
    r = c.post(url("/screening/new/", "mini-trial"), data)
    assert r.status_code == 400 and "has no rule" in r.content.decode()
    assert not Screening.objects.exists()


def test_the_form_works_without_javascript(world, rescue):
    # a plain POST of the "Check the criteria" button renders the whole page with the results
    c = client_for(world, "site_coordinator")
    data = eligible_rescue(**{"p-site": world.site_a.pk, "f-bilirubin": "3.1",
                              "action": "evaluate"})
    r = c.post(url("/screening/new/"), data)
    html = r.content.decode()
    assert r.status_code == 200 and "<form" in html and "hx-swap-oob" not in html
    assert ">excludes<" in criterion_row(html, "lab-bilirubin")
    assert 'value="3.1"' in html  # what was typed is kept
    assert not Screening.objects.exists()


def test_the_form_and_live_evaluation_make_few_queries(world, rescue,
                                                       django_assert_max_num_queries):
    with audit_context(world.system):
        for i in range(30):
            world.participant(f"RESCUE-A-{i:03}", world.site_a, rescue)
    c = client_for(world, "site_coordinator")
    c.get(url("/screening/new/"))
    with django_assert_max_num_queries(12):
        assert c.get(url("/screening/new/")).status_code == 200
    data = eligible_rescue(**{"p-site": world.site_a.pk})
    with django_assert_max_num_queries(12):
        assert c.post(url("/screening/new/"), data, **HX).status_code == 200


def test_inputs_are_labelled_and_described(world, rescue):
    c = client_for(world, "site_coordinator")
    html = c.get(url("/screening/new/")).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="([^"]+)"', html))
    assert len(ids) > 40
    for i in set(ids) - hidden:
        assert f'for="{i}"' in html, f"no label for {i}"
    # a refused value: the input points at its message (Django's aria-describedby)
    data = eligible_rescue(**{"p-site": world.site_a.pk, "p-study_id": "", "action": "save"})
    html = c.post(url("/screening/new/"), data).content.decode()
    assert re.search(r'<input[^>]*aria-describedby="id_p-study_id_helptext id_p-study_id_error"'
                     r'[^>]*aria-invalid="true"|<input[^>]*aria-invalid="true"[^>]*'
                     r'aria-describedby="id_p-study_id_helptext id_p-study_id_error"', html)
    assert 'id="id_p-study_id_error"' in html and 'id="id_p-study_id_helptext"' in html
