"""Tables of the pages app: the background export and report runs of the exports page.

A :class:`ReportRun` is operational metadata (who asked for which export, its progress and
its files), not trial data, so it is not an audited model; the files it writes are built
from the audited tables by the records bridge and the core pipeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        RECORDS_CSV = "records-csv", "Record tables (SDTM-shaped CSV, zip)"
        RECORDS_XPT = "records-xpt", "Record tables (SAS transport XPT v5, zip)"
        DATASETS = "datasets", "Derived datasets and endpoint results (ADaM-shaped CSV, zip)"
        ANALYSIS_REPORT = "report-analysis", "Analysis report"
        SAFETY_REPORT = "report-safety", "Safety report (DSMB, closed: by arm)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    protocol_code = models.SlugField(max_length=64)
    formats = models.CharField(max_length=40, blank=True, help_text="report formats: html,pdf")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="fraction done, 0-1")
    message = models.CharField(max_length=300, blank=True, help_text="current stage")
    error = models.TextField(blank=True)
    out_dir = models.CharField(max_length=500, blank=True)
    files = models.JSONField(default=list, blank=True, help_text="file names in out_dir")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.protocol_code} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return round(100 * max(0.0, min(1.0, self.progress)))
