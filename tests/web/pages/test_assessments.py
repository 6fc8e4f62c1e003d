"""Tumour assessment page: carry-forward from baseline, live response by the core, audited save.

Expected responses are worked out by hand from the published criteria:

* RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-247), section 4.3.1: "Partial
  Response (PR): At least a 30% decrease in the sum of diameters of target lesions, taking as
  reference the baseline sum diameters"; section 4.3.1 "Progressive Disease (PD): At least a 20%
  increase in the sum of diameters of target lesions, taking as reference the smallest sum on
  study ... the sum must also demonstrate an absolute increase of at least 5 mm. (Note: the
  appearance of one or more new lesions is also considered progression)"; table 1: target PR,
  non-target non-CR/non-PD, no new lesion -> overall PR; any new lesion -> PD.
* mRECIST (Lencioni & Llovet, Semin Liver Dis 2010;30:52-60), table 2: "CR = Disappearance of
  any intratumoral arterial enhancement in all target lesions"; table 3: target CR, non-target
  CR, no new lesion -> overall CR.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture.models import Lesion, Role, TumourAssessment
from tests.web.conftest import World

pytestmark = pytest.mark.database

BASE = date(2026, 1, 20)
FU1 = date(2026, 4, 20)
FU2 = date(2026, 7, 20)


def make_read(world: World, participant: Any, day: date, timepoint: str,
              lesions: list[tuple[str, str, float | None, float | None, str]], *,
              evaluator: str = "INVESTIGATOR", reader: Any = None,
              criteria: str = "RECIST 1.1", overall: str = "") -> TumourAssessment:  # fmt: skip
    """A stored read: lesions are (id, role, longest mm, viable mm, state)."""
    a = TumourAssessment(participant=participant, assessment_date=day, timepoint=timepoint,
                         criteria=criteria, modality="CT SCAN", evaluator=evaluator,
                         reader=reader, overall_response=overall)  # fmt: skip
    a.save(user=world.system)
    for i, (lid, role, ld, vd, state) in enumerate(lesions):
        Lesion(participant=participant, assessment=a, lesion_id=lid, role=role,
               location="LIVER", couinaud_segment=(i % 8) + 1, longest_diameter_mm=ld,
               viable_diameter_mm=vd, state=state, in_field=True).save(user=world.system)
    return a


BASELINE_LESIONS = [("T01", "TARGET", 60.0, 60.0, ""), ("T02", "TARGET", 40.0, 40.0, ""),
                    ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip


def form_data(day: date | str, timepoint: str,
              rows: list[tuple[str, str, Any, Any, str]], *, criteria: tuple[str, ...] =
              ("recist11",), action: str = "preview", carried: int = 0,
              **extra: Any) -> dict[str, Any]:  # fmt: skip
    """POST data of the read form; the first ``carried`` rows are carried from baseline."""
    data: dict[str, Any] = {"assessment_date": str(day), "timepoint": timepoint,
                            "modality": "CT SCAN", "criteria": list(criteria),
                            "rows": str(len(rows)), "action": action, **extra}  # fmt: skip
    for i, (lid, role, ld, vd, state) in enumerate(rows):
        data.update({f"lesion-{i}-lesion_id": lid, f"lesion-{i}-role": role,
                     f"lesion-{i}-location": "LIVER", f"lesion-{i}-segment": str(i % 8 + 1),
                     f"lesion-{i}-longest_diameter_mm": "" if ld is None else str(ld),
                     f"lesion-{i}-viable_diameter_mm": "" if vd is None else str(vd),
                     f"lesion-{i}-state": state, f"lesion-{i}-in_field": "yes"})  # fmt: skip
        if i < carried:
            data[f"lesion-{i}-carried"] = "1"
    return data


def client_for(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


@pytest.fixture
def coordinator(world: World) -> Client:
    return client_for(world, Role.SITE_COORDINATOR)


@pytest.fixture
def with_baseline(world: World) -> TumourAssessment:
    return make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS)


def live(client: Client, url: str, data: dict[str, Any]) -> str:
    r = client.post(url, data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    return r.content.decode()


def url_new(world: World) -> str:
    return f"/participants/{world.pa.pk}/assessments/new/"


def test_follow_up_form_carries_the_baseline_lesions_forward(world, coordinator, with_baseline):
    html = coordinator.get(url_new(world)).content.decode()
    for lid in ("T01", "T02", "NT01"):
        assert f'name="lesion-{["T01", "T02", "NT01"].index(lid)}-lesion_id" value="{lid}"' \
            in html  # carried: the id is kept, read-only (hidden input)
    assert html.count('name="lesion-0-carried"') == 1
    assert 'value="60.0"' not in html  # baseline measurements are not pre-filled
    assert "Add a new lesion" in html
    assert 'aria-live="polite"' in html


def test_recist_partial_response_minus_31_percent(world, coordinator, with_baseline):
    # baseline 60 + 40 = 100 mm; follow-up 40 + 29 = 69 mm: (69 - 100) / 100 = -31 % <= -30 %
    # -> target PR (RECIST 1.1 4.3.1); non-target present -> non-CR/non-PD; overall PR (table 1)
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert 'data-testid="pchg-recist11">-31.0 %' in html
    assert 'data-testid="overall-recist11">PR<' in html
    assert "100.0" in html and "69.0" in html
    assert "NON-CR/NON-PD" in html


def test_recist_29_percent_is_stable_disease(world, coordinator, with_baseline):
    # 71 mm: -29 % does not reach the 30 % PR threshold and is no increase -> SD
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 31, 31, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert 'data-testid="pchg-recist11">-29.0 %' in html
    assert 'data-testid="overall-recist11">SD<' in html


def test_mrecist_no_viable_tumour_is_complete_response(world, coordinator, with_baseline):
    # viable sum 100 -> 0 mm: no arterial enhancement in any target -> target CR (mRECIST
    # table 2); non-target absent, no new lesion -> overall CR (table 3). Under RECIST 1.1 the
    # same scan (longest diameters 30 + 20 = 50 mm, -50 %) is PR with the non-target gone.
    rows = [("T01", "TARGET", 30, 0, ""), ("T02", "TARGET", 20, 0, ""),
            ("NT01", "NON-TARGET", None, None, "ABSENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                       criteria=("recist11", "mrecist")))
    assert 'data-testid="pchg-mrecist">-100.0 %' in html
    assert 'data-testid="overall-mrecist">CR<' in html
    assert 'data-testid="pchg-recist11">-50.0 %' in html
    assert 'data-testid="overall-recist11">PR<' in html


def test_a_new_lesion_is_progression(world, coordinator, with_baseline):
    # targets shrink to PR, but "the appearance of one or more new lesions is also considered
    # progression" (RECIST 1.1 4.3.1) -> overall PD with the reason "new lesion"
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT"), ("N01", "NEW", 12, None, "PRESENT")]
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert 'data-testid="overall-recist11">PD<' in html
    assert "new lesion" in html


def test_progression_is_measured_from_the_nadir(world, coordinator, with_baseline):
    # nadir 60 mm at FU1 (stored); FU2 72 mm: +12 mm = +20 % over the nadir and >= 5 mm -> PD,
    # although it is 28 % below baseline (RECIST 1.1 4.3.1: reference is the smallest sum)
    make_read(world, world.pa, FU1, "follow_up",
              [("T01", "TARGET", 35.0, 35.0, ""), ("T02", "TARGET", 25.0, 25.0, ""),
               ("NT01", "NON-TARGET", None, None, "PRESENT")], overall="PR")  # fmt: skip
    rows = [("T01", "TARGET", 42, 42, ""), ("T02", "TARGET", 30, 30, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU2, "follow_up", rows, carried=3))
    assert 'data-testid="pchg-recist11">-28.0 %' in html
    assert "60.0" in html  # the nadir
    assert 'data-testid="overall-recist11">PD<' in html


def test_missing_measurement_is_not_evaluable_with_the_reason(world, coordinator, with_baseline):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", None, None, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert 'data-testid="overall-recist11">NE<' in html
    assert "target lesions not all assessed" in html


def test_target_not_at_baseline_is_flagged_by_the_core(world, coordinator, with_baseline):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT"), ("T09", "TARGET", 15, 15, "")]
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert 'data-testid="overall-recist11">NE<' in html
    assert "first recorded after baseline" in html


def test_save_stores_one_assessment_per_criteria_with_lesions_audited(world, coordinator,
                                                                      with_baseline):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT"), ("N01", "NEW", 12, 12, "PRESENT")]
    r = coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                   criteria=("recist11", "mrecist"),
                                                   action="save"))  # fmt: skip
    assert r.status_code == 302
    stored = TumourAssessment.objects.filter(participant=world.pa, assessment_date=FU1)
    by_crit = {a.criteria: a for a in stored}
    assert set(by_crit) == {"RECIST 1.1", "MRECIST"}
    assert by_crit["RECIST 1.1"].overall_response == "PD"  # the new lesion (RECIST 1.1)
    # mRECIST counts a new intrahepatic lesion only with the typical HCC pattern; N01's is not
    # recorded: equivocal, not PD; the viable sum 69 mm (-31 %) gives PR
    assert by_crit["MRECIST"].overall_response == "PR"
    for a in stored:
        assert sorted(a.lesions.values_list("lesion_id", flat=True)) == \
            ["N01", "NT01", "T01", "T02"]
        assert a.lesions.get(lesion_id="T02").longest_diameter_mm == 29
    lesion_pks = [str(x) for x in Lesion.objects.filter(assessment__in=stored)
                  .values_list("pk", flat=True)]  # fmt: skip
    events = AuditEvent.objects.filter(model="capture.lesion", object_pk__in=lesion_pks)
    assert events.count() == 8
    assert set(events.values_list("user_id", flat=True)) == {world.users[Role.SITE_COORDINATOR].pk}


def test_bad_diameter_is_shown_next_to_the_field_and_nothing_is_stored(world, coordinator,
                                                                       with_baseline):
    rows = [("T01", "TARGET", "-4", 40, ""), ("T02", "TARGET", 29, 35, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    r = coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                   action="save"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "got &#x27;-4&#x27;; allowed: a number of millimetres, 0 or more" in html
    assert not TumourAssessment.objects.filter(assessment_date=FU1).exists()
    # viable diameter larger than the longest diameter: the model's rule, shown on the row
    rows[0] = ("T01", "TARGET", 40, 40, "")
    r = coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                   action="save"))
    assert r.status_code == 400
    assert "&lt;= longest_diameter_mm (29.0)" in r.content.decode()
    assert not TumourAssessment.objects.filter(assessment_date=FU1).exists()
    assert not Lesion.objects.filter(assessment__assessment_date=FU1).exists()


def test_edit_requires_a_reason_and_refuses_a_stale_version(world, coordinator, with_baseline):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3, action="save"))
    a = TumourAssessment.objects.get(assessment_date=FU1)
    url = f"/assessments/{a.pk}/"
    page = coordinator.get(url).content.decode()
    assert 'value="29.0"' in page and "Reason for change" in page
    t02 = a.lesions.get(lesion_id="T02")
    versions = {"version": str(a.version), "lesion-1-version": str(t02.version)}
    changed = [rows[0], ("T02", "TARGET", 31, 31, ""), rows[2]]
    r = coordinator.post(url, form_data(FU1, "follow_up", changed, carried=3, action="save",
                                        **versions))  # fmt: skip
    assert r.status_code == 400 and "a reason for the change" in r.content.decode()
    t02.refresh_from_db()
    assert t02.longest_diameter_mm == 29
    r = coordinator.post(url, form_data(FU1, "follow_up", changed, carried=3, action="save",
                                        reason="re-measured on the portal phase", **versions))
    assert r.status_code == 302
    t02.refresh_from_db()
    a.refresh_from_db()
    assert t02.longest_diameter_mm == 31
    assert a.overall_response == "SD"  # 71 mm: -29 %
    event = AuditEvent.objects.filter(model="capture.lesion", object_pk=str(t02.pk)).last()
    assert event.reason == "re-measured on the portal phase"
    # the same edit again with the old versions: someone else changed it meanwhile -> conflict
    r = coordinator.post(url, form_data(FU1, "follow_up", [rows[0], ("T02", "TARGET", 33, 33,
                                        ""), rows[2]], carried=3, action="save",
                                        reason="typo", **versions))  # fmt: skip
    assert r.status_code == 409
    assert "changed by someone else" in r.content.decode()
    assert 'value="33"' in r.content.decode() or 'value="33.0"' in r.content.decode()
    t02.refresh_from_db()
    assert t02.longest_diameter_mm == 31


def test_baseline_page_shows_the_target_sum_and_baseline_checks(world, coordinator):
    r = coordinator.get(url_new(world))
    assert 'value="baseline"' in r.content.decode()  # no baseline yet: a baseline read
    rows = [("T01", "TARGET", 60, 60, ""), ("T02", "TARGET", 8, 8, "")]
    html = live(coordinator, url_new(world), form_data(BASE, "baseline", rows))
    assert 'data-testid="baseline-sum-recist11">68.0 mm' in html
    # RECIST 1.1 3.1.1: a measurable lesion is >= 10 mm; T02 (8 mm) cannot be a target
    assert "T02: target lesion not measurable" in html
    r = coordinator.post(url_new(world), form_data(BASE, "baseline", rows[:1], action="save"))
    assert r.status_code == 302
    assert TumourAssessment.objects.get(participant=world.pa).timepoint == "baseline"


def test_other_sites_staff_and_readers_cannot_open_the_form(world, with_baseline):
    from hccrt.web.capture.models import Membership

    other = Client()
    u = world.users[Role.SITE_INVESTIGATOR]
    Membership.objects.filter(user=u).update(site=world.site_b)
    other.force_login(u)
    assert other.get(url_new(world)).status_code == 404
    reader = client_for(world, Role.CENTRAL_READER)
    assert reader.get(url_new(world)).status_code == 403
    assert reader.get(f"/assessments/{with_baseline.pk}/").status_code == 403


def test_follow_up_page_query_count_is_bounded(world, coordinator, with_baseline,
                                               django_assert_max_num_queries):
    for i in range(6):
        make_read(world, world.pa, date(2026, 3 + i, 1), "follow_up", BASELINE_LESIONS,
                  overall="SD")  # fmt: skip
    coordinator.get("/")  # the session is written once, outside the count
    with django_assert_max_num_queries(25):
        assert coordinator.get(url_new(world)).status_code == 200


def test_a_second_read_on_the_same_date_or_before_baseline_is_refused(world, coordinator,
                                                                      with_baseline):
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    r = coordinator.post(url_new(world), form_data(date(2026, 1, 5), "follow_up", rows,
                                                   carried=3, action="save"))  # fmt: skip
    assert r.status_code == 400
    assert "allowed: after the baseline read of 2026-01-20" in r.content.decode()
    assert coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                      action="save")).status_code == 302
    r = coordinator.post(url_new(world), form_data(FU1, "follow_up", rows, carried=3,
                                                   action="save"))
    assert r.status_code == 400
    assert "a date without another read by the same evaluator" in r.content.decode()
    assert TumourAssessment.objects.filter(assessment_date=FU1).count() == 1


def test_a_new_lesion_outside_the_treated_area_is_not_local_progression(world, coordinator,
                                                                         with_baseline):
    # Localized criteria count only lesions inside the treated area (the RESCUE and TARE-UT7
    # protocols' "localized" response; hccrt.response.timepoint): a new lesion outside it is
    # PD for RECIST 1.1 (4.3.1) but not for localized RECIST 1.1, where the targets' -31 % is PR
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT"), ("N01", "NEW", 15, 15, "PRESENT")]
    data = form_data(FU1, "follow_up", rows, carried=3,
                     criteria=("recist11", "localized-recist11"))  # fmt: skip
    data["lesion-3-in_field"] = "no"
    html = live(coordinator, url_new(world), data)
    assert 'data-testid="overall-recist11">PD<' in html
    assert 'data-testid="overall-localized-recist11">PR<' in html
    assert "new lesion outside the treated area" in html
    # the same new lesion inside the treated area is local progression
    data["lesion-3-in_field"] = "yes"
    html = live(coordinator, url_new(world), data)
    assert 'data-testid="overall-localized-recist11">PD<' in html


def test_mrecist_new_intrahepatic_lesion_needs_the_typical_pattern_and_10_mm(world, coordinator,
                                                                             with_baseline):
    # Lencioni & Llovet 2010 (mRECIST), new lesion: an intrahepatic nodule is a new HCC, and
    # progression, when its longest diameter is >= 1 cm and it shows the typical vascular pattern
    # (arterial hyperenhancement with washout); otherwise it is equivocal (not PD)
    rows = [("T01", "TARGET", 40, 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT"), ("N01", "NEW", 12, 12, "PRESENT")]
    data = form_data(FU1, "follow_up", rows, carried=3, criteria=("mrecist",))
    html = live(coordinator, url_new(world), data)
    assert 'data-testid="overall-mrecist">PR<' in html and "EQUIVOCAL" in html
    data["lesion-3-typical_hcc"] = "yes"
    html = live(coordinator, url_new(world), data)
    assert 'data-testid="overall-mrecist">PD<' in html
    data["lesion-3-longest_diameter_mm"] = data["lesion-3-viable_diameter_mm"] = "8"
    html = live(coordinator, url_new(world), data)
    assert 'data-testid="overall-mrecist">PR<' in html
    # stored with the lesion
    data.update({"lesion-3-longest_diameter_mm": "12", "lesion-3-viable_diameter_mm": "12",
                 "action": "save"})  # fmt: skip
    assert coordinator.post(url_new(world), data).status_code == 302
    a = TumourAssessment.objects.get(assessment_date=FU1)
    assert a.overall_response == "PD" and a.lesions.get(lesion_id="N01").typical_hcc is True


def test_mrecist_baseline_target_must_be_a_typical_hcc(world, coordinator):
    # Lencioni & Llovet 2010, table 1: an intrahepatic target must show the typical HCC
    # enhancement and a viable part of at least 1 cm
    rows = [("T01", "TARGET", 60, 60, "")]
    data = form_data(BASE, "baseline", rows, criteria=("recist11", "mrecist"))
    html = live(coordinator, url_new(world), data)
    assert "mRECIST target must show the typical HCC enhancement pattern" in html
    data["lesion-0-typical_hcc"] = "yes"
    html = live(coordinator, url_new(world), data)
    assert "typical HCC enhancement pattern" not in html
    assert 'data-testid="baseline-sum-mrecist">60.0 mm' in html


def test_the_page_offers_each_protocols_criteria_sets(db):
    # the criteria sets named by the endpoints of the protocol files (protocols.md digest):
    # TARE-UT7 reports RECIST 1.1, mRECIST and both localized sets; RESCUE localized mRECIST
    # and mRECIST; SBRT-BCLCC RECIST 1.1 and mRECIST
    from hccrt.web.core.models import Protocol
    from hccrt.web.core.services import load_builtin_protocols
    from hccrt.web.pages.assessments.logic import protocol_criteria

    load_builtin_protocols()
    docs = {p.code: p.document for p in Protocol.objects.filter(is_current=True)}
    assert protocol_criteria(docs["tare-ut7"]) == ["recist11", "mrecist", "localized-mrecist",
                                                   "localized-recist11"]
    assert protocol_criteria(docs["rescue"]) == ["mrecist", "localized-mrecist"]
    assert protocol_criteria(docs["sbrt-bclcc"]) == ["recist11", "mrecist"]


def test_live_region_names_a_value_that_is_not_a_number(world, coordinator, with_baseline):
    rows = [("T01", "TARGET", "4o", 40, ""), ("T02", "TARGET", 29, 29, ""),
            ("NT01", "NON-TARGET", None, None, "PRESENT")]  # fmt: skip
    html = live(coordinator, url_new(world), form_data(FU1, "follow_up", rows, carried=3))
    assert "T01 longest_diameter_mm: got &#x27;4o&#x27;; allowed: a number of millimetres" in html
    assert 'data-testid="overall-recist11">NE<' in html  # T01 then counts as not assessed
