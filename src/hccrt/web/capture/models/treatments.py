"""The other study treatments: SBRT (course with BED10 from the core, fractions), HAIC
cycles, systemic therapy lines and the cycles of a line as administered (one EX record)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.capture.models.base import Form, _choices


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


class SystemicDose(Form):
    """One cycle of one agent of a systemic therapy line, as administered (one EX record)."""

    therapy = models.ForeignKey(SystemicTherapy, on_delete=models.PROTECT, related_name="+")
    cycle = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    dose = models.FloatField(validators=[MinValueValidator(0)])
    dose_unit = models.CharField(max_length=8, choices=_choices(rs.EXDOSU))
    dose_form = models.CharField(max_length=16, choices=_choices(rs.EXDOSFRM))
    frequency = models.CharField(max_length=8, choices=_choices(rs.EXDOSFRQ))
    route = models.CharField(max_length=20, choices=_choices(rs.ROUTE))
    category = models.CharField(max_length=40, help_text="EXCAT, e.g. IMMUNOTHERAPY")
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise field_error("end_date", self.end_date,
                              f"on or after start_date ({self.start_date})")
        if self.therapy_id is not None:
            if self.therapy.participant_id != self.participant_id:
                raise field_error("therapy", self.therapy_id, "a line of the same participant")
            if self.start_date and self.start_date < self.therapy.start_date:
                raise field_error("start_date", self.start_date,
                                  f"on or after the line's start ({self.therapy.start_date})")
