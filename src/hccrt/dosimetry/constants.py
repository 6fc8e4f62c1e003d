"""Physical constants and planning conventions for Y-90 radioembolization, as configuration.

Every Y-90 plan records the :class:`Y90Constants` it was computed with, so that a plan can be
recomputed exactly years later even if a default changes. The defaults and their sources:

- ``dose_constant_gy_kg_per_gbq`` (K) = **49.67** Gy kg/GBq: absorbed dose per GBq of Y-90
  decaying completely in 1 kg with local deposition of the beta energy,
  K = E_mean * T1/2 / ln 2 (Gy kg/GBq = J/GBq). 49.67 is the value used by the EANM
  dosimetry community (Chiesa C et al., EANM dosimetry SOP, EJNMMI Phys 2021,
  doi 10.1186/s40658-021-00394-3) and open planning tools (e.g. the 3D Slicer
  radioembolization module "Taranis", default 49.67). The TheraSphere and SIR-Spheres
  labels use the rounded **50** (TheraSphere US package insert v12: E_mean 0.9367 MeV,
  T1/2 64.1 h give 49.96); AAPM TG-144 (Dezarn 2011) quotes 49.38. Select with
  :meth:`Y90Constants.label_convention` or by setting the field.
- ``half_life_h`` = **64.1 h** (TheraSphere US package insert v12, "Description"; 2.67 d).
  Evaluated nuclear data give 64.05 h (ENSDF) / 64.04 h; both are accepted values.
- ``liver_density_g_per_ml`` and ``tumour_density_g_per_ml`` = **1.03 g/mL** (TheraSphere
  label convention as cited in the literature [not checked against the label text]; the
  worked examples of the reference note use it); 1.05 g/mL is the other common choice
  (blakkisrud/sirt_dosimetry, Taranis).
- ``lung_mass_kg`` = **1.0 kg**: the label convention for lung dose ("a standard mass of
  1,000 g is often assumed", Kao YH et al., EJNMMI Res 2014;4:33); a CT-based mass
  (:func:`hccrt.dosimetry.y90.lung_mass_from_ct_kg`) may be given per plan instead.
- ``residual_fraction`` = **0.0**: fraction of the vial activity expected to stay in the vial
  and lines. It is per-site practice, so the default plans without it and the plan records
  it; Hoang et al. (JVIR, "Quantification of activity lost to delivery system residual and
  decay") report medians of 0.61 % (glass) and 3.01 % (resin).
"""

from __future__ import annotations

from pydantic import Field

from hccrt.dosimetry._validate import StrictModel

#: Dose constant defaults, Gy kg/GBq, with their sources.
K_EANM: float = 49.67
K_LABEL: float = 50.0
#: Y-90 half-life, h (TheraSphere US package insert v12).
Y90_HALF_LIFE_H: float = 64.1


class Y90Constants(StrictModel):
    """Constants used by a Y-90 plan (see the module docstring for the defaults' sources)."""

    dose_constant_gy_kg_per_gbq: float = Field(default=K_EANM, gt=40.0, lt=60.0)
    half_life_h: float = Field(default=Y90_HALF_LIFE_H, gt=60.0, lt=70.0)
    liver_density_g_per_ml: float = Field(default=1.03, gt=0.5, lt=2.0)
    tumour_density_g_per_ml: float = Field(default=1.03, gt=0.5, lt=2.0)
    lung_mass_kg: float = Field(default=1.0, gt=0.1, lt=5.0)
    residual_fraction: float = Field(default=0.0, ge=0.0, lt=1.0)

    @classmethod
    def label_convention(cls, **overrides: float) -> Y90Constants:
        """Constants of the TheraSphere / SIR-Spheres labels: K = 50 Gy kg/GBq, 1.03 g/mL."""
        values: dict[str, float] = {"dose_constant_gy_kg_per_gbq": K_LABEL}
        values.update(overrides)
        return cls(**values)
