"""Test names accepted for each CTCAE term: SDTM codes, common names and NCI term names."""

from __future__ import annotations

from hccrt.clinical.ctcae.terms import _ANALYTE_TERMS, TERMS
from hccrt.errors import InputError


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


# test names (SDTM LBTESTCD / LBTEST spellings, common abbreviations) -> analyte or term key
TEST_ALIASES: dict[str, str] = {}
for _names, _target in (
    (("BILI", "bilirubin", "total bilirubin", "blood bilirubin", "TBIL", "TBILI"), "bilirubin"),
    (("AST", "SGOT", "aspartate aminotransferase"), "ast"),
    (("ALT", "SGPT", "alanine aminotransferase"), "alt"),
    (("ALP", "ALKPH", "alkaline phosphatase"), "alp"),
    (("GGT", "gamma glutamyl transferase", "gamma-GT", "GGTP"), "ggt"),
    (("ALB", "albumin"), "albumin"),
    (("HGB", "Hb", "hemoglobin", "haemoglobin"), "hemoglobin"),
    (("PLAT", "PLT", "platelets", "platelet count"), "platelets"),
    (
        ("NEUT", "ANC", "neutrophils", "neutrophil count", "absolute neutrophil count"),
        "neutrophils",
    ),
    (("WBC", "leukocytes", "white blood cells", "white blood cell count"), "wbc"),
    (("LYM", "LYMPH", "lymphocytes", "lymphocyte count"), "lymphocytes"),
    (("CREAT", "creatinine"), "creatinine"),
    (("INR", "PT INR", "prothrombin INR"), "inr"),
    (("SODIUM", "Na", "natrium"), "sodium"),
    (("K", "POTAS", "POTASSIUM", "kalium"), "potassium"),
):
    for _name in _names:
        TEST_ALIASES[_key(_name)] = _target
for _term in TERMS.values():
    TEST_ALIASES[_key(_term.key)] = _term.key
    TEST_ALIASES[_key(_term.term)] = _term.key

_ALLOWED_TESTS = "a CTCAE lab term or test: " + ", ".join(
    (
        *("BILI", "AST", "ALT", "ALP", "GGT", "ALB", "HGB", "PLAT", "NEUT", "WBC", "LYM"),
        *("CREAT", "INR", "SODIUM", "K", "or a term name such as 'hyponatremia'"),
    )
)


def resolve_test(test: str, field: str = "test") -> tuple[str, ...]:
    """Return the term keys graded for a test name (two for sodium and potassium).

    Accepts SDTM test codes (``ALT``, ``BILI``, ``PLAT``...), common names
    (``"total bilirubin"``), CTCAE term names (``"Hyponatremia"``) and term keys. Raises
    :class:`InputError` for anything else.
    """
    if not isinstance(test, str) or not test.strip():
        raise InputError(field, test, _ALLOWED_TESTS)
    target = TEST_ALIASES.get(_key(test))
    if target is None:
        raise InputError(field, test, _ALLOWED_TESTS)
    if target in TERMS:
        return (target,)
    return _ANALYTE_TERMS[target]
