"""The eCRFs of a liver-directed radiotherapy trial, each an audited, versioned table.

Every form derives from :class:`hccrt.web.audit.base.AuditedModel` (audit trail, version for
optimistic concurrency, soft delete only) and belongs to a participant, so site isolation is
one filter (``participant__site``). Coded values use the controlled terminology of
:mod:`hccrt.records.schema` (one vocabulary for capture and records); derived values (CTCAE
grade, QoL scale scores, Y-90 doses) are computed by the clinical core in ``clean()`` and are
not editable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, UniqueConstraint

from hccrt.records import schema as rs
from hccrt.web.audit.base import AuditedModel
from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.core.models import Participant, Protocol, Site


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def _non_negative() -> list[Any]:
    return [MinValueValidator(0)]


# ------------------------------------------------------------------------- protocol facts


@dataclass(frozen=True)
class ProtocolFacts:
    masked: bool
    arms: tuple[str, ...]
    interventions: tuple[str, ...]


@functools.lru_cache(maxsize=256)
def protocol_facts(protocol_id: int) -> ProtocolFacts:
    """What the forms need from a stored protocol version (rows are immutable: cached)."""
    doc = Protocol.objects.values_list("document", flat=True).get(pk=protocol_id)
    return ProtocolFacts(
        masked=doc.get("design", {}).get("masking", "open_label") != "open_label",
        arms=tuple(a["id"] for a in doc.get("arms", [])),
        interventions=tuple(sorted({i["id"] for a in doc.get("arms", [])
                                    for i in a.get("interventions", [])})),
    )  # fmt: skip


@functools.lru_cache(maxsize=64)
def protocol_model(protocol_id: int) -> Any:
    """The validated :class:`hccrt.protocols.Protocol` of a stored version (cached).

    A stored version is immutable, so caching by primary key is safe; the JSON round trip
    of the stored document is exact (tested in tests/protocols).
    """
    stored = Protocol.objects.get(pk=protocol_id)
    return stored.as_protocol()


# ------------------------------------------------------------------------- roles and sites


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    SITE_INVESTIGATOR = "site_investigator", "Site investigator"
    SITE_COORDINATOR = "site_coordinator", "Site coordinator"
    MEDICAL_PHYSICIST = "medical_physicist", "Medical physicist"
    CENTRAL_READER = "central_reader", "Central imaging reader"
    STATISTICIAN = "statistician", "Statistician"
    MONITOR = "monitor", "Monitor"
    DATA_MANAGER = "data_manager", "Data manager"


class Membership(models.Model):
    """A user's role, at one site (site roles) or at every site (``site`` empty)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")  # fmt: skip
    role = models.CharField(max_length=32, choices=Role.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="memberships")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [UniqueConstraint(fields=["user", "role", "site"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.site.code if self.site else 'all sites'}"


# ------------------------------------------------------------------------- base of the forms


class Form(AuditedModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    #: the date field edit checks compare with consent and death
    date_field: str | None = None
    #: a treatment form: saving it may move the first-treatment anchor of the schedule
    is_treatment = False

    def after_audited_save(self, action: str, user: Any) -> None:
        from hccrt.web.capture.checks import run_checks

        if self.is_treatment:
            from hccrt.web.capture.schedule import on_treatment_saved

            on_treatment_saved(self.participant, user)
        run_checks(self, user)

    def clean(self) -> None:
        super().clean()
        if self.participant_id is None:
            return
        date_value = getattr(self, self.date_field, None) if self.date_field else None
        consent = self.participant.consent_date
        if date_value is not None and consent is not None and date_value < consent \
                and not getattr(self, "allow_before_consent", False):
            raise field_error(self.date_field or "date", date_value,
                              f"on or after the consent date ({consent.isoformat()})")


class VisitLinked(Form):
    visit = models.ForeignKey("capture.Visit", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")  # fmt: skip

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.visit_id is not None and self.visit.participant_id != self.participant_id:
            raise field_error("visit", self.visit_id, "a visit of the same participant")


# ------------------------------------------------------------------------- screening


class Screening(Form):
    """Screening and the eligibility result, stored with the rule version that produced it."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible"
        NOT_ELIGIBLE = "not_eligible"
        UNDETERMINED = "undetermined"

    screening_date = models.DateField()
    facts = models.JSONField(default=dict, blank=True, help_text="screening inputs (facts)")
    outcome = models.CharField(max_length=16, choices=Outcome.choices,
                               default=Outcome.UNDETERMINED)  # fmt: skip
    criteria = models.JSONField(default=list, blank=True,
                                help_text="per-criterion results of the eligibility engine")
    rule_version = models.CharField(max_length=128, blank=True,
                                    help_text="protocol content hash + engine version")
    confirmed = models.BooleanField(default=False,
                                    help_text="eligibility confirmed by the investigator")
    allow_before_consent = True
    date_field = "screening_date"

    def evaluate(self) -> None:
        """Outcome and per-criterion results from the eligibility engine (core)."""
        import hccrt
        from hccrt.protocols.eligibility import screen

        if not isinstance(self.facts, dict):
            raise field_error("facts", self.facts, "an object of screening inputs")
        protocol = protocol_model(self.participant.protocol_id)
        candidate = {"candidate_id": self.participant.study_id, **self.facts}
        result = core_call(screen, protocol, candidate, prefix="facts.")
        self.outcome = {"eligible": self.Outcome.ELIGIBLE, "ineligible": self.Outcome.NOT_ELIGIBLE
                        }.get(result.status, self.Outcome.UNDETERMINED)  # fmt: skip
        self.criteria = result.as_dict()["criteria"]
        self.rule_version = (f"{self.participant.protocol.content_hash[:16]} "
                             f"hccrt {hccrt.__version__}")  # fmt: skip

    def clean(self) -> None:
        super().clean()
        if self.facts and self.participant_id is not None:
            self.evaluate()
        if self.confirmed and self.outcome != self.Outcome.ELIGIBLE:
            raise field_error("confirmed", True, "confirmation only of an eligible outcome")


# ------------------------------------------------------------------------- allocation


class RandomizationList(models.Model):
    """A concealed list made by :mod:`hccrt.stats.randomization`, stored sealed.

    The list JSON is never served by the API; sites see only :meth:`concealed` data.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64, unique=True)
    sealed = models.TextField(help_text="RandomizationList JSON (arms, seed): never served")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [UniqueConstraint(fields=["protocol"], condition=Q(is_active=True),
                                        name="one_active_list_per_protocol")]  # fmt: skip

    def load(self) -> Any:
        from hccrt.stats.randomization import RandomizationList as Core

        return Core.model_validate_json(self.sealed)


class StratumCounter(models.Model):
    """Slots used in one stratum of a list; the row locked while a slot is taken."""

    rand_list = models.ForeignKey(RandomizationList, on_delete=models.PROTECT,
                                  related_name="counters")  # fmt: skip
    stratum = models.CharField(max_length=200)
    assigned = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [UniqueConstraint(fields=["rand_list", "stratum"], name="counter_unique")]


class Allocation(Form):
    class Method(models.TextChoices):
        SINGLE_ARM = "single_arm"
        NON_RANDOMIZED = "non_randomized"
        RANDOMIZED = "randomized"

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT,
                                       related_name="allocation")  # fmt: skip
    method = models.CharField(max_length=16, choices=Method.choices)
    arm = models.CharField(max_length=64)
    reason = models.TextField(blank=True, help_text="why this arm (non-randomized assignment)")
    allocation_date = models.DateField()
    strata = models.JSONField(default=dict, blank=True)
    stratum = models.CharField(max_length=200, blank=True)
    rand_list = models.ForeignKey(RandomizationList, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")  # fmt: skip
    slot = models.PositiveIntegerField(null=True, blank=True, help_text="0-based list position")
    randomization_number = models.CharField(max_length=40, blank=True)
    date_field = "allocation_date"

    class Meta:
        constraints = [
            UniqueConstraint(fields=["rand_list", "stratum", "slot"],
                             condition=Q(slot__isnull=False), name="allocation_one_per_slot"),
        ]  # fmt: skip


# ------------------------------------------------------------------------- treatments


class Y90Plan(Form):
    """A Y-90 plan: the planning module's inputs, and its outputs computed by the core."""

    plan_date = models.DateField()
    territory = models.CharField(max_length=100, default="perfused territory")
    inputs = models.JSONField(help_text="hccrt.dosimetry.plan.Y90PlanInput")
    result = models.JSONField(default=dict, blank=True, editable=False)
    activity_gbq = models.FloatField(null=True, blank=True, editable=False)
    treatable = models.BooleanField(default=False, editable=False)
    hccrt_version = models.CharField(max_length=40, blank=True, editable=False)
    planning_context = models.JSONField(
        null=True, blank=True,
        help_text="planning inputs outside Y90PlanInput: MAA counts, whole non-tumoral liver "
                  "volume (mL), vial size (GBq), calibration and planned administration times")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, editable=False, related_name="+")  # fmt: skip
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    date_field = "plan_date"

    def core_plan(self) -> Any:
        from hccrt.dosimetry.plan import Y90PlanInput, plan_y90

        if not isinstance(self.inputs, dict):
            raise field_error("inputs", self.inputs, "an object of Y-90 plan inputs")
        inp = core_call(Y90PlanInput.model_validate, self.inputs, prefix="inputs.")
        return core_call(plan_y90, inp, prefix="inputs.")

    def clean(self) -> None:
        super().clean()
        plan = self.core_plan()
        self.result = plan.result.model_dump(mode="json")
        self.activity_gbq = plan.result.activity_gbq
        self.treatable = plan.result.treatable
        self.hccrt_version = plan.hccrt_version


class Y90Administration(Form):
    is_treatment = True

    plan = models.ForeignKey(Y90Plan, on_delete=models.PROTECT, related_name="+")
    administration_date = models.DateField()
    delivered_activity_gbq = models.FloatField(validators=_non_negative())
    report = models.JSONField(default=dict, blank=True, editable=False,
                              help_text="delivered vs planned, doses recomputed by the core")
    date_field = "administration_date"

    def clean(self) -> None:
        super().clean()
        if self.plan_id is None:
            return
        if self.plan.participant_id != self.participant_id:
            raise field_error("plan", self.plan_id, "a plan of the same participant")
        if self.administration_date and self.administration_date < self.plan.plan_date:
            raise field_error("administration_date", self.administration_date,
                              f"on or after the plan date ({self.plan.plan_date})")
        from hccrt.dosimetry.plan import delivery_report

        report = core_call(delivery_report, self.plan.core_plan(), self.delivered_activity_gbq,
                           fields={"delivered_activity_gbq": "delivered_activity_gbq"})
        self.report = report.model_dump(mode="json")


class SbrtCourse(Form):
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    target = models.CharField(max_length=100, default="liver")
    prescribed_dose_gy = models.FloatField(validators=[MinValueValidator(0.1)])
    fractions = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    bed10_gy = models.FloatField(null=True, blank=True, editable=False)
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise field_error("end_date", self.end_date, f"on or after start_date "
                                                         f"({self.start_date})")  # fmt: skip
        from hccrt.dosimetry.sbrt import bed_gy

        if self.prescribed_dose_gy and self.fractions:
            self.bed10_gy = float(core_call(bed_gy, self.prescribed_dose_gy, self.fractions, 10.0,
                                            fields={"total_dose_gy": "prescribed_dose_gy"}))


class SbrtFraction(Form):
    is_treatment = True

    course = models.ForeignKey(SbrtCourse, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    fraction_date = models.DateField()
    dose_gy = models.FloatField(validators=[MinValueValidator(0)])
    date_field = "fraction_date"

    def clean(self) -> None:
        super().clean()
        if self.course_id is not None:
            if self.course.participant_id != self.participant_id:
                raise field_error("course", self.course_id, "a course of the same participant")
            if self.number and self.number > self.course.fractions:
                raise field_error("number", self.number,
                                  f"1..{self.course.fractions} (the course's fractions)")


class HaicCycle(Form):
    is_treatment = True

    cycle = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    cycle_date = models.DateField()
    regimen = models.CharField(max_length=64, help_text="regimen id of the protocol")
    drugs = models.JSONField(default=list, blank=True,
                             help_text="[{agent, dose, dose_unit}] as given")
    date_field = "cycle_date"


class SystemicTherapy(Form):
    line = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    agent = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise field_error("end_date", self.end_date, f"on or after start_date "
                                                         f"({self.start_date})")  # fmt: skip


# ------------------------------------------------------------------------- visits


class Visit(Form):
    class Status(models.TextChoices):
        UPCOMING = "upcoming"
        DUE = "due"
        OVERDUE = "overdue"
        DONE = "done"
        MISSED = "missed"

    visit_code = models.CharField(max_length=64, help_text="visit id of the protocol schedule")
    name = models.CharField(max_length=200)
    visitnum = models.FloatField()
    anchor = models.CharField(max_length=32)
    anchor_date = models.DateField()
    planned_date = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField()
    actual_date = models.DateField(null=True, blank=True)
    missed = models.BooleanField(default=False)
    missed_reason = models.TextField(blank=True)
    date_field = "actual_date"

    class Meta:
        ordering = ["participant_id", "visitnum"]

    def clean(self) -> None:
        super().clean()
        if self.missed and not self.missed_reason.strip():
            raise field_error("missed_reason", self.missed_reason,
                              "a reason when the visit is marked missed")
        if self.missed and self.actual_date:
            raise field_error("missed", True, "missed only when the visit has no actual date")

    def status_on(self, today: Any) -> str:
        if self.actual_date:
            return self.Status.DONE
        if self.missed:
            return self.Status.MISSED
        if today < self.window_start:
            return self.Status.UPCOMING
        if today <= self.window_end:
            return self.Status.DUE
        return self.Status.OVERDUE


# ------------------------------------------------------------------------- observations


class VitalSigns(VisitLinked):
    assessment_date = models.DateField()
    weight_kg = models.FloatField(null=True, blank=True, validators=_non_negative())
    height_cm = models.FloatField(null=True, blank=True, validators=_non_negative())
    systolic_bp = models.PositiveIntegerField(null=True, blank=True)
    diastolic_bp = models.PositiveIntegerField(null=True, blank=True)
    pulse = models.PositiveIntegerField(null=True, blank=True)
    temperature_c = models.FloatField(null=True, blank=True)
    ecog = models.PositiveSmallIntegerField(null=True, blank=True,
                                            validators=[MaxValueValidator(5)])  # fmt: skip
    date_field = "assessment_date"


class LabResult(VisitLinked):
    """A lab value with its unit and reference range; the CTCAE v5.0 grade from the core."""

    collection_date = models.DateField()
    test = models.CharField(max_length=16, choices=_choices(rs.LBTESTCD))
    value = models.FloatField(validators=_non_negative())
    unit = models.CharField(max_length=20, blank=True)
    lln = models.FloatField(null=True, blank=True, validators=_non_negative())
    uln = models.FloatField(null=True, blank=True, validators=_non_negative())
    baseline = models.FloatField(null=True, blank=True, validators=_non_negative())
    ctcae_term = models.CharField(max_length=100, blank=True, editable=False)
    ctcae_grade = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    not_gradable_reason = models.CharField(max_length=200, blank=True, editable=False)
    date_field = "collection_date"

    def clean(self) -> None:
        super().clean()
        from hccrt.clinical.ctcae import grade_lab
        from hccrt.units import normalize_unit

        if self.test in rs.LB_ANALYTE:
            # a missing unit is stored (not gradable) and opens a query (edit check); a unit
            # that is not a unit of the test is refused
            if self.unit.strip():
                self.unit = core_call(normalize_unit, self.unit, "unit")
                allowed = rs.lb_units(self.test)
                if self.unit not in allowed:
                    raise field_error("unit", self.unit, f"one of {', '.join(allowed)}")
            elif self.test == "INR":
                self.unit = "1"
            if self.lln is not None and self.uln is not None and self.lln > self.uln:
                raise field_error("lln", self.lln, f"<= uln ({self.uln})")
            g = core_call(grade_lab, self.test, self.value, self.unit or None, uln=self.uln,
                          lln=self.lln, baseline=self.baseline)  # fmt: skip
            self.ctcae_term = g.term
            self.ctcae_grade = g.grade
            self.not_gradable_reason = "" if g.gradable else g.reason
        else:
            allowed = rs.lb_units(self.test)
            if self.unit and self.unit not in allowed:
                raise field_error("unit", self.unit, f"one of {', '.join(map(repr, allowed))}")
            self.ctcae_term, self.ctcae_grade = "", None
            self.not_gradable_reason = "test not graded by CTCAE lab grading in hccrt"


class TumourAssessment(VisitLinked):
    """One read of one imaging time point under one set of response criteria."""

    class Timepoint(models.TextChoices):
        BASELINE = "baseline"
        FOLLOW_UP = "follow_up"

    assessment_date = models.DateField()
    timepoint = models.CharField(max_length=16, choices=Timepoint.choices)
    criteria = models.CharField(max_length=32, choices=_choices(rs.RSCAT[:4]))
    modality = models.CharField(max_length=20, choices=_choices(rs.TUMETHOD))
    evaluator = models.CharField(max_length=24, choices=_choices(rs.EVAL), default="INVESTIGATOR")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+",
                               help_text="central reader the read is assigned to")  # fmt: skip
    overall_response = models.CharField(max_length=16, blank=True,
                                        choices=_choices(rs.RS_RESPONSES))  # fmt: skip
    date_field = "assessment_date"


class Lesion(Form):
    assessment = models.ForeignKey(TumourAssessment, on_delete=models.PROTECT,
                                   related_name="lesions")  # fmt: skip
    lesion_id = models.CharField(max_length=20, help_text="e.g. T01, NT01, N01")
    role = models.CharField(max_length=12, choices=_choices(rs.LESION_ROLES))
    location = models.CharField(max_length=40, choices=_choices(rs.TULOC), default="LIVER")
    couinaud_segment = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)])
    longest_diameter_mm = models.FloatField(null=True, blank=True, validators=_non_negative())
    viable_diameter_mm = models.FloatField(null=True, blank=True, validators=_non_negative())
    state = models.CharField(max_length=32, blank=True, choices=_choices(rs.TUMSTATE))
    in_field = models.BooleanField(null=True, blank=True, help_text="inside the treated area")
    typical_hcc = models.BooleanField(
        null=True, blank=True, help_text="typical HCC enhancement (arterial hyperenhancement "
        "with washout): mRECIST targets and new intrahepatic lesions need it")

    def clean(self) -> None:
        super().clean()
        if self.assessment_id is not None and \
                self.assessment.participant_id != self.participant_id:
            raise field_error("assessment", self.assessment_id,
                              "an assessment of the same participant")
        if self.viable_diameter_mm is not None and self.longest_diameter_mm is not None \
                and self.viable_diameter_mm > self.longest_diameter_mm:
            raise field_error("viable_diameter_mm", self.viable_diameter_mm,
                              f"<= longest_diameter_mm ({self.longest_diameter_mm})")


