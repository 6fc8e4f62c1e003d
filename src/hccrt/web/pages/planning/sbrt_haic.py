"""SBRT and HAIC planning forms and their evaluation by the core.

SBRT: BED and EQD2 by :func:`hccrt.dosimetry.sbrt.bed_gy` / :func:`~hccrt.dosimetry.sbrt.eqd2_gy`
(alpha/beta defaults of :class:`~hccrt.dosimetry.sbrt.AlphaBeta`), the protocol's prescription
rules by :func:`~hccrt.dosimetry.sbrt.check_sbrt_prescription` with
:func:`~hccrt.dosimetry.from_protocol.sbrt_limits`. HAIC: the protocol's regimen
(:func:`~hccrt.dosimetry.from_protocol.haic_regimen`), BSA and per-drug doses by
:func:`~hccrt.dosimetry.haic.haic_doses` (BSA by :func:`hccrt.clinical.body.bsa`), the cycle
interval by :func:`~hccrt.dosimetry.haic.check_haic_schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from hccrt.dosimetry import from_protocol, haic, sbrt
from hccrt.dosimetry.checks import CheckResult
from hccrt.errors import HccrtError
from hccrt.web.pages.forms import ReasonForChangeField
from hccrt.web.pages.planning.common import DateInput, FieldErrors

_AB = sbrt.AlphaBeta()


class SbrtForm(forms.Form):
    start_date = forms.DateField(label="First fraction date", widget=DateInput())
    end_date = forms.DateField(label="Last fraction date", required=False, widget=DateInput())
    target = forms.CharField(label="Target", max_length=100, initial="liver")
    prescribed_dose_gy = forms.FloatField(label="Prescribed total dose (Gy)",
                                          widget=forms.NumberInput(attrs={"step": "any"}))
    fractions = forms.IntegerField(label="Fractions", min_value=1)
    alpha_beta_gy = forms.FloatField(
        label="Tumour α/β (Gy)", initial=_AB.tumour_gy,
        help_text=f"Core default {_AB.tumour_gy:g} Gy (HCC); normal liver "
                  f"{_AB.normal_liver_gy:g} Gy", widget=forms.NumberInput(attrs={"step": "any"}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    reason = ReasonForChangeField(required=False)


class FractionForm(forms.Form):
    number = forms.IntegerField(label="Fraction number", min_value=1)
    fraction_date = forms.DateField(label="Date given", widget=DateInput())
    dose_gy = forms.FloatField(label="Dose given (Gy)",
                               widget=forms.NumberInput(attrs={"step": "any"}))


@dataclass
class SbrtEvaluation:
    dose_per_fraction_gy: float | None = None
    bed_gy: float | None = None
    eqd2_gy: float | None = None
    bed_normal_liver_gy: float | None = None
    eqd2_normal_liver_gy: float | None = None
    alpha_beta_gy: float | None = None
    checks: list[CheckResult] = field(default_factory=list)
    limits_note: str = ""
    source: str = ""


def evaluate_sbrt(form: SbrtForm, protocol: Any) -> SbrtEvaluation:
    ev = SbrtEvaluation()
    data = form.cleaned_data
    errors = FieldErrors(form, {"total_dose_gy": "prescribed_dose_gy"})
    d, n, ab = data["prescribed_dose_gy"], data["fractions"], data["alpha_beta_gy"]
    try:
        ev.bed_gy = float(sbrt.bed_gy(d, n, ab))
        ev.eqd2_gy = float(sbrt.eqd2_gy(d, n, ab))
        ev.bed_normal_liver_gy = float(sbrt.bed_gy(d, n, _AB.normal_liver_gy))
        ev.eqd2_normal_liver_gy = float(sbrt.eqd2_gy(d, n, _AB.normal_liver_gy))
        ev.dose_per_fraction_gy = d / n
        ev.alpha_beta_gy = ab
    except HccrtError as exc:
        errors.core(exc)
        return ev
    if protocol.planning.sbrt is None:
        ev.limits_note = f"The {protocol.code} protocol states no SBRT prescription rule."
        return ev
    try:
        limits = from_protocol.sbrt_limits(protocol)
        ev.source = limits.source
        ev.checks = sbrt.check_sbrt_prescription(
            d, n, limits, sbrt.AlphaBeta(tumour_gy=ab, normal_liver_gy=_AB.normal_liver_gy,
                                         late_organs_gy=_AB.late_organs_gy))  # fmt: skip
    except HccrtError as exc:
        errors.core(exc)
    return ev


class HaicForm(forms.Form):
    cycle = forms.IntegerField(label="Cycle number", min_value=1, initial=1)
    cycle_date = forms.DateField(label="Cycle date", widget=DateInput())
    regimen = forms.ChoiceField(label="Regimen (from the protocol)")
    height_cm = forms.FloatField(label="Height (cm)", required=False,
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    weight_kg = forms.FloatField(label="Weight (kg)", required=False,
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    bsa_method = forms.ChoiceField(label="BSA formula", choices=[
        ("mosteller", "Mosteller"), ("dubois", "DuBois")])  # fmt: skip
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    reason = ReasonForChangeField(required=False)

    def __init__(self, *args: Any, regimens: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["regimen"].choices = regimens or []


def regimen_choices(protocol: Any) -> list[tuple[str, str]]:
    return [(r.id, r.name) for r in protocol.planning.regimens]


@dataclass
class HaicEvaluation:
    doses: haic.HaicCycleDoses | None = None
    regimen: haic.HaicRegimen | None = None
    checks: list[CheckResult] = field(default_factory=list)


def evaluate_haic(form: HaicForm, protocol: Any, earlier_dates: list[Any]) -> HaicEvaluation:
    ev = HaicEvaluation()
    data = form.cleaned_data
    errors = FieldErrors(form)
    try:
        ev.regimen = from_protocol.haic_regimen(protocol, data["regimen"])
        ev.doses = haic.haic_doses(ev.regimen, cycle=data["cycle"], height_cm=data.get(
            "height_cm"), weight_kg=data.get("weight_kg"), bsa_method=data["bsa_method"])
        dates = sorted([*earlier_dates, data["cycle_date"]])
        if len(dates) > 1:
            ev.checks = haic.check_haic_schedule(dates, ev.regimen, complete=False)
    except HccrtError as exc:
        errors.core(exc)
    return ev


def drugs_record(doses: haic.HaicCycleDoses) -> list[dict[str, Any]]:
    """The ``drugs`` JSON of capture.HaicCycle: each administration as ordered."""
    return [{"label": o.label, "agent": o.drug, "dose": round(o.rounded_mg, 3),
             "dose_unit": "mg", "dose_mg_per_m2": o.dose_mg_per_m2, "bsa_m2": round(
                 doses.bsa_m2, 4), "infusion_h": o.infusion_h, "route": o.route}
            for o in doses.orders]  # fmt: skip
