"""The protocol file schema: a trial as declarative, validated data (pydantic v2).

A protocol file (YAML) holds everything the platform needs to run one trial: identity,
design and allocation, arms and interventions, the schedule of assessments, treatment-planning
limits, safety (adverse-event collection) windows, eligibility criteria and the endpoint
catalogue. Later layers read it instead of hard-coding trial facts: the eligibility engine
reads ``eligibility[].rule``, the planning module reads ``planning``, the visit scheduler reads
``schedule`` and the endpoint derivations read ``endpoints``.

Design choices:

* Every model forbids unknown fields, so a typo in a file is an error naming the field path,
  never a silently ignored setting.
* Durations are written as readable strings (``"28 days"``, ``"4 weeks"``, ``"3 months"``) and
  parsed into :class:`Duration` with an explicit unit; months stay months (calendar arithmetic
  belongs to the scheduler, not to a silent conversion here).
* Time-to-event endpoints follow admiral's shape (see DESIGN.md): the origin, the events and
  the censorings are declared as data (:class:`TimePoint` with a source from a closed
  vocabulary and a description that goes into EVNTDESC/CNSDTDSC); one engine derives them all.
* Anything not stated by the registry text but needed to run the trial is marked
  ``assumed: true`` with a note, so reports can flag it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from hccrt.protocols.eligibility.rules import RuleField, limits_used

CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
ID_PATTERN = r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$"

Identifier = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]


class StrictModel(BaseModel):
    """Base of every schema model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- durations

_DURATION_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(day|week|month|year|hour)s?\s*$", re.I)


class DurationUnit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


class Duration(StrictModel):
    """A signed length of time with an explicit unit (``"3 months"`` in a file)."""

    value: float
    unit: DurationUnit

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        unit = self.unit.value[:-1] if value in (1, -1) else self.unit.value
        return f"{value} {unit}"

    def approx_days(self) -> float:
        """Length in days, months as 30.4375 days and years as 365.25 days.

        For display and ordering only; visit dates use calendar arithmetic on the anchor.
        """
        factor = {
            DurationUnit.HOURS: 1 / 24,
            DurationUnit.DAYS: 1.0,
            DurationUnit.WEEKS: 7.0,
            DurationUnit.MONTHS: 365.25 / 12,
            DurationUnit.YEARS: 365.25,
        }[self.unit]
        return self.value * factor


def _parse_duration(value: Any) -> Any:
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if not match:
            raise ValueError(
                f"{value!r} is not a duration; write a number and a unit, "
                "e.g. '28 days', '4 weeks', '3 months', '2 years' or '46 hours'"
            )
        number, unit = match.groups()
        return {"value": float(number), "unit": unit.lower() + "s"}
    return value


DurationField = Annotated[
    Duration, BeforeValidator(_parse_duration), PlainSerializer(str, return_type=str)
]


# --------------------------------------------------------------------------- identity


class TrialSite(StrictModel):
    name: str
    city: str | None = None
    country: str | None = None


class Identity(StrictModel):
    """Who runs the trial and where it is registered."""

    title: str
    short_title: str
    acronym: str | None = None
    registry_ids: list[str] = Field(
        default_factory=list, description="e.g. NCT06178198; empty when not known"
    )
    sponsor: str | None = None
    sites: list[TrialSite] = Field(default_factory=list)
    number_of_sites: int | None = Field(default=None, ge=1)
    countries: list[str] = Field(default_factory=list)
    phase: Literal["1", "1/2", "2", "2/3", "3", "4", "not applicable", "not stated"] = Field(
        description="'not applicable' when the registry says NA; 'not stated' when it is silent"
    )
    status: str | None = None
    target_enrolment: int | None = Field(default=None, ge=1)
    accrual_period: DurationField | None = None
    follow_up_period: DurationField | None = None
    conditions: list[str] = Field(default_factory=list)
    seed: str = Field(description="file name of the registry text in shared/seeds")
    summary: str


# --------------------------------------------------------------------------- design and arms


