"""What every eCRF shares: the audited :class:`Form` base (participant, date checks against
consent, edit checks after save), :class:`VisitLinked`, the protocol facts the forms read,
roles and memberships, and the optional TOTP second factor.

Every form derives from :class:`hccrt.web.audit.base.AuditedModel` (audit trail, version for
optimistic concurrency, soft delete only) and belongs to a participant, so site isolation is
one filter (``participant__site``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import UniqueConstraint

from hccrt.web.audit.base import AuditedModel
from hccrt.web.capture.core_bridge import field_error
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


class TotpDevice(models.Model):
    """Optional second factor: an RFC 6238 TOTP secret; required at login once confirmed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="totp")  # fmt: skip
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
