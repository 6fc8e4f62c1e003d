"""The rule language: rules are checked when a protocol file loads, naming the criterion."""

from __future__ import annotations

import copy

import pytest
import yaml

from hccrt.protocols import ProtocolFileError, load_builtin, parse_protocol
from hccrt.protocols.eligibility.rules import facts_used, is_attestation_only, parse_rule
from hccrt.protocols.loader import builtin_protocol_path


def _document(code: str) -> dict:
    return yaml.safe_load(builtin_protocol_path(code).read_text(encoding="utf-8"))


def _index(doc: dict, criterion_id: str) -> int:
    return [c["id"] for c in doc["eligibility"]].index(criterion_id)


def _problem(doc: dict) -> tuple[str, str]:
    with pytest.raises(ProtocolFileError) as info:
        parse_protocol(yaml.safe_dump(doc, allow_unicode=True), source="edited.yaml")
    (problem,) = info.value.problems
    return problem


def _with_rule(code: str, criterion_id: str, rule: object) -> tuple[str, str]:
    doc = _document(code)
    doc["eligibility"][_index(doc, criterion_id)]["rule"] = rule
    return _problem(doc)


def test_unknown_fact_is_a_load_time_error_naming_the_criterion():
    path, message = _with_rule("rescue", "lab-bilirubin",
                               {"fact": "bilirubn", "op": "<=", "value": 3.0, "unit": "mg/dL"})
    assert path == "eligibility[11]{lab-bilirubin}.rule"
    assert "unknown fact 'bilirubn'" in message


def test_unit_that_does_not_fit_the_fact_is_refused():
    path, message = _with_rule("rescue", "lab-platelets",
                               {"fact": "platelets", "op": ">=", "value": 50, "unit": "mg/dL"})
    assert path == "eligibility[12]{lab-platelets}.rule"
    assert "unit 'mg/dL' does not fit 'platelets'" in message


def test_threshold_without_unit_is_refused():
    _, message = _with_rule("io-rt-mvi", "lab-albumin",
                            {"fact": "albumin", "op": ">=", "value": 2.8})
    assert "needs its unit" in message


def _refused(rule: dict) -> str:
    with pytest.raises(ValueError) as info:
        parse_rule(rule)
    return str(info.value)


def test_type_errors_are_refused():
    # through the whole loader once (the path names the criterion), then the parser alone
    path, message = _with_rule("rescue", "ecog", {"fact": "ecog", "is": True})
    assert path == "eligibility[7]{ecog}.rule" and "'ecog' is a count fact" in message
    assert "'D' is not a value of 'child_pugh_class'" in _refused(
        {"fact": "child_pugh_class", "in": ["D"]})
    assert "value: a number" in _refused({"fact": "age", "op": ">=", "value": "18",
                                          "unit": "years"})
    assert "only laboratory results carry a date window" in _refused(
        {"fact": "age", "op": ">=", "value": 18, "unit": "years", "within": "28 days"})


def test_unknown_keys_and_windows_are_refused():
    assert "'one month' is not a window" in _refused(
        {"fact": "neutrophils", "op": ">=", "value": 1500, "unit": "/mm3",
         "within": "one month"})
    assert "unknown key(s) ['unti']" in _refused({"fact": "ecog", "op": "<=", "value": 1,
                                                  "unti": "x"})
    assert "exactly one of within, at_least" in _refused(
        {"fact": "last_bone_rt_date", "within": "7 days", "at_least": "7 days"})


def test_a_rule_naming_an_unknown_planning_limit_is_refused():
    _, message = _with_rule("rescue", "ex-maa-lung-dose", {"not": {"limit": "lung-dose"}})
    assert "ex-maa-lung-dose" in message and "'lung-dose'" in message


def test_rules_dump_back_to_what_the_file_says():
    doc = _document("io-rt-mvi")
    protocol = load_builtin("io-rt-mvi")
    for written, criterion in zip(doc["eligibility"], protocol.eligibility, strict=True):
        assert criterion.rule.model_dump() == written["rule"], criterion.id
        assert parse_rule(criterion.rule.model_dump()) == criterion.rule


def test_rules_read_only_known_facts():
    rule = parse_rule({"any": [{"fact": "on_anticoagulant", "is": True},
                               {"fact": "inr", "op": "<=", "value": 2.0, "within": "1 month"}]})
    assert facts_used(rule) == {"on_anticoagulant", "inr"}
    assert not is_attestation_only(rule)
    assert is_attestation_only(parse_rule({"attest": "life expectancy > 3 months"}))


def test_the_edited_copy_does_not_touch_the_original():
    doc = _document("rescue")
    before = copy.deepcopy(doc)
    doc["eligibility"][0]["rule"] = {"fact": "age", "op": ">=", "value": 21, "unit": "years"}
    parse_protocol(yaml.safe_dump(doc, allow_unicode=True))
    assert _document("rescue") == before