class DesignType(StrEnum):
    SINGLE_ARM = "single_arm"
    NON_RANDOMIZED_PARALLEL = "non_randomized_parallel"
    RANDOMIZED = "randomized"


class StratificationFactor(StrictModel):
    id: Identifier
    name: str
    levels: list[str] = Field(min_length=2)


class Design(StrictModel):
    type: DesignType
    masking: Literal["open_label", "single_blind", "double_blind", "outcome_assessor_blind"]
    allocation_ratio: dict[str, int] | None = Field(
        default=None, description="arm id -> integer weight, e.g. {sbrt-systemic: 2, systemic: 1}"
    )
    stratification_factors: list[StratificationFactor] = Field(default_factory=list)
    block_sizes: list[int] = Field(
        default_factory=list,
        description="permuted block sizes, each a multiple of the ratio's sum (6, 9 for 2:1)",
    )
    randomization_method: Literal["permuted_blocks", "minimization"] = "permuted_blocks"
    minimization_p_best: float = Field(
        default=0.8,
        gt=0.5,
        le=1.0,
        description="Pocock-Simon: probability of the arm that minimizes imbalance",
    )
    central_review: bool = False
    assumed: bool = False
    assumption_note: str | None = None

    @model_validator(mode="after")
    def _randomized_needs_ratio(self) -> Design:
        if self.type is DesignType.RANDOMIZED and not self.allocation_ratio:
            raise ValueError("a randomized design needs allocation_ratio (arm id -> weight)")
        if self.type is not DesignType.RANDOMIZED and self.stratification_factors:
            raise ValueError("stratification_factors apply only to a randomized design")
        if self.allocation_ratio and any(w < 1 for w in self.allocation_ratio.values()):
            raise ValueError("allocation_ratio weights must be positive integers")
        if self.allocation_ratio and self.block_sizes:
            total = sum(self.allocation_ratio.values())
            bad = [b for b in self.block_sizes if b < total or b % total]
            if bad:
                raise ValueError(
                    f"block_sizes {bad} are not multiples of the allocation ratio's sum {total}"
                )
        return self


class InterventionKind(StrEnum):
    Y90_GLASS = "y90_glass"
    Y90_RESIN = "y90_resin"
    Y90 = "y90"  # Y-90 microspheres whose type (glass or resin) the registry does not state
    SBRT = "sbrt"
    HAIC = "haic"
    IMMUNOTHERAPY = "immunotherapy"
    SYSTEMIC = "systemic"
    SURGERY = "surgery"
    RADIOTHERAPY = "radiotherapy"
    PROCEDURE = "procedure"


class Intervention(StrictModel):
    id: Identifier
    kind: InterventionKind
    name: str
    device: str | None = None
    description: str | None = None


class Arm(StrictModel):
    id: Identifier
    name: str
    role: Literal["experimental", "active_comparator", "control", "single"]
    description: str | None = None
    interventions: list[Intervention] = Field(min_length=1)


# --------------------------------------------------------------------------- schedule


class Anchor(StrEnum):
    """Dates a visit or a time window is measured from."""

    SCREENING = "screening"
    CONSENT = "consent"
    ENROLMENT = "enrolment"
    RANDOMIZATION = "randomization"
    FIRST_TREATMENT = "first_treatment"
    EACH_TREATMENT = "each_treatment"
    LAST_TREATMENT = "last_treatment"
    LAST_RADIOTHERAPY = "last_radiotherapy"
    SURGERY = "surgery"
    STUDY_END = "study_end"  # end of the whole study, e.g. 24 months after the last enrolment


class Assessment(StrEnum):
    CONSENT = "consent"
    ELIGIBILITY = "eligibility"
    HISTORY = "history"
    PHYSICAL_EXAM = "physical_exam"
    VITALS = "vitals"
    ECOG = "ecog"
    LABS = "labs"
    AFP = "afp"
    VIRAL_SEROLOGY = "viral_serology"
    PREGNANCY_TEST = "pregnancy_test"
    IMAGING = "imaging"
    CHEST_IMAGING = "chest_imaging"
    MAA_SCAN = "maa_scan"
    POST_TREATMENT_IMAGING = "post_treatment_imaging"
    HEPATOBILIARY_SCINTIGRAPHY = "hepatobiliary_scintigraphy"
    PET_CT = "pet_ct"
    QOL = "qol"
    ADVERSE_EVENTS = "adverse_events"
    CONCOMITANT_MEDICATIONS = "concomitant_medications"
    TREATMENT = "treatment"
    SURGERY = "surgery"
    PATHOLOGY = "pathology"
    SURVIVAL = "survival"


