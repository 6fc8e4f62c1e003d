"""All criteria of the five protocols are encoded; only judgement is left to attestation.

The counts are those of the registry texts (shared/seeds/000..004): rescue inclusion 1-12
with the ten blood tests of item 9 as separate criteria (21) and exclusion 1-6 with 1a/1b
split (7); sirt-haic six inclusion and eleven exclusion bullets; io-rt-mvi inclusion 1-11
with the eight laboratory items of 8 split (18) and exclusion 1-16; sbrt-bclcc the five "key
inclusion criteria", the SBRT lesion-count condition and the assumed continuation of
systemic therapy; tare-ut7 the three population conditions of its summary (no criteria list).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hccrt.protocols import BUILTIN_CODES, load_builtin
from hccrt.protocols.eligibility.rules import Attest, is_attestation_only

EXPECTED_COUNTS = {
    "tare-ut7": (3, 0),
    "rescue": (21, 7),
    "sirt-haic": (6, 11),
    "io-rt-mvi": (18, 16),
    "sbrt-bclcc": (7, 0),
}

# Only the investigator can judge these (seed wording in the criterion text).
ATTESTATION_ONLY = {
    "tare-ut7": set(),
    "rescue": {"life-expectancy"},  # "a life expectancy of more than 3 months"
    "sirt-haic": {"ex-organ-dysfunction", "ex-psychiatric", "ex-investigator-judgement"},
    "io-rt-mvi": {"ex-compliance"},
    "sbrt-bclcc": set(),
}

# Categories whose criteria are measured, never judged: no attestation anywhere in them.
COMPUTABLE = {"laboratory", "liver_function", "staging", "tumour_burden", "dosimetry",
              "demographic", "performance_status", "prior_treatment"}


def _has_attest(rule) -> bool:
    if isinstance(rule, Attest):
        return True
    items = getattr(rule, "items", None) or ([rule.item] if hasattr(rule, "item") else [])
    return any(_has_attest(i) for i in items)


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_criterion_of_the_seed_is_encoded(code):
    protocol = load_builtin(code)
    kinds = [c.kind for c in protocol.eligibility]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == EXPECTED_COUNTS[code]
    assert all(c.rule is not None for c in protocol.eligibility)


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_attestation_only_criteria_are_exactly_the_judgement_ones(code):
    protocol = load_builtin(code)
    only = {c.id for c in protocol.eligibility if is_attestation_only(c.rule)}
    assert only == ATTESTATION_ONLY[code]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_nothing_computable_is_left_to_attestation(code):
    protocol = load_builtin(code)
    for c in protocol.eligibility:
        if c.category in COMPUTABLE and c.id != "resectable-no-distant-metastasis":
            assert not _has_attest(c.rule), c.id


def test_resectability_is_the_only_judgement_inside_a_staging_criterion():
    # sirt-haic: "Absence of distant metastasis, with the tumor anticipated to be completely
    # resectable": metastasis is an imaging fact, resectability the surgeons' judgement.
    protocol = load_builtin("sirt-haic")
    (c,) = [c for c in protocol.eligibility if c.id == "resectable-no-distant-metastasis"]
    assert _has_attest(c.rule) and not is_attestation_only(c.rule)


# --------------------------------------------------------------------------- against the seeds

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> list[str]:
    return text.split(start, 1)[1].split(end, 1)[0].splitlines()


def _leaves(lines: list[str], item: str, sub: str) -> int:
    """Numbered items, a parent with sub-items counting as its sub-items."""
    count = 0
    for k, line in enumerate(lines):
        if re.match(item, line):
            following = next((x for x in lines[k + 1:] if x.strip()), "")
            count += 0 if re.match(sub, following) else 1
        elif re.match(sub, line):
            count += 1
    return count


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not present")
def test_counts_match_the_registry_texts():
    rescue = _seed("001")
    top, sub = r"^  \d+\. ", r"^    \d+\. "
    inclusion = _leaves(_between(rescue, "Inclusion Criteria", "Exclusion Criteria"), top, sub)
    exclusion = _leaves(_between(rescue, "Exclusion Criteria", "Study & Design"), top, sub)
    assert (inclusion, exclusion) == EXPECTED_COUNTS["rescue"]

    sirt = _seed("002")
    bullets = [x for x in _between(sirt, "Inclusion Criteria", "Exclusion Criteria")
               if x.startswith("* ")]
    ex_bullets = [x for x in _between(sirt, "Exclusion Criteria", "Minimum Eligible Age")
                  if x.startswith("* ")]
    assert (len(bullets), len(ex_bullets)) == EXPECTED_COUNTS["sirt-haic"]

    io = _seed("003")
    inc_lines = _between(io, "- Inclusion Criteria:", "- Exclusion Criteria:")
    numbered = [x for x in inc_lines if re.match(r"^- (• )?\d+\. ", x)]
    # item 8 is the heading of the eight laboratory items that follow it
    headings = [x for x in numbered if x.startswith("- 8. Adequate")]
    exc_lines = _between(io, "- Exclusion Criteria:", "About National Cancer Center")
    ex_numbered = [x for x in exc_lines if re.match(r"^- (• )?\d+\. ", x)]
    # the three numbered exceptions under 6 qualify it ("with following exceptions")
    exceptions = [x for x in ex_numbered if re.match(r"^- • [123]\. (Patients with hypo|"
                                                     r"Controlled type|Any chronic skin)", x)]
    assert (len(numbered) - len(headings), len(ex_numbered) - len(exceptions)) == \
        EXPECTED_COUNTS["io-rt-mvi"]

    sbrt = _seed("004")
    key = sbrt.split("Key inclusion criteria include ", 1)[1].split(". ", 1)[0]
    items = [x for x in re.split(r",\s*(?:and\s+)?", key) if x.strip()]
    assert len(items) == 5  # + the lesion-count condition + the assumed systemic therapy
    assert "≤10 active lesions" in sbrt
    assert EXPECTED_COUNTS["sbrt-bclcc"] == (len(items) + 2, 0)
