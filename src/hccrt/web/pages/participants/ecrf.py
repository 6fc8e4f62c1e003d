"""The eCRF forms of the pages: generic ModelForms built from the capture models.

One form class per capture model (:data:`hccrt.web.capture.models.FORM_MODELS`), addressed by
the API resource name (``labs``, ``adverse-events``...). Derived fields (``editable=False``:
CTCAE grade, scores, doses) are never in a form; the model's ``clean()`` computes them through
the clinical core, and its errors (the core's ``InputError`` turned into field errors by
:mod:`hccrt.web.capture.core_bridge`) are shown next to the field they name. The few JSON
fields a person fills in are rendered as sub-fields (AE relatedness per intervention of the
protocol, HAIC drugs); the units of a lab value are a picker of the units the core accepts
for the test.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.urls import reverse

from hccrt.clinical.ctcae import TERMS
from hccrt.clinical.pneumonitis import PNEUMONITIS_CRITERIA
from hccrt.records import schema as rs
from hccrt.web.capture import access
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant, Protocol
from hccrt.web.pages.forms import ReasonForChangeField

#: resources never written through the generic forms (their own actions or pages)
NOT_GENERIC = frozenset({"allocations", "queries"})

#: fields a generic form leaves out, per model: set by the system or by another page
EXCLUDED: dict[type[Model], tuple[str, ...]] = {
    m.Screening: ("criteria", "rule_version"),
    m.TumourAssessment: ("reader",),
}
#: on edit, the schedule's visits change only their actual date or a missed mark
EDIT_ONLY: dict[type[Model], tuple[str, ...]] = {
    m.Visit: ("actual_date", "missed", "missed_reason"),
}
#: foreign keys to another record of the same participant: choices cut to that participant
OWN_RECORDS: dict[str, type[Model]] = {
    "visit": m.Visit, "plan": m.Y90Plan, "course": m.SbrtCourse, "assessment": m.TumourAssessment,
    "administration": m.Y90Administration,
}  # fmt: skip

#: how a record of the same participant is named in a choice list
RECORD_LABELS: dict[str, Any] = {
    "visit": lambda v: f"{v.name} (planned {v.planned_date.isoformat()})",
    "plan": lambda p: f"plan of {p.plan_date.isoformat()} ({p.territory})",
    "course": lambda c: f"course from {c.start_date.isoformat()}: {c.prescribed_dose_gy:g} Gy "
                        f"in {c.fractions}",
    "assessment": lambda a: f"{a.assessment_date.isoformat()} {a.criteria} ({a.timepoint})",
    "administration": lambda a: f"Y-90 administration of {a.administration_date.isoformat()}"
                                + ("" if a.delivered_activity_gbq is None
                                   else f" ({a.delivered_activity_gbq:.3f} GBq delivered)"),
}
HAIC_DRUG_ROWS = 4
#: labels where the model's field name does not read well on a form
LABELS: dict[str, str] = {
    "lln": "Lower limit of normal (LLN)", "uln": "Upper limit of normal (ULN)",
    "baseline": "Baseline value", "ctcae_term": "CTCAE v5.0 term",
    "ctcae_grade": "CTCAE grade", "not_gradable_reason": "not gradable",
    "bed10_gy": "BED10 (Gy)", "activity_gbq": "activity (GBq)", "ecog": "ECOG",
    "weight_kg": "Weight (kg)", "height_cm": "Height (cm)", "systolic_bp": "Systolic BP (mmHg)",
    "diastolic_bp": "Diastolic BP (mmHg)", "pulse": "Pulse (beats/min)",
    "temperature_c": "Temperature (°C)", "prescribed_dose_gy": "Prescribed dose (Gy)",
    "dose_gy": "Dose (Gy)", "delivered_activity_gbq": "Delivered activity (GBq)",
    "longest_diameter_mm": "Longest diameter (mm)", "viable_diameter_mm":
    "Viable diameter (mm)", "necrosis_percent": "Necrosis (%)", "in_field":
    "Inside the treated area", "results_in_death": "Results in death",
    "life_threatening": "Life-threatening", "hospitalization": "Requires hospitalization",
    "serious": "Serious", "couinaud_segment": "Couinaud segment", "missed_reason":
    "Reason the visit was missed", "death_cause": "Cause of death",
}  # fmt: skip
#: labels of one form's fields, where the field name reads well elsewhere but not there
MODEL_LABELS: dict[type[Model], dict[str, str]] = {
    m.Y90PostTreatmentDosimetry: {
        "imaging_date": "Date of the post-treatment scan", "quantity": "Absorbed dose measured",
        "value": "Measured absorbed dose", "unit": "Unit of the dose",
        "dose_model": "Dose model", "modality": "Post-treatment imaging",
        "predicted_gy": "Predicted dose at the delivered activity (Gy)",
    },
}  # fmt: skip
REASON_REQUIRED = ("A reason for the change is required: the audit trail keeps why saved data "
                   "was changed, with your name and the time.")


def form_models() -> dict[str, type[m.Form]]:
    """Form slug (API resource name) -> capture model, for the forms the pages offer."""
    names = access.model_resources()
    out = {}
    for model in m.FORM_MODELS:
        slug = names[model._meta.label_lower]
        if slug not in NOT_GENERIC:
            out[slug] = model
    return out


def slug_of(model: type[Model]) -> str:
    return access.model_resources()[model._meta.label_lower]


def title_of(model: type[Model]) -> str:
    return str(model._meta.verbose_name).capitalize()


# ----------------------------------------------------------------------------- lab units


def unit_label(unit: str) -> str:
    """How a unit reads on screen: micro as µ, powers as superscripts (the value is kept)."""
    if unit == "":
        return "(no unit: text result)"
    text = re.sub(r"(?<![A-Za-z])u(?=[a-zA-Z])", "µ", unit)
    return text.replace("10^9", "10⁹").replace("10^3", "10³").replace("m2", "m²")


def all_lab_units() -> list[str]:
    seen: dict[str, None] = {}
    for test in rs.LBTESTCD:
        for unit in rs.lb_units(test):
            if unit:
                seen.setdefault(unit, None)
    return list(seen)


def unit_choices(test: str | None, current: str | None = None) -> list[tuple[str, str]]:
    """The unit picker's options: the units the core accepts for ``test`` (all lab units
    when no test is chosen yet); an entered unit outside them is kept so nothing is lost."""
    units = list(rs.lb_units(test)) if test in rs.LBTESTCD else all_lab_units()
    if test == "INR":
        units = ["1"]
    choices = [("", "— unit —")] if "" not in units else []
    choices += [(u, unit_label(u)) for u in units]
    if current and current not in units:
        choices.append((current, f"{current} (not a unit of {test})"))
    return choices


# ----------------------------------------------------------------------------- AE terms


def ctcae_terms() -> list[str]:
    """CTCAE v5.0 terms whose grade criteria the core holds (laboratory terms, pneumonitis)."""
    return sorted({t.term for t in TERMS.values()} | {"Pneumonitis"})


def grade_definitions(term: str) -> dict[int, str]:
    """NCI CTCAE v5.0 grade texts of ``term`` as the core transcribes them ({} if unknown)."""
    wanted = term.strip().casefold()
    if wanted == "pneumonitis":
        return dict(PNEUMONITIS_CRITERIA)
    for t in TERMS.values():
        if t.term.casefold() == wanted:
            return dict(t.criteria)
    return {}


def interventions_of(participant: Participant) -> list[tuple[str, str]]:
    """(id, name) of the interventions of the participant's protocol version."""
    return list(_interventions(participant.protocol_id, participant.protocol.content_hash))