class Repeat(StrictModel):
    """A visit that recurs: ``every`` after the nominal time, up to ``until`` from the anchor."""

    every: DurationField
    until: DurationField


class Window(StrictModel):
    before: DurationField
    after: DurationField


class Visit(StrictModel):
    id: Identifier
    name: str
    anchor: Anchor
    nominal: DurationField = Field(description="time from the anchor, e.g. '4 weeks'")
    window: Window
    repeat: Repeat | None = None
    arms: list[str] | None = Field(default=None, description="arm ids; none means every arm")
    assessments: list[Assessment] = Field(min_length=1)
    assumed: bool = False
    note: str | None = None


class Schedule(StrictModel):
    visits: list[Visit] = Field(min_length=1)
    note: str | None = None


# --------------------------------------------------------------------------- planning


class LimitQuantity(StrEnum):
    """Quantities a planning limit can constrain; the planning module computes each."""

    TUMOUR_ABSORBED_DOSE = "tumour_absorbed_dose"
    LUNG_ABSORBED_DOSE = "lung_absorbed_dose"
    CUMULATIVE_LUNG_ABSORBED_DOSE = "cumulative_lung_absorbed_dose"
    NORMAL_LIVER_ABSORBED_DOSE = "normal_liver_absorbed_dose"
    UNTREATED_NONTUMOROUS_LIVER_FRACTION = "untreated_nontumorous_liver_fraction"
    DAYS_SINCE_FIRST_TREATMENT = "days_since_first_treatment"
    TOTAL_DOSE = "total_dose"
    DOSE_PER_FRACTION = "dose_per_fraction"
    NUMBER_OF_FRACTIONS = "number_of_fractions"
    ACTIVE_LESIONS_TREATED = "active_lesions_treated"
    CYCLES = "cycles"
    CYCLE_INTERVAL = "cycle_interval"


class PlanningLimit(StrictModel):
    """One numeric limit on a treatment plan, with the protocol text it comes from.

    ``target`` is the prescription (e.g. 700 Gy); ``minimum``/``maximum`` the accepted range;
    ``*_inclusive`` say whether the bound itself is accepted ("below 50 Gy" is exclusive).
    ``conditions`` names the model and reference values under which the quantity is computed,
    e.g. ``{model: partition, tumour_absorbed_dose_gy: 150}`` for RESCUE's screening lung dose.
    """

    id: Identifier
    quantity: LimitQuantity
    unit: str
    arms: list[str] = Field(min_length=1)
    applies: Literal["screening", "planning", "retreatment", "delivery"]
    target: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    minimum_inclusive: bool = True
    maximum_inclusive: bool = True
    conditions: dict[str, str | float | int | bool] = Field(default_factory=dict)
    text: str

    @model_validator(mode="after")
    def _bounds(self) -> PlanningLimit:
        if self.target is None and self.minimum is None and self.maximum is None:
            raise ValueError("a limit needs at least one of target, minimum, maximum")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")
        if self.target is not None:
            if self.minimum is not None and self.target < self.minimum:
                raise ValueError(f"target {self.target} is below minimum {self.minimum}")
            if self.maximum is not None and self.target > self.maximum:
                raise ValueError(f"target {self.target} is above maximum {self.maximum}")
        return self


class DrugDose(StrictModel):
    """One drug of a regimen, in infusion order."""

    agent: str
    dose: float = Field(gt=0)
    dose_unit: Literal["mg/m2", "mg/kg", "mg", "AUC"]
    route: Literal["intra-arterial", "intravenous", "oral", "subcutaneous"]
    duration: DurationField | None = None
    note: str | None = None


