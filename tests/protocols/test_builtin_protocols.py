"""The five reference trials ship as valid protocol files that say what their registries say.

The expected outcome-measure counts and ids below are facts of the registry texts
(shared/seeds/000..004, digested in shared/protocols.md), not of our code: when a test here
fails, check the seed before changing the expectation.
"""

from __future__ import annotations

import re

import pytest
import yaml

from hccrt.protocols import (
    BUILTIN_CODES,
    ProtocolFileError,
    content_hash,
    load_builtin,
    load_builtins,
    parse_protocol,
)
from hccrt.protocols.loader import builtin_protocol_path
from hccrt.protocols.schema import (
    DesignType,
    EndpointKind,
    EventSource,
    LimitQuantity,
    PlanningLimit,
    Protocol,
)


def limit(protocol: Protocol, limit_id: str) -> PlanningLimit:
    for item in protocol.planning.limits:
        if item.id == limit_id:
            return item
    raise KeyError(limit_id)


def ids(protocol: Protocol, role: str) -> list[str]:
    return [e.id for e in protocol.endpoints_by_role(role)]


def criterion_text(protocol: Protocol, criterion_id: str) -> str:
    for criterion in protocol.eligibility:
        if criterion.id == criterion_id:
            return criterion.text
    raise KeyError(criterion_id)


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_builtin_loads_with_its_code_and_seed(code):
    protocol = load_builtin(code)
    assert protocol.code == code
    assert protocol.identity.seed.endswith(".txt")
    assert len(content_hash(protocol)) == 64


def test_all_builtins_load_in_order():
    assert [p.code for p in load_builtins()] == list(BUILTIN_CODES)


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_criterion_has_a_rule_or_is_marked_attestation_only(code):
    # Attestation-only criteria carry an ``attest`` rule, so every criterion has a rule; the
    # eligibility tests (tests/protocols/eligibility) check which ones are attestation-only.
    from hccrt.protocols.eligibility.rules import is_attestation_only

    protocol = load_builtin(code)
    assert all(c.rule is not None for c in protocol.eligibility)
    assert {c.kind for c in protocol.eligibility} <= {"inclusion", "exclusion"}
    judged = [c for c in protocol.eligibility if is_attestation_only(c.rule)]
    assert all(c.category in {"investigator_judgement", "comorbidity"} for c in judged)


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_endpoint_keeps_the_registry_wording_or_is_marked_assumed(code):
    for endpoint in load_builtin(code).endpoints:
        assert endpoint.registry_text or endpoint.assumed, endpoint.id
        if endpoint.assumed or endpoint.assumed_fields:
            assert endpoint.note, f"{endpoint.id}: assumptions need a note"


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_endpoint_ids_are_kebab_case(code):
    for endpoint in load_builtin(code).endpoints:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", endpoint.id), endpoint.id


def test_assumed_fields_must_name_endpoint_fields():
    document = yaml.safe_load(builtin_protocol_path("tare-ut7").read_text(encoding="utf-8"))
    document["endpoints"][4]["assumed_fields"] = ["landmark"]  # typo for "landmarks"
    with pytest.raises(ProtocolFileError) as info:
        parse_protocol(yaml.safe_dump(document), source="tare-ut7.yaml")
    ((path, message),) = info.value.problems
    assert path == "endpoints[4]{os-rate}.assumed_fields"
    assert "unknown fields ['landmark']" in message


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_assumed_visits_say_why(code):
    for visit in load_builtin(code).schedule.visits:
        if visit.assumed:
            assert visit.note, visit.id


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_time_to_event_endpoints_follow_the_standard_conventions(code):
    """PFS: progression and death are events; TTP: only progression; OS: only death."""
    for endpoint in load_builtin(code).endpoints:
        events = {p.source for p in endpoint.events}
        censors = {p.source for p in endpoint.censoring}
        assert not events & censors, endpoint.id
        if endpoint.id.startswith("pfs"):
            assert events == {EventSource.PROGRESSION, EventSource.DEATH}, endpoint.id
        if endpoint.id == "ttp":
            assert events == {EventSource.PROGRESSION}
            assert EventSource.DEATH in censors
        if endpoint.id in {"os", "os-rate", "rmst-os"}:
            assert events == {EventSource.DEATH}, endpoint.id


