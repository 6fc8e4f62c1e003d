"""The report's opening sections: trial and data overview, participant flow (CONSORT) or the
pooled enrolment of an open safety report, and baseline characteristics.
"""

from __future__ import annotations

from typing import Any

from hccrt.errors import InputError
from hccrt.reports import figures as F
from hccrt.reports import tables as T
from hccrt.reports.document import FigureBlock, Section, TableBlock, TextBlock
from hccrt.reports.inputs import ReportInputs
from hccrt.reports.populations import arm_names, group_column, population_text, subjects

__all__ = ["BASELINE_VARIABLES", "baseline_section", "consort_counts", "enrolment_section",
           "flow_section", "overview_section"]


def overview_section(inp: ReportInputs, kind: str) -> Section:
    """Design, arms, protocol version, registry ids and the data notes of the analysis run."""
    p = inp.protocol
    items = [("Design", f"{p.design.type.value.replace('_', ' ')}, {p.design.masking}"),
             ("Arms", "; ".join(f"{a.name} ({a.role})" for a in p.arms)),
             ("Protocol version", p.version),
             ("Registry", ", ".join(p.identity.registry_ids) or "not stated"),
             ("Endpoints", f"{len(p.endpoints)} in the catalogue, reported in its order")]
    blocks: list[Any] = [TextBlock(items=items)]
    for n in inp.notes:
        blocks.append(TextBlock(n, note=True))
    return Section("Trial and data", "overview", blocks)


def consort_counts(inp: ReportInputs) -> F.ConsortCounts:
    """CONSORT counts from ADSL (populations, disposition) and IE (criteria not met)."""
    a = inp.adsl
    if a is None:
        raise InputError("ADSL", None, "a subject-level dataset for the flow diagram")
    names = arm_names(inp.protocol)
    reasons: dict[str, int] = {}
    ie = inp.records.get("IE")
    if ie is not None and len(ie):
        per = ie.drop_duplicates(["USUBJID", "IETESTCD"])
        col = "IESPID" if "IESPID" in per.columns else "IETESTCD"
        reasons = {str(k): int(v) for k, v in per[col].value_counts().items()}
    arms = []
    for arm_id, name in names.items():
        d = a.loc[(a["ITTFL"] == "Y") & (a["TRT01P"] == arm_id)]
        treated = int((d["SAFFL"] == "Y").sum())
        disc = d.loc[d["EOSSTT"] == "DISCONTINUED", "DCSREAS"].fillna("unknown")
        disc = disc[disc != "DEATH"]
        dcounts = {str(k).capitalize(): int(v) for k, v in disc.value_counts().items()}
        arms.append(F.ArmFlow(name, len(d), treated,
                              {"Not treated": len(d) - treated} if len(d) - treated else {},
                              dcounts, len(d) - sum(dcounts.values()), len(d)))
    label = "Randomized" if inp.protocol.design.type.value == "randomized" else (
        "Allocated" if len(names) > 1 else "Enrolled")
    return F.ConsortCounts(len(a), reasons, arms, allocation_label=label,
                           not_eligible=int((a["ITTFL"] != "Y").sum()))


def flow_section(inp: ReportInputs) -> Section:
    """The CONSORT flow diagram (:func:`consort_counts`)."""
    s = Section("Participant flow", "flow")
    if inp.adsl is None:
        s.blocks.append(TextBlock("ADSL is not available: no flow diagram.", note=True))
        return s
    c = consort_counts(inp)
    s.blocks.append(FigureBlock("CONSORT flow diagram", F.consort_diagram(c),
                                "All screened participants", key="consort",
                                caption="Eligibility reasons count each criterion not met; a "
                                "participant may fail more than one."))
    return s


def enrolment_section(inp: ReportInputs) -> Section:
    """Screened and enrolled counts with the arms pooled (the open safety report's flow)."""
    a = inp.adsl
    n = 0 if a is None else int((a["ITTFL"] == "Y").sum())
    return Section("Enrolment", "flow", [TextBlock(
        items=[("Screened", str(0 if a is None else len(a))),
               ("Enrolled (all arms pooled)", str(n))])])


BASELINE_VARIABLES = (
    T.Variable("AGE", "Age (years)", "continuous"),
    T.Variable("SEX", "Sex"),
    T.Variable("RACE", "Race"),
    T.Variable("BECOG", "ECOG performance status"),
    T.Variable("AETIOL", "Aetiology"),
    T.Variable("BCPCLS", "Child-Pugh class"),
    T.Variable("BCPPTS", "Child-Pugh points"),
    T.Variable("BALBIGR", "ALBI grade"),
    T.Variable("BALBI", "ALBI score", "continuous"),
    T.Variable("BMELD", "MELD score", "continuous"),
    T.Variable("BCLC", "BCLC stage"),
    T.Variable("CNLC", "CNLC stage"),
    T.Variable("TUMNUM", "Number of tumours"),
    T.Variable("TUMSIZE", "Largest tumour (mm)", "continuous"),
    T.Variable("BAFP", "AFP (ng/mL)", "continuous"),
)


def baseline_section(inp: ReportInputs) -> Section:
    """Baseline characteristics of all allocated participants, by arm."""
    s = Section("Baseline characteristics", "baseline")
    if inp.adsl is None:
        s.blocks.append(TextBlock("ADSL is not available.", note=True))
        return s
    subj = subjects(inp, "ITTFL")
    t = T.baseline_table(subj, BASELINE_VARIABLES, group=group_column(inp.protocol),
                         population=population_text(inp.protocol, "ITTFL"))
    s.blocks.append(TableBlock(t))
    return s
