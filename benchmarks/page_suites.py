"""The data and the requests of the area suites of ``benchmarks/bench_pages.py``: participants,
screening, planning, assessments (the overview suite is in bench_pages.py itself).

Each suite has ``seed(n)`` (writes its data through the audited save path; does nothing when
the database already holds participants, so a kept database is reused), ``context(n)`` (looks
up what the requests are made on), ``cases(ctx)`` (the timed requests) and ``describe(ctx, n)``
(the data paragraph of its results section). Not a benchmark itself (run_all runs bench_*.py).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from itertools import count
from pathlib import Path
from typing import Any

from bench_pages import Case, Suite

HERE = Path(__file__).resolve().parent


def _users(spec: tuple[tuple[str, Any, Any], ...]) -> None:
    from django.contrib.auth import get_user_model

    from hccrt.web.capture.models import Membership

    for name, role, site in spec:
        user, _ = get_user_model().objects.get_or_create(username=name)
        Membership.objects.get_or_create(user=user, role=role, site=site)


def _sites(codes: tuple[str, ...]) -> list[Any]:
    from hccrt.web.core.models import Site

    return [Site.objects.get_or_create(code=c, defaults={"name": f"Site {c}", "country": "KR"})[0]
            for c in codes]  # fmt: skip


def _seeded() -> bool:
    from hccrt.web.core.models import Participant

    return Participant.objects.exists()


def _participant(study_id: str) -> Any:
    from hccrt.web.core.models import Participant

    return Participant.objects.get(study_id=study_id)


# --------------------------------------------------------------------------- participants


def participants_seed(n: int) -> None:
    """``n`` RESCUE participants at site a, each with 3 visits (one done) and 2 labs; the
    first with a full record: 60 labs over 6 tests, 10 AEs, 10 more visits, 10 therapy lines."""
    from django.contrib.auth import get_user_model

    from hccrt.web.capture import models as m
    from hccrt.web.capture.models import Role
    from hccrt.web.core.models import Participant, Protocol
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    site_a, _ = _sites(("a", "b"))
    system, _ = get_user_model().objects.get_or_create(username="system")
    _users((("coord", Role.SITE_COORDINATOR, site_a),))
    if _seeded():
        return
    protocol = Protocol.objects.get(code="rescue", is_current=True)
    consent = dt.date(2025, 1, 10)
    arm = protocol.document["arms"][0]["id"]
    first = None
    for i in range(n):
        p = Participant(study_id=f"RESCUE-A-{i:04d}", protocol=protocol, site=site_a, arm=arm,
                        consent_date=consent, status="enrolled", sex="M", age=60)
        p.save(user=system)
        first = first or p
        for k in range(3):
            day = consent + dt.timedelta(days=30 * (k + 1))
            m.Visit(participant=p, visit_code="fu", name=f"Follow-up {k}", visitnum=k,
                    anchor="randomization", anchor_date=consent, planned_date=day,
                    window_start=day - dt.timedelta(days=7), window_end=day + dt.timedelta(days=7),
                    actual_date=day if k == 0 else None).save(user=system)
        for test, value, unit, uln in (("ALT", 55, "U/L", 40), ("BILI", 25, "umol/L", 21)):
            m.LabResult(participant=p, collection_date=consent + dt.timedelta(days=30), test=test,
                        value=value, unit=unit, uln=uln).save(user=system)
    assert first is not None
    tests = (("ALT", "U/L", 40), ("AST", "U/L", 40), ("BILI", "umol/L", 21),
             ("ALB", "g/L", None), ("PLAT", "10^9/L", None), ("CREAT", "umol/L", 100))
    for k in range(10):
        day = consent + dt.timedelta(days=14 * (k + 1))
        for test, unit, uln in tests:
            lln = 35 if test == "ALB" else 150 if test == "PLAT" else None
            m.LabResult(participant=first, collection_date=day, test=test,
                        value=30 + 7 * k, unit=unit, uln=uln, lln=lln).save(user=system)
        m.AdverseEvent(participant=first, term="Fatigue", grade=1 + k % 3,
                       start_date=day).save(user=system)
        m.Visit(participant=first, visit_code="extra", name=f"Extra {k}", visitnum=10 + k,
                anchor="randomization", anchor_date=consent, planned_date=day,
                window_start=day, window_end=day + dt.timedelta(days=7)).save(user=system)
        m.SystemicTherapy(participant=first, line=k + 1, agent="sorafenib",
                          start_date=day).save(user=system)


def participants_context(n: int) -> dict[str, Any]:
    return {"detail": _participant("RESCUE-A-0000")}


def participants_cases(ctx: dict[str, Any]) -> list[Case]:
    from django.urls import reverse

    pk = ctx["detail"].pk
    return [
        Case("participant list, page 1 of 300", reverse("pages:participant-list")
             + "?protocol=rescue", ("coord",)),
        Case("participant list, search", reverse("pages:participant-list") + "?q=A-012",
             ("coord",)),
        Case("timeline, 60 labs / 12 AEs / 13 visits",
             reverse("pages:participant-detail", args=[pk]), ("coord",)),
        Case("new lab form", reverse("pages:form-new", args=[pk, "labs"]), ("coord",)),
    ]  # fmt: skip


def participants_describe(ctx: dict[str, Any], n: int) -> list[str]:
    return [f"Data: {n} RESCUE participants at site a, each with 3 visits (one done) and 2 "
            "labs; one with a full record (60 labs over 6 tests, 10 AEs, 13 visits, 10 systemic "
            "therapy lines); signed in as site a's coordinator."]  # fmt: skip


# --------------------------------------------------------------------------- screening


def _candidate(i: int, site_pk: int, **over: Any) -> dict[str, Any]:
    sys.path.insert(0, str(HERE.parent))
    from tests.web.pages.test_screening import eligible_rescue

    return eligible_rescue(**{"p-site": str(site_pk), "p-study_id": f"RESCUE-BENCH-{i:04}",
                              **over})  # fmt: skip


def screening_seed(n: int) -> None:
    """``n`` RESCUE participants at two sites, each with a screening the engine evaluates on
    save (a third eligible, a third ineligible, a third incomplete)."""
    from django.contrib.auth import get_user_model

    from hccrt.web.audit.base import audit_context
    from hccrt.web.capture.models import Role, Screening
    from hccrt.web.core.models import Participant, Protocol
    from hccrt.web.core.services import load_builtin_protocols
    from hccrt.web.pages.screening.inputs import facts_form, facts_from, input_specs
    from hccrt.web.pages.screening.views import PARTICIPANT_FACTS, _core

    load_builtin_protocols()
    stored = Protocol.objects.get(code="rescue", is_current=True)
    sites = _sites(("a", "b"))
    _users((("coord", Role.SITE_COORDINATOR, sites[0]), ("dm", Role.DATA_MANAGER, None)))
    system, _ = get_user_model().objects.get_or_create(username="bench-seed")
    if _seeded():
        return
    specs = input_specs([_core(stored)], skip=(*PARTICIPANT_FACTS, "consent_signed"))
    form_class = facts_form(specs, [])
    with audit_context(system):
        for i in range(n):
            over = {} if i % 3 == 0 else {"f-bilirubin": "3.1"} if i % 3 == 1 else {"f-ecog": ""}
            form = form_class(_candidate(i, sites[i % 2].pk, **over), prefix="f")
            assert form.is_valid(), form.errors
            facts = {"screening_date": "2026-03-02", "age": 60 + i % 20, "sex": "male",
                     "consent_date": "2026-03-01", **facts_from(specs, form.cleaned_data),
                     "attestations": {"life-expectancy": True, "consent": True}}  # fmt: skip
            p = Participant(study_id=f"RESCUE-SEED-{i:04}", site=sites[i % 2], protocol=stored,
                            consent_date=dt.date(2026, 3, 1), consent_version="1", sex="M",
                            age=60 + i % 20)  # fmt: skip
            p.save(user=system)
            Screening(participant=p, screening_date=dt.date(2026, 3, 2),
                      facts=facts).save(user=system)  # fmt: skip


def screening_context(n: int) -> dict[str, Any]:
    from hccrt.protocols.eligibility import screen
    from hccrt.web.capture.models import Screening
    from hccrt.web.core.models import Participant, Protocol
    from hccrt.web.pages.screening.views import _core

    site_a = _sites(("a",))[0]
    one = Screening.objects.filter(participant__site=site_a).order_by("pk").first()
    assert one is not None
    core = _core(Protocol.objects.get(code="rescue", is_current=True))
    cpu = []
    for _ in range(21):  # the engine alone, one candidate (the first run warms caches)
        c0 = time.process_time()
        screen(core, {"candidate_id": "c", **one.facts})
        cpu.append((time.process_time() - c0) * 1000)
    return {"site_a": site_a, "screening": one, "engine_cpu_ms": statistics.median(cpu[1:]),
            "participant": Participant.objects.filter(site=site_a).order_by("pk").first(),
            "participants": Participant.objects.filter(protocol__code="rescue").count()}


def screening_cases(ctx: dict[str, Any]) -> list[Case]:
    site = ctx["site_a"].pk
    finder = {k: v for k, v in _candidate(0, site).items()
              if k.startswith("f-") and not k.startswith("f-attest")}  # fmt: skip
    finder.update({"f-screening_date": "2026-03-02", "f-age": "64", "f-sex": "male"})
    fresh = count(5000)
    return [
        Case("screening log, 300 at 2 sites (data manager; page 1 of 6)",
             "/screening/?protocol=rescue", ("dm",)),
        Case("screening log, 150 at site a (coordinator; page 1 of 3)",
             "/screening/?protocol=rescue", ("coord",)),
        Case("screening log, last page (data manager)", "/screening/?protocol=rescue&page=6",
             ("dm",)),
        Case("screening log CSV, every row (data manager)",
             "/screening/?protocol=rescue&format=csv", ("dm",)),
        Case("new screening form (GET)", "/screening/new/?protocol=rescue", ("coord",)),
        Case("live evaluation (htmx POST)", "/screening/new/?protocol=rescue", ("coord",),
             data=_candidate(0, site), htmx=True),
        Case("save + confirm a screening (POST)", "/screening/new/?protocol=rescue", ("coord",),
             data=lambda: _candidate(next(fresh), site, action="confirm"), ok=(302,)),
        Case("screening detail", f"/screening/{ctx['screening'].pk}/", ("coord",)),
        Case("enrol page", f"/participants/{ctx['participant'].pk}/enrol/", ("coord",)),
        Case("trial finder (GET, anonymous)", "/trial-finder/", (None,)),
        Case("trial finder, 5 protocols (htmx POST)", "/trial-finder/", (None,), data=finder,
             htmx=True),
    ]  # fmt: skip


def screening_describe(ctx: dict[str, Any], n: int) -> list[str]:
    return [f"Data: {ctx['participants']} RESCUE participants with a screening each (a third "
            "eligible, a third ineligible, a third incomplete) at two sites; a coordinator at "
            "site a (sees half of them), a data manager (sees all). The save request creates "
            "the participant and the screening (the engine runs in `Screening.clean()`), their "
            "audit events and the edit checks. The engine itself "
            "(`hccrt.protocols.eligibility.screen`, one RESCUE candidate) takes "
            f"{ctx['engine_cpu_ms']:.1f} ms of CPU time (median of 20); the rest of a live "
            "evaluation is form handling and template rendering."]  # fmt: skip


# --------------------------------------------------------------------------- planning

PLAN = {"plan_date": "2026-02-01", "territory": "right lobe", "device": "glass",
        "model": "partition", "driver": "tumour_dose", "prescribed_value": "700",
        "perfused_volume_ml": "900", "tumour_1_volume_ml": "150", "tumour_1_tnr": "4",
        "target_tumour": "0", "lsf": "0.06", "vial_gbq": "5",
        "calibration_time": "2026-02-01T12:00", "administration_time": "2026-02-03T10:00"}


def _ut7_cohort(n: int, sites: list[Any], admin: Any, reason: str) -> list[Any]:
    """``n`` enrolled tare-ut7 participants (arm tare), alternating between the sites."""
    from hccrt.web.audit.base import audit_context
    from hccrt.web.core.models import Participant, Protocol

    tare = Protocol.objects.get(code="tare-ut7", is_current=True)
    people = []
    with audit_context(admin, reason):
        for i in range(n):
            p = Participant(study_id=f"UT7-{i:04d}", site=sites[i % 2], protocol=tare, arm="tare",
                            status=Participant.Status.ENROLLED, sex="MF"[i % 2], age=50 + i % 30,
                            consent_date=dt.date(2026, 1, 5))  # fmt: skip
            p.save()
            people.append(p)
    return people


def planning_seed(n: int) -> None:
    """``n`` tare-ut7 participants at two sites; a saved, signed and administered Y-90 plan
    (through the pages' own POSTs) for every third participant at site 01."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from hccrt.web.capture.models import Role, Y90Plan
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    sites = _sites(("01", "02"))
    _users((("physicist", Role.MEDICAL_PHYSICIST, sites[0]),
            ("investigator", Role.SITE_INVESTIGATOR, sites[0]),
            ("coordinator", Role.SITE_COORDINATOR, sites[0]),
            ("admin", Role.ADMINISTRATOR, None)))  # fmt: skip
    if _seeded():
        return
    User = get_user_model()
    people = _ut7_cohort(n, sites, User.objects.get(username="admin"), "bench planning cohort")
    c = Client()
    c.force_login(User.objects.get(username="physicist"))
    for p in [p for p in people if p.site_id == sites[0].pk][::3]:
        r = c.post(reverse("pages:y90-plan", args=[p.pk]), {**PLAN, "action": "save"})
        assert r.status_code == 302, r.content[:2000]
        plan = Y90Plan.objects.filter(participant=p).latest("pk")
        c.post(reverse("pages:y90-sign", args=[plan.pk]), {"version": plan.version})
        c.post(reverse("pages:y90-administer", args=[plan.pk]),
               {"administration_date": "2026-02-03", "delivered_activity_gbq": "3.0"})


def planning_context(n: int) -> dict[str, Any]:
    from hccrt.web.capture.models import Y90Plan

    treated = _participant("UT7-0000")  # the first at site 01, planned and treated
    return {"treated": treated, "plan": Y90Plan.objects.filter(participant=treated).latest("pk")}


def planning_cases(ctx: dict[str, Any]) -> list[Case]:
    from django.urls import reverse

    t, plan = ctx["treated"], ctx["plan"]
    return [
        Case("planning home (150 participants, 50 plans; page 1 of 3)",
             reverse("pages:planning-home") + "?protocol=tare-ut7", ("physicist",)),
        Case("planning home, administrator (300 participants; page 1 of 6)",
             reverse("pages:planning-home") + "?protocol=tare-ut7", ("admin",)),
        Case("Y-90 plan page (ledger of 1 treatment)", reverse("pages:y90-plan", args=[t.pk]),
             ("physicist",)),
        Case("Y-90 live preview (htmx POST)", reverse("pages:y90-preview", args=[t.pk]),
             ("physicist",), data=PLAN),
        Case("Y-90 printable summary", reverse("pages:y90-summary", args=[plan.pk]),
             ("physicist",)),
        Case("SBRT plan page", reverse("pages:sbrt-plan", args=[t.pk]), ("physicist",)),
        Case("HAIC plan page", reverse("pages:haic-plan", args=[t.pk]), ("investigator",)),
        Case("QoL screen 3", reverse("pages:qol-fill", args=[t.pk]) + "?screen=3",
             ("coordinator",)),
    ]  # fmt: skip


def planning_describe(ctx: dict[str, Any], n: int) -> list[str]:
    return [f"Data: {n} tare-ut7 participants at two sites; every third participant at site "
            "01 has a saved, signed Y-90 plan with an administration (written through the "
            "pages' own POSTs). Users at site 01: physicist, investigator, coordinator; an "
            "administrator for all sites. The Y-90 live preview is a POST of a full partition "
            "plan (the htmx request made on every change)."]  # fmt: skip


# --------------------------------------------------------------------------- assessments

BASE = dt.date(2026, 1, 20)
CRITERIA = ("RECIST 1.1", "MRECIST", "LOCALIZED MRECIST", "LOCALIZED RECIST 1.1")
LESIONS = (("T01", "TARGET"), ("T02", "TARGET"), ("NT01", "NON-TARGET"), ("NT02", "NON-TARGET"))


def _store_read(p: Any, day: dt.date, timepoint: str, scale: float, criteria: tuple[str, ...],
                evaluator: str = "INVESTIGATOR", reader: Any = None, overall: str = "") -> None:
    from hccrt.web.capture.models import Lesion, TumourAssessment

    for crit in criteria:
        a = TumourAssessment(participant=p, assessment_date=day, timepoint=timepoint,
                             criteria=crit, modality="CT SCAN", evaluator=evaluator,
                             reader=reader, overall_response=overall)  # fmt: skip
        a.save()
        for i, (lid, role) in enumerate(LESIONS):
            size = (50.0 - 10 * i) * scale if role == "TARGET" else None
            Lesion(participant=p, assessment=a, lesion_id=lid, role=role, location="LIVER",
                   couinaud_segment=i + 1, longest_diameter_mm=size, viable_diameter_mm=size,
                   state="" if role == "TARGET" else "PRESENT", in_field=True,
                   typical_hcc=True).save()  # fmt: skip


def assessments_seed(n: int) -> None:
    """``n`` tare-ut7 participants (all four criteria sets) at two sites; for 40 at site 01 an
    investigator baseline and three follow-ups under the four sets (4 lesions each); for 30,
    two central readers' baseline and two follow-ups (RECIST 1.1), reader 2 disagreeing on the
    last follow-up of 10."""
    from django.contrib.auth import get_user_model

    from hccrt.web.audit.base import audit_context
    from hccrt.web.capture.models import Role
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    sites = _sites(("01", "02"))
    _users((("coordinator", Role.SITE_COORDINATOR, sites[0]),
            ("reader1", Role.CENTRAL_READER, None), ("reader2", Role.CENTRAL_READER, None),
            ("admin", Role.ADMINISTRATOR, None)))  # fmt: skip
    if _seeded():
        return
    User = get_user_model()
    admin = User.objects.get(username="admin")
    readers = {r: User.objects.get(username=r) for r in ("reader1", "reader2")}
    people = _ut7_cohort(n, sites, admin, "bench assessments cohort")
    with audit_context(admin, "bench assessments reads"):
        for p in [p for p in people if p.site_id == sites[0].pk][:40]:
            _store_read(p, BASE, "baseline", 1.0, CRITERIA)
            for k, scale in enumerate((0.8, 0.7, 0.75)):
                _store_read(p, BASE + dt.timedelta(days=90 * (k + 1)), "follow_up", scale,
                            CRITERIA, overall="SD")  # fmt: skip
        for j, p in enumerate(people[100:130]):
            for name, r in readers.items():
                _store_read(p, BASE, "baseline", 1.0, CRITERIA[:1], "INDEPENDENT ASSESSOR", r)
                _store_read(p, BASE + dt.timedelta(days=90), "follow_up", 0.8, CRITERIA[:1],
                            "INDEPENDENT ASSESSOR", r, overall="SD")  # fmt: skip
                disagree = name == "reader2" and j < 10
                _store_read(p, BASE + dt.timedelta(days=180), "follow_up",
                            0.6 if disagree else 0.8, CRITERIA[:1], "INDEPENDENT ASSESSOR", r,
                            overall="PR" if disagree else "SD")  # fmt: skip


def assessments_context(n: int) -> dict[str, Any]:
    from hccrt.web.capture.models import TumourAssessment

    investigated = _participant("UT7-0000")
    return {
        "investigated": investigated, "reviewed": _participant("UT7-0100"),
        "read": TumourAssessment.objects.filter(reader__username="reader1").latest("pk"),
        "edit": TumourAssessment.objects.filter(participant=investigated,
                                                timepoint="follow_up").latest("pk"),
    }  # fmt: skip


def _follow_up_post(scale: float) -> dict[str, Any]:
    data: dict[str, Any] = {
        "assessment_date": (BASE + dt.timedelta(days=400)).isoformat(), "timepoint": "follow_up",
        "modality": "CT SCAN", "rows": str(len(LESIONS)), "action": "preview",
        "criteria": ["recist11", "mrecist", "localized-mrecist", "localized-recist11"],
    }  # fmt: skip
    for i, (lid, role) in enumerate(LESIONS):
        size = (50.0 - 10 * i) * scale if role == "TARGET" else ""
        data.update({f"lesion-{i}-lesion_id": lid, f"lesion-{i}-role": role,
                     f"lesion-{i}-carried": "1", f"lesion-{i}-location": "LIVER",
                     f"lesion-{i}-segment": str(i + 1),
                     f"lesion-{i}-longest_diameter_mm": str(size),
                     f"lesion-{i}-viable_diameter_mm": str(size),
                     f"lesion-{i}-state": "" if role == "TARGET" else "PRESENT",
                     f"lesion-{i}-in_field": "yes"})  # fmt: skip
    return data


def assessments_cases(ctx: dict[str, Any]) -> list[Case]:
    from django.urls import reverse

    p, q = ctx["investigated"], ctx["reviewed"]
    return [
        Case("follow-up form (baseline + 3 reads carried)",
             reverse("pages:assessment-new", args=[p.pk]), ("coordinator",)),
        Case("live response, 4 criteria sets (htmx POST)",
             reverse("pages:assessment-new", args=[p.pk]), ("coordinator",),
             data=_follow_up_post(0.65), htmx=True),
        Case("edit a stored follow-up read", reverse("pages:assessment-edit",
                                                     args=[ctx["edit"].pk]), ("coordinator",)),
        Case("central review inbox (90 reads assigned)", reverse("pages:review-inbox"),
             ("reader1",)),
        Case("central read page", reverse("pages:review-read", args=[ctx["read"].pk]),
             ("reader1",)),
        Case("administrator inbox (disputes over 180 reads)", reverse("pages:review-inbox"),
             ("admin",)),
        Case("adjudication page (2 readers side by side)",
             reverse("pages:adjudication", args=[q.pk]), ("admin",)),
    ]  # fmt: skip


def assessments_describe(ctx: dict[str, Any], n: int) -> list[str]:
    return [f"Data: {n} tare-ut7 participants at two sites (tare-ut7 names all four criteria "
            "sets: RECIST 1.1, mRECIST, localized mRECIST, localized RECIST 1.1); 40 with an "
            "investigator baseline and three follow-up reads under the four sets; 30 read by "
            "two central readers (baseline and two follow-ups), disagreeing on 10. The live "
            "response is the htmx POST made while a user types."]  # fmt: skip


AREA_SUITES = (
    Suite("participants", "Participant list and timeline", participants_seed,
          participants_context, participants_cases, participants_describe),
    Suite("screening", "Screening, trial finder and enrolment (issue 10 items 2, 3, 10)",
          screening_seed, screening_context, screening_cases, screening_describe),
    Suite("planning", "Planning pages (issue 10 items 7-8)", planning_seed, planning_context,
          planning_cases, planning_describe),
    Suite("assessments", "Tumour assessment and central review (issue 10 items 6 and 9)",
          assessments_seed, assessments_context, assessments_cases, assessments_describe),
)  # fmt: skip
