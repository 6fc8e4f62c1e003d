"""Property tests: arbitrary screening inputs raise only InputError; eligibility is sound."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccrt.errors import InputError
from hccrt.protocols import load_builtins
from hccrt.protocols.eligibility import screen_all
from hccrt.protocols.eligibility.candidate import INPUT_COLUMNS, ScreeningInput, facts_frame
from tests.protocols.eligibility.candidates import BASE, candidate

PROTOCOLS = load_builtins()

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["none", "yes", "2026-10-01", "1.2 mg/dL", "A", "LR-5", "5,6", "x ULN",
                     "/uL", "mg/dL", "umol/L", "female", "moderate", "2026-13-40"]),
    st.dates(dt.date(1890, 1, 1), dt.date(2300, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([c for c in INPUT_COLUMNS if c != "candidate_id"]),
                       cells, max_size=12))
def test_arbitrary_flat_rows_raise_only_input_error(row):
    row = {"candidate_id": "x", "screening_date": "2026-10-15", **row}
    try:
        facts = facts_frame(pd.DataFrame([row]))
    except InputError:
        return
    for batch in screen_all(PROTOCOLS, facts).values():
        assert batch.status[0] in ("eligible", "ineligible", "incomplete")
        batch.result(0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["labs", "prior_treatments", "medications", "segments",
                                        "attestations", "ecog", "sex", "birth_date"]),
                       st.one_of(cells, st.lists(cells, max_size=3),
                                 st.dictionaries(st.text(max_size=8), cells, max_size=3)),
                       max_size=4))
def test_arbitrary_json_raises_only_input_error(extra):
    data = {"candidate_id": "x", "screening_date": "2026-10-15", **extra}
    try:
        facts_frame(pd.DataFrame([ScreeningInput.parse(data).to_row()]))
    except InputError:
        return


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(BASE)), st.lists(st.sampled_from(sorted(BASE["io-rt-mvi"])),
                                             max_size=4, unique=True))
def test_eligible_only_when_every_criterion_is_decided_in_favour(code, dropped):
    data = candidate(code, **{k: None for k in dropped if k not in ("screening_date",)})
    facts = facts_frame(pd.DataFrame([ScreeningInput.parse(data).to_row()]))
    for batch in screen_all(PROTOCOLS, facts).values():
        inclusion = batch.kinds
        codes = batch.codes[0]
        decided = all((codes[j] == 1) if inclusion[j] else (codes[j] == 0)
                      for j in range(len(codes)))
        assert (batch.status[0] == "eligible") == decided
        if (codes == -1).any():
            assert batch.status[0] != "eligible"


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
              st.sampled_from(["bilirubin", "ecog", "<=", "mg/dL", "x ULN", "28 days", "A",
                               "screening", "fact", "all", "in", "is", "limit", "attest"]),
              st.text(max_size=6)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["fact", "op", "value", "unit", "within", "in", "is",
                                         "all", "any", "not", "limit", "attest", "before",
                                         "at_least", "note", "x"]), children, max_size=4)),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_arbitrary_rules_fail_only_as_value_errors_at_load(rule):
    from pydantic import ValidationError

    from hccrt.protocols.eligibility.rules import parse_rule
    from hccrt.protocols.schema import Criterion

    try:
        parsed = parse_rule(rule)
    except ValueError:
        pass
    else:
        assert parse_rule(parsed.model_dump()) == parsed
    try:
        Criterion.model_validate({"id": "c", "kind": "inclusion", "text": "t", "rule": rule})
    except ValidationError as exc:
        assert exc.errors()[0]["loc"][0] == "rule"
