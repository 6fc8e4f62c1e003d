"""Outcomes and the end of study: adverse events, surgery and pathology, subsequent
treatments, disposition; and data queries on any record."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import field_error
from hccrt.web.capture.models.base import Form, _choices, protocol_facts


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
    report_date = models.DateField(null=True, blank=True,
                                   help_text="date of the pathology report (MIDTC)")
    date_field = "surgery_date"

    def clean(self) -> None:
        super().clean()
        # the report examines the specimen the surgery took: it cannot come before it
        if self.report_date and self.surgery_date and self.report_date < self.surgery_date:
            raise field_error("report_date", self.report_date,
                              f"on or after the surgery date ({self.surgery_date})")


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