class AdverseEvent(Form):
    term = models.CharField(max_length=200, help_text="CTCAE v5.0 term")
    grade = models.PositiveSmallIntegerField(validators=[MinValueValidator(1),
                                                         MaxValueValidator(5)])  # fmt: skip
    serious = models.BooleanField(default=False)
    results_in_death = models.BooleanField(default=False)
    life_threatening = models.BooleanField(default=False)
    hospitalization = models.BooleanField(default=False)
    relatedness = models.JSONField(default=dict, blank=True,
                                   help_text="{intervention id of the protocol: AEREL term}")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=40, choices=_choices(rs.AEOUT), blank=True)
    special_interest = models.BooleanField(
        null=True, blank=True,
        help_text="adverse event of special interest per the protocol (SUPPAE AESI)")
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise field_error("end_date", self.end_date, f"on or after start_date "
                                                         f"({self.start_date})")  # fmt: skip
        if (self.results_in_death or self.life_threatening or self.hospitalization) \
                and not self.serious:
            raise field_error("serious", False, "True when death, life-threatening or "
                                                "hospitalization is ticked")  # fmt: skip
        if self.grade == 5 and not self.results_in_death:
            raise field_error("results_in_death", False, "True for a grade 5 (fatal) event")
        if self.outcome == "FATAL" and self.grade != 5:
            raise field_error("outcome", self.outcome, "FATAL only for a grade 5 event")
        if not isinstance(self.relatedness, dict):
            raise field_error("relatedness", self.relatedness,
                              "an object {intervention id: causality}")
        if self.participant_id is not None:
            interventions = list(protocol_facts(self.participant.protocol_id).interventions)
            for key, value in self.relatedness.items():
                if key not in interventions:
                    raise field_error("relatedness", key,
                                      f"an intervention of the protocol: {interventions}")
                if value not in rs.AEREL:
                    raise field_error(f"relatedness.{key}", value, f"one of {list(rs.AEREL)}")


