"""Generating parameters of a synthetic cohort, one YAML file per protocol, each figure cited.

A parameter file (``parameters/<code>.yaml``) holds what the generator draws from: population,
screening failure share and reasons, tumour burden, treatment planning inputs, the response,
survival and drop-out figures per arm, adverse-event incidences, visit adherence. Every number
that describes a trial outcome is a :class:`Cited` value: the figure and the published source
it is based on (or ``assumption: ...`` with the reason when no published figure exists).
``defaults.yaml`` holds the figures shared by all protocols; a protocol file overrides them.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hccrt.errors import InputError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Model):
    """A figure and where it comes from."""

    value: float
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _reasoned(self) -> Cited:
        if self.source.strip().lower().rstrip(":") == "assumption":
            raise ValueError("an assumed figure needs its reason: 'assumption: <why>'")
        return self


def _c(value: float, source: str) -> Cited:
    return Cited(value=value, source=source)


class Demographics(_Model):
    age_mean: Cited
    age_sd: Cited
    age_min: float = 18
    age_max: float = 85
    male_fraction: Cited
    race: str = "ASIAN"
    country: str = Field(description="ISO 3166-1 alpha-3, e.g. KOR, CHN")
    hbv_fraction: Cited
    hcv_fraction: Cited


class Screening(_Model):
    ineligible_fraction: Cited
    reasons: dict[str, float] = Field(
        min_length=1, description="protocol eligibility criterion id -> relative weight")


class Tumour(_Model):
    """Tumour burden at baseline. Diameters are longest diameters (mm), log-normal."""

    target_count_probs: list[float] = Field(min_length=1, max_length=5,
                                            description="P(1 target), P(2 targets), ...")
    largest_diameter_median_mm: Cited
    largest_diameter_sdlog: float = 0.3
    largest_diameter_min_mm: float = 10.0
    viable_fraction_mean: float = 0.9
    pvtt_fraction: Cited
    extrahepatic_fraction: Cited
    nontarget_liver_fraction: float = 0.3


class DoseResponse(_Model):
    """P(objective response, mRECIST) = pmax / (1 + (d50 / D)^hill), D the tumour dose (Gy)."""

    pmax: Cited
    d50_gy: Cited
    hill: Cited


class Y90(_Model):
    device: Literal["glass", "resin"]
    model: Literal["partition"] = "partition"
    tumour_dose_gy: Cited | None = Field(
        default=None, description="prescribed tumour dose; None: the protocol's planning target")
    achieved_dose_sdlog: Cited
    tnr_median: Cited
    tnr_sdlog: float = 0.35
    lsf_mean: Cited
    lsf_max: float = 0.3
    liver_volume_median_ml: Cited
    perfused_normal_fraction: float = 0.45
    residual_fraction_max: float = 0.05
    second_session_fraction: Cited = _c(0.0, "assumption: a single Y-90 session per protocol")
    maa_days_before: tuple[int, int] = (7, 21)


class Sbrt(_Model):
    total_doses_gy: list[float] = Field(min_length=1)
    total_dose_probs: list[float] = Field(min_length=1)
    start_days_after_allocation: tuple[int, int] = (3, 25)


class Haic(_Model):
    cycles_probs: dict[int, float] = Field(min_length=1, description="cycles -> probability")


class Agent(_Model):
    name: str
    dose: float = Field(gt=0)
    dose_unit: Literal["mg", "mg/kg", "mg/m2"]


class Systemic(_Model):
    agents: list[Agent] = Field(min_length=1)
    route: Literal["INTRAVENOUS", "ORAL"]
    every_days: int = Field(ge=1, description="cycle length (one EX record per agent and cycle)")
    max_months: float = 24.0


class Radiotherapy(_Model):
    total_dose_gy: Cited
    fractions: int = Field(ge=1)
    target: str = "PORTAL VEIN"


class Surgery(_Model):
    fraction: Cited
    necrosis_responder_mean: Cited
    necrosis_nonresponder_mean: Cited
    necrosis_sd: float = 15.0


class AeParam(_Model):
    term: str
    decod: str
    soc: str
    incidence: Cited
    grade_probs: list[float] = Field(min_length=5, max_length=5,
                                     description="P(grade 1..5) given the event")
    related: bool = True
    onset_days: tuple[int, int] = (1, 90)
    aesi: bool = False

    @model_validator(mode="after")
    def _grades(self) -> AeParam:
        if abs(sum(self.grade_probs) - 1) > 1e-9 or min(self.grade_probs) < 0:
            raise ValueError("grade_probs must be probabilities summing to 1")
        if self.grade_probs[4] != 0:
            raise ValueError("grade 5 (fatal) events come from the survival process; "
                             "set P(grade 5) to 0")
        return self


class ArmParams(_Model):
    """Outcome figures of one arm.

    With a ``dose_response`` curve, each participant's response probability comes from the
    curve at the achieved tumour dose; ``orr_mrecist`` is then the cohort's expected ORR under
    that curve, and ``cr_mrecist`` / ``orr_recist`` are scaled by p / ``orr_mrecist``.
    """

    share: Cited | None = Field(default=None, description="non-randomized designs only")
    orr_mrecist: Cited
    cr_mrecist: Cited
    orr_recist: Cited
    dose_response: DoseResponse | None = None
    os_median_months: Cited
    pfs_median_months: Cited
    out_of_field_progression: Cited = _c(
        0.3, "assumption: about a third of progressions are new lesions outside a treated area")
    subsequent_after_pd: Cited
    reild_fraction: Cited = _c(0.0, "not applicable: no Y-90 in this arm")
    y90: Y90 | None = None
    sbrt: Sbrt | None = None
    haic: Haic | None = None
    systemic: Systemic | None = None
    radiotherapy: Radiotherapy | None = None
    surgery: Surgery | None = None
    aes: list[AeParam] = Field(default_factory=list)
    treatment_days_after_allocation: tuple[int, int] = (3, 21)

    @model_validator(mode="after")
    def _rates(self) -> ArmParams:
        for name in ("orr_mrecist", "cr_mrecist", "orr_recist", "subsequent_after_pd",
                     "reild_fraction", "out_of_field_progression"):
            v = getattr(self, name).value
            if not 0 <= v <= 1:
                raise ValueError(f"{name} must be a probability in [0, 1], got {v}")
        if self.cr_mrecist.value > self.orr_mrecist.value:
            raise ValueError("cr_mrecist cannot exceed orr_mrecist")
        if self.orr_recist.value > self.orr_mrecist.value:
            raise ValueError("orr_recist cannot exceed orr_mrecist (RECIST responders are "
                             "mRECIST responders in this model)")
        if self.os_median_months.value <= self.pfs_median_months.value:
            raise ValueError("os_median_months must exceed pfs_median_months")
        return self


class Conduct(_Model):
    missed_visit_fraction: Cited
    window_deviation_fraction: Cited
    withdrawal_24m: Cited
    lost_24m: Cited
    qol_item_missing_fraction: Cited
    lab_units: Literal["conventional", "si"] = "conventional"


class LiverFunction(_Model):
    """Regional liver function by hepatobiliary scintigraphy (XL domain): the BSA-corrected
    hepatic tracer uptake rate (%/min/m2) of the whole liver at baseline, the share of it in
    the liver left untreated, and the relative change of the treated territory and of the
    untreated liver by day 180 after the first treatment (linear before)."""

    total_uptake_mean: Cited
    total_uptake_sd: Cited
    untreated_share_min: Cited
    untreated_share_max: Cited
    treated_change_180d: Cited
    untreated_change_180d: Cited
    measurement_sd: Cited = Field(description="SD of the log of a measurement")

    @model_validator(mode="after")
    def _ranges(self) -> LiverFunction:
        if not 0 < self.untreated_share_min.value <= self.untreated_share_max.value < 1:
            raise ValueError("untreated shares must satisfy 0 < min <= max < 1")
        if self.treated_change_180d.value <= -1 or self.untreated_change_180d.value <= -1:
            raise ValueError("relative changes must be > -1 (a rate cannot go below 0)")
        return self


class Parameters(_Model):
    protocol: str
    study_start: date
    accrual_months: float = Field(gt=0)
    follow_up_months: float = Field(gt=0, description="after the last enrolment")
    sites: int = Field(ge=1)
    default_n: int = Field(ge=1)
    demographics: Demographics
    screening: Screening
    tumour: Tumour
    conduct: Conduct
    arms: dict[str, ArmParams] = Field(min_length=1)
    liver_function: LiverFunction | None = None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and "value" not in v:
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("parameter file", source, "valid YAML", str(exc)) from exc
    if not isinstance(data, dict):
        raise InputError("parameter file", source, "a YAML mapping")
    return data


def parse_parameters(data: dict[str, Any], source: str = "<parameters>") -> Parameters:
    """Validate a parameter mapping (already merged with the defaults)."""
    try:
        return Parameters.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{source}: {loc}", err.get("input"), err["msg"],
                         f"{len(exc.errors())} problem(s)") from exc


def defaults() -> dict[str, Any]:
    """The shared defaults (``parameters/defaults.yaml``) as a mapping."""
    text = resources.files("hccrt.simulate").joinpath("parameters/defaults.yaml").read_text()
    return _read_yaml(text, "defaults.yaml")


def load_parameters(code: str | None = None, path: str | Path | None = None) -> Parameters:
    """The parameters of built-in protocol ``code``, or of the YAML file at ``path``."""
    if (code is None) == (path is None):
        raise InputError("parameters", (code, path), "exactly one of a protocol code or a path")
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise InputError("parameter file", str(p), "an existing YAML file")
        text, source = p.read_text(), str(p)
    else:
        ref = resources.files("hccrt.simulate").joinpath(f"parameters/{code}.yaml")
        if not ref.is_file():
            from hccrt.protocols import BUILTIN_CODES

            raise InputError("protocol", code, "one of " + ", ".join(BUILTIN_CODES))
        text, source = ref.read_text(), f"{code}.yaml"
    data = _merge(defaults(), _read_yaml(text, source))
    return parse_parameters(data, source)
