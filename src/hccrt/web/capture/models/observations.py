"""Visits of the schedule and what is observed at them: vital signs, labs (CTCAE grade from
the core), quality of life (scale scores from the core), the clinical Child-Pugh signs."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator
from django.db import models

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.capture.models.base import Form, VisitLinked, _choices, _non_negative


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


#: Child-Pugh clinical grades as the records write them (RSORRES of CPASCIT / CPENCEPH;
#: Pugh RNH et al., Br J Surg 1973;60:646-9: ascites absent / slight / moderate;
#: encephalopathy none / grade 1-2 / grade 3-4)
ASCITES = ("NONE", "SLIGHT", "MODERATE-SEVERE")
ENCEPHALOPATHY = ("NONE", "GRADE 1-2", "GRADE 3-4")


class ChildPughClinical(VisitLinked):
    """The two clinical components of the Child-Pugh score (the labs are LabResult rows)."""

    assessment_date = models.DateField()
    ascites = models.CharField(max_length=16, choices=_choices(ASCITES))
    encephalopathy = models.CharField(max_length=16, choices=_choices(ENCEPHALOPATHY))
    evaluator = models.CharField(max_length=24, choices=_choices(rs.EVAL), default="INVESTIGATOR")
    date_field = "assessment_date"
