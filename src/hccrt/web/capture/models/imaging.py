"""Imaging: tumour assessments (one read under one set of response criteria) with their
lesions, and regional liver function by hepatobiliary scintigraphy (XL)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import field_error
from hccrt.web.capture.models.base import Form, VisitLinked, _choices, _non_negative


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


class RegionalLiverFunction(VisitLinked):
    """One territory of one hepatobiliary scintigraphy scan (XL): the BSA-corrected tracer
    uptake rate of the whole liver, the treated territory or the untreated liver."""

    scan_date = models.DateField()
    territory = models.CharField(max_length=20, choices=_choices(rs.XL_LOC))
    uptake_rate = models.FloatField(validators=[MinValueValidator(0)],
                                    help_text="%/min/m2 (HBUPTR)")
    method = models.CharField(max_length=100,
                              default="HEPATOBILIARY SCINTIGRAPHY WITH SPECT-CT")
    date_field = "scan_date"
