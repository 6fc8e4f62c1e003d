"""The Y-90 planning form and its evaluation by the core.

Everything computed here is computed by :mod:`hccrt.dosimetry`: the plan
(:func:`~hccrt.dosimetry.plan.plan_y90` with the default :class:`Y90Constants`, the same call
``capture.Y90Plan.clean()`` makes), the lung shunt fraction from MAA counts
(:func:`~hccrt.dosimetry.y90.lung_shunt_fraction`), the protocol's checks
(:func:`~hccrt.dosimetry.checks.check_y90` with :func:`~hccrt.dosimetry.from_protocol.y90_limits`
and the participant's treatment ledger) and the decay of the vial
(:func:`~hccrt.dosimetry.decay.activity_at_gbq`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django import forms

from hccrt.dosimetry import decay, from_protocol, y90
from hccrt.dosimetry.checks import CheckResult, check_y90
from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.ledger import LedgerEntry, TreatmentLedger
from hccrt.dosimetry.plan import Y90Plan as CorePlan
from hccrt.dosimetry.plan import Y90PlanInput, plan_y90
from hccrt.errors import HccrtError, InputError
from hccrt.web.pages.forms import ReasonForChangeField
from hccrt.web.pages.planning.common import (
    DateInput,
    DateTimeLocalInput,
    FieldErrors,
    aware,
    intervention_kinds,
)

DEVICES = [("glass", "Glass microspheres"), ("resin", "Resin microspheres")]
MODELS = [("partition", "Partition (multi-compartment)"), ("mird", "MIRD single compartment"),
          ("bsa", "BSA method (resin)")]  # fmt: skip
DRIVERS = [("tumour_dose", "Tumour dose (Gy)"), ("normal_liver_dose", "Normal liver dose (Gy)"),
           ("perfused_dose", "Perfused-volume dose (Gy)"), ("activity", "Activity (GBq)"),
           ("bsa", "BSA method (activity from the method)")]  # fmt: skip

#: core field names -> form fields, for errors shown next to the field
ALIASES = {
    "tumours.0.volume_ml": "tumour_1_volume_ml", "tumours.0.tnr": "tumour_1_tnr",
    "tumours.1.volume_ml": "tumour_2_volume_ml", "tumours.1.tnr": "tumour_2_tnr",
    "tumours": "tumour_1_volume_ml", "prescribed_value": "prescribed_value",
    "required_activity_gbq": "vial_gbq", "activity_gbq": "vial_gbq",
    "reference_time": "calibration_time", "time": "administration_time",
    "delivered_activity_gbq": "delivered_activity_gbq",
}

#: planning-context keys stored on capture.Y90Plan.planning_context
CONTEXT_FIELDS = ("lung_counts", "liver_counts", "nontumoral_liver_volume_ml", "vial_gbq",
                  "calibration_time", "administration_time")  # fmt: skip


def _num(label: str, help_text: str = "", required: bool = False, **attrs: Any) -> forms.Field:
    return forms.FloatField(label=label, required=required, help_text=help_text,
                            widget=forms.NumberInput(attrs={"step": "any", **attrs}))  # fmt: skip


class Y90PlanForm(forms.Form):
    plan_date = forms.DateField(label="Plan date", widget=DateInput())
    territory = forms.CharField(label="Perfused territory", max_length=100,
                                initial="perfused territory")  # fmt: skip
    device = forms.ChoiceField(label="Device", choices=DEVICES)
    model = forms.ChoiceField(label="Dosimetry method", choices=MODELS)
    driver = forms.ChoiceField(label="Prescribe by", choices=DRIVERS)
    prescribed_value = _num("Target dose (Gy) or activity (GBq)",
                            "Gy for a dose; GBq when prescribing by activity; empty for BSA")
    perfused_volume_ml = _num("Perfused volume (mL)", "Tumours included", required=True)
    tumour_1_volume_ml = _num("Tumour 1 volume (mL)")
    tumour_1_tnr = _num("Tumour 1 tumour-to-normal ratio", "From the MAA SPECT")
    tumour_2_volume_ml = _num("Tumour 2 volume (mL)", "Optional second tumour")
    tumour_2_tnr = _num("Tumour 2 tumour-to-normal ratio")
    target_tumour = forms.TypedChoiceField(label="Tumour the dose is prescribed to",
                                           choices=[(0, "Tumour 1"), (1, "Tumour 2")],
                                           coerce=int, initial=0)  # fmt: skip
    lsf = _num("Lung shunt fraction", "0 to 1 (e.g. 0.08); or give the MAA counts")
    lung_counts = _num("MAA lung counts")
    liver_counts = _num("MAA liver counts")
    lung_mass_kg = _num("Lung mass (kg)", "Empty: the standard 1.0 kg")
    nontumoral_liver_volume_ml = _num("Whole non-tumoral liver volume (mL)",
                                      "For the untreated-liver fraction check")
    liver_volume_ml = _num("Whole liver volume (mL)", "BSA method")
    liver_tumour_volume_ml = _num("All tumour in the liver (mL)", "BSA method")
    height_cm = _num("Height (cm)", "BSA method")
    weight_kg = _num("Weight (kg)", "BSA method")
    vial_gbq = _num("Vial activity at calibration (GBq)",
                    "Glass: the dose size ordered; resin: the vial's activity")
    calibration_time = forms.DateTimeField(label="Vial calibration time", required=False,
                                           widget=DateTimeLocalInput())  # fmt: skip
    administration_time = forms.DateTimeField(label="Planned administration time",
                                              required=False, widget=DateTimeLocalInput())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    reason = ReasonForChangeField(required=False)

    def __init__(self, *args: Any, devices: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if devices:
            self.fields["device"].choices = [c for c in DEVICES if c[0] in devices]


def devices_for(protocol: Any, arm: str | None) -> list[str]:
    """Devices the protocol's Y-90 interventions name (both when the type is not stated)."""
    kinds = intervention_kinds(protocol, arm)
    out = [d for d, k in (("glass", "y90_glass"), ("resin", "y90_resin")) if k in kinds]
    return out or ["glass", "resin"]


