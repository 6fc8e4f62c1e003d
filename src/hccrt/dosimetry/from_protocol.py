"""Read a protocol file's ``planning`` section into the dosimetry limit models.

The protocol schema (:mod:`hccrt.protocols.schema`) states limits generically (quantity,
unit, bounds with their inclusiveness, conditions, the protocol's own words). This module maps
them onto :class:`~hccrt.dosimetry.checks.Y90Limits`,
:class:`~hccrt.dosimetry.sbrt.SbrtPrescriptionLimits` and
:class:`~hccrt.dosimetry.haic.HaicRegimen`; each limit keeps the protocol code and text as its
source. A limit this module cannot interpret raises :class:`ProtocolError` rather than being
dropped.
"""

from __future__ import annotations

from hccrt.dosimetry.checks import Limit, ReferenceLungLimit, Window, Y90Limits
from hccrt.dosimetry.haic import DrugDose, HaicRegimen
from hccrt.dosimetry.sbrt import SbrtPrescriptionLimits
from hccrt.errors import ProtocolError
from hccrt.protocols.schema import LimitQuantity, PlanningLimit, Protocol

__all__ = ["haic_regimen", "sbrt_limits", "y90_limits"]

_Y90 = {
    LimitQuantity.TUMOUR_ABSORBED_DOSE, LimitQuantity.LUNG_ABSORBED_DOSE,
    LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE, LimitQuantity.NORMAL_LIVER_ABSORBED_DOSE,
    LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION, LimitQuantity.DAYS_SINCE_FIRST_TREATMENT,
}
_UNITS = {
    LimitQuantity.TUMOUR_ABSORBED_DOSE: "Gy", LimitQuantity.LUNG_ABSORBED_DOSE: "Gy",
    LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE: "Gy",
    LimitQuantity.NORMAL_LIVER_ABSORBED_DOSE: "Gy",
    LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION: "fraction",
    LimitQuantity.DAYS_SINCE_FIRST_TREATMENT: "days",
}


def _src(protocol: Protocol, lim: PlanningLimit) -> str:
    return f"{protocol.code} protocol ({lim.id}): {lim.text.strip()}"


def _need(protocol: Protocol, lim: PlanningLimit, value: float | None, what: str) -> float:
    if value is None:
        raise ProtocolError(f"{protocol.code}: planning limit {lim.id} needs a {what}")
    return float(value)


def y90_limits(protocol: Protocol, arm: str | None = None) -> Y90Limits:
    """The Y-90 limits of ``protocol`` (for one arm when ``arm`` is given)."""
    fields: dict[str, object] = {}
    for lim in protocol.planning.limits:
        if lim.quantity not in _Y90 or (arm is not None and arm not in lim.arms):
            continue
        if lim.unit != _UNITS[lim.quantity]:
            raise ProtocolError(f"{protocol.code}: planning limit {lim.id} has unit {lim.unit!r}; "
                                f"expected {_UNITS[lim.quantity]!r}")
        src = _src(protocol, lim)
        q = lim.quantity
        if q is LimitQuantity.TUMOUR_ABSORBED_DOSE:
            fields["tumour_dose_gy"] = Window(
                low=_need(protocol, lim, lim.minimum, "minimum"),
                high=_need(protocol, lim, lim.maximum, "maximum"),
                prescribed=lim.target, source=src)
        elif q is LimitQuantity.LUNG_ABSORBED_DOSE:
            upper = Limit(value=_need(protocol, lim, lim.maximum, "maximum"),
                          inclusive=lim.maximum_inclusive, source=src)
            ref = lim.conditions.get("tumour_absorbed_dose_gy")
            if ref is not None:
                if lim.conditions.get("model", "partition") != "partition":
                    raise ProtocolError(f"{protocol.code}: {lim.id}: only the partition model "
                                        "is supported for a reference tumour dose")
                fields["lung_dose_at_reference"] = ReferenceLungLimit(
                    reference_tumour_dose_gy=float(ref), max_lung_dose_gy=upper)  # type: ignore[arg-type]
            else:
                fields["lung_dose_session_gy"] = upper
        elif q is LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE:
            fields["lung_dose_cumulative_gy"] = Limit(
                value=_need(protocol, lim, lim.maximum, "maximum"),
                inclusive=lim.maximum_inclusive, source=src)
        elif q is LimitQuantity.NORMAL_LIVER_ABSORBED_DOSE:
            fields["normal_liver_dose_gy"] = Limit(
                value=_need(protocol, lim, lim.maximum, "maximum"),
                inclusive=lim.maximum_inclusive, source=src)
        elif q is LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION:
            fields["untreated_nontumoral_liver_fraction"] = Limit(
                value=_need(protocol, lim, lim.minimum, "minimum"),
                inclusive=lim.minimum_inclusive, source=src)
        else:  # days since first treatment
            days = _need(protocol, lim, lim.maximum, "maximum")
            fields["retreatment_window_days"] = int(days) - (0 if lim.maximum_inclusive else 1)
            fields["retreatment_source"] = src
    return Y90Limits(**fields)  # type: ignore[arg-type]


def sbrt_limits(protocol: Protocol) -> SbrtPrescriptionLimits:
    """The SBRT prescription rules of ``protocol`` (``planning.sbrt``)."""
    s = protocol.planning.sbrt
    if s is None:
        raise ProtocolError(f"{protocol.code}: the protocol has no planning.sbrt section")
    return SbrtPrescriptionLimits(
        total_dose_gy=Window(low=s.total_dose_gy_min, high=s.total_dose_gy_max),
        fractions=(s.fractions,),
        dose_per_fraction_gy=Window(low=s.dose_per_fraction_gy_min,
                                    high=s.dose_per_fraction_gy_max),
        source=f"{protocol.code} protocol: {s.text.strip()}",
    )


def haic_regimen(protocol: Protocol, regimen_id: str | None = None) -> HaicRegimen:
    """A HAIC regimen of ``protocol`` (the only one, or ``regimen_id``)."""
    regs = [r for r in protocol.planning.regimens if regimen_id in (None, r.id)]
    if len(regs) != 1:
        known = [r.id for r in protocol.planning.regimens]
        raise ProtocolError(f"{protocol.code}: regimen {regimen_id!r} not found or ambiguous; "
                            f"known: {known}")
    reg = regs[0]
    drugs = []
    for d in reg.drugs:
        if d.dose_unit != "mg/m2" or d.duration is None:
            raise ProtocolError(f"{protocol.code}: {reg.id}: {d.agent} must be dosed in mg/m2 "
                                "with a duration for BSA dosing")
        drugs.append(DrugDose(
            label=f"{d.agent} {d.dose:g} mg/m2", drug=d.agent, dose_mg_per_m2=d.dose,
            infusion_h=d.duration.approx_days() * 24.0, route=d.route))
    return HaicRegimen(
        name=reg.name, drugs=tuple(drugs),
        cycle_interval_days_min=round(reg.cycle_interval_min.approx_days()),
        cycle_interval_days_max=round(reg.cycle_interval_max.approx_days()),
        cycles_allowed=tuple(reg.cycles_allowed),
        source=f"{protocol.code} protocol ({reg.id}): {reg.text.strip()}",
    )
