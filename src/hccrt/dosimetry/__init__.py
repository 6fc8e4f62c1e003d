"""Treatment planning: Y-90 radioembolization, SBRT and HAIC dosing (pure core).

Modules
-------
- :mod:`~hccrt.dosimetry.constants`: Y-90 constants as configuration recorded with each plan
  (K = 49.67 Gy kg/GBq default, 50 selectable; T1/2 64.1 h; densities; lung mass; residual).
- :mod:`~hccrt.dosimetry.y90`: MIRD single compartment, partition and multi-compartment
  models, lung shunt fraction (planar geometric mean, SPECT), TNR, CT lung mass. Vectorised.
- :mod:`~hccrt.dosimetry.resin`: resin BSA method and lung-shunt reduction table.
- :mod:`~hccrt.dosimetry.decay`: decay correction (timezone-aware), glass vial choice, resin
  dispensing, delivered activity from assays.
- :mod:`~hccrt.dosimetry.plan`: recomputable plan records, sessions, delivery report.
- :mod:`~hccrt.dosimetry.ledger`: per-participant treatment ledger (cumulative lung dose).
- :mod:`~hccrt.dosimetry.checks`: protocol limits as data and explainable checks; EANM 2022
  guidance as warnings.
- :mod:`~hccrt.dosimetry.from_protocol`: the protocol file's ``planning`` section as limits.
- :mod:`~hccrt.dosimetry.cohort`: vectorised planning and checking of many plans.
- :mod:`~hccrt.dosimetry.radiobiology`: BED/EQD2 of radioembolization (Dale).
- :mod:`~hccrt.dosimetry.sbrt`: BED/EQD2, SBRT prescription checks, OAR constraints as data.
- :mod:`~hccrt.dosimetry.haic`: HAIC FOLFOX dosing by BSA, reductions, schedule checks.
- :mod:`~hccrt.dosimetry.voxel`: LDM and VSV dose maps, DVH metrics.

Every bad input raises :class:`hccrt.errors.InputError` naming the field, the value and what
is allowed.
"""