class QolResponse(VisitLinked):
    class Instrument(models.TextChoices):
        QLQ_C30 = "QLQ-C30"
        QLQ_HCC18 = "QLQ-HCC18"

    completion_date = models.DateField()
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    answers = models.JSONField(help_text="{item number or 'qN': answer}")
    scores = models.JSONField(default=dict, blank=True, editable=False)
    date_field = "completion_date"

    def clean(self) -> None:
        super().clean()
        from hccrt.clinical.qol import score_qlq_c30, score_qlq_hcc18

        if not isinstance(self.answers, dict):
            raise field_error("answers", self.answers, "an object {item: answer}")
        fn = score_qlq_c30 if self.instrument == self.Instrument.QLQ_C30 else score_qlq_hcc18
        self.scores = core_call(fn, self.answers, default_field="answers")


class SurgeryPathology(Form):
    class Procedure(models.TextChoices):
        RESECTION = "resection"
        TRANSPLANT = "transplant"

    surgery_date = models.DateField()
    procedure = models.CharField(max_length=16, choices=Procedure.choices)
    margin = models.CharField(max_length=4, blank=True,
                              choices=[("R0", "R0"), ("R1", "R1"), ("R2", "R2")])
    necrosis_percent = models.FloatField(null=True, blank=True,
                                         validators=[MinValueValidator(0),
                                                     MaxValueValidator(100)])  # fmt: skip
    viable_tumour = models.BooleanField(null=True, blank=True)
    date_field = "surgery_date"


