"""Readable summaries of a protocol as rows, shared by the CLI tables and the web pages."""

from __future__ import annotations

from dataclasses import dataclass

from hccrt.protocols.schema import DesignType, Endpoint, PlanningLimit, Protocol, Visit

CRITERIA_LABELS = {
    "recist11": "RECIST 1.1",
    "mrecist": "mRECIST",
    "localized-mrecist": "localized mRECIST",
    "localized-recist11": "localized RECIST 1.1",
}


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]


def design_text(protocol: Protocol) -> str:
    design = protocol.design
    if design.type is DesignType.RANDOMIZED and design.allocation_ratio:
        # Follow the order of the arms list: a mapping's key order is not kept by every store
        # (PostgreSQL's jsonb sorts keys).
        arm_ids = [a.id for a in protocol.arms]
        ratio = ":".join(str(design.allocation_ratio[a]) for a in arm_ids)
        arms = " : ".join(arm_ids)
        text = f"randomized {ratio} ({arms})"
        if design.stratification_factors:
            text += ", stratified by " + ", ".join(f.name for f in design.stratification_factors)
    elif design.type is DesignType.NON_RANDOMIZED_PARALLEL:
        text = "non-randomized, parallel arms"
    else:
        text = "single arm"
    text += f", {design.masking.replace('_', ' ')}"
    if design.assumed:
        text += " [assumed]"
    return text


def visit_timing(visit: Visit) -> str:
    text = f"{visit.nominal} after {visit.anchor.value.replace('_', ' ')}"
    if visit.nominal.value == 0:
        text = f"at {visit.anchor.value.replace('_', ' ')}"
    if visit.nominal.value < 0:
        negative = str(visit.nominal).lstrip("-")
        text = f"{negative} before {visit.anchor.value.replace('_', ' ')}"
    if visit.repeat:
        text += f", then every {visit.repeat.every} to {visit.repeat.until}"
    return text


def visit_window(visit: Visit) -> str:
    return f"-{visit.window.before} / +{visit.window.after}"


def arm_rows(protocol: Protocol) -> list[tuple[str, ...]]:
    rows = []
    for arm in protocol.arms:
        interventions = "; ".join(
            i.name + (f" ({i.device})" if i.device else "") for i in arm.interventions
        )
        rows.append((arm.id, arm.name, arm.role.replace("_", " "), interventions))
    return rows


def schedule_rows(protocol: Protocol) -> list[tuple[str, ...]]:
    return [
        (
            v.id,
            v.name + (" [assumed]" if v.assumed else ""),
            visit_timing(v),
            visit_window(v),
            ", ".join(a.value.replace("_", " ") for a in v.assessments),
            ", ".join(v.arms) if v.arms else "all",
        )
        for v in protocol.schedule.visits
    ]


def limit_text(limit: PlanningLimit) -> str:
    parts = []
    if limit.target is not None:
        parts.append(f"target {limit.target:g}")
    if limit.minimum is not None:
        parts.append(f"{'>=' if limit.minimum_inclusive else '>'} {limit.minimum:g}")
    if limit.maximum is not None:
        parts.append(f"{'<=' if limit.maximum_inclusive else '<'} {limit.maximum:g}")
    text = ", ".join(parts) + f" {limit.unit}"
    if limit.conditions:
        text += " (" + ", ".join(f"{k}={v}" for k, v in limit.conditions.items()) + ")"
    return text


def planning_rows(protocol: Protocol) -> list[tuple[str, ...]]:
    rows = [
        (
            lim.id,
            lim.quantity.value.replace("_", " "),
            limit_text(lim),
            lim.applies,
            ", ".join(lim.arms),
        )
        for lim in protocol.planning.limits
    ]
    sbrt = protocol.planning.sbrt
    if sbrt:
        rows.append(
            (
                "sbrt-prescription",
                "SBRT prescription",
                f"{sbrt.total_dose_gy_min:g}-{sbrt.total_dose_gy_max:g} Gy in {sbrt.fractions} "
                f"fractions of {sbrt.dose_per_fraction_gy_min:g}-"
                f"{sbrt.dose_per_fraction_gy_max:g} Gy",
                "planning",
                ", ".join(sbrt.arms),
            )
        )
    for regimen in protocol.planning.regimens:
        drugs = "; ".join(
            f"{d.agent} {d.dose:g} {d.dose_unit}" + (f" over {d.duration}" if d.duration else "")
            for d in regimen.drugs
        )
        cycles = " or ".join(str(c) for c in regimen.cycles_allowed)
        rows.append(
            (
                regimen.id,
                regimen.name,
                f"{drugs}; every {regimen.cycle_interval_min}-{regimen.cycle_interval_max}, "
                f"{cycles} cycles",
                "planning",
                ", ".join(regimen.arms),
            )
        )
    return rows


def endpoint_criteria(endpoint: Endpoint) -> str:
    return ", ".join(CRITERIA_LABELS[c.value] for c in endpoint.criteria) or "—"


def endpoint_rows(protocol: Protocol) -> list[tuple[str, ...]]:
    return [
        (
            e.id,
            e.role,
            e.name + (" [assumed]" if e.assumed else ""),
            e.kind.value.replace("_", " "),
            endpoint_criteria(e),
            e.population,
        )
        for e in protocol.endpoints
    ]


def endpoint_counts(protocol: Protocol) -> dict[str, int]:
    counts: dict[str, int] = {}
    for endpoint in protocol.endpoints:
        counts[endpoint.role] = counts.get(endpoint.role, 0) + 1
    return counts
