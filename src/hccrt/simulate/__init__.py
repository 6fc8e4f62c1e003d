"""Synthetic cohorts for the reference trials (and, later, trial-design simulation).

:func:`simulate` writes a complete, validated :class:`~hccrt.records.RecordSet` for any
built-in protocol from the protocol file and its cited parameter file
(:mod:`hccrt.simulate.parameters`).
"""

from hccrt.simulate.cohort import SimulatedTrial, simulate
from hccrt.simulate.parameters import Parameters, load_parameters

__all__ = ["Parameters", "SimulatedTrial", "load_parameters", "simulate"]
