"""The result of a simulation: :class:`SimulatedTrial`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hccrt.protocols import Protocol
from hccrt.records import RecordSet
from hccrt.simulate.parameters import Parameters


@dataclass
class SimulatedTrial:
    """A simulated trial: its records, the latent truth they were drawn from, and inputs.

    ``truth`` has one row per enrolled participant (USUBJID, ARM, dates as datetime64 and the
    latent draws: os_days, ttp_days, pfs_days from allocation, responder flags, achieved tumour
    dose, end of follow-up and its reason, deliberate visit deviations ...).
    """

    records: RecordSet
    truth: pd.DataFrame
    visits: pd.DataFrame
    protocol: Protocol
    parameters: Parameters
    seed: int
    notes: list[str] = field(default_factory=list)
