"""The screening inputs a page asks for, generated from the facts the protocols' rules read.

Nothing clinical is decided here: the rules name facts (:mod:`hccrt.protocols.eligibility.facts`),
derived facts name the captured inputs they need (``FactSpec.needs``), and planning limits
name theirs (the engine's table). This module walks those names to the inputs a coordinator
(or a referring physician) must give, turns them into Django form fields (labs with a unit
picker of :func:`hccrt.units.allowed_units`), and turns a submitted form back into the
:class:`~hccrt.protocols.eligibility.candidate.ScreeningInput` shape the engine and
``capture.Screening.facts`` read. Validation (ranges, units, dates) is the core's: its
:class:`~hccrt.errors.InputError` is mapped back onto the form field it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms

from hccrt.errors import InputError
from hccrt.protocols.eligibility.engine import _LIMIT_INPUTS
from hccrt.protocols.eligibility.facts import FACTS
from hccrt.protocols.eligibility.rules import (
    ULN,
    AllOf,
    AnyOf,
    Attest,
    Compare,
    Not,
    facts_used,
    limits_used,
)
from hccrt.units import CANONICAL_UNIT, allowed_units, normalize_unit

__all__ = [
    "PARTICIPANT_FACTS",
    "InputSpec",
    "attest_criteria",
    "error_field",
    "facts_form",
    "facts_from",
    "initial_from_facts",
    "input_label",
    "input_specs",
]

#: facts a screening page takes from the participant's own fields, not asked twice
PARTICIPANT_FACTS = frozenset({"age", "sex", "consent_date"})

SECTIONS: tuple[str, ...] = (
    "Patient", "Performance status", "Laboratory", "Liver function", "Diagnosis and tumour",
    "Treatment history", "Medical history", "99mTc-MAA work-up",
)  # fmt: skip
_SECTION_OF: dict[str, str] = {
    **dict.fromkeys(("age", "sex", "weight_kg", "consent_date", "consent_signed",
                     "reproductive_potential", "pregnant", "breastfeeding",
                     "contraception_agreed"), "Patient"),
    "ecog": "Performance status", "nyha_class": "Medical history",
    "on_anticoagulant": "Laboratory",
    **dict.fromkeys(("ascites", "encephalopathy", "liver_function"), "Liver function"),
    **dict.fromkeys(("hcc_histology", "lirads", "hcc_klca_ncc", "fibrolamellar_or_sarcomatoid",
                     "n_lesions", "largest_cm", "segments", "macrovascular_invasion",
                     "bile_duct_invasion", "extrahepatic_spread", "measurable_disease",
                     "brain_metastasis_active", "total_lesions", "pet_active_lesions"),
                    "Diagnosis and tumour"),
    **dict.fromkeys(("prior_hcc_treatment", "prior_interferon", "prior_systemic_lines_advanced",
                     "first_line_ici_based", "prior_liver_rt", "rt_field_overlaps_prior",
                     "last_locoregional_date", "last_bone_rt_date",
                     "locoregional_complications_unresolved", "biliary_procedure",
                     "transplant", "last_immunosuppression_date", "planned_immunotherapy",
                     "systemic_therapy_ongoing", "systemic_therapy_start_date",
                     "intrahepatic_response", "antiviral_therapy"), "Treatment history"),
    **dict.fromkeys(("severe_ap_shunt", "maa_lsf", "maa_tnr", "tumour_volume_ml",
                     "treated_nontumoral_volume_ml", "nontumoral_liver_volume_ml",
                     "lung_mass_kg"), "99mTc-MAA work-up"),
}  # fmt: skip

#: captured inputs that are not facts themselves: (kind, label, unit, lo, hi)
_EXTRA: dict[str, tuple[str, str, str | None]] = {
    "age": ("number", "Age in completed years", None),
    "consent_date": ("date", "Date written consent was signed", None),
    "segments": ("text", "Couinaud segments involved (e.g. 5,6,7)", None),
    "maa_lsf": ("fraction", "Lung shunt fraction on 99mTc-MAA (0 to 1)", None),
    "maa_tnr": ("number", "Tumour-to-normal liver uptake ratio on 99mTc-MAA", None),
    "tumour_volume_ml": ("number", "Tumour volume", "mL"),
    "treated_nontumoral_volume_ml": ("number", "Non-tumorous liver in the treated volume",
                                     "mL"),
    "nontumoral_liver_volume_ml": ("number", "Total non-tumorous liver volume", "mL"),
    "lung_mass_kg": ("number", "Lung mass (1 kg if not given)", "kg"),
}  # fmt: skip
#: a derived fact's ``needs`` name -> the input the page asks for instead
_NEED_AS = {"birth_date": "age"}


@dataclass
class InputSpec:
    """One thing to ask: a fact or an extra input, with how to ask it."""

    name: str
    kind: str  # lab, bool, count, number, fraction, category, date, text
    label: str
    section: str
    unit: str | None = None
    units: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    uln: bool = False
    default_unit: str | None = None
    used_by: set[str] = field(default_factory=set)


def _leaves(rule: Any) -> Iterable[Any]:
    if isinstance(rule, AllOf | AnyOf):
        for item in rule.items:
            yield from _leaves(item)
    elif isinstance(rule, Not):
        yield from _leaves(rule.item)
    else:
        yield rule


def _spec_for(name: str) -> InputSpec:
    if name in _EXTRA and (name not in FACTS or FACTS[name].is_derived):
        kind, label, unit = _EXTRA[name]
        return InputSpec(name, kind, label, _SECTION_OF.get(name, "Patient"), unit=unit)
    spec = FACTS[name]
    section = _SECTION_OF.get(name, "Laboratory" if spec.kind == "lab" else "Medical history")
    if spec.kind == "lab":
        assert spec.analyte is not None
        units = allowed_units(spec.analyte)
        return InputSpec(name, "lab", spec.label, section, unit=CANONICAL_UNIT[spec.analyte],
                         units=units, default_unit=CANONICAL_UNIT[spec.analyte])  # fmt: skip
    return InputSpec(name, spec.kind, spec.label, section, unit=spec.unit,
                     units=tuple(spec.units) if len(spec.units) > 1 else (),
                     choices=spec.choices, default_unit=spec.unit)  # fmt: skip


def _expand(name: str, out: dict[str, InputSpec], code: str) -> None:
    name = _NEED_AS.get(name, name)
    if name in FACTS and FACTS[name].is_derived and name not in _EXTRA:
        for need in FACTS[name].needs:
            _expand(need, out, code)
        if name == "bclc_stage":
            _expand("liver_function", out, code)  # BCLC asks it for Child-Pugh B
        return
    if name not in out:
        out[name] = _spec_for(name)
    out[name].used_by.add(code)


def input_specs(protocols: Sequence[Any], *, skip: Iterable[str] = ()) -> list[InputSpec]:
    """The inputs the eligibility rules of ``protocols`` (core Protocol models) read.

    Ordered by section, then by first use in the protocols' criteria. ``skip`` leaves out
    inputs a page takes from elsewhere (the participant's age, sex and consent date).
    """
    out: dict[str, InputSpec] = {}
    for p in protocols:
        limits = {lim.id: lim for lim in p.planning.limits}
        for c in p.eligibility:
            if c.rule is None:
                continue
            for leaf in _leaves(c.rule):
                if isinstance(leaf, Compare) and leaf.unit is not None:
                    spec = FACTS[leaf.fact]
                    if spec.kind == "lab" and leaf.unit == ULN:
                        _expand(leaf.fact, out, p.code)
                        out[leaf.fact].uln = True
                    elif spec.kind == "lab":
                        _expand(leaf.fact, out, p.code)
                        try:
                            unit = normalize_unit(leaf.unit)
                        except InputError:
                            continue
                        if unit in out[leaf.fact].units:
                            out[leaf.fact].default_unit = unit
            for fact_name in sorted(facts_used(c.rule)):
                _expand(fact_name, out, p.code)
            for limit_id in sorted(limits_used(c.rule)):
                for need in _LIMIT_INPUTS.get(limits[limit_id].quantity, ()):
                    _expand(need, out, p.code)
    skipped = set(skip)
    specs = [s for s in out.values() if s.name not in skipped]
    return sorted(specs, key=lambda s: SECTIONS.index(s.section))


def attest_criteria(protocol: Any) -> list[tuple[str, str, list[str]]]:
    """(criterion id, criterion text, attestation statements) of criteria needing one."""
    out = []
    for c in protocol.eligibility:
        statements = [leaf.attest for leaf in _leaves(c.rule) if isinstance(leaf, Attest)]
        if statements:
            out.append((c.id, c.text, statements))
    return out


# --------------------------------------------------------------------------- forms

_TRI = [("", "not known"), ("yes", "yes"), ("no", "no")]


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def facts_form(specs: Sequence[InputSpec], attest: Sequence[tuple[str, str, list[str]]] = (),
               *, labs_date: bool = True) -> type[forms.Form]:
    """A form class with one field (lab: value, unit, ULN) per input spec."""
    fields: dict[str, forms.Field] = {}
    has_lab = any(s.kind == "lab" for s in specs)
    if labs_date and has_lab:
        fields["labs_date"] = forms.DateField(
            required=False, label="Date of the blood tests", widget=date_widget(),
            help_text="Lab results older than a criterion's window count as missing.")
    for s in specs:
        help_unit = f" ({s.unit})" if s.unit and not s.units else ""
        if s.kind == "lab":
            fields[s.name] = forms.FloatField(required=False, label=s.label,
                                              widget=forms.NumberInput(attrs={"step": "any"}))
            if len(s.units) > 1:
                fields[f"{s.name}_unit"] = forms.ChoiceField(
                    choices=[(u, u) for u in s.units], initial=s.default_unit,
                    label=f"{s.label}: unit")
            if s.uln:
                fields[f"{s.name}_uln"] = forms.FloatField(
                    required=False, label=f"{s.label}: site upper limit of normal",
                    help_text="same unit as the value",
                    widget=forms.NumberInput(attrs={"step": "any"}))
        elif s.kind == "bool":
            fields[s.name] = forms.ChoiceField(choices=_TRI, required=False, label=s.label)
        elif s.kind == "category":
            fields[s.name] = forms.ChoiceField(
                choices=[("", "not known"), *((c, c) for c in s.choices)], required=False,
                label=s.label)
        elif s.kind == "count":
            fields[s.name] = forms.IntegerField(required=False, label=s.label + help_unit)
        elif s.kind in ("number", "fraction"):
            fields[s.name] = forms.FloatField(
                required=False, label=s.label + help_unit,
                widget=forms.NumberInput(attrs={"step": "any"}))
            if s.units:
                fields[f"{s.name}_unit"] = forms.ChoiceField(
                    choices=[(u, u) for u in s.units], initial=s.default_unit,
                    label=f"{s.label}: unit")
        elif s.kind == "date":
            fields[s.name] = forms.DateField(required=False, label=s.label,
                                             widget=date_widget())
            if s.name in FACTS:  # a dated event: "never happened" is an answer
                fields[f"{s.name}_never"] = forms.BooleanField(
                    required=False, label=f"{s.label}: never")
        else:
            fields[s.name] = forms.CharField(required=False, label=s.label, max_length=60)
    for cid, _text, statements in attest:
        fields[f"attest__{cid}"] = forms.ChoiceField(
            choices=[("", "to attest"), ("yes", "yes"), ("no", "no")], required=False,
            label="; ".join(statements))
    return type("FactsForm", (forms.Form,), dict(fields))


def facts_from(specs: Sequence[InputSpec], data: dict[str, Any]) -> dict[str, Any]:
    """The ScreeningInput-shaped facts (JSON-ready) of a form's cleaned data.

    Labs keep the unit the user chose (the core converts); a number with a unit picker that
    is not a lab is converted with the fact's own unit table (``FactSpec.units``).
    """
    out: dict[str, Any] = {}
    labs: dict[str, Any] = {}
    labs_date = data.get("labs_date")
    for s in specs:
        value = data.get(s.name)
        if s.kind == "lab":
            if value is None:
                continue
            lab: dict[str, Any] = {"value": value,
                                   "unit": data.get(f"{s.name}_unit") or s.unit}
            if labs_date:
                lab["date"] = labs_date.isoformat()
            if data.get(f"{s.name}_uln") is not None:
                lab["uln"] = data[f"{s.name}_uln"]
            labs[s.name] = lab
        elif s.kind == "bool":
            if value in ("yes", "no"):
                out[s.name] = value == "yes"
        elif s.kind == "date":
            if data.get(f"{s.name}_never"):
                out[s.name] = "none"
            elif value:
                out[s.name] = value.isoformat()
        elif s.kind in ("number", "fraction") and s.units:
            if value is not None:
                unit = data.get(f"{s.name}_unit") or s.unit
                out[s.name] = value * FACTS[s.name].units[unit]
        elif value not in (None, ""):
            out[s.name] = value
    if labs:
        out["labs"] = labs
    attest = {k.removeprefix("attest__"): v == "yes" for k, v in data.items()
              if k.startswith("attest__") and v in ("yes", "no")}
    if attest:
        out["attestations"] = attest
    return out


def initial_from_facts(specs: Sequence[InputSpec], facts: dict[str, Any]) -> dict[str, Any]:
    """Form initial values from stored facts (inverse of :func:`facts_from`)."""
    init: dict[str, Any] = {}
    labs = facts.get("labs") or {}
    for s in specs:
        if s.kind == "lab":
            lab = labs.get(s.name)
            if lab:
                init[s.name] = lab.get("value")
                init[f"{s.name}_unit"] = lab.get("unit")
                if lab.get("uln") is not None:
                    init[f"{s.name}_uln"] = lab["uln"]
                if lab.get("date"):
                    init["labs_date"] = lab["date"]
            continue
        if s.name not in facts:
            continue
        v = facts[s.name]
        if s.kind == "bool":
            init[s.name] = "yes" if v else "no"
        elif s.kind == "date" and v == "none":
            init[f"{s.name}_never"] = True
        elif s.kind in ("number", "fraction") and s.units:
            init[s.name] = v
            init[f"{s.name}_unit"] = s.unit
        else:
            init[s.name] = v
    for cid, v in (facts.get("attestations") or {}).items():
        init[f"attest__{cid}"] = "yes" if v else "no"
    return init


_LAB_PATH = re.compile(r"^(?:facts\.)?labs\.([a-z_]+)(?:\.(value|unit|date|uln))?$")


def error_field(field_name: str, form: forms.Form) -> str | None:
    """The form field an InputError of the core names (None: not one of the form's)."""
    name = field_name.removeprefix("facts.")
    match = _LAB_PATH.match(name)
    if match:
        analyte, part = match.groups()
        name = analyte if part in (None, "value") else (
            "labs_date" if part == "date" else f"{analyte}_{part}")
    if name.endswith("_date") and name.removesuffix("_date") in form.fields \
            and "labs_date" in form.fields:
        name = "labs_date"
    if name in form.fields:
        return name
    base = name.rsplit("_", 1)[0]
    return base if base in form.fields else None


def input_label(name: str) -> str:
    """Words for an input or fact name (as the engine names missing inputs)."""
    head, _, rest = name.partition(" ")
    if head == "birth_date":
        return "Age"
    if head in _EXTRA:
        label = _EXTRA[head][1]
    elif head in FACTS:
        label = FACTS[head].label
    elif head.endswith("_uln") and head.removesuffix("_uln") in FACTS:
        label = FACTS[head.removesuffix("_uln")].label + ": site upper limit of normal"
        rest = ""
    else:
        return name.replace("_", " ")
    return f"{label} {rest}".strip() if rest and not rest.startswith("(or") else label