# --------------------------------------------------------------------------- tare-ut7


def test_tare_ut7_outcome_measures_as_registered():
    # Source: shared/protocols.md ("tare-ut7 1 primary + 15 secondary") and
    # shared/seeds/000_9d6adf0026987bba.txt, in registry order.
    protocol = load_builtin("tare-ut7")
    assert ids(protocol, "primary") == ["orr-mrecist"]
    assert ids(protocol, "secondary") == [
        "orr-recist11",
        "orr-localized",
        "dor",
        "os-rate",
        "pfs-rate",
        "ttp",
        "mpr-rate",
        "curative-conversion-rate",
        "sustained-cr-rate",
        "lrt-unsuitability-rate",
        "subsequent-hcc-treatment",
        "dose-threshold",
        "ae-sae",
        "radiation-pneumonitis",
        "reild",
    ]
    assert len(protocol.endpoints) == 16


def test_tare_ut7_planning_limits():
    protocol = load_builtin("tare-ut7")
    dose = limit(protocol, "tumour-dose")
    assert dose.quantity is LimitQuantity.TUMOUR_ABSORBED_DOSE
    assert (dose.minimum, dose.target, dose.maximum, dose.unit) == (350, 700, 1050, "Gy")
    lung = limit(protocol, "retreat-cumulative-lung-dose")
    assert lung.quantity is LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE
    assert lung.maximum == 50 and lung.maximum_inclusive is False  # "below 50 Gy"
    assert lung.applies == "retreatment"
    window = limit(protocol, "retreat-window")
    assert window.quantity is LimitQuantity.DAYS_SINCE_FIRST_TREATMENT
    assert window.maximum == 180 and window.applies == "retreatment"


def test_tare_ut7_design_schedule_and_safety():
    protocol = load_builtin("tare-ut7")
    assert protocol.design.type is DesignType.SINGLE_ARM
    assert protocol.design.central_review is True
    assert protocol.arm("tare").interventions[0].device == "TheraSphere"
    follow_up = {v.id: v for v in protocol.schedule.visits}
    assert str(follow_up["week-4"].nominal) == "4 weeks"
    q3m = follow_up["every-3-months"].repeat
    assert (str(q3m.every), str(q3m.until)) == ("3 months", "24 months")
    windows = {w.id: w for w in protocol.safety.ae_collection}
    assert str(windows["reild-pneumonitis"].end_offset) == "180 days"
    assert windows["ae-sae"].end.value == "study_end"
    assert protocol.endpoint("orr-mrecist").evaluators == ["investigator", "central"]
    assert protocol.endpoint("orr-mrecist").responses == ["CR", "PR"]
    assert protocol.endpoint("dose-threshold").kind is EndpointKind.THRESHOLD
    assert str(protocol.endpoint("reild").horizon) == "180 days"


# --------------------------------------------------------------------------- rescue


def test_rescue_outcome_measures_as_registered():
    # Source: shared/protocols.md ("rescue 2 primary + 24 secondary") and
    # shared/seeds/001_a2dd8e6850aa4f62.txt (NCT06178198), in registry order.
    protocol = load_builtin("rescue")
    assert protocol.identity.registry_ids == ["NCT06178198"]
    assert ids(protocol, "primary") == ["orr-localized-mrecist", "dor-localized-mrecist"]
    assert ids(protocol, "secondary") == [
        "docr",
        "rmdocr",
        "orr-mrecist",
        "dor-mrecist",
        "rmdor",
        "cr-rate",
        "os",
        "time-to-subsequent-treatment",
        "hpfs",
        "pathologic-necrosis",
        "ecog-change",
        "ttp",
        "rmst-os",
        "albi-change",
        "best-response",
        "time-to-best-response",
        "subsequent-treatment-reason",
        "conversion-rate",
        "child-pugh-change",
        "qol-change",
        "regional-liver-function-change",
        "pfs",
        "ae-sae",
        "meld-change",
    ]
    assert len(protocol.endpoints) == 26