class Regimen(StrictModel):
    id: Identifier
    name: str
    arms: list[str] = Field(min_length=1)
    drugs: list[DrugDose] = Field(min_length=1)
    cycle_interval_min: DurationField
    cycle_interval_max: DurationField
    cycles_allowed: list[int] = Field(min_length=1)
    text: str


class SbrtPrescription(StrictModel):
    arms: list[str] = Field(min_length=1)
    total_dose_gy_min: float = Field(gt=0)
    total_dose_gy_max: float = Field(gt=0)
    fractions: int = Field(ge=1)
    dose_per_fraction_gy_min: float = Field(gt=0)
    dose_per_fraction_gy_max: float = Field(gt=0)
    targets: list[str] = Field(default_factory=list)
    text: str


class Planning(StrictModel):
    limits: list[PlanningLimit] = Field(default_factory=list)
    regimens: list[Regimen] = Field(default_factory=list)
    sbrt: SbrtPrescription | None = None
    note: str | None = None


# --------------------------------------------------------------------------- safety


class AeCollectionWindow(StrictModel):
    """What adverse events are collected, from when until when."""

    id: Identifier
    scope: Literal["all_ae", "serious_ae", "treatment_related_ae", "aesi"]
    start: Anchor
    start_offset: DurationField = Field(default_factory=lambda: Duration(value=0, unit="days"))
    end: Anchor
    end_offset: DurationField
    end_also_at: list[
        Literal["subsequent_anticancer_therapy", "death", "withdrawal", "lost_to_follow_up"]
    ] = Field(default_factory=list)
    arms: list[str] | None = None
    text: str
    assumed: bool = False


class Safety(StrictModel):
    grading: Literal["CTCAE v5.0"] = "CTCAE v5.0"
    ae_collection: list[AeCollectionWindow] = Field(min_length=1)
    special_interest: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- eligibility


class Criterion(StrictModel):
    """An eligibility criterion: its registry text and its executable ``rule``.

    ``rule`` is written in the eligibility rule language (:mod:`hccrt.protocols.eligibility.rules`)
    and checked when the file loads: an unknown fact, a unit that does not fit the fact or a
    comparison of the wrong type is an error at ``eligibility[i]{id}.rule``. A criterion only
    the investigator can judge has an ``attest`` rule.
    """

    id: Identifier
    kind: Literal["inclusion", "exclusion"]
    text: str
    category: (
        Literal[
            "demographic",
            "diagnosis",
            "tumour_burden",
            "staging",
            "liver_function",
            "performance_status",
            "laboratory",
            "prior_treatment",
            "dosimetry",
            "comorbidity",
            "reproductive",
            "consent",
            "investigator_judgement",
            "other",
        ]
        | None
    ) = None
    rule: RuleField = None
    assumed: bool = False
    note: str | None = Field(default=None, description="why it is assumed, or how it was split")


# --------------------------------------------------------------------------- endpoints


class ResponseCriteria(StrEnum):
    RECIST11 = "recist11"
    MRECIST = "mrecist"
    LOCALIZED_MRECIST = "localized-mrecist"
    LOCALIZED_RECIST11 = "localized-recist11"


class EndpointKind(StrEnum):
    RATE = "rate"
    TIME_TO_EVENT = "time_to_event"
    DURATION = "duration"
    RESTRICTED_MEAN = "restricted_mean"
    CHANGE_FROM_BASELINE = "change_from_baseline"
    CONTINUOUS = "continuous"
    THRESHOLD = "threshold"
    SAFETY = "safety"