class SubsequentTreatment(Form):
    start_date = models.DateField()
    treatment = models.CharField(max_length=200)
    reason = models.CharField(max_length=40, choices=_choices(rs.SUBSEQUENT_REASONS))
    date_field = "start_date"


class Disposition(Form):
    class Scope(models.TextChoices):
        TREATMENT = "treatment", "stops study treatment only"
        VISITS = "visits", "stops visits; follow-up from records allowed"
        ALL = "all", "no further data collection of any kind"

    disposition_date = models.DateField()
    event = models.CharField(max_length=40, choices=_choices(rs.DS_DISPOSITION))
    withdrawal_scope = models.CharField(max_length=12, choices=Scope.choices, blank=True)
    death_cause = models.CharField(max_length=200, blank=True)
    date_field = "disposition_date"

    def clean(self) -> None:
        super().clean()
        if self.event == "WITHDRAWAL BY SUBJECT" and not self.withdrawal_scope:
            raise field_error("withdrawal_scope", self.withdrawal_scope,
                              f"one of {list(self.Scope.values)} for a withdrawal")
        if self.event != "WITHDRAWAL BY SUBJECT" and self.withdrawal_scope:
            raise field_error("withdrawal_scope", self.withdrawal_scope,
                              "empty unless the event is a withdrawal")
        if self.event == "DEATH" and not self.death_cause.strip():
            raise field_error("death_cause", self.death_cause, "a cause for a death")