def form_to_inputs(data: dict[str, Any], lsf: float) -> dict[str, Any]:
    """The Y90PlanInput document of the form (the JSON stored on capture.Y90Plan.inputs)."""
    tumours = []
    for i in (1, 2):
        vol = data.get(f"tumour_{i}_volume_ml")
        tnr = data.get(f"tumour_{i}_tnr")
        if vol is None and tnr is None:
            continue
        if vol is None:
            raise InputError(f"tumours.{i - 1}.volume_ml", None, "a volume in mL for a tumour "
                             "with a tumour-to-normal ratio")
        tumours.append({"name": f"tumour {i}", "volume_ml": vol, "tnr": tnr})
    doc: dict[str, Any] = {
        "device": data["device"], "model": data["model"], "driver": data["driver"],
        "prescribed_value": data.get("prescribed_value"), "territory": data["territory"],
        "perfused_volume_ml": data["perfused_volume_ml"], "tumours": tumours,
        "target_tumour": data.get("target_tumour") or 0, "lsf": lsf,
        "lung_mass_kg": data.get("lung_mass_kg"),
    }
    if data["model"] == "bsa" or data.get("liver_volume_ml") is not None:
        for key in ("height_cm", "weight_kg", "liver_volume_ml", "liver_tumour_volume_ml"):
            doc[key] = data.get(key)
    return doc


def lsf_of(data: dict[str, Any]) -> float:
    """The lung shunt fraction given, or computed by the core from the MAA counts."""
    if data.get("lsf") is not None:
        return float(data["lsf"])
    if data.get("lung_counts") is not None and data.get("liver_counts") is not None:
        return float(y90.lung_shunt_fraction(data["lung_counts"], data["liver_counts"]))
    raise InputError("lsf", None, "a lung shunt fraction, or the MAA lung and liver counts")


def context_of(data: dict[str, Any]) -> dict[str, Any]:
    """The planning context stored with the plan (JSON: times as ISO strings)."""
    out: dict[str, Any] = {}
    for key in CONTEXT_FIELDS:
        value = data.get(key)
        if isinstance(value, datetime):
            value = aware(value).isoformat()  # type: ignore[union-attr]
        if value is not None:
            out[key] = value
    return out