def test_rescue_planning_limits():
    protocol = load_builtin("rescue")
    lung = limit(protocol, "maa-lung-dose")
    assert lung.quantity is LimitQuantity.LUNG_ABSORBED_DOSE
    assert (lung.maximum, lung.maximum_inclusive, lung.unit) == (15, True, "Gy")
    assert lung.conditions["model"] == "partition"
    assert lung.conditions["tumour_absorbed_dose_gy"] == 150
    assert lung.applies == "screening"
    liver = limit(protocol, "untreated-liver-fraction")
    assert liver.quantity is LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION
    assert liver.minimum == pytest.approx(0.30) and liver.minimum_inclusive is True


def test_rescue_eligibility_keeps_every_lab_threshold_of_the_seed():
    # Inclusion 9.1-9.10 of shared/seeds/001_a2dd8e6850aa4f62.txt, one criterion each.
    protocol = load_builtin("rescue")
    expected = {
        "lab-leukocytes": ["≥ 2,500/µL", "≤ 12,000/µL"],
        "lab-anc": ["≥ 1,500 /mm^3"],
        "lab-hemoglobin": ["≥ 8.0 g/dL"],
        "lab-bilirubin": ["≤ 3.0 mg/dL"],
        "lab-platelets": ["≥ 50,000/µL"],
        "lab-inr": ["INR ≤ 2.0", "not taking anticoagulants"],
        "lab-ast": ["AST ≤ 200 IU/L"],
        "lab-alt": ["ALT ≤ 200 IU/L"],
        "lab-alp": ["ALP ≤ 575 IU/L"],
        "lab-creatinine": ["Creatinine ≤ 2.0 mg/dL"],
    }
    for criterion_id, fragments in expected.items():
        text = criterion_text(protocol, criterion_id)
        assert all(f in text for f in fragments), (criterion_id, text)
        assert "within one month" in text
    labs = [c.id for c in protocol.eligibility if c.category == "laboratory"]
    assert labs == list(expected)
    kinds = [c.kind for c in protocol.eligibility]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == (21, 7)


def test_rescue_restricted_means_and_day_90_windows():
    protocol = load_builtin("rescue")
    for endpoint_id in ("rmdocr", "rmdor", "rmst-os"):
        endpoint = protocol.endpoint(endpoint_id)
        assert endpoint.kind is EndpointKind.RESTRICTED_MEAN
        assert str(endpoint.tau) == "24 months"
    for endpoint_id, measure in [
        ("ecog-change", "ecog"),
        ("albi-change", "albi_grade"),
        ("child-pugh-change", "child_pugh_class"),
        ("meld-change", "meld"),
    ]:
        endpoint = protocol.endpoint(endpoint_id)
        assert endpoint.measures == [measure]
        assert str(endpoint.horizon) == "90 days"
    assert protocol.endpoint("qol-change").measures == ["qlq-c30", "qlq-hcc18"]
    assert str(protocol.endpoint("regional-liver-function-change").horizon) == "180 days"
    windows = {w.scope: w for w in protocol.safety.ae_collection}
    assert str(windows["all_ae"].end_offset) == "90 days"
    assert str(windows["serious_ae"].end_offset) == "90 days"


# --------------------------------------------------------------------------- sirt-haic


