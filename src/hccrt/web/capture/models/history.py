"""Medical history (MH), concomitant and subsequent medications (CM) and protocol
deviations (DV)."""

from __future__ import annotations

from django.db import models

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import field_error
from hccrt.web.capture.models.base import Form, VisitLinked, _choices


class MedicalHistory(VisitLinked):
    """One medical-history condition asked about (pre-specified) or reported at screening."""

    term = models.CharField(max_length=200, help_text="reported term (MHTERM)")
    decoded_term = models.CharField(max_length=200, blank=True,
                                    help_text="dictionary-derived term (MHDECOD)")
    category = models.CharField(max_length=100, blank=True, help_text="MHCAT")
    prespecified = models.BooleanField(default=False,
                                       help_text="asked about on the form (MHPRESP = Y)")
    occurred = models.BooleanField(null=True, blank=True,
                                   help_text="answer to a pre-specified condition (MHOCCUR)")
    collection_date = models.DateField(help_text="date the history was taken (MHDTC)")
    start_date = models.DateField(null=True, blank=True, help_text="onset (MHSTDTC)")
    allow_before_consent = True
    date_field = "collection_date"

    def clean(self) -> None:
        super().clean()
        if self.prespecified and self.occurred is None:
            raise field_error("occurred", None, "yes or no for a pre-specified condition")
        if not self.prespecified and self.occurred is not None:
            raise field_error("occurred", self.occurred,
                              "empty unless the condition is pre-specified (a reported "
                              "condition occurred by definition)")  # fmt: skip
        if self.start_date and self.collection_date and self.start_date > self.collection_date:
            raise field_error("start_date", self.start_date,
                              f"on or before the collection date ({self.collection_date})")


class ConcomitantMedication(Form):
    """A medication other than study treatment; ``category`` SUBSEQUENT ANTI-CANCER THERAPY
    marks a systemic therapy started after study treatment, which needs a reason."""

    spid = models.CharField(max_length=40, blank=True,
                            help_text="sponsor-defined line identifier (CMSPID)")
    medication = models.CharField(max_length=200, help_text="CMTRT")
    category = models.CharField(max_length=100, blank=True, help_text="CMCAT")
    indication = models.CharField(max_length=200, blank=True, help_text="CMINDC")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=40, blank=True, choices=_choices(rs.SUBSEQUENT_REASONS),
                              help_text="why a subsequent anti-cancer therapy began (SUBTXRSN)")
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise field_error("end_date", self.end_date,
                              f"on or after start_date ({self.start_date})")
        subsequent = self.category == rs.SUBSEQUENT_CAT
        if subsequent and not self.reason:
            raise field_error("reason", self.reason,
                              f"one of {list(rs.SUBSEQUENT_REASONS)} for a subsequent "
                              "anti-cancer therapy")  # fmt: skip
        if not subsequent and self.reason:
            raise field_error("reason", self.reason,
                              f"empty unless the category is {rs.SUBSEQUENT_CAT}")


class ProtocolDeviation(VisitLinked):
    """A protocol deviation, e.g. a visit outside its window (DVCAT = VISIT WINDOW)."""

    term = models.TextField(help_text="DVTERM")
    decoded_term = models.CharField(max_length=100, blank=True, help_text="DVDECOD")
    category = models.CharField(max_length=100, blank=True, help_text="DVCAT")
    start_date = models.DateField(help_text="DVSTDTC")
    date_field = "start_date"

    def clean(self) -> None:
        super().clean()
        if not self.term.strip():
            raise field_error("term", self.term, "a description of the deviation")
        if self.category == "VISIT WINDOW" and self.visit_id is None:
            raise field_error("visit", None, "the visit for a visit-window deviation")
