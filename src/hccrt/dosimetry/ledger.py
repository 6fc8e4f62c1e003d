"""Per-participant ledger of Y-90 treatments: cumulative lung dose and per-territory doses.

The ledger is an immutable record (adding an entry returns a new ledger) of each treated
territory: date, activity, lung dose and liver doses, planned or delivered. The cumulative lung
dose is the sum of the entries' lung doses (the convention of the 50 Gy cumulative limit,
Leung 1995; REBOC 2007). Entries for one date form one session.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from hccrt.dosimetry._validate import StrictModel
from hccrt.dosimetry.plan import Y90Plan

__all__ = ["LedgerEntry", "TreatmentLedger"]


class LedgerEntry(StrictModel):
    """One treated territory on one date."""

    treatment_date: date
    plan_id: str
    territory: str
    device: str
    activity_gbq: float = Field(ge=0.0)
    lung_dose_gy: float = Field(ge=0.0)
    perfused_dose_gy: float = Field(ge=0.0)
    tumour_dose_gy: float | None = Field(default=None, ge=0.0)
    normal_liver_dose_gy: float | None = Field(default=None, ge=0.0)
    perfused_nontumoral_volume_ml: float = Field(ge=0.0)
    delivered: bool = False

    @classmethod
    def from_plan(cls, plan: Y90Plan, treatment_date: date, plan_id: str,
                  delivered_activity_gbq: float | None = None) -> LedgerEntry:
        """Entry for a plan, at its planned activity or at a delivered activity."""
        r = plan.result if delivered_activity_gbq is None else plan.at_activity(
            delivered_activity_gbq)
        return cls(
            treatment_date=treatment_date, plan_id=plan_id, territory=plan.inputs.territory,
            device=plan.inputs.device, activity_gbq=r.activity_gbq, lung_dose_gy=r.lung_dose_gy,
            perfused_dose_gy=r.perfused_dose_gy, tumour_dose_gy=r.tumour_dose_gy,
            normal_liver_dose_gy=r.normal_liver_dose_gy,
            perfused_nontumoral_volume_ml=plan.inputs.normal_volume_ml,
            delivered=delivered_activity_gbq is not None,
        )


class TreatmentLedger(StrictModel):
    """All Y-90 treatments of one participant, in date order."""

    participant_id: str
    entries: tuple[LedgerEntry, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> TreatmentLedger:
        dates = [e.treatment_date for e in self.entries]
        if dates != sorted(dates):
            raise ValueError("entries: entries in date order")
        return self

    def add(self, entry: LedgerEntry) -> TreatmentLedger:
        """A new ledger with ``entry`` appended (its date must not precede the last one)."""
        return TreatmentLedger(participant_id=self.participant_id,
                               entries=(*self.entries, entry))

    @property
    def cumulative_lung_dose_gy(self) -> float:
        return float(sum(e.lung_dose_gy for e in self.entries))

    @property
    def session_dates(self) -> tuple[date, ...]:
        return tuple(sorted({e.treatment_date for e in self.entries}))

    @property
    def treated_nontumoral_volume_ml(self) -> float:
        """Non-tumoral volume treated so far, counting each territory name once (largest)."""
        by_territory: dict[str, float] = {}
        for e in self.entries:
            by_territory[e.territory] = max(by_territory.get(e.territory, 0.0),
                                            e.perfused_nontumoral_volume_ml)
        return float(sum(by_territory.values()))

    def territory_doses(self) -> dict[str, list[LedgerEntry]]:
        """Entries grouped by territory, for per-territory cumulative liver doses."""
        out: dict[str, list[LedgerEntry]] = {}
        for e in self.entries:
            out.setdefault(e.territory, []).append(e)
        return out

    def cumulative_perfused_dose_gy(self, territory: str) -> float:
        """Sum of perfused-volume doses given to one territory (same volume assumed)."""
        return float(sum(e.perfused_dose_gy for e in self.entries if e.territory == territory))