def test_sirt_haic_outcome_measures_as_registered():
    # Source: shared/protocols.md ("sirt-haic 1 primary (PFS) + safety") and
    # shared/seeds/002_5687f3d3b486e907.txt (NCT07070076). The seed has no outcome-measure
    # table: its brief summary names PFS as the objective and safety as a question.
    protocol = load_builtin("sirt-haic")
    assert protocol.identity.registry_ids == ["NCT07070076"]
    assert ids(protocol, "primary") == ["pfs"]
    assert ids(protocol, "secondary") == []
    assert ids(protocol, "safety") == ["safety"]
    for endpoint in protocol.endpoints:
        assert endpoint.comparison == "between_arms"
        assert "propensity" in endpoint.adjustment
        assert "adjustment" in endpoint.assumed_fields


def test_sirt_haic_design_and_haic_regimen():
    protocol = load_builtin("sirt-haic")
    assert protocol.design.type is DesignType.NON_RANDOMIZED_PARALLEL
    assert protocol.design.allocation_ratio is None
    assert protocol.identity.target_enrolment == 286
    (regimen,) = protocol.planning.regimens
    assert regimen.arms == ["haic"]
    drugs = [(d.agent, d.dose, d.dose_unit, str(d.duration)) for d in regimen.drugs]
    assert drugs == [
        ("oxaliplatin", 135, "mg/m2", "3 hours"),
        ("leucovorin", 400, "mg/m2", "1.5 hours"),
        ("fluorouracil", 400, "mg/m2", "2 hours"),
        ("fluorouracil", 2400, "mg/m2", "46 hours"),
    ]
    assert all(d.route == "intra-arterial" for d in regimen.drugs)
    interval = (str(regimen.cycle_interval_min), str(regimen.cycle_interval_max))
    assert interval == ("3 weeks", "4 weeks")
    assert regimen.cycles_allowed == [2, 4]


def test_sirt_haic_resection_timing_is_a_schedule_fact():
    protocol = load_builtin("sirt-haic")
    visits = {v.id: v for v in protocol.schedule.visits}
    after_haic = visits["haic-resection"]
    assert after_haic.arms == ["haic"] and after_haic.anchor.value == "last_treatment"
    assert (str(after_haic.nominal), str(after_haic.window.after)) == ("3 weeks", "1 week")
    after_sirt = visits["sirt-resection"]
    assert after_sirt.arms == ["sirt"] and after_sirt.anchor.value == "first_treatment"
    assert (str(after_sirt.nominal), str(after_sirt.window.after)) == ("3 months", "1 month")
    assert "surgery" in after_haic.assessments and "surgery" in after_sirt.assessments
    post_op = [str(v.nominal) for v in protocol.schedule.visits if v.id.startswith("post-op")]
    assert post_op == ["1 month", "3 months", "6 months"]


# --------------------------------------------------------------------------- io-rt-mvi


def test_io_rt_mvi_declares_assumed_outcome_measures():
    # Source: shared/protocols.md ("io-rt-mvi none listed": declare OS primary, PFS, ORR by
    # RECIST 1.1 and mRECIST, AEs by CTCAE v5.0 secondary, each assumed) and
    # shared/seeds/003_2487725728a3b4c0.txt, which lists no outcome measures.
    protocol = load_builtin("io-rt-mvi")
    assert ids(protocol, "primary") == ["os"]
    assert ids(protocol, "secondary") == ["pfs", "orr", "ae"]
    assert all(e.assumed and e.registry_text is None for e in protocol.endpoints)
    assert protocol.endpoint("orr").criteria == ["recist11", "mrecist"]
    assert protocol.endpoint("orr").responses == ["CR", "PR"]
    assert protocol.endpoint("pfs").criteria == ["recist11", "mrecist"]
    assert protocol.endpoint("ae").kind is EndpointKind.SAFETY


def test_io_rt_mvi_allocation_is_an_assumed_1_to_1_randomization():
    protocol = load_builtin("io-rt-mvi")
    design = protocol.design
    assert design.type is DesignType.RANDOMIZED
    assert design.allocation_ratio == {"io-rt": 1, "io": 1}
    assert design.assumed is True and design.assumption_note
    assert design.stratification_factors == []
    assert all(v.assumed for v in protocol.schedule.visits)
    assert all(w.assumed for w in protocol.safety.ae_collection)


