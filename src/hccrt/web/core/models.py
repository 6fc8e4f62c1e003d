"""Sites, protocol versions and participants: the first tables of the capture layer.

Protocol rows are never edited in place: loading a protocol file whose validated content
differs from the current version adds a new row (versioned by content hash) and moves the
``is_current`` flag, so every participant stays linked to the exact protocol text it was
enrolled under. No direct identifiers of a participant are stored.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, UniqueConstraint

from hccrt.web.audit.base import AuditedModel


class Site(models.Model):
    code = models.SlugField(max_length=32, unique=True, help_text="short site code, e.g. snuh")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Protocol(models.Model):
    """One version of a protocol file, identified by the hash of its validated content."""

    code = models.SlugField(max_length=64)
    version = models.CharField(max_length=64, help_text="protocol document version")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the validated content")
    title = models.TextField()
    short_title = models.CharField(max_length=200)
    design_type = models.CharField(max_length=32)
    target_enrolment = models.PositiveIntegerField(null=True, blank=True)
    document = models.JSONField(help_text="the validated protocol, as JSON")
    source = models.CharField(max_length=500, help_text="file the version was loaded from")
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        constraints = [
            UniqueConstraint(fields=["code", "content_hash"], name="protocol_unique_version"),
            UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="protocol_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.content_hash[:12]})"

    def as_protocol(self) -> Any:
        """The stored document as a validated :class:`hccrt.protocols.Protocol`."""
        from hccrt.protocols import Protocol as ProtocolModel

        return ProtocolModel.model_validate(self.document)


class Participant(AuditedModel):
    """A trial participant, pseudonymous: a study id, never a name or a record number.

    Audited trial data (see :class:`hccrt.web.audit.base.AuditedModel`): every save writes an
    audit event, changes after the first save need a reason, nothing is hard-deleted.
    """

    class Status(models.TextChoices):
        SCREENING = "screening", "Screening"
        SCREEN_FAILED = "screen_failed", "Screen failed"
        ENROLLED = "enrolled", "Enrolled"
        ON_TREATMENT = "on_treatment", "On treatment"
        FOLLOW_UP = "follow_up", "Follow-up"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        LOST = "lost_to_follow_up", "Lost to follow-up"
        DIED = "died", "Died"

    study_id = models.CharField(max_length=40, help_text="pseudonymous id, e.g. RESCUE-SNUH-001")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="participants")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    arm = models.CharField(max_length=64, blank=True, help_text="arm id from the protocol")
    consent_date = models.DateField(null=True, blank=True)
    consent_version = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.SCREENING)
    sex = models.CharField(max_length=1, blank=True, choices=[("M", "M"), ("F", "F"), ("U", "U")])
    age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="years at consent")

    class Meta:
        ordering = ["study_id"]
        constraints = [
            UniqueConstraint(fields=["protocol", "study_id"], name="participant_unique_study_id")
        ]

    def __str__(self) -> str:
        return self.study_id

    def audit_participant_id(self) -> int | None:
        return self.pk

    def audit_site_id(self) -> int | None:
        return self.site_id

    def after_audited_save(self, action: str, user: Any) -> None:
        from hccrt.web.capture.checks import run_checks

        run_checks(self, user)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.arm:
            arms = [a["id"] for a in self.protocol.document.get("arms", [])]
            if self.arm not in arms:
                raise ValidationError(
                    {"arm": f"arm {self.arm!r} is not an arm of {self.protocol.code}: {arms}"}
                )
