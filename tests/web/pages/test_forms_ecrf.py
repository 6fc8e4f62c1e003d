"""eCRF pages: the generic forms save through the audited path and show the core's messages.

Expected CTCAE grades are read from the NCI CTCAE v5.0 table (Common Terminology Criteria for
Adverse Events v5.0, 27 Nov 2017), quoted per case with the ULN multiple worked by hand.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def client_for(world, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def new_url(participant, slug: str) -> str:
    return reverse("pages:form-new", args=[participant.pk, slug])


def lab(world, **kw) -> m.LabResult:
    row = m.LabResult(**{"participant": world.pa, "collection_date": date(2026, 2, 1), **kw})
    row.save(user=world.system)
    return row


def test_lab_in_umol_per_litre_gets_the_nci_grade(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "labs"), {
        "collection_date": "2026-02-01", "test": "BILI", "value": "50", "unit": "umol/L",
        "uln": "20",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    row = m.LabResult.objects.get(participant=world.pa)
    # NCI CTCAE v5.0, Investigations, "Blood bilirubin increased", grade 2:
    # ">1.5 - 3.0 x ULN if baseline was normal". 50 umol/L / 20 umol/L = 2.5 x ULN -> grade 2.
    assert row.unit == "umol/L"
    assert row.ctcae_term == "Blood bilirubin increased"
    assert row.ctcae_grade == 2
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    assert "grade 2" in page


def test_lab_unit_spelled_with_micro_sign_is_normalised_and_graded(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    # NCI CTCAE v5.0 "Blood bilirubin increased" grade 3: ">3.0 - 10.0 x ULN";
    # 70 / 20 = 3.5 x ULN -> grade 3.
    r = c.post(new_url(world.pa, "labs"), {
        "collection_date": "2026-02-01", "test": "BILI", "value": "70", "unit": "µmol/L",
        "uln": "20",
    })  # fmt: skip
    assert r.status_code == 302
    row = m.LabResult.objects.get(participant=world.pa)
    assert (row.unit, row.ctcae_grade) == ("umol/L", 3)


def test_unit_picker_offers_the_units_the_core_accepts_for_the_test(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.get(reverse("pages:lab-units"), {"test": "ALT"})
    values = re.findall(r'value="([^"]*)"', r.content.decode())
    # hccrt.units: enzyme activities are U/L or ukat/L, nothing else
    assert values == ["", "U/L", "ukat/L"]
    form = c.get(new_url(world.pa, "labs") + "?test=PLAT").content.decode()
    unit_select = form[form.index('id="id_unit"'):].split("</select>")[0]
    assert "10⁹/L" in unit_select and "U/L" not in unit_select


def test_a_unit_that_is_not_a_unit_of_the_test_is_refused_next_to_the_field(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "labs"), {
        "collection_date": "2026-02-01", "test": "ALT", "value": "50", "unit": "mg/dL",
        "uln": "40",
    })  # fmt: skip
    assert r.status_code == 422
    html = r.content.decode()
    err = html[html.index('id="err-unit"'):].split("</div>")[0]
    assert "mg/dL" in err and "U/L" in err  # the value and what is allowed
    assert not m.LabResult.objects.exists()


def test_htmx_validation_returns_the_core_message_and_the_grade_preview(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "labs"), {
        "_validate": "1", "collection_date": "2026-02-01", "test": "ALT", "value": "250",
        "unit": "U/L", "uln": "40",
    }, HTTP_HX_REQUEST="true")  # fmt: skip
    html = r.content.decode()
    # NCI "Alanine aminotransferase increased" grade 3: ">5.0 - 20.0 x ULN"; 250/40 = 6.25 x
    assert "Computed by the clinical core" in html and ">3<" in html
    assert not m.LabResult.objects.exists()
    r = c.post(new_url(world.pa, "labs"), {
        "_validate": "1", "collection_date": "2025-12-01", "test": "ALT",
    }, HTTP_HX_REQUEST="true")  # fmt: skip
    html = r.content.decode()
    slot = html[html.index('id="err-collection_date"'):].split("</div>")[0]
    assert "consent date (2026-01-10)" in slot
    assert "required" not in html.lower()  # fields not filled yet are not nagged about


def test_edit_without_a_reason_is_refused_with_the_message(world):
    row = lab(world, test="ALT", value=50, unit="U/L", uln=40)
    c = client_for(world, Role.SITE_COORDINATOR)
    url = reverse("pages:form-edit", args=["labs", row.pk])
    r = c.post(url, {"collection_date": "2026-02-01", "test": "ALT", "value": "130",
                     "unit": "U/L", "uln": "40", "version": row.version,
                     "change_reason": "  "})  # fmt: skip
    assert r.status_code == 422
    html = r.content.decode()
    assert "A reason for the change is required" in html
    # the stored values beside the form are the stored ones, not the refused input's:
    # NCI ALT increased grade 1 is ">ULN - 3.0 x ULN" (50/40 = 1.25 x), not grade 2 (130/40)
    assert f"record {row.pk}, version 1" in html
    assert "Stored values computed by the clinical core: CTCAE v5.0 term Alanine " \
        "aminotransferase increased; CTCAE grade 1" in html  # fmt: skip
    row.refresh_from_db()
    assert (row.value, row.version) == (50, 1)


def test_edit_with_a_reason_is_audited_and_listed_in_the_field_history(world):
    row = lab(world, test="ALT", value=50, unit="U/L", uln=40)
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(reverse("pages:form-edit", args=["labs", row.pk]), {
        "collection_date": "2026-02-01", "test": "ALT", "value": "130", "unit": "U/L",
        "uln": "40", "version": row.version, "change_reason": "transcription error",
    })  # fmt: skip
    assert r.status_code == 302
    row.refresh_from_db()
    # NCI "Alanine aminotransferase increased" grade 2: ">3.0 - 5.0 x ULN"; 130/40 = 3.25 x
    assert (row.value, row.version, row.ctcae_grade) == (130, 2, 2)
    event = AuditEvent.objects.filter(model="capture.labresult", object_pk=str(row.pk)).last()
    assert event.reason == "transcription error"
    html = c.get(reverse("pages:form-history", args=["labs", row.pk])).content.decode()
    assert "transcription error" in html and "site_coordinator" in html
    assert re.search(r'class="old">50\.0</td><td class="new">130\.0<', html)
    only = c.get(reverse("pages:form-history", args=["labs", row.pk]), {"field": "value"})
    assert "ctcae_grade" not in re.sub(r"<select.*?</select>", "", only.content.decode(),
                                       flags=re.S)  # fmt: skip


def test_stale_version_shows_the_conflict_and_keeps_the_input(world):
    row = lab(world, test="ALT", value=50, unit="U/L", uln=40)
    stale = row.version
    other = m.LabResult.objects.get(pk=row.pk)
    other.value = 60
    other.save(user=world.system, reason="someone else corrected it")
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(reverse("pages:form-edit", args=["labs", row.pk]), {
        "collection_date": "2026-02-01", "test": "ALT", "value": "77", "unit": "U/L",
        "uln": "40", "version": stale, "change_reason": "my correction",
    })  # fmt: skip
    assert r.status_code == 409
    html = r.content.decode()
    assert "Conflict" in html and "stored version is now 2" in html
    assert f"record {row.pk}, version 2" in html
    assert 'value="77"' in html and 'value="my correction"' in html  # nothing lost
    assert re.search(r'name="version" value="2"', html)
    row.refresh_from_db()
    assert row.value == 60


def test_soft_delete_needs_a_reason_and_keeps_the_record(world):
    row = lab(world, test="ALT", value=50, unit="U/L", uln=40)
    c = client_for(world, Role.SITE_COORDINATOR)
    url = reverse("pages:form-delete", args=["labs", row.pk])
    c.post(url, {"version": row.version, "delete_reason": ""})
    row.refresh_from_db()
    assert not row.is_deleted
    c.post(url, {"version": row.version, "delete_reason": "entered twice"})
    row.refresh_from_db()
    assert row.is_deleted
    assert AuditEvent.objects.filter(model="capture.labresult", action="delete",
                                     reason="entered twice").exists()  # fmt: skip
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    assert 'id="lab-ALT"' not in page  # gone from the timeline, listed as deleted
    deleted = page[page.index('id="deleted"'):]
    assert "entered twice" in deleted and "site_coordinator" in deleted
    assert c.get(reverse("pages:form-history", args=["labs", row.pk])).status_code == 200


def test_edit_check_query_is_announced_after_saving(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "vital-signs"), {"assessment_date": "2026-02-01",
                                                  "weight_kg": "700"}, follow=True)
    # capture.checks.VITAL_LIMITS: weight 25-250 kg is plausible; 700 opens a query
    assert "Query opened: weight_kg 700.0 is outside the plausible range 25-250" in \
        r.content.decode()  # fmt: skip


def test_another_sites_coordinator_gets_404(world):
    row = lab(world, test="ALT", value=50, unit="U/L", uln=40)
    c = client_for(world, Role.SITE_COORDINATOR)  # site a
    assert c.get(new_url(world.pb, "labs")).status_code == 404
    assert c.get(reverse("pages:participant-detail", args=[world.pb.pk])).status_code == 404
    other = m.LabResult(participant=world.pb, collection_date=date(2026, 2, 1), test="ALT",
                        value=50, unit="U/L", uln=40)
    other.save(user=world.system)
    assert c.get(reverse("pages:form-edit", args=["labs", other.pk])).status_code == 404
    assert c.get(reverse("pages:form-history", args=["labs", other.pk])).status_code == 404
    assert c.get(reverse("pages:form-edit", args=["labs", row.pk])).status_code == 200


def test_physicist_reads_labs_but_cannot_write_adverse_events(world):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    assert c.get(new_url(world.pa, "adverse-events")).status_code == 403
    r = c.post(new_url(world.pa, "adverse-events"), {"term": "Fatigue", "grade": "1",
                                                     "start_date": "2026-02-01"})
    assert r.status_code == 403
    assert not m.AdverseEvent.objects.exists()
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    assert 'id="labs"' in page and 'id="adverse-events"' not in page  # POLICY: no AE read
    assert c.get(new_url(world.pa, "sbrt-courses")).status_code == 200  # TREATMENT write


def test_monitor_cannot_write_any_form(world):
    c = client_for(world, Role.MONITOR)
    assert c.get(new_url(world.pa, "labs")).status_code == 403


def test_ae_form_offers_relatedness_per_intervention_and_ctcae_terms(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    html = c.get(new_url(world.pa, "adverse-events")).content.decode()
    # the mini trial's interventions: sbrt (SBRT) and sys (Systemic therapy)
    assert "Related to SBRT" in html and "Related to Systemic therapy" in html
    assert '<option value="Blood bilirubin increased">' in html
    assert '<option value="Pneumonitis">' in html


def test_ae_report_is_saved_with_relatedness_and_seriousness(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "adverse-events"), {
        "term": "Pneumonitis", "grade": "3", "serious": "on", "hospitalization": "on",
        "rel__sbrt": "PROBABLY RELATED", "rel__sys": "", "start_date": "2026-03-01",
        "outcome": "RECOVERED/RESOLVED", "end_date": "2026-03-20",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    ae = m.AdverseEvent.objects.get()
    assert ae.relatedness == {"sbrt": "PROBABLY RELATED"}
    assert (ae.grade, ae.serious, ae.hospitalization) == (3, True, True)
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    assert "SBRT: probably related" in page and "serious (hospitalization)" in page


def test_ae_core_rules_show_next_to_their_fields(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "adverse-events"), {
        "term": "Hepatic failure", "grade": "5", "start_date": "2026-03-01",
    })  # fmt: skip
    assert r.status_code == 422
    html = r.content.decode()
    slot = html[html.index('id="err-results_in_death"'):].split("</div>")[0]
    assert "True for a grade 5 (fatal) event" in slot


def test_ae_grade_definitions_are_the_core_nci_texts(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    html = c.get(reverse("pages:ae-grades"), {"term": "pneumonitis"}).content.decode()
    # NCI CTCAE v5.0 Pneumonitis grade 3 (as transcribed in hccrt.clinical.pneumonitis)
    assert "Severe symptoms; limiting self care ADL; oxygen indicated" in html
    html = c.get(reverse("pages:ae-grades"), {"term": "Hepatic pain"}).content.decode()
    assert "holds no grade texts" in html


def test_haic_drugs_are_entered_as_rows(world):
    c = client_for(world, Role.SITE_COORDINATOR)
    r = c.post(new_url(world.pa, "haic-cycles"), {
        "cycle": "1", "cycle_date": "2026-02-01", "regimen": "FOLFOX",
        "drugs_0_agent": "oxaliplatin", "drugs_0_dose": "85", "drugs_0_dose_unit": "mg/m2",
        "drugs_1_agent": "", "drugs_1_dose": "400",
    })  # fmt: skip
    assert r.status_code == 422
    assert "An agent is required when a dose is given." in r.content.decode()
    r = c.post(new_url(world.pa, "haic-cycles"), {
        "cycle": "1", "cycle_date": "2026-02-01", "regimen": "FOLFOX",
        "drugs_0_agent": "oxaliplatin", "drugs_0_dose": "85", "drugs_0_dose_unit": "mg/m2",
    })  # fmt: skip
    assert r.status_code == 302
    assert m.HaicCycle.objects.get().drugs == [{"agent": "oxaliplatin", "dose": 85.0,
                                                "dose_unit": "mg/m2"}]


def test_every_generic_form_renders_for_a_coordinator(world):
    from hccrt.web.pages.participants.ecrf import form_models

    c = client_for(world, Role.SITE_COORDINATOR)
    for slug in form_models():
        r = c.get(new_url(world.pa, slug))
        assert r.status_code == 200, slug
        html = r.content.decode()
        for name in re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[^"]+)"', html):
            assert f'for="{name}"' in html, (slug, name)


def scheduled_visit(world) -> m.Visit:
    v = m.Visit(participant=world.pa, visit_code="follow-up", name="Follow-up 1", visitnum=2,
                anchor="randomization", anchor_date=date(2026, 1, 20),
                planned_date=date(2026, 4, 20), window_start=date(2026, 4, 6),
                window_end=date(2026, 5, 4))  # fmt: skip
    v.save(user=world.system)
    return v


def test_visit_edit_changes_only_the_actual_date_and_missed_mark(world):
    v = scheduled_visit(world)
    c = client_for(world, Role.SITE_COORDINATOR)
    url = reverse("pages:form-edit", args=["visits", v.pk])
    html = c.get(url).content.decode()
    assert 'name="actual_date"' in html and 'name="planned_date"' not in html
    r = c.post(url, {"missed": "on", "missed_reason": "", "version": v.version,
                     "change_reason": "visit not done"})  # fmt: skip
    assert r.status_code == 422
    slot = r.content.decode()
    slot = slot[slot.index('id="err-missed_reason"'):].split("</div>")[0]
    assert "a reason when the visit is marked missed" in slot
    # the protocol window of this visit is 2026-04-06 to 2026-05-04: a visit on 2026-05-10
    # is kept and opens the edit check's query (capture.checks.visit_outside_window)
    r = c.post(url, {"actual_date": "2026-05-10", "version": v.version,
                     "change_reason": "visit done"}, follow=True)  # fmt: skip
    assert "Query opened: visit on 2026-05-10 is outside its window 2026-04-06 to 2026-05-04" \
        in r.content.decode()  # fmt: skip
    v.refresh_from_db()
    assert v.actual_date == date(2026, 5, 10) and v.planned_date == date(2026, 4, 20)
    # corrected into the window: the query is closed by the edit check
    r = c.post(url, {"actual_date": "2026-05-01", "version": v.version,
                     "change_reason": "date corrected from the source"}, follow=True)
    assert "Query closed: visit on 2026-05-10 is outside its window" in r.content.decode()


def test_lab_link_of_a_visit_prefills_the_visit_and_date(world):
    v = scheduled_visit(world)
    c = client_for(world, Role.SITE_COORDINATOR)
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    link = reverse("pages:form-new", args=[world.pa.pk, "labs"]) + \
        f"?visit={v.pk}&amp;collection_date=2026-04-20"  # fmt: skip
    assert link in page
    form = c.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{v.pk}" selected>Follow-up 1 (planned 2026-04-20)</option>' in form
    assert 'value="2026-04-20"' in form