def test_io_rt_mvi_eligibility_splits_the_lab_list():
    protocol = load_builtin("io-rt-mvi")
    labs = [c.id for c in protocol.eligibility if c.category == "laboratory"]
    assert labs == [
        "lab-hemoglobin",
        "lab-anc",
        "lab-platelets",
        "lab-bilirubin",
        "lab-albumin",
        "lab-alt-ast",
        "lab-inr",
        "lab-creatinine",
    ]
    assert "≥ 1,000/mm3" in criterion_text(protocol, "lab-anc")
    assert "≥ 40 mL/min" in criterion_text(protocol, "lab-creatinine")
    kinds = [c.kind for c in protocol.eligibility]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == (18, 16)


# --------------------------------------------------------------------------- sbrt-bclcc


def test_sbrt_bclcc_outcome_measures_as_registered():
    # Source: shared/protocols.md ("sbrt-bclcc 1 primary + 7 secondary (QoL is listed twice,
    # once per questionnaire)") and shared/seeds/004_ee98502018bc2ac4.txt, in registry order.
    protocol = load_builtin("sbrt-bclcc")
    assert ids(protocol, "primary") == ["os"]
    assert ids(protocol, "secondary") == [
        "pfs",
        "orr",
        "dcr",
        "dor",
        "qol-qlq-c30",
        "qol-qlq-hcc18",
        "trae",
    ]
    assert protocol.endpoint("os").origin.source is EventSource.RANDOMIZATION
    assert protocol.endpoint("dcr").responses == ["CR", "PR", "SD"]
    assert protocol.endpoint("qol-qlq-c30").measures == ["qlq-c30"]
    assert protocol.endpoint("qol-qlq-hcc18").measures == ["qlq-hcc18"]


def test_sbrt_bclcc_randomized_2_to_1():
    protocol = load_builtin("sbrt-bclcc")
    design = protocol.design
    assert design.type is DesignType.RANDOMIZED and design.assumed is False
    assert design.allocation_ratio == {"sbrt-systemic": 2, "systemic": 1}
    assert protocol.arm("sbrt-systemic").role == "experimental"
    assert protocol.identity.target_enrolment == 184


def test_sbrt_bclcc_prescription_and_lesion_limit():
    protocol = load_builtin("sbrt-bclcc")
    sbrt = protocol.planning.sbrt
    assert (sbrt.total_dose_gy_min, sbrt.total_dose_gy_max, sbrt.fractions) == (25, 40, 5)
    assert (sbrt.dose_per_fraction_gy_min, sbrt.dose_per_fraction_gy_max) == (5, 8)
    assert sbrt.arms == ["sbrt-systemic"]
    total = limit(protocol, "sbrt-total-dose")
    assert (total.minimum, total.maximum, total.unit) == (25, 40, "Gy")
    per_fraction = limit(protocol, "sbrt-dose-per-fraction")
    assert (per_fraction.minimum, per_fraction.maximum) == (5, 8)
    assert limit(protocol, "sbrt-fractions").target == 5
    lesions = limit(protocol, "active-lesions")
    assert lesions.quantity is LimitQuantity.ACTIVE_LESIONS_TREATED
    assert lesions.maximum == 10 and lesions.maximum_inclusive is True


def test_sbrt_bclcc_ae_windows():
    protocol = load_builtin("sbrt-bclcc")
    windows = {w.id: w for w in protocol.safety.ae_collection}
    trae = windows["trae-rt-30d"]
    assert (trae.scope, trae.start.value, trae.end.value) == (
        "treatment_related_ae",
        "consent",
        "last_radiotherapy",
    )
    assert str(trae.end_offset) == "30 days" and not trae.assumed
    sae = windows["sae-rt-90d"]
    assert sae.scope == "serious_ae" and str(sae.end_offset) == "90 days"
    assert all(w.assumed for w in windows.values() if w.arms == ["systemic"])