class EventSource(StrEnum):
    """Closed vocabulary of the dates an endpoint's origin, events and censorings use."""

    ENROLMENT = "enrolment"
    RANDOMIZATION = "randomization"
    FIRST_TREATMENT = "first_treatment"
    SURGERY = "surgery"
    FIRST_RESPONSE = "first_response"
    FIRST_COMPLETE_RESPONSE = "first_complete_response"
    PROGRESSION = "progression"
    HEPATIC_PROGRESSION = "hepatic_progression"
    DEATH = "death"
    SUBSEQUENT_ANTICANCER_THERAPY = "subsequent_anticancer_therapy"
    SUBSEQUENT_HCC_TREATMENT = "subsequent_hcc_treatment"
    LOSS_OF_COMPLETE_RESPONSE = "loss_of_complete_response"
    BEST_RESPONSE = "best_response"
    WITHDRAWAL_OF_CONSENT = "withdrawal_of_consent"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    STUDY_END = "study_end"
    LAST_TUMOUR_ASSESSMENT = "last_tumour_assessment"
    LAST_KNOWN_ALIVE = "last_known_alive"
    DATA_CUTOFF = "data_cutoff"


class TimePoint(StrictModel):
    """A dated source for an endpoint: origin, event or censoring (admiral's event_source)."""

    source: EventSource
    description: str
    criteria_dependent: bool = Field(
        default=False, description="the date depends on the response criteria set analysed"
    )


class Endpoint(StrictModel):
    """One outcome measure as registered, in structured form.

    A registered measure that names several criteria sets ("DoR by mRECIST, localized mRECIST
    and RECIST 1.1") stays one entry with ``criteria`` listing them; the derivation produces
    one parameter per criteria set.
    """

    id: Identifier
    name: str
    role: Literal["primary", "secondary", "safety", "exploratory"]
    kind: EndpointKind
    paramcd: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9]{0,5}$",
        description=(
            "ADaM PARAMCD of the endpoint's derived parameter (1-6 upper-case letters/digits; "
            "the criteria set's 1-2 letter code is appended, so it stays within the 8 "
            "characters SAS transport v5 allows)"
        ),
    )
    criteria: list[ResponseCriteria] = Field(default_factory=list)
    evaluators: list[Literal["investigator", "central"]] = Field(default_factory=list)
    population: str
    definition: str
    responses: list[Literal["CR", "PR", "SD", "NON-CR/NON-PD"]] = Field(
        default_factory=list, description="responses counted as success for a response rate"
    )
    origin: TimePoint | None = None
    events: list[TimePoint] = Field(default_factory=list)
    censoring: list[TimePoint] = Field(default_factory=list)
    time_frame: str
    horizon: DurationField | None = Field(
        default=None, description="end of the observation window, e.g. '24 months'"
    )
    landmarks: list[DurationField] = Field(default_factory=list)
    tau: DurationField | None = Field(default=None, description="restriction time of an RMST")
    measures: list[str] = Field(
        default_factory=list,
        description="what is measured for change-from-baseline/continuous endpoints",
    )
    comparison: Literal["none", "between_arms"] = "none"
    adjustment: str | None = None
    registry_text: str | None = None
    assumed: bool = False
    assumed_fields: list[str] = Field(
        default_factory=list,
        description=(
            "fields of a registered endpoint that the registry text does not state and the "
            "file fills in by convention (e.g. landmarks, censoring); ``assumed`` marks the "
            "whole endpoint as not registered"
        ),
    )
    note: str | None = Field(default=None, description="why the assumptions were made")

    @field_validator("assumed_fields")
    @classmethod
    def _known_fields(cls, names: list[str]) -> list[str]:
        known = set(cls.model_fields) - {"id", "assumed", "assumed_fields", "note"}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                f"assumed_fields names unknown fields {unknown}; known: {sorted(known)}"
            )
        return names

    @model_validator(mode="after")
    def _kind_rules(self) -> Endpoint:
        timed = {EndpointKind.TIME_TO_EVENT, EndpointKind.DURATION, EndpointKind.RESTRICTED_MEAN}
        if self.kind in timed:
            if self.origin is None:
                raise ValueError(f"a {self.kind.value} endpoint needs an origin")
            if not self.events:
                raise ValueError(f"a {self.kind.value} endpoint needs at least one event")
        if self.kind is EndpointKind.RESTRICTED_MEAN and self.tau is None:
            raise ValueError("a restricted_mean endpoint needs tau, e.g. '24 months'")
        if self.kind is EndpointKind.CHANGE_FROM_BASELINE and not self.measures:
            raise ValueError("a change_from_baseline endpoint needs measures")
        needs_criteria = any(
            p.criteria_dependent for p in [*self.events, *self.censoring] if p is not None
        )
        if needs_criteria and not self.criteria:
            raise ValueError("events depend on response criteria, so criteria must be given")
        return self


