"""One candidate as nested JSON (:class:`ScreeningInput`), flattened into a screening row.

The dated lists (prior treatments, medications) are summarised into the treatment-history
facts the rules read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from hccrt.errors import InputError
from hccrt.protocols.eligibility.candidate.columns import _EXTRA_INPUTS, PLAIN_FACTS
from hccrt.protocols.eligibility.facts import FACTS, LAB_ANALYTES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lab(_Model):
    """One laboratory result: value and unit (or ``value`` as ``"1.2 mg/dL"``), date, site ULN."""

    value: float | str
    unit: str | None = None
    date: dt.date | None = None
    uln: float | None = Field(default=None, description="site upper limit of normal, same unit")


class PriorTreatment(_Model):
    """A prior treatment with its date (the last day of it, for a course)."""

    kind: Literal[
        "resection", "transplant", "ablation", "tace", "tae", "tare", "liver_rt",
        "bone_rt_palliative", "other_rt", "systemic", "interferon", "biliary_procedure",
    ]
    date: dt.date | None = None
    setting: Literal["advanced", "adjuvant", "local"] | None = Field(
        default=None, description="systemic therapy: for advanced HCC, adjuvant or local")
    line: int | None = Field(default=None, ge=1, le=20)
    ici_based: bool | None = None
    ongoing: bool = False


class Medication(_Model):
    """A concomitant or recent medication of a screening-relevant class."""

    kind: Literal["corticosteroid", "immunosuppressant", "anticoagulant", "other"]
    name: str | None = None
    systemic: bool = True
    prednisone_equivalent_mg_per_day: float | None = Field(default=None, ge=0, le=2000)
    start: dt.date | None = None
    end: dt.date | None = Field(default=None, description="None: ongoing at screening")


_LOCOREGIONAL = {"ablation", "tace", "tae", "tare", "liver_rt", "other_rt"}
_HCC_TREATMENT = {*_LOCOREGIONAL, "resection", "transplant", "bone_rt_palliative", "systemic"}


def _plain_type(kind: str) -> Any:
    return {
        "bool": bool | None,
        "count": int | None,
        "number": float | None,
        "category": str | None,
        "date": dt.date | Literal["none"] | None,
    }[kind]


_FactFields = create_model(  # type: ignore[call-overload]
    "_FactFields",
    __base__=_Model,
    **{n: (_plain_type(FACTS[n].kind), None) for n in PLAIN_FACTS},
)


class ScreeningInput(_FactFields):  # type: ignore[misc, valid-type]
    """One candidate as captured at screening (every fact of :mod:`.facts` may be given).

    Only ``candidate_id`` and ``screening_date`` are required; anything else missing makes
    the criteria that need it *unknown*, never met.
    """

    candidate_id: str = Field(min_length=1)
    screening_date: dt.date
    treatment_start_date: dt.date | None = None
    birth_date: dt.date | None = None
    age: float | None = Field(default=None, description="completed years at screening")
    consent_date: dt.date | None = None
    segments: list[int | str] | str | None = None
    labs: dict[str, Lab] = Field(default_factory=dict)
    maa_lsf: float | None = None
    maa_tnr: float | None = None
    tumour_volume_ml: float | None = None
    treated_nontumoral_volume_ml: float | None = None
    nontumoral_liver_volume_ml: float | None = None
    lung_mass_kg: float | None = None
    prior_treatments: list[PriorTreatment] | None = Field(
        default=None, description="None: history not captured; []: no prior treatment")
    medications: list[Medication] | None = None
    attestations: dict[str, bool] = Field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> ScreeningInput:
        """Validate ``data``; errors are :class:`InputError` naming the field path."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "candidate"
            raise InputError(where, first.get("input"), first["msg"]) from None

    def to_row(self) -> dict[str, Any]:
        """The flat row :func:`facts_frame` reads (history lists summarised into facts)."""
        row: dict[str, Any] = {}
        for name in (*PLAIN_FACTS, *_EXTRA_INPUTS):
            value = getattr(self, name, None)
            if value is not None:
                row[name] = value.isoformat() if isinstance(value, dt.date) else value
        if isinstance(self.segments, list):
            row["segments"] = ",".join(str(s) for s in self.segments)
        for analyte, lab in self.labs.items():
            if analyte not in LAB_ANALYTES:
                raise InputError(f"labs.{analyte}", analyte, f"one of {', '.join(LAB_ANALYTES)}")
            row[analyte] = lab.value
            row[f"{analyte}_unit"] = lab.unit
            row[f"{analyte}_date"] = lab.date.isoformat() if lab.date else None
            row[f"{analyte}_uln"] = lab.uln
        if self.prior_treatments is not None:
            for key, value in _history(self.prior_treatments).items():
                row.setdefault(key, value)
        if self.medications is not None:
            for key, value in _medications(self.medications, self.screening_date).items():
                row.setdefault(key, value)
        for key, value in self.attestations.items():
            row[f"attest:{key}"] = value
        return row


def _last(dates: Iterable[dt.date | None]) -> str | None:
    ds = list(dates)
    if not ds:
        return "none"
    if any(d is None for d in ds):
        return None  # an undated event: when it was is unknown
    return max(d for d in ds if d is not None).isoformat()


def _history(items: list[PriorTreatment]) -> dict[str, Any]:
    systemic = sorted(
        (t for t in items if t.kind == "systemic" and t.setting in (None, "advanced")),
        key=lambda t: (t.line or 99, t.date or dt.date.max),
    )
    advanced = [t for t in systemic if t.setting == "advanced"]
    out: dict[str, Any] = {
        "prior_hcc_treatment": any(t.kind in _HCC_TREATMENT for t in items),
        "prior_interferon": any(t.kind == "interferon" for t in items),
        "prior_liver_rt": any(t.kind == "liver_rt" for t in items),
        "biliary_procedure": any(t.kind == "biliary_procedure" for t in items),
        "transplant": any(t.kind == "transplant" for t in items),
        "last_locoregional_date": _last(t.date for t in items if t.kind in _LOCOREGIONAL),
        "last_bone_rt_date": _last(t.date for t in items if t.kind == "bone_rt_palliative"),
    }
    if all(t.setting is not None for t in systemic):
        out["prior_systemic_lines_advanced"] = len(advanced)
    if advanced and advanced[0].ici_based is not None:
        out["first_line_ici_based"] = advanced[0].ici_based
    ongoing = [t for t in items if t.kind == "systemic" and t.ongoing]
    out["systemic_therapy_ongoing"] = bool(ongoing)
    if ongoing and all(t.date for t in ongoing):
        out["systemic_therapy_start_date"] = min(t.date for t in ongoing if t.date).isoformat()
    return {k: v for k, v in out.items() if v is not None}


def _medications(items: list[Medication], screening: dt.date) -> dict[str, Any]:
    def active_on(m: Medication) -> bool:
        return m.end is None or m.end >= screening

    suppressive = [
        m for m in items
        if m.systemic and (
            m.kind == "immunosuppressant"
            or (m.kind == "corticosteroid" and (m.prednisone_equivalent_mg_per_day or 0) > 10)
        )
    ]
    undosed = [m for m in items if m.kind == "corticosteroid" and m.systemic
               and m.prednisone_equivalent_mg_per_day is None]
    out: dict[str, Any] = {
        "on_anticoagulant": any(m.kind == "anticoagulant" and active_on(m) for m in items),
    }
    if not undosed:
        out["last_immunosuppression_date"] = _last(
            screening if m.end is None else m.end for m in suppressive)
    return out
