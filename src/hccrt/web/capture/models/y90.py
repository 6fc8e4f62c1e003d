"""Y-90 radioembolization: the plan (inputs and the core's planned doses) and the
administration (delivered activity, delivered doses recomputed by the core)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.capture.models.base import Form, _non_negative


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
