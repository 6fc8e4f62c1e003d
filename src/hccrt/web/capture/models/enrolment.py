"""Screening (eligibility by the core's engine) and allocation (concealed randomization lists,
stratum counters, the allocation of a participant)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, UniqueConstraint

from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.capture.models.base import Form, protocol_model
from hccrt.web.core.models import Participant, Protocol


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