@functools.lru_cache(maxsize=64)
def _interventions(protocol_id: int, content_hash: str) -> tuple[tuple[str, str], ...]:
    """Stored protocol versions are immutable: cached by id and content hash."""
    facts = m.protocol_facts(protocol_id)
    document = Protocol.objects.values_list("document", flat=True).get(pk=protocol_id)
    names = {i["id"]: i.get("name", i["id"])
             for a in document.get("arms", []) for i in a.get("interventions", [])}
    return tuple((i, names.get(i, i)) for i in facts.interventions)


# ----------------------------------------------------------------------------- the form


class EcrfForm(forms.ModelForm):
    """Base of the generated forms: participant-bound choices, core errors on their fields."""

    #: JSON sub-field prefix -> the model field whose errors they carry
    subfield_owner: dict[str, str] = {}

    def __init__(self, *args: Any, participant: Participant, editing: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        instance = kwargs.get("instance")
        if instance is None:
            kwargs["instance"] = self._meta.model(participant=participant)
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.editing = editing
        for name, model in OWN_RECORDS.items():
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = model.objects.alive().filter(participant=participant)
                field.empty_label = "— none —"
                field.label_from_instance = RECORD_LABELS[name]
        for name, label in {**LABELS, **MODEL_LABELS.get(self._meta.model, {})}.items():
            if name in self.fields:
                self.fields[name].label = label
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif isinstance(field, forms.JSONField):
                field.widget.attrs.setdefault("rows", 4)
                field.help_text = (field.help_text + " (JSON)").strip()
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            self.fields["change_reason"] = ReasonForChangeField(
                required=True, error_messages={"required": REASON_REQUIRED})
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        self.describe_fields()

    def describe_fields(self) -> None:
        """Each input names its help text and its error slot (filled by htmx) for readers."""
        for name, field in self.fields.items():
            ids = [f"{self.auto_id % self.add_prefix(name)}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*ids, f"err-{name}"])

    # errors of the model's clean() on names the form does not have (``relatedness.sbrt``,
    # ``inputs.lung_shunt_fraction``) go to the sub-field or field that carries them
    def _error_field(self, name: str) -> str:
        if name in self.fields or name == NON_FIELD_ERRORS:
            return name
        for prefix, owner in self.subfield_owner.items():
            if name.startswith(prefix):
                sub = self.subfield_name(name[len(prefix):])
                return sub if sub in self.fields else owner if owner in self.fields else \
                    NON_FIELD_ERRORS  # fmt: skip
        head = name.split(".", 1)[0]
        return head if head in self.fields else NON_FIELD_ERRORS

    def subfield_name(self, key: str) -> str:
        return key

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's errors as they are: Django would replace a message whose code the form
        field also knows ("invalid") by the field's generic text, losing the core's rule."""
        if not hasattr(errors, "error_dict"):
            self.add_error(None, errors)
            return
        remapped: dict[str, list[str]] = {}
        for name, found in errors.error_dict.items():
            target = self._error_field(name)
            texts = [str(t) for e in found for t in e.messages]
            if target == NON_FIELD_ERRORS and name != NON_FIELD_ERRORS:
                texts = [f"{name}: {t}" for t in texts]
            remapped.setdefault(target, []).extend(texts)
        for target, texts in remapped.items():
            if target != NON_FIELD_ERRORS and target in self.errors:
                texts = [t for t in texts if t not in self.errors[target]]
            if texts:
                self.add_error(None if target == NON_FIELD_ERRORS else target,
                               ValidationError(texts))


class LabForm(EcrfForm):
    """Lab result: the unit is picked among the units the core accepts for the test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            test, current = (self.data.get(self.add_prefix(k)) for k in ("test", "unit"))
        else:
            test = self.initial.get("test") or self.instance.test
            current = self.initial.get("unit") or self.instance.unit
        self.fields["test"].widget.attrs.update({
            "hx-get": reverse("pages:lab-units"), "hx-target": "#id_unit",
            "hx-include": "#id_unit", "hx-trigger": "change", "hx-swap": "innerHTML",
        })  # fmt: skip
        unit = self.fields["unit"]
        unit.widget = forms.Select(choices=unit_choices(test or None, current or None))
        unit.help_text = ("units the clinical core converts for this test; choosing the test "
                          "narrows the list")  # fmt: skip
        self.describe_fields()


class AdverseEventForm(EcrfForm):
    """AE report: CTCAE term (with the core's terms offered), grade 1-5 with the NCI grade
    texts where the core has them, seriousness criteria, relatedness per intervention."""

    subfield_owner = {"relatedness.": "relatedness"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].widget = forms.TextInput(attrs={
            "list": "ctcae-terms", "autocomplete": "off", "hx-get": reverse("pages:ae-grades"),
            "hx-target": "#grade-definitions", "hx-trigger": "change", "hx-swap": "innerHTML",
        })  # fmt: skip
        self.fields["grade"] = forms.TypedChoiceField(
            label="CTCAE grade", coerce=int, widget=forms.RadioSelect,
            choices=[(g, f"Grade {g}") for g in range(1, 6)],
            help_text="1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death related to AE",
        )  # fmt: skip
        del self.fields["relatedness"]
        stored = self.instance.relatedness if isinstance(self.instance.relatedness, dict) else {}
        self.interventions = interventions_of(self.participant)
        names = [name for _, name in self.interventions]
        for iid, name in self.interventions:
            key = self.subfield_name(iid)
            # two interventions may share a name (e.g. the same systemic therapy in both arms):
            # their id tells them apart, so no two fields carry the same label
            shown = f"{name} ({iid})" if names.count(name) > 1 else name
            self.fields[key] = forms.ChoiceField(
                label=f"Related to {shown}", required=False,
                choices=[("", "— not assessed —"), *[(v, v.capitalize()) for v in rs.AEREL]],
            )  # fmt: skip
            if not self.is_bound and iid in stored:
                self.initial[key] = stored[iid]
        self.describe_fields()

    def subfield_name(self, key: str) -> str:
        return f"rel__{key}"

    def relatedness_fields(self) -> list[forms.BoundField]:
        return [self[self.subfield_name(i)] for i, _ in self.interventions]

    def _post_clean(self) -> None:
        self.instance.relatedness = {
            iid: self.cleaned_data[self.subfield_name(iid)] for iid, _ in self.interventions
            if self.cleaned_data.get(self.subfield_name(iid))
        }  # fmt: skip
        super()._post_clean()

    def grade_texts(self) -> dict[int, str]:
        term = (self.data.get(self.add_prefix("term")) if self.is_bound
                else self.instance.term) or ""  # fmt: skip
        return grade_definitions(term)


class HaicForm(EcrfForm):
    """HAIC cycle: the drugs given as rows of agent, dose and unit."""

    subfield_owner = {"drugs": "drugs_0_agent"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["drugs"]
        stored = self.instance.drugs if isinstance(self.instance.drugs, list) else []
        for i in range(max(HAIC_DRUG_ROWS, len(stored))):
            row = stored[i] if i < len(stored) and isinstance(stored[i], dict) else {}
            self.fields[f"drugs_{i}_agent"] = forms.CharField(label=f"Drug {i + 1}: agent",
                                                              required=False, max_length=100)
            self.fields[f"drugs_{i}_dose"] = forms.FloatField(label="dose", required=False,
                                                              min_value=0)
            self.fields[f"drugs_{i}_dose_unit"] = forms.ChoiceField(
                label="unit", required=False, choices=[("", "—"), *[(u, u) for u in rs.EXDOSU]])
            if not self.is_bound:
                for key in ("agent", "dose", "dose_unit"):
                    self.initial[f"drugs_{i}_{key}"] = row.get(key)
        self.drug_rows = max(HAIC_DRUG_ROWS, len(stored))
        self.describe_fields()

    def drug_fields(self) -> list[list[forms.BoundField]]:
        return [[self[f"drugs_{i}_{k}"] for k in ("agent", "dose", "dose_unit")]
                for i in range(self.drug_rows)]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(self.drug_rows):
            agent = (data.get(f"drugs_{i}_agent") or "").strip()
            dose, unit = data.get(f"drugs_{i}_dose"), data.get(f"drugs_{i}_dose_unit")
            if (dose is not None or unit) and not agent:
                self.add_error(f"drugs_{i}_agent", "An agent is required when a dose is given.")
            if agent and (dose is None) != (not unit):
                self.add_error(f"drugs_{i}_dose", "Give both the dose and its unit, or neither.")
        return data

    def _post_clean(self) -> None:
        drugs = []
        for i in range(self.drug_rows):
            agent = (self.cleaned_data.get(f"drugs_{i}_agent") or "").strip()
            if agent:
                row: dict[str, Any] = {"agent": agent}
                if self.cleaned_data.get(f"drugs_{i}_dose") is not None:
                    row["dose"] = self.cleaned_data[f"drugs_{i}_dose"]
                    row["dose_unit"] = self.cleaned_data.get(f"drugs_{i}_dose_unit") or ""
                drugs.append(row)
        self.instance.drugs = drugs
        super()._post_clean()


SPECIAL: dict[type[Model], type[EcrfForm]] = {
    m.LabResult: LabForm, m.AdverseEvent: AdverseEventForm, m.HaicCycle: HaicForm,
}  # fmt: skip


def form_class(model: type[m.Form], editing: bool) -> type[EcrfForm]:
    """The ModelForm of ``model``: its editable fields minus participant and the exclusions."""
    fields: Iterable[str]
    if editing and model in EDIT_ONLY:
        fields = EDIT_ONLY[model]
    else:
        skip = {"participant", *EXCLUDED.get(model, ())}
        fields = [f.name for f in model._meta.get_fields()
                  if getattr(f, "editable", False) and getattr(f, "concrete", False)
                  and not f.auto_created and f.name not in skip
                  and not getattr(f, "auto_now", False)
                  and not getattr(f, "auto_now_add", False)]  # fmt: skip
    base = SPECIAL.get(model, EcrfForm)
    meta = type("Meta", (), {"model": model, "fields": list(fields)})
    return type(f"{model.__name__}PageForm", (base,), {"Meta": meta})


def field_label(model: type[Model], attname: str) -> str:
    own = MODEL_LABELS.get(model, {})
    if attname in own or attname in LABELS:
        return own.get(attname) or LABELS[attname]
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return str(f.verbose_name)
    return attname


def derived_values(obj: Model) -> list[tuple[str, Any]]:
    """The non-editable values ``clean()`` computed (for the live preview and the record)."""
    out = []
    for f in obj._meta.concrete_fields:
        if f.editable or f.name in {"version", "is_deleted", "id", "created_at", "updated_at"}:
            continue
        value = getattr(obj, f.attname)
        if value in (None, "", {}, []):
            continue
        if isinstance(value, dict | list):
            continue  # whole result objects (Y-90 plan, QoL scores) are shown on their pages
        out.append((field_label(type(obj), f.attname), value))
    return out