# --------------------------------------------------------------------------- the protocol


class Protocol(StrictModel):
    """A whole trial protocol. ``schema_version`` lets files outlive schema changes."""

    schema_version: Literal[1] = 1
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    version: str = Field(description="the protocol document version this file encodes")
    identity: Identity
    design: Design
    arms: list[Arm] = Field(min_length=1)
    schedule: Schedule
    planning: Planning
    safety: Safety
    eligibility: list[Criterion] = Field(min_length=1)
    endpoints: list[Endpoint] = Field(min_length=1)
    end_of_study: str = Field(
        description="when the study ends, e.g. 24 months after the last enrolment"
    )
    notes: list[str] = Field(default_factory=list)

    @field_validator("arms")
    @classmethod
    def _unique_arms(cls, arms: list[Arm]) -> list[Arm]:
        _require_unique("arm", [a.id for a in arms])
        return arms

    @model_validator(mode="after")
    def _cross_references(self) -> Protocol:
        arm_ids = {a.id for a in self.arms}
        _require_unique("visit", [v.id for v in self.schedule.visits])
        _require_unique("eligibility criterion", [c.id for c in self.eligibility])
        _require_unique("endpoint", [e.id for e in self.endpoints])
        _require_unique("planning limit", [p.id for p in self.planning.limits])

        def check_arms(where: str, ids: list[str] | None) -> None:
            for arm in ids or []:
                if arm not in arm_ids:
                    raise ValueError(f"{where} names arm {arm!r}; arms are {sorted(arm_ids)}")

        if self.design.allocation_ratio:
            check_arms("design.allocation_ratio", list(self.design.allocation_ratio))
            if set(self.design.allocation_ratio) != arm_ids:
                raise ValueError("design.allocation_ratio must give a weight to every arm")
        for visit in self.schedule.visits:
            check_arms(f"visit {visit.id}", visit.arms)
        for limit in self.planning.limits:
            check_arms(f"planning limit {limit.id}", limit.arms)
        for regimen in self.planning.regimens:
            check_arms(f"regimen {regimen.id}", regimen.arms)
        if self.planning.sbrt:
            check_arms("planning.sbrt", self.planning.sbrt.arms)
        for window in self.safety.ae_collection:
            check_arms(f"AE window {window.id}", window.arms)
        limit_ids = {p.id for p in self.planning.limits}
        for criterion in self.eligibility:
            for limit_id in sorted(limits_used(criterion.rule) if criterion.rule else ()):
                if limit_id not in limit_ids:
                    raise ValueError(
                        f"eligibility criterion {criterion.id}: rule names planning limit "
                        f"{limit_id!r}; planning limits are {sorted(limit_ids)}"
                    )
        n_arms = len(self.arms)
        if self.design.type is DesignType.SINGLE_ARM and n_arms != 1:
            raise ValueError(f"a single_arm design has exactly one arm, not {n_arms}")
        if self.design.type is not DesignType.SINGLE_ARM and n_arms < 2:
            raise ValueError(f"a {self.design.type.value} design needs at least two arms")
        if not any(e.role == "primary" for e in self.endpoints):
            raise ValueError("the endpoint catalogue needs at least one primary endpoint")
        return self

    # Convenience accessors used by the CLI, the web pages and later layers.
    def endpoint(self, endpoint_id: str) -> Endpoint:
        for endpoint in self.endpoints:
            if endpoint.id == endpoint_id:
                return endpoint
        raise KeyError(endpoint_id)

    def endpoints_by_role(self, role: str) -> list[Endpoint]:
        return [e for e in self.endpoints if e.role == role]

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(arm_id)


def _require_unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} id {item!r} is used twice")
        seen.add(item)