def initial_from(plan: Any) -> dict[str, Any]:
    """Form initial values from a stored capture.Y90Plan."""
    inp = dict(plan.inputs or {})
    initial: dict[str, Any] = {k: inp.get(k) for k in (
        "device", "model", "driver", "prescribed_value", "perfused_volume_ml", "target_tumour",
        "lsf", "lung_mass_kg", "height_cm", "weight_kg", "liver_volume_ml",
        "liver_tumour_volume_ml")}  # fmt: skip
    for i, t in enumerate(inp.get("tumours") or [], start=1):
        initial[f"tumour_{i}_volume_ml"] = t.get("volume_ml")
        initial[f"tumour_{i}_tnr"] = t.get("tnr")
    ctx = dict(plan.planning_context or {})
    for key in CONTEXT_FIELDS:
        value = ctx.get(key)
        if key.endswith("_time") and value:
            value = datetime.fromisoformat(value)
        initial[key] = value
    if ctx.get("lung_counts") is not None:
        initial["lsf"] = None  # the counts are what was entered
    initial.update(plan_date=plan.plan_date, territory=plan.territory, version=plan.version)
    return initial


@dataclass
class VialResult:
    vial_gbq: float
    calibration_time: datetime
    administration_time: datetime
    hours_after_calibration: float
    activity_at_administration_gbq: float
    required_gbq: float
    deviation_fraction: float

    @property
    def deviation_pct(self) -> float:
        return self.deviation_fraction * 100.0

    @property
    def short(self) -> bool:
        return self.activity_at_administration_gbq < self.required_gbq


@dataclass
class Y90Evaluation:
    plan: CorePlan | None = None
    lsf: float | None = None
    checks: list[CheckResult] = field(default_factory=list)
    vial: VialResult | None = None
    limits_note: str = ""
    previous_lung_dose_gy: float = 0.0

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "fail"]


def ledger_for(participant: Any, exclude_plan_id: int | None = None) -> TreatmentLedger:
    """The participant's earlier Y-90 treatments (administrations of their plans, at the
    delivered activity), for the cumulative lung dose and the retreatment window."""
    from hccrt.web.capture.models import Y90Administration

    admins = (Y90Administration.objects.alive().filter(participant=participant)
              .exclude(plan_id=exclude_plan_id).select_related("plan")
              .order_by("administration_date", "pk"))  # fmt: skip
    entries = []
    for a in admins:
        core = a.plan.core_plan()
        entries.append(LedgerEntry.from_plan(core, a.administration_date, str(a.plan_id),
                                             a.delivered_activity_gbq))  # fmt: skip
    return TreatmentLedger(participant_id=participant.study_id, entries=tuple(entries))


def evaluate(form: Y90PlanForm, protocol: Any, arm: str | None, participant: Any,
             plan_id: int | None = None) -> Y90Evaluation:
    """Plan, checks and vial for a bound, valid form; core errors go onto the form."""
    ev = Y90Evaluation()
    errors = FieldErrors(form, ALIASES)
    data = form.cleaned_data
    try:
        ev.lsf = lsf_of(data)
        # the constructor, not model_validate: the latter wraps the field's InputError twice
        inputs = Y90PlanInput(**form_to_inputs(data, ev.lsf))
        ev.plan = plan_y90(inputs, Y90Constants())
    except HccrtError as exc:
        errors.core(exc)
        return ev
    try:
        limits = from_protocol.y90_limits(protocol, arm)
        ledger = ledger_for(participant, plan_id)
        ev.previous_lung_dose_gy = ledger.cumulative_lung_dose_gy
        when: date | None = data.get("plan_date")
        admin_time = aware(data.get("administration_time"))
        if admin_time is not None:
            when = admin_time.date()
        ev.checks = check_y90(ev.plan, limits, treatment_date=when,
                              ledger=ledger if ledger.entries else None,
                              nontumoral_liver_volume_ml=data.get("nontumoral_liver_volume_ml"))
        if not ev.checks:
            ev.limits_note = (f"The {protocol.code} protocol states no Y-90 limit"
                              + (f" for arm {arm}" if arm else "") + ".")
    except HccrtError as exc:
        errors.core(exc)
    ev.vial = vial_result(form, data, ev.plan, errors)
    return ev