# ------------------------------------------------------------------------- queries


class DataQuery(Form):
    class Status(models.TextChoices):
        OPEN = "open"
        ANSWERED = "answered"
        CLOSED = "closed"

    target_model = models.CharField(max_length=64, help_text="app_label.model of the record")
    target_pk = models.CharField(max_length=64)
    target_field = models.CharField(max_length=64, blank=True)
    edit_check = models.CharField(max_length=64, blank=True,
                                  help_text="edit check id; empty: a manual query")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")  # fmt: skip
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["target_model", "target_pk", "status"],
                                name="query_target_idx")]  # fmt: skip


FORM_MODELS: tuple[type[Form], ...] = (
    Screening, Allocation, Y90Plan, Y90Administration, SbrtCourse, SbrtFraction, HaicCycle,
    SystemicTherapy, Visit, VitalSigns, LabResult, TumourAssessment, Lesion, AdverseEvent,
    QolResponse, SurgeryPathology, SubsequentTreatment, Disposition, DataQuery,
)

__all__ = ["FORM_MODELS", "Membership", "RandomizationList", "Role", "StratumCounter",
           "ValidationError"]  # fmt: skip


class TotpDevice(models.Model):
    """Optional second factor: an RFC 6238 TOTP secret; required at login once confirmed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="totp")  # fmt: skip
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

from hccrt.web.capture import models_extra  # noqa: E402, F401  (MH, CM, DV, Child-Pugh forms)
