"""Y-90 radioembolization: the plan (inputs and the core's planned doses), the administration
(delivered activity, delivered doses recomputed by the core) and the absorbed doses measured
on post-treatment imaging of the Y-90 distribution."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from hccrt.records import schema as rs
from hccrt.web.capture.core_bridge import core_call, field_error
from hccrt.web.capture.models.base import Form, _choices, _non_negative

#: absorbed doses post-treatment imaging measures (XPTESTCD), with the key of the same dose
#: in the core's Y90Result (the administration's report holds it at the delivered activity)
POST_TREATMENT_DOSES = {"TUMDOSE": "tumour_dose_gy", "NLDOSE": "normal_liver_dose_gy",
                        "LUNGDOSE": "lung_dose_gy"}  # fmt: skip


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
    """One Y-90 administration of a plan: the delivered activity, and the doses the core
    recomputes at it (``report``).

    The delivered activity is entered, or derived from the dose-calibrator assays (the vial
    before, the residual in vial, lines and catheter after), each with the time it was
    measured, and the administration time: the core decay-corrects both to the administration
    (:func:`hccrt.dosimetry.decay.delivered_activity`, half-life of the plan's constants) and
    subtracts. When the assays are given, the derived value is the one stored (an entered
    value is replaced) and the core's decay-corrected activities go into ``report["assays"]``.
    """

    is_treatment = True

    plan = models.ForeignKey(Y90Plan, on_delete=models.PROTECT, related_name="+")
    administration_date = models.DateField()
    delivered_activity_gbq = models.FloatField(
        null=True, blank=True, validators=_non_negative(),
        help_text="entered, or derived from the assays below when they are given")
    administered_at = models.DateTimeField(null=True, blank=True,
                                           help_text="time of the administration")
    vial_assay_gbq = models.FloatField(null=True, blank=True,
                                       help_text="dose-calibrator reading of the vial before")
    vial_assay_at = models.DateTimeField(null=True, blank=True,
                                         help_text="time the vial was assayed")
    residual_assay_gbq = models.FloatField(
        null=True, blank=True, help_text="dose-calibrator reading of the residual after "
        "(vial, lines and catheter)")
    residual_assay_at = models.DateTimeField(null=True, blank=True,
                                             help_text="time the residual was assayed")
    report = models.JSONField(default=dict, blank=True, editable=False,
                              help_text="delivered vs planned, doses recomputed by the core")
    date_field = "administration_date"

    #: the assay fields and the core's argument each one is (delivered_activity)
    ASSAYS = {"vial_assay_gbq": "pre_assay_gbq", "vial_assay_at": "pre_assay_time",
              "residual_assay_gbq": "residual_gbq", "residual_assay_at": "residual_assay_time",
              "administered_at": "administration_time"}  # fmt: skip

    def clean(self) -> None:
        super().clean()
        if self.plan_id is None:
            return
        if self.plan.participant_id != self.participant_id:
            raise field_error("plan", self.plan_id, "a plan of the same participant")
        if self.administration_date and self.administration_date < self.plan.plan_date:
            raise field_error("administration_date", self.administration_date,
                              f"on or after the plan date ({self.plan.plan_date})")
        self._check_time_on_date()
        from hccrt.dosimetry.decay import delivered_activity
        from hccrt.dosimetry.plan import delivery_report

        core_plan = self.plan.core_plan()
        given = {f: getattr(self, f) for f in self.ASSAYS}
        assays = None
        if any(v is not None for v in given.values()):
            absent = next((f for f, v in given.items() if v is None), None)
            if absent is not None:
                raise field_error(absent, None, "a value: the vial and residual assays, their "
                                  "times and the administration time go together")  # fmt: skip
            assays = core_call(delivered_activity, half_life_h=core_plan.constants.half_life_h,
                               **{arg: given[f] for f, arg in self.ASSAYS.items()},
                               fields={arg: f for f, arg in self.ASSAYS.items()})
            self.delivered_activity_gbq = assays.delivered_activity_gbq
        elif self.delivered_activity_gbq is None:
            raise field_error("delivered_activity_gbq", None, "the delivered activity (GBq), or "
                              "the vial and residual assays with their times and the "
                              "administration time")  # fmt: skip
        report = core_call(delivery_report, core_plan, self.delivered_activity_gbq,
                           fields={"delivered_activity_gbq": "delivered_activity_gbq"})
        self.report = report.model_dump(mode="json")
        if assays is not None:
            self.report["assays"] = assays.model_dump(mode="json")


    def _check_time_on_date(self) -> None:
        """The administration time falls on the administration date, read in the time zone
        the app stores and shows times in (settings.TIME_ZONE, the current time zone: the
        one the pages read a typed time in)."""
        at, day = self.administered_at, self.administration_date
        if day is None or not isinstance(at, datetime) or not timezone.is_aware(at):
            return  # a naive time is refused by the core, naming the field
        zone = timezone.get_current_timezone()
        local = timezone.localtime(at, zone)
        if local.date() != day:
            raise field_error("administered_at", local.isoformat(),
                              f"a time on the administration date {day.isoformat()} "
                              f"(read in the time zone {zone})")


class Y90PostTreatmentDosimetry(Form):
    """An absorbed dose measured on post-treatment imaging of the Y-90 distribution (Y-90
    PET/CT or bremsstrahlung SPECT/CT) after an administration: the achieved dose of the TARE
    dose-response endpoints (XP rows with XPSCAT POST-TREATMENT).

    An administration may have several (the tumour, normal liver and lung doses; a PET/CT and
    a SPECT/CT of the same administration; a repeat scan). ``predicted_gy`` is the same dose
    the core computed for the administration (the plan
    recomputed at the delivered activity, :func:`hccrt.dosimetry.plan.delivery_report`), kept
    next to the measured one for comparison.
    """

    class Modality(models.TextChoices):
        PET_CT = "Y-90 PET/CT", "Y-90 PET/CT"
        BREMSSTRAHLUNG_SPECT_CT = "BREMSSTRAHLUNG SPECT/CT", "Bremsstrahlung SPECT/CT"

    administration = models.ForeignKey(Y90Administration, on_delete=models.PROTECT,
                                       related_name="+")  # fmt: skip
    imaging_date = models.DateField(help_text="date of the post-treatment scan (XPDTC)")
    quantity = models.CharField(max_length=8, help_text="XPTESTCD",
                                choices=[(c, rs.XP_TESTS[c][0]) for c in POST_TREATMENT_DOSES])
    value = models.FloatField(validators=[MinValueValidator(0)], help_text="absorbed dose")
    unit = models.CharField(max_length=8, default="Gy", help_text="XPORRESU: Gy")
    dose_model = models.CharField(max_length=20, choices=_choices(rs.XP_METHOD),
                                  default="PARTITION", help_text="XPMETHOD")
    modality = models.CharField(max_length=32, choices=Modality.choices, blank=True,
                                help_text="post-treatment imaging; empty when the source "
                                          "(e.g. the XP records, which have no such column) "
                                          "does not say")  # fmt: skip
    predicted_gy = models.FloatField(null=True, blank=True, editable=False)
    date_field = "imaging_date"

    def clean(self) -> None:
        super().clean()
        if self.quantity in POST_TREATMENT_DOSES:
            unit = rs.XP_TESTS[self.quantity][1]
            if self.unit != unit:
                raise field_error("unit", self.unit, f"{unit} (the unit of {self.quantity})")
        if self.administration_id is None:
            return
        adm = self.administration
        if adm.participant_id != self.participant_id:
            raise field_error("administration", self.administration_id,
                              "an administration of the same participant")
        if self.imaging_date and self.imaging_date < adm.administration_date:
            raise field_error("imaging_date", self.imaging_date,
                              f"on or after the administration ({adm.administration_date})")
        key = POST_TREATMENT_DOSES.get(self.quantity)
        self.predicted_gy = (adm.report or {}).get("delivered", {}).get(key)
