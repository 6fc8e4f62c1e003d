"""Protocol limits for Y-90 plans, as data, and their explainable checks.

Limits are pydantic models (:class:`Y90Limits`) that a protocol file supplies; nothing here
hard-codes a trial's numbers. Each check returns a :class:`CheckResult` with the status
(``pass``, ``fail``, ``warning`` or ``not_evaluated``), the value, the limit as text, the
unit, a sentence a physicist can read and the rule's source.

Checks
------
- tumour dose window (e.g. tare-ut7: 700 Gy prescribed, 350-1050 Gy accepted);
- session lung dose (30 Gy per treatment) and cumulative lung dose over the ledger (50 Gy;
  Leung TW et al., IJROBP 1995;33:919; REBOC, Kennedy 2007; glass label);
- lung dose at a reference tumour dose by the partition model (rescue: exclude if > 15 Gy
  when 150 Gy is given to the tumour). This lung dose does not depend on K:
  D_L = D_T,ref (M_N + TNR M_T) LSF / (TNR (1 - LSF) M_lung);
- untreated non-tumoral liver fraction (rescue: >= 30 %; EANM 2022 Table 2 footnote);
- retreatment window (tare-ut7: a second treatment within 180 days only while the
  cumulative lung dose stays below 50 Gy) and the number of treatments;
- guideline dose levels as warnings (EANM 2022, Weber M et al., EJNMMI 2022;49:1682-1699,
  Tables 2 (glass) and 3 (resin), HCC rows): :data:`EANM_2022_GLASS_HCC`,
  :data:`EANM_2022_RESIN_HCC`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from hccrt.dosimetry import y90
from hccrt.dosimetry._validate import StrictModel
from hccrt.dosimetry.ledger import TreatmentLedger
from hccrt.dosimetry.plan import Y90Plan, Y90Session, untreated_nontumoral_fraction
from hccrt.errors import InputError

__all__ = [
    "EANM_2022_GLASS_HCC",
    "EANM_2022_RESIN_HCC",
    "CheckResult",
    "GuidanceRule",
    "Limit",
    "ReferenceLungLimit",
    "Status",
    "Window",
    "Y90Limits",
    "check_y90",
]

Status = Literal["pass", "fail", "warning", "not_evaluated"]


class CheckResult(StrictModel):
    """Outcome of one rule."""

    rule: str
    status: Status
    value: float | None
    limit: str
    unit: str
    message: str
    source: str


class Limit(StrictModel):
    """A bound: ``value`` with whether equality is allowed, and where it comes from."""

    value: float
    inclusive: bool = True
    source: str = ""

    def upper_ok(self, x: float) -> bool:
        return x <= self.value if self.inclusive else x < self.value

    def lower_ok(self, x: float) -> bool:
        return x >= self.value if self.inclusive else x > self.value

    def text(self, upper: bool) -> str:
        op = ("<=" if self.inclusive else "<") if upper else (">=" if self.inclusive else ">")
        return f"{op} {self.value:g}"


class Window(StrictModel):
    """A closed window [low, high] (e.g. accepted tumour dose)."""

    low: float
    high: float
    prescribed: float | None = None
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.low > self.high:
            raise ValueError("low: at most high")
        return self


class ReferenceLungLimit(StrictModel):
    """Lung dose limit when a reference tumour dose is given by the partition model."""

    reference_tumour_dose_gy: float = Field(gt=0.0)
    max_lung_dose_gy: Limit


class GuidanceRule(StrictModel):
    """A guideline dose level reported as a warning when not met."""

    quantity: Literal["tumour_dose_gy", "normal_liver_dose_gy", "perfused_dose_gy",
                      "whole_nontumoral_liver_dose_gy"]
    bound: Literal["min", "max"]
    limit: Limit
    scenario: str


class Y90Limits(StrictModel):
    """The Y-90 limits of one protocol; every field is optional (None = not checked)."""

    tumour_dose_gy: Window | None = None
    normal_liver_dose_gy: Limit | None = None
    lung_dose_session_gy: Limit | None = None
    lung_dose_cumulative_gy: Limit | None = None
    lung_dose_at_reference: ReferenceLungLimit | None = None
    untreated_nontumoral_liver_fraction: Limit | None = None
    retreatment_window_days: int | None = Field(default=None, gt=0)
    max_treatments: int | None = Field(default=None, gt=0)
    retreatment_source: str = ""
    guidance: tuple[GuidanceRule, ...] = ()


_EANM = "EANM 2022 procedure guideline (Weber M et al., EJNMMI 2022;49:1682-1699)"

#: EANM 2022 Table 2 (glass, HCC) levels usable as warnings.
EANM_2022_GLASS_HCC: tuple[GuidanceRule, ...] = (
    GuidanceRule(quantity="tumour_dose_gy", bound="min",
                 limit=Limit(value=205.0, source=_EANM + ", Table 2"),
                 scenario="HCC lobar/unilobar/bilobar: tumour >= 205 Gy (ideally >= 250-300)"),
    GuidanceRule(quantity="normal_liver_dose_gy", bound="max",
                 limit=Limit(value=120.0, inclusive=False, source=_EANM + ", Table 2"),
                 scenario="HCC unilobar: normal perfused liver < 120 Gy if reserve < 30 %"),
    GuidanceRule(quantity="whole_nontumoral_liver_dose_gy", bound="max",
                 limit=Limit(value=75.0, inclusive=False, source=_EANM + ", Table 2"),
                 scenario="HCC: whole normal liver < 75 Gy (50 Gy if bilirubin > 1.1 mg/dL)"),
)

#: EANM 2022 Table 3 (resin, HCC; modified from Levillain 2021) levels usable as warnings.
EANM_2022_RESIN_HCC: tuple[GuidanceRule, ...] = (
    GuidanceRule(quantity="tumour_dose_gy", bound="min",
                 limit=Limit(value=100.0, source=_EANM + ", Table 3"),
                 scenario="HCC: tumour >= 100-120 Gy"),
    GuidanceRule(quantity="normal_liver_dose_gy", bound="max",
                 limit=Limit(value=40.0, inclusive=False, source=_EANM + ", Table 3"),
                 scenario="HCC unilobar: normal perfused liver < 40 Gy"),
)


def _r(rule: str, ok: bool | None, value: float | None, limit: str, unit: str, msg: str,
       source: str, fail: Status = "fail") -> CheckResult:
    status: Status = "not_evaluated" if ok is None else ("pass" if ok else fail)
    return CheckResult(rule=rule, status=status, value=value, limit=limit, unit=unit,
                       message=msg, source=source)


def _tumour_dose(plan: Y90Plan) -> tuple[float, str]:
    if plan.result.tumour_dose_gy is not None and plan.result.dose_model == "partition":
        return plan.result.tumour_dose_gy, "tumour dose"
    return plan.result.perfused_dose_gy, (
        "perfused-volume dose taken as tumour dose (single-compartment model)")


def _lung_at_reference(plan: Y90Plan, ref: ReferenceLungLimit) -> CheckResult:
    inp, c = plan.inputs, plan.constants
    rule = "lung_dose_at_reference_tumour_dose"
    lim = ref.max_lung_dose_gy
    if not inp.tumours or any(t.tnr is None for t in inp.tumours) or inp.normal_volume_ml <= 0:
        return _r(rule, None, None, lim.text(True), "Gy",
                  f"{plan.inputs.territory}: needs tumour volume(s), TNR and normal liver for the "
                  "partition model", lim.source)
    k = c.dose_constant_gy_kg_per_gbq
    masses = [inp.normal_volume_ml * c.liver_density_g_per_ml / 1000.0] + [
        t.volume_ml * c.tumour_density_g_per_ml / 1000.0 for t in inp.tumours]
    ratios = [1.0] + [float(t.tnr) for t in inp.tumours]  # type: ignore[arg-type]
    a = y90.multicompartment_activity_gbq(ref.reference_tumour_dose_gy, 1 + inp.target_tumour,
                                          masses, ratios, inp.lsf, k)
    d_l = float(y90.lung_dose_gy(a, inp.lsf, plan.result.lung_mass_kg, k))
    ok = lim.upper_ok(d_l)
    return _r(rule, ok, d_l, lim.text(True), "Gy",
              f"{inp.territory}: lung dose {d_l:.2f} Gy when {ref.reference_tumour_dose_gy:g} Gy "
              f"is given to the tumour (partition model, LSF {inp.lsf:.1%}, "
              f"lung mass {plan.result.lung_mass_kg:g} kg)", lim.source)


def check_y90(
    session: Y90Session | Y90Plan,
    limits: Y90Limits,
    *,
    treatment_date: date | None = None,
    ledger: TreatmentLedger | None = None,
    nontumoral_liver_volume_ml: float | None = None,
) -> list[CheckResult]:
    """Check a planned session against a protocol's limits.

    ``ledger`` holds the participant's earlier treatments (for cumulative lung dose and the
    retreatment window); ``nontumoral_liver_volume_ml`` the whole non-tumoral liver (for the
    untreated fraction and the whole non-tumoral liver dose). A rule whose data are missing
    is reported as ``not_evaluated``, never silently passed.
    """
    if isinstance(session, Y90Plan):
        session = Y90Session(plans=(session,))
    if not isinstance(session, Y90Session):
        raise InputError("session", type(session).__name__, "a Y90Session or Y90Plan")
    if not isinstance(limits, Y90Limits):
        raise InputError("limits", type(limits).__name__, "a Y90Limits")
    out: list[CheckResult] = []
    for plan in session.plans:
        if not plan.result.treatable:
            out.append(_r("treatable", False, None, "treatable", "",
                          f"{plan.inputs.territory}: {plan.result.reason}", "plan model"))
    if limits.tumour_dose_gy is not None:
        w = limits.tumour_dose_gy
        for plan in session.plans:
            d, what = _tumour_dose(plan)
            ok = w.low <= d <= w.high
            out.append(_r("tumour_dose_window", ok, d, f"{w.low:g}-{w.high:g}", "Gy",
                          f"{plan.inputs.territory}: {what} {d:.1f} Gy "
                          f"{'within' if ok else 'outside'} {w.low:g}-{w.high:g} Gy"
                          + (f" (prescribed {w.prescribed:g} Gy)" if w.prescribed else ""),
                          w.source))
    if limits.normal_liver_dose_gy is not None:
        lim = limits.normal_liver_dose_gy
        for plan in session.plans:
            d_n = plan.result.normal_liver_dose_gy
            out.append(_r("normal_liver_dose", None if d_n is None else lim.upper_ok(d_n), d_n,
                          lim.text(True), "Gy",
                          f"{plan.inputs.territory}: perfused normal liver "
                          + ("not in the plan" if d_n is None else f"{d_n:.1f} Gy"),
                          lim.source))
    lung = session.lung_dose_gy
    if limits.lung_dose_session_gy is not None:
        lim = limits.lung_dose_session_gy
        out.append(_r("lung_dose_session", lim.upper_ok(lung), lung, lim.text(True), "Gy",
                      f"session lung dose {lung:.2f} Gy ({len(session.plans)} territory(ies))",
                      lim.source))
    previous = ledger.cumulative_lung_dose_gy if ledger is not None else 0.0
    if limits.lung_dose_cumulative_gy is not None:
        lim = limits.lung_dose_cumulative_gy
        total = previous + lung
        out.append(_r("lung_dose_cumulative", lim.upper_ok(total), total, lim.text(True), "Gy",
                      f"cumulative lung dose {total:.2f} Gy = {previous:.2f} Gy before + "
                      f"{lung:.2f} Gy planned" + ("" if ledger else " (no ledger given)"),
                      lim.source))
    if limits.lung_dose_at_reference is not None:
        out.extend(_lung_at_reference(p, limits.lung_dose_at_reference) for p in session.plans)
    if limits.untreated_nontumoral_liver_fraction is not None:
        lim = limits.untreated_nontumoral_liver_fraction
        if nontumoral_liver_volume_ml is None:
            out.append(_r("untreated_nontumoral_liver", None, None, lim.text(False), "fraction",
                          "needs the whole non-tumoral liver volume", lim.source))
        else:
            volumes: dict[str, float] = {}
            for e in ledger.entries if ledger is not None else ():
                volumes[e.territory] = max(volumes.get(e.territory, 0.0),
                                           e.perfused_nontumoral_volume_ml)
            for p in session.plans:
                volumes[p.inputs.territory] = max(volumes.get(p.inputs.territory, 0.0),
                                                  p.inputs.normal_volume_ml)
            treated = sum(volumes.values())
            frac = untreated_nontumoral_fraction(nontumoral_liver_volume_ml, treated)
            out.append(_r("untreated_nontumoral_liver", lim.lower_ok(frac), frac,
                          lim.text(False), "fraction",
                          f"untreated non-tumoral liver {frac:.1%} "
                          f"({nontumoral_liver_volume_ml - treated:g} of "
                          f"{nontumoral_liver_volume_ml:g} mL; territories treated counted once "
                          "by name)", lim.source))
    if ledger is not None and ledger.entries and (
        limits.retreatment_window_days is not None or limits.max_treatments is not None
    ):
        out.extend(_retreatment(ledger, treatment_date, limits, previous + lung))
    for rule in limits.guidance:
        out.extend(_guidance(rule, session, nontumoral_liver_volume_ml))
    return out


def _retreatment(ledger: TreatmentLedger, when: date | None, limits: Y90Limits,
                 cumulative: float) -> list[CheckResult]:
    src = limits.retreatment_source
    res: list[CheckResult] = []
    sessions = ledger.session_dates
    if limits.max_treatments is not None:
        n = len(sessions) + 1
        res.append(_r("number_of_treatments", n <= limits.max_treatments, float(n),
                      f"<= {limits.max_treatments}", "sessions",
                      f"this would be treatment session {n}", src))
    if limits.retreatment_window_days is not None:
        if when is None:
            res.append(_r("retreatment_window", None, None,
                          f"<= {limits.retreatment_window_days}", "days",
                          "needs the planned treatment date", src))
            return res
        if when < sessions[-1]:
            raise InputError("treatment_date", when.isoformat(),
                             f"a date on or after the last treatment {sessions[-1].isoformat()}")
        days = (when - sessions[0]).days
        within = days <= limits.retreatment_window_days
        cum = limits.lung_dose_cumulative_gy
        if within:
            ok = cum.upper_ok(cumulative) if cum is not None else True
            msg = (f"retreatment {days} days after the first treatment (window "
                   f"{limits.retreatment_window_days} days): allowed only with cumulative lung "
                   f"dose {cum.text(True) if cum else '(no limit given)'} Gy; it is "
                   f"{cumulative:.2f} Gy")
            res.append(_r("retreatment_window", ok, float(days),
                          f"<= {limits.retreatment_window_days}", "days", msg, src))
        else:
            res.append(_r("retreatment_window", False, float(days),
                          f"<= {limits.retreatment_window_days}", "days",
                          f"retreatment {days} days after the first treatment is outside the "
                          f"protocol's {limits.retreatment_window_days}-day window", src,
                          fail="warning"))
    return res


def _guidance(rule: GuidanceRule, session: Y90Session,
              nontumoral_liver_volume_ml: float | None) -> list[CheckResult]:
    lim = rule.limit
    upper = rule.bound == "max"
    name = f"guidance:{rule.quantity}"
    if rule.quantity == "whole_nontumoral_liver_dose_gy":
        if nontumoral_liver_volume_ml is None:
            return [_r(name, None, None, lim.text(upper), "Gy",
                       f"{rule.scenario}: needs the whole non-tumoral liver volume", lim.source)]
        plan0 = session.plans[0]
        mass = nontumoral_liver_volume_ml * plan0.constants.liver_density_g_per_ml / 1000.0
        d = sum(p.constants.dose_constant_gy_kg_per_gbq * p.result.normal_liver_activity_gbq
                for p in session.plans) / mass
        ok = lim.upper_ok(d) if upper else lim.lower_ok(d)
        return [_r(name, ok, d, lim.text(upper), "Gy",
                   f"whole non-tumoral liver {d:.1f} Gy; {rule.scenario}", lim.source,
                   fail="warning")]
    res = []
    for p in session.plans:
        if rule.quantity == "tumour_dose_gy" and p.result.dose_model != "partition":
            res.append(_r(name, None, None, lim.text(upper), "Gy",
                          f"{p.inputs.territory}: single-compartment plan has no tumour dose; "
                          f"{rule.scenario}", lim.source))
            continue
        v = getattr(p.result, rule.quantity)
        if v is None:
            res.append(_r(name, None, None, lim.text(upper), "Gy",
                          f"{p.inputs.territory}: not available; {rule.scenario}", lim.source))
            continue
        ok = lim.upper_ok(v) if upper else lim.lower_ok(v)
        res.append(_r(name, ok, v, lim.text(upper), "Gy",
                      f"{p.inputs.territory}: {rule.quantity} {v:.1f} Gy; {rule.scenario}",
                      lim.source, fail="warning"))
    return res