def vial_result(form: forms.Form, data: dict[str, Any], plan: CorePlan,
                errors: FieldErrors) -> VialResult | None:
    """Decay-corrected vial activity at the planned administration time (core decay)."""
    vial, cal = data.get("vial_gbq"), aware(data.get("calibration_time"))
    admin = aware(data.get("administration_time"))
    if vial is None or cal is None or admin is None:
        return None
    need = plan.result.vial_activity_at_administration_gbq
    try:
        at_admin = float(decay.activity_at_gbq(vial, cal, admin, plan.constants.half_life_h))
        hours = decay.hours_between(cal, admin)
    except InputError as exc:
        errors.input_error(exc)
        return None
    return VialResult(vial_gbq=vial, calibration_time=cal, administration_time=admin,
                      hours_after_calibration=hours, activity_at_administration_gbq=at_admin,
                      required_gbq=need,
                      deviation_fraction=(at_admin - need) / need if need > 0 else 0.0)


def evaluate_stored(plan: Any, protocol: Any, arm: str | None) -> Y90Evaluation:
    """The evaluation of a stored plan, recomputed by the core from its recorded inputs."""
    form = Y90PlanForm(data=None, initial=initial_from(plan))
    data = {name: form.initial.get(name) for name in form.fields}
    form.cleaned_data = data
    form._errors = forms.utils.ErrorDict()
    return evaluate(form, protocol, arm, plan.participant, plan.pk)


class AdministrationForm(forms.Form):
    administration_date = forms.DateField(label="Administration date", widget=DateInput())
    delivered_activity_gbq = _num("Delivered activity (GBq)",
                                  "Or give the assays below: the activity computed from them "
                                  "is the one recorded")  # fmt: skip
    pre_assay_gbq = _num("Vial assay before (GBq)")
    pre_assay_time = forms.DateTimeField(label="Time of that assay", required=False,
                                         widget=DateTimeLocalInput())  # fmt: skip
    residual_gbq = _num("Residual assay after (GBq)", "Vial, lines and catheter")
    residual_assay_time = forms.DateTimeField(label="Time of the residual assay",
                                              required=False, widget=DateTimeLocalInput())
    administration_time = forms.DateTimeField(label="Administration time", required=False,
                                              widget=DateTimeLocalInput())  # fmt: skip


#: the administration form's readings -> the fields of capture.Y90Administration that store
#: them (the model derives the delivered activity from them through the core)
ASSAY_FIELDS = {"pre_assay_gbq": "vial_assay_gbq", "pre_assay_time": "vial_assay_at",
                "residual_gbq": "residual_assay_gbq", "residual_assay_time": "residual_assay_at",
                "administration_time": "administered_at"}  # fmt: skip
#: the model's field names -> the form's, for its errors shown next to the field
ADMINISTRATION_ALIASES = {**{model: form for form, model in ASSAY_FIELDS.items()},
                          "delivered_activity_gbq": "delivered_activity_gbq",
                          "administration_date": "administration_date"}  # fmt: skip


def administration_from(form: AdministrationForm, plan: Any) -> Any:
    """An unsaved capture.Y90Administration of ``plan`` holding what the form was given: the
    delivered activity as entered, and the five assay readings; its ``clean()`` (on save)
    derives the delivered activity from the readings when they are given."""
    from hccrt.web.capture.models import Y90Administration

    data = form.cleaned_data
    readings = {model: aware(data.get(name)) if name.endswith("time") else data.get(name)
                for name, model in ASSAY_FIELDS.items()}  # fmt: skip
    return Y90Administration(participant=plan.participant, plan=plan,
                             administration_date=data["administration_date"],
                             delivered_activity_gbq=data.get("delivered_activity_gbq"),
                             **readings)  # fmt: skip
