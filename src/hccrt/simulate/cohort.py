"""Synthetic trial cohorts: a seeded generator of a complete RecordSet for any protocol.

:func:`simulate` draws a cohort from a protocol file (arms, allocation, schedule, planning
limits, regimens) and its parameter file (:mod:`hccrt.simulate.parameters`) and writes the same
SDTM-shaped tables data capture produces (:mod:`hccrt.records`). It is vectorized with NumPy:
participants are rows of arrays; the only Python loops run over visits, lesions and tables.

Generative model (each draw uses its own child generator of
``numpy.random.SeedSequence([seed, crc32(protocol code)])``, so a seed gives the same cohort on
every machine):

* Screening: failures before ``n`` eligible candidates are negative binomial with the
  parameter's ineligible share; each failure names 1-2 protocol criteria (weights in the file)
  in IE, with DM (ARMNRS = SCREEN FAILURE) and DS records.
* Allocation: randomized designs by permuted blocks whose sizes are multiples of the ratio sum
  (sizes 1x and 2x the sum, chosen at random); non-randomized designs by the arms' shares.
* Survival from allocation: overall survival ~ Exponential(median OS); time to progression ~
  Exponential with rate ``ln2/median PFS - ln2/median OS`` so that PFS = min(TTP, OS) is
  exponential with the median PFS. Withdrawal of consent and loss to follow-up are exponential
  with the 24-month shares; administrative censoring at the end of study (last enrolment +
  follow-up).
* Response: the true best response (mRECIST) is drawn with P(objective response) = the arm's
  ORR, or for Y-90 arms with a dose-response curve of the achieved tumour dose; responders are
  drawn among participants whose PFS outlasts the first imaging visit (with probability
  ORR / P(PFS > that time)), so the marginal response rate equals the parameter and every
  responder shows the response before progressing. CR and RECIST responders are nested subsets.
  Lesion diameters follow the response class at every imaging visit until the visit that shows
  progression (target growth inside the treated area, or a new lesion outside it).
* Treatment: Y-90 plans by the partition model of :mod:`hccrt.dosimetry.y90` (tumour dose from
  the parameter or the protocol's planning target), lung dose capped at 30 Gy per session;
  SBRT 5 fractions at the protocol's dose range; HAIC cycles with doses = mg/m2 x BSA
  (:func:`hccrt.clinical.body.bsa_array`); systemic therapy per cycle until progression.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hccrt.clinical.body import bsa_array
from hccrt.dosimetry import y90
from hccrt.dosimetry.constants import Y90Constants
from hccrt.errors import InputError
from hccrt.protocols import Protocol, load_builtin
from hccrt.protocols.schema import Anchor, Assessment, DesignType, InterventionKind, LimitQuantity
from hccrt.records import RecordSet
from hccrt.records.recordset import frame
from hccrt.records.schema import (
    CP_ASCITES,
    CP_ENCEPHALOPATHY,
    HCC18_TESTCD,
    LB_ANALYTE,
    MI_TESTS,
    QLQC30_TESTCD,
    SUBSEQUENT_CAT,
    SUPP_QUALIFIERS,
    XA_TESTS,
    XL_TESTS,
    XP_TESTS,
)
from hccrt.simulate import schedule as sched
from hccrt.simulate.parameters import ArmParams, Parameters, load_parameters
from hccrt.units import convert

MONTH = 365.25 / 12
LN2 = np.log(2.0)
Y90_KINDS = (InterventionKind.Y90_GLASS, InterventionKind.Y90_RESIN, InterventionKind.Y90)

__all__ = ["SimulatedTrial", "simulate"]


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


# ----------------------------------------------------------------------------- helpers


def _iso(d: np.ndarray) -> np.ndarray:
    """ISO 8601 text of datetime64[D] values (None for NaT)."""
    d = np.asarray(d, dtype="datetime64[D]")
    s = np.datetime_as_string(d, unit="D").astype(object)
    s[np.isnat(d)] = None
    return s


def _days(n: np.ndarray | float) -> np.ndarray:
    return np.round(np.asarray(n, dtype=float)).astype(np.int64).astype("timedelta64[D]")


def _dd(a: Any, b: Any) -> np.ndarray:
    """Days from ``b`` to ``a`` (arrays of dates) as float, NaN where either is missing."""
    a = np.asarray(a).astype("datetime64[D]")
    b = np.asarray(b).astype("datetime64[D]")
    out = (a - b).astype(np.int64).astype(float)
    out[np.isnat(a) | np.isnat(b)] = np.nan
    return out


def _check_int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(name, value, f"an integer in [{lo}, {hi}]")
    if not lo <= int(value) <= hi:
        raise InputError(name, value, f"an integer in [{lo}, {hi}]")
    return int(value)


class _Tables:
    """Accumulates column arrays per domain; builds one DataFrame per domain at the end."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    def add(self, code: str, **cols: Any) -> None:
        n = max((len(v) for v in cols.values() if isinstance(v, np.ndarray | list)), default=0)
        if n:
            self.parts.setdefault(code, []).append((n, cols))

    @staticmethod
    def _column(n: int, value: Any) -> np.ndarray:
        if isinstance(value, np.ndarray | list):
            arr = np.asarray(value)
            return arr if arr.dtype.kind in "fiub" else arr.astype(object)
        if value is None or isinstance(value, str):
            return np.full(n, value, dtype=object)
        return np.full(n, float(value))

    def build(self, studyid: str, codes: tuple[str, ...] | None = None
              ) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for code, parts in self.parts.items():
            if codes is not None and code not in codes:
                continue
            names: list[str] = []
            for _, cols in parts:
                names += [c for c in cols if c not in names]
            total = sum(n for n, _ in parts)
            data: dict[str, np.ndarray] = {
                "STUDYID": np.full(total, studyid, dtype=object),
                "RDOMAIN" if code.startswith("SUPP") else "DOMAIN":
                    np.full(total, code[4:] if code.startswith("SUPP") else code, dtype=object),
            }
            for name in names:
                arrays = [self._column(n, cols.get(name)) for n, cols in parts]
                if all(a.dtype.kind in "fiub" for a in arrays):
                    data[name] = np.concatenate([a.astype(float) for a in arrays])
                else:
                    arrays = [a if a.dtype == object else _num_obj(a) for a in arrays]
                    data[name] = np.concatenate(arrays)
            df = frame(data)
            if code not in ("DM", "SV") and not code.startswith("SUPP"):
                dtc = [c for c in df.columns if c.endswith("DTC")]
                order = ["USUBJID", *dtc[:1]] if dtc else ["USUBJID"]
                df = df.sort_values(order, kind="stable", na_position="last")
                df = df.reset_index(drop=True)
                df.insert(3, f"{code}SEQ", (df.groupby("USUBJID").cumcount() + 1).astype(float))
            out[code] = df
        return out


def _num_obj(a: np.ndarray) -> np.ndarray:
    """Numbers as object values, NaN as None (for a column mixing text and numbers)."""
    o = a.astype(object)
    if a.dtype.kind == "f":
        o[np.isnan(a)] = None
    return o


# ----------------------------------------------------------------------------- main


def simulate(
    protocol: str | Protocol,
    n: int | None = None,
    seed: int = 0,
    parameters: Parameters | None = None,
    progress: Callable[[str], None] | None = None,
) -> SimulatedTrial:
    """Simulate a complete trial of ``n`` enrolled participants (default: the file's n).

    Args:
        protocol: a built-in protocol code (``"tare-ut7"`` ...) or a loaded :class:`Protocol`.
        n: participants enrolled (screen failures come on top), 1-100000.
        seed: non-negative integer; the same seed gives the same cohort.
        parameters: generating parameters (default: the protocol's built-in file).
        progress: called with the name of each stage as it starts (for progress bars).
    """
    proto = load_builtin(protocol) if isinstance(protocol, str) else protocol
    params = parameters if parameters is not None else load_parameters(proto.code)
    if params.protocol != proto.code:
        raise InputError("parameters.protocol", params.protocol, f"the protocol {proto.code!r}")
    n = _check_int(params.default_n if n is None else n, "n", 1, 100_000)
    seed = _check_int(seed, "seed", 0, 2**63 - 1)
    _check_consistency(proto, params)
    gen = _Generator(proto, params, n, seed, progress or (lambda _s: None))
    return gen.run()


def _check_consistency(proto: Protocol, params: Parameters) -> None:
    arm_ids = [a.id for a in proto.arms]
    if set(params.arms) != set(arm_ids):
        raise InputError("parameters.arms", sorted(params.arms), f"exactly the arms {arm_ids}")
    crit = {c.id for c in proto.eligibility}
    for r in params.screening.reasons:
        if r not in crit:
            raise InputError("parameters.screening.reasons", r,
                             "an eligibility criterion id of the protocol: " + ", ".join(crit))
    for arm in proto.arms:
        kinds = {i.kind for i in arm.interventions}
        ap = params.arms[arm.id]
        if kinds & set(Y90_KINDS) and ap.y90 is None:
            raise InputError(f"parameters.arms.{arm.id}.y90", None, "Y-90 planning parameters")
        if InterventionKind.SBRT in kinds and ap.sbrt is None:
            raise InputError(f"parameters.arms.{arm.id}.sbrt", None, "SBRT parameters")
        if InterventionKind.HAIC in kinds and ap.haic is None:
            raise InputError(f"parameters.arms.{arm.id}.haic", None, "HAIC parameters")
    if proto.design.type is DesignType.NON_RANDOMIZED_PARALLEL:
        shares = [params.arms[a].share for a in arm_ids]
        if any(s is None for s in shares):
            raise InputError("parameters.arms.*.share", None,
                             "a share for every arm of a non-randomized design")


class _Generator:
    def __init__(self, proto: Protocol, params: Parameters, n: int, seed: int,
                 progress: Callable[[str], None]) -> None:
        self.p = proto
        self.par = params
        self.n = n
        self.seed = seed
        self.progress = progress
        self.studyid = proto.code.upper()
        self.t = _Tables()
        self.notes: list[str] = []
        # the protocol code is mixed into the entropy so that two protocols simulated with the
        # same seed do not share random streams
        # (children are indexed: a stream added at the end leaves the earlier ones unchanged)
        children = np.random.SeedSequence([seed, zlib.crc32(proto.code.encode())]).spawn(17)
        self.rng = {name: np.random.default_rng(s) for name, s in zip(
            ("screen", "alloc", "demo", "tumour", "time", "resp", "treat", "visit", "lab",
             "ae", "qs", "surg", "sub", "tr", "misc", "y90", "xl"), children, strict=True)}
        self.const = Y90Constants()
        self._aesi: list[tuple[str, str]] = []
        self._subseq_reason: list[tuple[str, str, str]] = []
        self._subseq_cm: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ orchestration

    def run(self) -> SimulatedTrial:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("screening", self._screening),
            ("allocation", self._allocation),
            ("tumours", self._tumours),
            ("treatment", self._treatment),
            ("outcomes", self._outcomes),
            ("treatment before end of follow-up", self._truncate_treatment),
            ("systemic therapy", self._systemic),
            ("visits", self._visits),
            ("labs and vitals", self._labs),
            ("screen failures", self._screen_failures),
            ("tumour measurements", self._tumour_records),
            ("adverse events", self._adverse_events),
            ("questionnaires", self._questionnaires),
            ("regional liver function", self._liver_function),
            ("surgery and subsequent therapy", self._surgery_and_subsequent),
            ("disposition", self._disposition),
        ]
        for name, step in steps:
            self.progress(name)
            step()
        self.progress("records")
        records = RecordSet(self.t.build(self.studyid))
        return SimulatedTrial(records, self._truth(), self.visit_table, self.p, self.par,
                              self.seed, self.notes)

    # ------------------------------------------------------------------ screening

    def _screening(self) -> None:
        rng, par = self.rng["screen"], self.par
        p_inel = par.screening.ineligible_fraction.value
        n_fail = int(rng.negative_binomial(self.n, 1 - p_inel)) if p_inel > 0 else 0
        m = self.n + n_fail
        eligible = np.zeros(m, dtype=bool)
        eligible[rng.choice(m, self.n, replace=False)] = True
        start = np.datetime64(par.study_start.isoformat(), "D")
        accrual = par.accrual_months * MONTH
        screen = start + _days(np.sort(rng.uniform(0, accrual, m)))
        sites = rng.integers(1, par.sites + 1, m)
        self.m = m
        self.eligible = eligible
        self.screen_date = screen
        self.siteid = np.array([f"{s:02d}" for s in sites], dtype=object)
        self.subjid = np.array([f"{i + 1:04d}" for i in range(m)], dtype=object)
        self.usubjid = np.array([f"{self.studyid}-{s}-{j}" for s, j in zip(
            self.siteid, self.subjid, strict=True)], dtype=object)
        # demographics of every candidate
        d, r = par.demographics, self.rng["demo"]
        self.age = np.clip(np.round(r.normal(d.age_mean.value, d.age_sd.value, m)),
                           d.age_min, d.age_max)
        self.male = r.random(m) < d.male_fraction.value
        self.height = np.where(self.male, r.normal(169, 6, m), r.normal(157, 5.5, m)).round(1)
        self.weight = np.where(self.male, r.normal(68, 10, m), r.normal(56, 8, m))
        self.weight = np.clip(self.weight, 38, 130).round(1)
        self.hbv = r.random(m) < d.hbv_fraction.value
        p_hcv = d.hcv_fraction.value / max(1e-9, 1 - d.hbv_fraction.value)
        self.hcv = ~self.hbv & (r.random(m) < p_hcv)
        self.cirrhosis = r.random(m) < 0.75
        self.ecog0 = r.choice(3, m, p=self._ecog_probs())
        # screen failures: criteria not met
        fail = np.flatnonzero(~eligible)
        fail_date = screen[fail] + _days(rng.integers(1, 28, fail.size))
        self.fail_date = np.full(m, sched.NAT)
        self.fail_date[fail] = fail_date
        ids = list(par.screening.reasons)
        w = np.array([par.screening.reasons[i] for i in ids], dtype=float)
        first = rng.choice(len(ids), fail.size, p=w / w.sum())
        second = rng.choice(len(ids), fail.size, p=w / w.sum())
        two = (rng.random(fail.size) < 0.2) & (second != first)
        crit = {c.id: c for c in self.p.eligibility}
        code: dict[str, str] = {}
        k_in = k_ex = 0
        for c in self.p.eligibility:
            if c.kind == "inclusion":
                k_in += 1
                code[c.id] = f"IN{k_in:02d}"
            else:
                k_ex += 1
                code[c.id] = f"EX{k_ex:02d}"
        rows_subj = np.concatenate([fail, fail[two]])
        rows_crit = np.concatenate([first, second[two]])
        rows_date = np.concatenate([fail_date, fail_date[two]])
        cids = [ids[i] for i in rows_crit]
        self.fail_reasons: dict[int, set[str]] = {}
        for subj, cid in zip(rows_subj, cids, strict=True):
            self.fail_reasons.setdefault(int(subj), set()).add(cid)
        self.fail_reason = np.full(m, None, dtype=object)
        self.fail_reason[fail] = [ids[i] for i in first]
        self.t.add(
            "IE", USUBJID=self.usubjid[rows_subj], IESPID=np.array(cids, dtype=object),
            IETESTCD=np.array([code[c] for c in cids], dtype=object),
            IETEST=np.array([crit[c].text[:200] for c in cids], dtype=object),
            IECAT=np.array([crit[c].kind.upper() for c in cids], dtype=object),
            IEORRES=np.array(["N" if crit[c].kind == "inclusion" else "Y" for c in cids],
                             dtype=object),
            IESTRESC=np.array(["N" if crit[c].kind == "inclusion" else "Y" for c in cids],
                              dtype=object),
            VISITNUM=100.0, VISIT=self.p.schedule.visits[0].name, EPOCH="SCREENING",
            IEDTC=_iso(rows_date))

    def _ecog_probs(self) -> list[float]:
        allows_2 = any("2" in c.text for c in self.p.eligibility if c.id == "ecog")
        return [0.55, 0.35, 0.10] if allows_2 else [0.6, 0.4, 0.0]

    # ------------------------------------------------------------------ allocation

    def _allocation(self) -> None:
        rng, p = self.rng["alloc"], self.p
        idx = np.flatnonzero(self.eligible)
        self.idx = idx
        n = self.n
        arm_ids = [a.id for a in p.arms]
        if p.design.type is DesignType.RANDOMIZED:
            ratio = p.design.allocation_ratio or {}
            base = np.concatenate([np.full(ratio[a], k) for k, a in enumerate(arm_ids)])
            arms: list[np.ndarray] = []
            total = 0
            while total < n:
                mult = int(rng.integers(1, 3))
                block = rng.permutation(np.tile(base, mult))
                arms.append(block)
                total += block.size
            arm = np.concatenate(arms)[:n]
            self.block_max = 2 * base.size
        elif p.design.type is DesignType.NON_RANDOMIZED_PARALLEL:
            shares = np.array([self.par.arms[a].share.value for a in arm_ids])  # type: ignore[union-attr]
            arm = rng.choice(len(arm_ids), n, p=shares / shares.sum())
            self.block_max = 0
        else:
            arm = np.zeros(n, dtype=np.int64)
            self.block_max = 0
        self.arm = arm
        self.arm_ids = arm_ids
        self.alloc_date = self.screen_date[idx] + _days(rng.integers(3, 21, n))
        self.usub = self.usubjid[idx]

    def _arm_value(self, getter: Callable[[ArmParams], float]) -> np.ndarray:
        vals = np.array([getter(self.par.arms[a]) for a in self.arm_ids], dtype=float)
        return vals[self.arm]

    def _has(self, kinds: tuple[InterventionKind, ...] | InterventionKind) -> np.ndarray:
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        flags = np.array([any(i.kind in kinds for i in a.interventions) for a in self.p.arms])
        return flags[self.arm]

    # ------------------------------------------------------------------ tumours

    def _tumours(self) -> None:
        rng, tp = self.rng["tumour"], self.par.tumour
        n = self.n
        probs = np.array(tp.target_count_probs) / sum(tp.target_count_probs)
        k = rng.choice(len(probs), n, p=probs) + 1
        largest = np.exp(np.log(tp.largest_diameter_median_mm.value)
                         + tp.largest_diameter_sdlog * rng.normal(size=n))
        largest = np.clip(largest, tp.largest_diameter_min_mm, 200).round(1)
        self.pvtt = rng.random(n) < tp.pvtt_fraction.value
        self.extra = rng.random(n) < tp.extrahepatic_fraction.value
        self.nt_liver = rng.random(n) < tp.nontarget_liver_fraction
        seg0 = rng.integers(1, 9, n)
        local = self._has((*Y90_KINDS, InterventionKind.SBRT, InterventionKind.RADIOTHERAPY))
        rows = []
        for j in range(int(k.max())):
            has = k > j
            d = largest if j == 0 else np.round(largest * rng.uniform(0.25, 0.7, n), 1)
            d = np.maximum(d, 12.0)
            v = np.round(d * np.clip(rng.normal(tp.viable_fraction_mean, 0.06, n), 0.6, 1.0), 1)
            seg = (seg0 + j - 1) % 8 + 1
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(has), "lnkid": f"T{j + 1:02d}", "role": "TARGET",
                "loc": "LIVER", "d0": d[has], "v0": v[has], "seg": seg[has],
                "infield": np.where(local[has], "Y", None)}))
        nt = [("NT01", self.pvtt, "PORTAL VEIN"), ("NT02", self.extra, "LUNG"),
              ("NT03", self.nt_liver, "LIVER")]
        for lnk, has, loc in nt:
            infield = np.where(local[has], "Y" if loc == "PORTAL VEIN" else "N", None)
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(has), "lnkid": lnk, "role": "NON-TARGET", "loc": loc,
                "d0": np.nan, "v0": np.nan,
                "seg": np.where(loc == "LIVER", (seg0[has] + 4) % 8 + 1, 0),
                "infield": infield}))
        self.lesions = pd.concat(rows, ignore_index=True)
        tg = self.lesions[self.lesions["role"] == "TARGET"]
        # tumour volume (mL) of the target lesions, as spheres
        vol = np.bincount(tg["i"], weights=np.pi / 6 * (tg["d0"] / 10.0) ** 3, minlength=n)
        self.tumour_ml = vol

    # ------------------------------------------------------------------ treatment

    def _treatment(self) -> None:
        rng, n = self.rng["treat"], self.n
        lo = self._arm_value(lambda a: a.treatment_days_after_allocation[0])
        hi = self._arm_value(lambda a: a.treatment_days_after_allocation[1])
        self.first_tx = self.alloc_date + _days(lo + rng.random(n) * (hi - lo))
        scr = self.p.schedule.visits[0]
        if scr.anchor is Anchor.FIRST_TREATMENT:
            # screening is dated from the first treatment: keep it inside its window
            before, after = sched.window_days(scr)
            nominal = round(scr.nominal.approx_days())
            s = self.screen_date[self.idx]
            self.first_tx = np.clip(self.first_tx, s + np.timedelta64(-nominal - after, "D"),
                                    s + np.timedelta64(-nominal + before, "D"))
            self.alloc_date = np.minimum(self.alloc_date, self.first_tx)
        self.last_tx = self.first_tx.copy()
        self.last_rt = np.full(n, sched.NAT)
        self.second_tx = np.full(n, sched.NAT)
        self.dose_achieved = np.full(n, np.nan)
        self.bsa = bsa_array(self.height[self.idx], self.weight[self.idx])
        self._y90(self._has(Y90_KINDS))
        self._sbrt(self._has(InterventionKind.SBRT))
        self._radiotherapy(self._has(InterventionKind.RADIOTHERAPY))
        self._haic(self._has(InterventionKind.HAIC))

    def _y90(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["y90"]
        sel = np.flatnonzero(mask)
        k = sel.size
        c = self.const
        yp = [self.par.arms[self.arm_ids[a]].y90 for a in self.arm[sel]]
        device = np.array([p.device for p in yp], dtype=object)  # type: ignore[union-attr]
        target = np.array([self._tumour_dose_target(p) for p in yp])  # type: ignore[arg-type]
        tnr = np.exp(np.log([p.tnr_median.value for p in yp]) + 0.35 * rng.normal(size=k))  # type: ignore[union-attr]
        lsf_m = np.array([p.lsf_mean.value for p in yp])  # type: ignore[union-attr]
        lsf = np.clip(rng.beta(2.0, 2.0 * (1 - lsf_m) / lsf_m), 0.005,
                      [p.lsf_max for p in yp])  # type: ignore[union-attr]
        liver = np.exp(np.log([p.liver_volume_median_ml.value for p in yp])  # type: ignore[union-attr]
                       + 0.15 * rng.normal(size=k)) + self.tumour_ml[sel]
        tum_ml = self.tumour_ml[sel]
        normal_ml = (liver - tum_ml) * rng.uniform(0.3, 0.6, k)
        mt = y90.mass_kg(tum_ml, c.tumour_density_g_per_ml)
        mn = y90.mass_kg(normal_ml, c.liver_density_g_per_ml)
        kconst = c.dose_constant_gy_kg_per_gbq
        act = y90.partition_activity_for_tumour_dose_gbq(target, mt, mn, tnr, lsf, kconst)
        cap = y90.activity_for_lung_dose_gbq(30.0, lsf, c.lung_mass_kg, kconst)
        act = np.minimum(act, cap)
        doses = y90.partition_doses(act, mt, mn, tnr, lsf, c.lung_mass_kg, kconst)
        resid = rng.uniform(0.0, [p.residual_fraction_max for p in yp])  # type: ignore[union-attr]
        vial = y90.vial_activity_for_residual_gbq(act, resid)
        sd = np.array([p.achieved_dose_sdlog.value for p in yp])  # type: ignore[union-attr]
        achieved = np.asarray(doses.tumour_dose_gy) * np.exp(sd * rng.normal(size=k) - sd**2 / 2)
        self.dose_achieved[sel] = achieved
        maa_lo = np.array([p.maa_days_before[0] for p in yp])  # type: ignore[union-attr]
        maa_hi = np.array([p.maa_days_before[1] for p in yp])  # type: ignore[union-attr]
        plan_date = self.first_tx[sel] - _days(maa_lo + rng.random(k) * (maa_hi - maa_lo))
        plan_date = np.maximum(plan_date, self.alloc_date[sel])
        # second session (tare-ut7: within 180 days, cumulative lung dose < 50 Gy)
        p2 = np.array([p.second_session_fraction.value for p in yp])  # type: ignore[union-attr]
        lung = np.asarray(doses.lung_dose_gy)
        second = (rng.random(k) < p2) & (2 * lung < self._cum_lung_limit())
        d2 = self.first_tx[sel] + _days(rng.integers(30, 150, k))
        self.second_tx[sel[second]] = d2[second]
        self.last_tx[sel[second]] = d2[second]
        us = self.usub[sel]
        plan_id = np.full(k, "PLAN1", dtype=object)
        spec = np.where(device == "glass", "GLASS", "RESIN")
        lsf_pct = lsf * 100
        xp = {
            "ACTIVITY": act, "LSF": lsf_pct, "TNR": tnr, "TUMVOL": tum_ml, "NLVOL": normal_ml,
            "LIVVOL": liver, "TUMMASS": mt, "NLMASS": mn,
            "LUNGMASS": np.full(k, c.lung_mass_kg), "TARGDOSE": target,
            "TUMDOSE": np.asarray(doses.tumour_dose_gy), "NLDOSE": np.asarray(doses.normal_dose_gy),
            "LUNGDOSE": lung, "DOSECONS": np.full(k, kconst),
        }
        for testcd, vals in xp.items():
            vals = np.round(np.asarray(vals, dtype=float), 4)
            test, unit = XP_TESTS[testcd]
            self.t.add("XP", USUBJID=us, XPGRPID=plan_id, XPLNKID="ADM1", XPTESTCD=testcd,
                       XPTEST=test, XPCAT="Y-90 PLAN", XPSCAT="PLANNED",
                       XPORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                       XPORRESU=unit or None,
                       XPSTRESC=np.array([f"{v:g}" for v in vals], dtype=object),
                       XPSTRESN=vals, XPSTRESU=unit or None, XPMETHOD="PARTITION",
                       XPLOC="PERFUSED TERRITORY", XPSPEC=spec, VISITNUM=np.nan,
                       XPDTC=_iso(plan_date))
        ach = np.round(achieved, 1)
        self.t.add("XP", USUBJID=us, XPGRPID=plan_id, XPLNKID="ADM1", XPTESTCD="TUMDOSE",
                   XPTEST=XP_TESTS["TUMDOSE"][0], XPCAT="Y-90 PLAN", XPSCAT="POST-TREATMENT",
                   XPORRES=np.array([f"{v:g}" for v in ach], dtype=object), XPORRESU="Gy",
                   XPSTRESC=np.array([f"{v:g}" for v in ach], dtype=object), XPSTRESN=ach,
                   XPSTRESU="Gy", XPMETHOD="PARTITION", XPLOC="PERFUSED TERRITORY",
                   XPSPEC=spec, VISITNUM=np.nan, XPDTC=_iso(self.first_tx[sel]))
        trt = np.where(device == "glass", "YTTRIUM-90 GLASS MICROSPHERES",
                       "YTTRIUM-90 RESIN MICROSPHERES")
        delivered = np.round(act, 3)
        for adm, who, when in (("ADM1", np.ones(k, bool), self.first_tx[sel]),
                               ("ADM2", second, d2)):
            if not who.any():
                continue
            self.t.add("EX", USUBJID=us[who], EXGRPID=np.array([f"PLAN{adm[-1]}"] * who.sum(),
                                                                dtype=object),
                       EXLNKID=adm, EXTRT=trt[who], EXCAT="Y-90 RADIOEMBOLIZATION",
                       EXDOSE=delivered[who], EXDOSU="GBq", EXDOSFRM="MICROSPHERE",
                       EXDOSFRQ="ONCE", EXROUTE="INTRA-ARTERIAL", EXLOC="LIVER",
                       EXSTDTC=_iso(when[who]), EXENDTC=_iso(when[who]))
            xa = {"PRESACT": act, "VIALACT": vial, "DELACT": act, "RESACT": vial - act,
                  "RESPCT": resid * 100, "DELPCT": np.full(k, 100.0)}
            for testcd, vals in xa.items():
                vals = np.round(np.asarray(vals, dtype=float)[who], 4)
                test, unit = XA_TESTS[testcd]
                self.t.add("XA", USUBJID=us[who],
                           XAGRPID=np.array([f"PLAN{adm[-1]}"] * who.sum(), dtype=object),
                           XALNKID=adm, XATESTCD=testcd, XATEST=test, XACAT="Y-90 ADMINISTRATION",
                           XAORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                           XAORRESU=unit, XASTRESC=np.array([f"{v:g}" for v in vals],
                                                            dtype=object),
                           XASTRESN=vals, XASTRESU=unit, XASPEC=spec[who], VISITNUM=np.nan,
                           XADTC=_iso(when[who]))
        if second.any():
            # the second session repeats the plan of the first (same territory and activity)
            sub = {k2: np.asarray(v, dtype=float)[second] for k2, v in xp.items()}
            for testcd, vals in sub.items():
                vals = np.round(vals, 4)
                test, unit = XP_TESTS[testcd]
                self.t.add("XP", USUBJID=us[second], XPGRPID="PLAN2", XPLNKID="ADM2",
                           XPTESTCD=testcd, XPTEST=test, XPCAT="Y-90 PLAN", XPSCAT="PLANNED",
                           XPORRES=np.array([f"{v:g}" for v in vals], dtype=object),
                           XPORRESU=unit or None,
                           XPSTRESC=np.array([f"{v:g}" for v in vals], dtype=object),
                           XPSTRESN=vals, XPSTRESU=unit or None, XPMETHOD="PARTITION",
                           XPLOC="PERFUSED TERRITORY", XPSPEC=spec[second], VISITNUM=np.nan,
                           XPDTC=_iso(d2[second] - np.timedelta64(7, "D")))
            cl = np.round(2 * lung[second], 4)
            self.t.add("XP", USUBJID=us[second], XPGRPID="PLAN2", XPLNKID="ADM2",
                       XPTESTCD="CLUNGDSE", XPTEST=XP_TESTS["CLUNGDSE"][0], XPCAT="Y-90 PLAN",
                       XPSCAT="PLANNED", XPORRES=np.array([f"{v:g}" for v in cl], dtype=object),
                       XPORRESU="Gy", XPSTRESC=np.array([f"{v:g}" for v in cl], dtype=object),
                       XPSTRESN=cl, XPSTRESU="Gy", XPMETHOD="PARTITION",
                       XPLOC="PERFUSED TERRITORY", XPSPEC=spec[second], VISITNUM=np.nan,
                       XPDTC=_iso(d2[second] - np.timedelta64(7, "D")))
        self.y90_sel = sel
        self.y90_lung = lung

    def _tumour_dose_target(self, yp: Any) -> float:
        if yp.tumour_dose_gy is not None:
            return float(yp.tumour_dose_gy.value)
        for lim in self.p.planning.limits:
            if lim.quantity is LimitQuantity.TUMOUR_ABSORBED_DOSE and lim.target is not None:
                return float(lim.target)
        raise InputError("parameters y90.tumour_dose_gy", None,
                         "a tumour dose (the protocol has no tumour_absorbed_dose target)")

    def _cum_lung_limit(self) -> float:
        for lim in self.p.planning.limits:
            if lim.quantity is LimitQuantity.CUMULATIVE_LUNG_ABSORBED_DOSE and lim.maximum:
                return float(lim.maximum)
        return 50.0

    def _fractions(self, sel: np.ndarray, start: np.ndarray, nfx: int, dose_fx: np.ndarray,
                   trt: str, cat: str, loc: np.ndarray, grp: str) -> np.ndarray:
        """One EX record per fraction on consecutive weekdays; returns the last date."""
        us = self.usub[sel]
        d = np.busday_offset(start, 0, roll="forward")
        last = d
        for f in range(nfx):
            day = np.busday_offset(d, f, roll="forward")
            self.t.add("EX", USUBJID=us, EXGRPID=grp, EXSPID=f"FX{f + 1}", EXTRT=trt,
                       EXCAT=cat, EXDOSE=np.round(dose_fx, 2), EXDOSU="Gy",
                       EXDOSFRM="RADIATION", EXDOSFRQ="QD", EXROUTE="EXTERNAL BEAM",
                       EXLOC=loc, EXSTDTC=_iso(day), EXENDTC=_iso(day))
            last = day
        return last.astype("datetime64[D]")

    def _sbrt(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        sb = self.p.planning.sbrt
        sp = [self.par.arms[self.arm_ids[a]].sbrt for a in self.arm[sel]]
        total = np.array([rng.choice(p.total_doses_gy, p=np.array(p.total_dose_probs)  # type: ignore[union-attr]
                                     / sum(p.total_dose_probs)) for p in sp])  # type: ignore[union-attr]
        nfx = sb.fractions if sb else 5
        if sb:
            total = np.clip(total, sb.total_dose_gy_min, sb.total_dose_gy_max)
        lo = np.array([p.start_days_after_allocation[0] for p in sp])  # type: ignore[union-attr]
        hi = np.array([p.start_days_after_allocation[1] for p in sp])  # type: ignore[union-attr]
        start = self.alloc_date[sel] + _days(lo + rng.random(sel.size) * (hi - lo))
        loc = np.where(self.pvtt[sel], "PORTAL VEIN", np.where(self.extra[sel], "LUNG", "LIVER"))
        last = self._fractions(sel, start, nfx, total / nfx,
                               "STEREOTACTIC BODY RADIATION THERAPY", "SBRT",
                               loc.astype(object), "COURSE 1")
        self.first_tx[sel] = np.minimum(self.first_tx[sel], np.busday_offset(
            start, 0, roll="forward").astype("datetime64[D]"))
        self.last_rt[sel] = last
        self.last_tx[sel] = np.maximum(self.last_tx[sel], last)

    def _radiotherapy(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        rp = [self.par.arms[self.arm_ids[a]].radiotherapy for a in self.arm[sel]]
        nfx = rp[0].fractions  # type: ignore[union-attr]
        total = np.array([p.total_dose_gy.value for p in rp])  # type: ignore[union-attr]
        start = self.first_tx[sel] + _days(rng.integers(0, 21, sel.size))
        loc = np.array([p.target for p in rp], dtype=object)  # type: ignore[union-attr]
        last = self._fractions(sel, start, nfx, total / nfx, "EXTERNAL BEAM RADIOTHERAPY",
                               "RADIOTHERAPY", loc, "COURSE 1")
        self.last_rt[sel] = last

    def _haic(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        rng = self.rng["treat"]
        sel = np.flatnonzero(mask)
        regimen = next((r for r in self.p.planning.regimens
                        if set(r.arms) & {self.arm_ids[a] for a in set(self.arm[sel])}), None)
        if regimen is None:
            raise InputError("protocol planning.regimens", None, "a HAIC regimen for the arm")
        hp = [self.par.arms[self.arm_ids[a]].haic for a in self.arm[sel]]
        cyc = np.array([rng.choice(list(p.cycles_probs), p=np.array(list(  # type: ignore[union-attr]
            p.cycles_probs.values())) / sum(p.cycles_probs.values())) for p in hp])  # type: ignore[union-attr]
        lo = regimen.cycle_interval_min.approx_days()
        hi = regimen.cycle_interval_max.approx_days()
        bsa = self.bsa[sel]
        date = self.first_tx[sel].copy()
        us = self.usub[sel]
        self.haic_dates: list[np.ndarray] = []
        for c in range(int(cyc.max())):
            on = cyc > c
            if c:
                date = date + _days(lo + rng.random(sel.size) * (hi - lo))
            self.haic_dates.append(np.where(on, date, sched.NAT))
            for drug in regimen.drugs:
                dur = drug.duration.approx_days() if drug.duration else 0
                dose = np.round(drug.dose * bsa[on], 1) if drug.dose_unit == "mg/m2" \
                    else np.full(on.sum(), drug.dose)
                self.t.add("EX", USUBJID=us[on], EXGRPID=f"CYCLE {c + 1}", EXTRT=drug.agent.upper(),
                           EXCAT="HAIC", EXDOSE=dose, EXDOSU="mg", EXDOSFRM="SOLUTION",
                           EXDOSFRQ="ONCE", EXROUTE="INTRA-ARTERIAL", EXLOC="HEPATIC ARTERY",
                           EXDOSTXT=f"{drug.dose:g} {drug.dose_unit} x BSA", EXSTDTC=_iso(date[on]),
                           EXENDTC=_iso(date[on] + _days(np.full(on.sum(), np.ceil(dur)))))
            self.last_tx[sel[on]] = date[on]
        self.haic_sel = sel
        self.haic_cycles = cyc

    # ------------------------------------------------------------------ outcomes

    def _first_imaging_days(self) -> np.ndarray:
        """Days from allocation to the latest possible date of the first post-baseline imaging."""
        out = np.full(self.n, np.inf)
        for occ in sched.occurrences(self.p):
            v = occ.visit
            if Assessment.IMAGING not in v.assessments or self._is_screening(occ):
                continue
            anchor = self._anchor(v.anchor)
            arms_ok = self._visit_arm_mask(v)
            planned = sched.planned_dates(occ, anchor)
            _, after = sched.window_days(v)
            d = _dd(planned, self.alloc_date) + after + 14
            d[np.isnan(d) | ~arms_ok] = np.inf
            d[d <= 0] = np.inf
            out = np.minimum(out, d)
        return out

    def _outcomes(self) -> None:
        rng, n = self.rng["time"], self.n
        os_med = self._arm_value(lambda a: a.os_median_months.value) * MONTH
        pfs_med = self._arm_value(lambda a: a.pfs_median_months.value) * MONTH
        lam_os, lam_pfs = LN2 / os_med, LN2 / pfs_med
        self.os_days = rng.exponential(1 / lam_os)
        self.ttp_days = rng.exponential(1 / (lam_pfs - lam_os))
        self.pfs_days = np.minimum(self.os_days, self.ttp_days)
        cond = self.par.conduct
        lam_w = -np.log(1 - cond.withdrawal_24m.value) / (24 * MONTH)
        lam_l = -np.log(1 - cond.lost_24m.value) / (24 * MONTH)
        self.wd_days = rng.exponential(1 / lam_w, n) if lam_w > 0 else np.full(n, np.inf)
        self.lost_days = rng.exponential(1 / lam_l, n) if lam_l > 0 else np.full(n, np.inf)
        last_enrol = self.alloc_date.max()
        self.cutoff = sched.add_months(np.array([last_enrol]), 0)[0] + np.timedelta64(
            round(self.par.follow_up_months * MONTH), "D")
        admin = (self.cutoff - self.alloc_date).astype(float)
        # response
        r = self.rng["resp"]
        c = self._first_imaging_days()
        self.first_img_days = c
        orr = self._arm_value(lambda a: a.orr_mrecist.value)
        cr = self._arm_value(lambda a: a.cr_mrecist.value)
        orr_r = self._arm_value(lambda a: a.orr_recist.value)
        p = orr.copy()
        for k, a in enumerate(self.arm_ids):
            dr = self.par.arms[a].dose_response
            sel = (self.arm == k) & np.isfinite(self.dose_achieved)
            if dr is not None and sel.any():
                d = self.dose_achieved[sel]
                p[sel] = dr.pmax.value / (1 + (dr.d50_gy.value / d) ** dr.hill.value)
        scale = np.where(orr > 0, p / np.where(orr > 0, orr, 1), 0)
        self.p_response = p
        q = np.exp(-lam_pfs * np.where(np.isfinite(c), c, 0))
        cond_p = np.where(np.isfinite(c), p / q, 0)
        self.response_capped = cond_p > 1
        if self.response_capped.any():
            self.notes.append(f"{int(self.response_capped.sum())} participant(s): response "
                              "probability capped at 1 given PFS beyond the first imaging")
        eligible_r = self.pfs_days > c
        self.resp = eligible_r & (r.random(n) < np.minimum(cond_p, 1))
        u = r.random(n)
        self.cr = self.resp & (u < np.where(orr > 0, cr * scale / np.maximum(p, 1e-12), 0))
        p_recist = np.where(orr > 0, orr_r / np.maximum(orr, 1e-12), 0)
        self.resp_recist = self.resp & (r.random(n) < p_recist)
        # end of follow-up
        ends = np.vstack([self.os_days, self.wd_days, self.lost_days, admin])
        which = np.argmin(ends, axis=0)
        self.end_days = ends[which, np.arange(n)]
        self.end_reason = np.array(["DEATH", "WITHDRAWAL", "LOST", "COMPLETED"],
                                   dtype=object)[which]
        self.end_date = self.alloc_date + _days(np.floor(self.end_days))
        self.death = self.end_reason == "DEATH"
        p_out = self._arm_value(lambda a: a.out_of_field_progression.value)
        self.out_of_field = r.random(n) < p_out

    # ------------------------------------------------------------------ truncation

    def _truncate_treatment(self) -> None:
        """Drop treatment records (EX, XA, XP) dated after a participant's end of follow-up
        (death, withdrawal, loss) and update the treatment dates; a participant whose follow-up
        ended before the first treatment is 'assigned, not treated'."""
        end_iso = dict(zip(self.usub, _iso(self.end_date), strict=True))
        date_col = {"EX": "EXSTDTC", "XA": "XADTC", "XP": "XPDTC"}
        for code, col in date_col.items():
            kept = []
            for n, cols in self.t.parts.get(code, []):
                us = np.asarray(cols["USUBJID"], dtype=object)
                d = np.asarray(cols[col], dtype=object)
                ends = np.array([end_iso[u] for u in us], dtype=object)
                keep = d <= ends
                if keep.all():
                    kept.append((n, cols))
                    continue
                new = {k: (np.asarray(v)[keep] if isinstance(v, np.ndarray | list) else v)
                       for k, v in cols.items()}
                if keep.any():
                    kept.append((int(keep.sum()), new))
            if code in self.t.parts:
                self.t.parts[code] = kept
        self.treated = self.first_tx <= self.end_date
        ex = [(np.asarray(c["USUBJID"], dtype=object), np.asarray(c["EXSTDTC"], dtype=object),
               c.get("EXCAT")) for _, c in self.t.parts.get("EX", [])]
        last: dict[str, str] = {}
        last_rt: dict[str, str] = {}
        for us, d, cat in ex:
            cats = np.asarray(cat, dtype=object) if isinstance(cat, np.ndarray | list) \
                else np.full(len(us), cat, dtype=object)
            for u, x, c in zip(us, d, cats, strict=True):
                if x > last.get(u, ""):
                    last[u] = x
                if c in ("SBRT", "RADIOTHERAPY") and x > last_rt.get(u, ""):
                    last_rt[u] = x
        self.last_tx = np.array([last.get(u, "NaT") for u in self.usub], dtype="datetime64[D]")
        self.last_rt = np.array([last_rt.get(u, "NaT") for u in self.usub],
                                dtype="datetime64[D]")
        self.second_tx = np.where(self.second_tx <= self.end_date, self.second_tx, sched.NAT)
        if getattr(self, "haic_dates", None):
            end = self.end_date[self.haic_sel]
            self.haic_dates = [np.where(d <= end, d, sched.NAT) for d in self.haic_dates]

    # ------------------------------------------------------------------ systemic therapy

    def _systemic(self) -> None:
        """One EX record per agent and cycle, from the first treatment until progression
        (plus one cycle), the end of follow-up or the agent's maximum duration."""
        for k, arm in enumerate(self.arm_ids):
            sp = self.par.arms[arm].systemic
            sel = np.flatnonzero(self.arm == k)
            if sp is None or not sel.size:
                continue
            start0 = self.first_tx[sel]
            t0 = _dd(start0, self.alloc_date[sel])
            stop = np.minimum.reduce([self.ttp_days[sel] + sp.every_days, self.end_days[sel],
                                      t0 + sp.max_months * MONTH])
            ncyc = np.where(stop < t0, 0,
                            np.maximum(1, np.ceil((stop - t0) / sp.every_days))).astype(int)
            weight = self.weight[self.idx[sel]]
            us = self.usub[sel]
            last = start0.copy()
            for c in range(int(ncyc.max())):
                on = ncyc > c
                day = start0[on] + np.timedelta64(c * sp.every_days, "D")
                last[on] = day
                for ag in sp.agents:
                    dose = ag.dose * weight[on] if ag.dose_unit == "mg/kg" else \
                        ag.dose * self.bsa[sel][on] if ag.dose_unit == "mg/m2" else \
                        np.full(on.sum(), ag.dose)
                    oral = sp.route == "ORAL"
                    self.t.add("EX", USUBJID=us[on], EXGRPID=f"CYCLE {c + 1}", EXTRT=ag.name,
                               EXCAT="IMMUNOTHERAPY" if not oral else "SYSTEMIC THERAPY",
                               EXDOSE=np.round(dose, 1), EXDOSU="mg",
                               EXDOSFRM="CAPSULE" if oral else "SOLUTION",
                               EXDOSFRQ="QD" if oral else "ONCE",
                               EXROUTE=sp.route,
                               EXSTDTC=_iso(day),
                               EXENDTC=_iso(day + np.timedelta64(sp.every_days - 1 if oral else 0,
                                                                 "D")))
            given = ncyc > 0
            cur = self.last_tx[sel]
            upd = np.where(np.isnat(cur), last, np.maximum(cur, last))
            self.last_tx[sel] = np.where(given, upd, cur)

    # ------------------------------------------------------------------ visits

    def _anchor(self, anchor: Anchor) -> np.ndarray:
        n = self.n
        surg = getattr(self, "surg_date", np.full(n, sched.NAT))
        return {
            Anchor.SCREENING: self.screen_date[self.idx],
            Anchor.CONSENT: self.screen_date[self.idx],
            Anchor.ENROLMENT: self.alloc_date,
            Anchor.RANDOMIZATION: self.alloc_date,
            Anchor.FIRST_TREATMENT: self.first_tx,
            Anchor.EACH_TREATMENT: self.first_tx,
            Anchor.LAST_TREATMENT: self.last_tx,
            Anchor.LAST_RADIOTHERAPY: self.last_rt,
            Anchor.SURGERY: surg,
            Anchor.STUDY_END: np.full(n, self.cutoff),
        }[anchor]

    @staticmethod
    def _is_screening(occ: sched.Occurrence) -> bool:
        """The first visit of the schedule when it takes consent or checks eligibility."""
        v = occ.visit
        return occ.index == 0 and (Assessment.CONSENT in v.assessments
                                   or Assessment.ELIGIBILITY in v.assessments)

    def _visit_arm_mask(self, v: Any) -> np.ndarray:
        if not v.arms:
            return np.ones(self.n, dtype=bool)
        ok = np.array([a in v.arms for a in self.arm_ids])
        return ok[self.arm]

    def _visits(self) -> None:
        self._plan_surgery()
        rng, n = self.rng["visit"], self.n
        cond = self.par.conduct
        rows = []
        for occ in sched.occurrences(self.p):
            v = occ.visit
            if v.anchor is Anchor.EACH_TREATMENT:
                rows.extend(self._treatment_visits(occ))
                continue
            anchor = self._anchor(v.anchor)
            planned = sched.planned_dates(occ, anchor)
            ok = self._visit_arm_mask(v) & ~np.isnat(planned)
            before, after = sched.window_days(v)
            fixed = before == 0 and after == 0
            screening = self._is_screening(occ)
            is_surgery = Assessment.SURGERY in v.assessments
            if is_surgery:
                actual = self.surg_date.copy()
                planned = np.where(self.surg, planned, sched.NAT)
                ok &= self.surg
                dev = np.zeros(n, bool)
                missed = np.zeros(n, bool)
            elif screening:
                actual = self.screen_date[self.idx]
                planned = actual
                dev = np.zeros(n, bool)
                missed = np.zeros(n, bool)
            else:
                jitter = np.round(rng.normal(0, max(before, after, 1) / 3, n))
                jitter = np.clip(jitter, -before, after)
                dev = (rng.random(n) < cond.window_deviation_fraction.value) & ~fixed
                out = rng.integers(1, 15, n)
                jitter = np.where(dev, np.where(rng.random(n) < 0.7, after + out, -before - out),
                                  jitter)
                actual = planned + _days(np.where(fixed, 0, jitter))
                # No trial visit precedes consent, however early the window or the deviation
                # (a planning visit days before a treatment given soon after consent).
                consent = self.screen_date[self.idx]
                actual = np.where(actual < consent, consent, actual)
                missed = (rng.random(n) < cond.missed_visit_fraction.value) & ~fixed
            ok &= ~np.isnat(actual)
            ok[ok] &= actual[ok] <= self.end_date[ok]
            rows.append(pd.DataFrame({
                "i": np.flatnonzero(ok), "visitnum": occ.visitnum, "visit": occ.name,
                "visit_id": v.id, "planned": planned[ok], "actual": actual[ok],
                "deviation": dev[ok], "missed": missed[ok], "before": before, "after": after,
                "anchor": v.anchor.value,
                "assessments": [tuple(a.value for a in v.assessments)] * int(ok.sum()),
            }))
        vt = pd.concat(rows, ignore_index=True).sort_values(["i", "actual", "visitnum"])
        vt = vt.reset_index(drop=True)
        vt["missed"] = vt["missed"].astype(bool)
        vt["deviation"] = vt["deviation"].astype(bool)
        vt["planned"] = vt["planned"].astype("datetime64[s]")
        vt["actual"] = vt["actual"].astype("datetime64[s]")
        vt["USUBJID"] = self.usub[vt["i"].to_numpy()]
        self.visit_table = vt
        att = vt[~vt["missed"]]
        self.t.add("SV", USUBJID=att["USUBJID"].to_numpy(), VISITNUM=att["visitnum"].to_numpy(),
                   VISIT=att["visit"].to_numpy(), SVPRESP="Y", SVOCCUR="Y",
                   SVSTDTC=_iso(att["actual"].to_numpy()), SVENDTC=_iso(att["actual"].to_numpy()))
        mis = vt[vt["missed"]]
        self.t.add("SV", USUBJID=mis["USUBJID"].to_numpy(), VISITNUM=mis["visitnum"].to_numpy(),
                   VISIT=mis["visit"].to_numpy(), SVPRESP="Y", SVOCCUR="N",
                   SVREASOC="MISSED VISIT", SVSTDTC=None, SVENDTC=None)
        dv = vt[vt["deviation"] & ~vt["missed"]]
        days = (dv["actual"] - dv["planned"]).dt.days.to_numpy()
        self.t.add("DV", USUBJID=dv["USUBJID"].to_numpy(),
                   DVTERM=np.array([f"Visit {d:+d} days from nominal, outside window -{b}/+{a}"
                                    for d, b, a in zip(days, dv["before"], dv["after"],
                                                       strict=True)], dtype=object),
                   DVDECOD="VISIT OUT OF WINDOW", DVCAT="VISIT WINDOW",
                   VISITNUM=dv["visitnum"].to_numpy(), VISIT=dv["visit"].to_numpy(),
                   DVSTDTC=_iso(dv["actual"].to_numpy()))

    def _treatment_visits(self, occ: sched.Occurrence) -> list[pd.DataFrame]:
        """Visits anchored on each treatment: one per treatment after the first (HAIC cycle 2,
        3, ...; a second Y-90 session), dated on that treatment, planned from the previous."""
        v = occ.visit
        before, after = sched.window_days(v)
        dates = self._tx_dates()
        out = []
        for c in range(1, len(dates)):
            actual = dates[c]
            ok = self._visit_arm_mask(v) & ~np.isnat(actual)
            ok[ok] &= actual[ok] <= self.end_date[ok]
            planned = sched.shift(dates[c - 1], v.nominal)
            k = int(ok.sum())
            out.append(pd.DataFrame({
                "i": np.flatnonzero(ok), "visitnum": float(100 * (occ.index + 1) + c - 1),
                "visit": f"{v.name} {c + 1}", "visit_id": v.id, "planned": planned[ok],
                "actual": actual[ok], "deviation": np.zeros(k, bool),
                "missed": np.zeros(k, bool), "before": before, "after": after,
                "anchor": v.anchor.value,
                "assessments": [tuple(a.value for a in v.assessments)] * k}))
        return out

    def _tx_dates(self) -> list[np.ndarray]:
        """Dates of the 1st, 2nd, ... protocol treatment session per participant (NaT: none)."""
        dates = [self.first_tx]
        if getattr(self, "haic_dates", None):
            for c, d in enumerate(self.haic_dates[1:], start=1):
                col = dates[c] if c < len(dates) else np.full(self.n, sched.NAT)
                hs = self.haic_sel
                col = col.copy()
                col[hs] = d
                if c < len(dates):
                    dates[c] = col
                else:
                    dates.append(col)
        if (~np.isnat(self.second_tx)).any():
            col = dates[1].copy() if len(dates) > 1 else np.full(self.n, sched.NAT)
            has = ~np.isnat(self.second_tx)
            col[has] = self.second_tx[has]
            if len(dates) > 1:
                dates[1] = col
            else:
                dates.append(col)
        return dates

    def _attended(self, assessment: str) -> pd.DataFrame:
        vt = self.visit_table
        has = vt["assessments"].map(lambda a: assessment in a)
        return vt[has & ~vt["missed"]]

    # ------------------------------------------------------------------ surgery (dates)

    def _plan_surgery(self) -> None:
        rng, n = self.rng["surg"], self.n
        frac = self._arm_value(lambda a: a.surgery.fraction.value if a.surgery else 0.0)
        protocol_surgery = self._has(InterventionKind.SURGERY)
        date = np.full(n, sched.NAT)
        # protocol surgery (sirt-haic): from the resection visits of the schedule
        for v in self.p.schedule.visits:
            if Assessment.SURGERY in v.assessments or "resection" in v.id:
                anc = self._anchor(v.anchor)
                planned = sched.shift(anc, v.nominal)
                _, after = sched.window_days(v)
                d = planned + _days(rng.integers(0, after + 1, n))
                mask = self._visit_arm_mask(v) & ~np.isnat(planned) & protocol_surgery
                date[mask] = d[mask]
        conv = ~protocol_surgery
        date[conv] = self.first_tx[conv] + _days(rng.integers(90, 240, conv.sum()))
        alive = _dd(date, self.alloc_date) < np.minimum(self.end_days, self.pfs_days)
        do = (rng.random(n) < frac) & alive & ~np.isnat(date)
        self.surg = do
        self.surg_date = np.where(do, date, sched.NAT)
        self.surg_protocol = protocol_surgery

    # ------------------------------------------------------------------ labs / vitals / ECOG

    # testcd: (test, category, conventional unit, median, sdlog (or sd if normal), normal?,
    # LLN, ULN); typical Child-Pugh A HCC values, reference ranges of a conventional lab
    _LAB: ClassVar[dict[str, tuple[Any, ...]]] = {
        "BILI": ("Bilirubin", "CHEMISTRY", "mg/dL", 0.8, 0.35, False, 0.2, 1.2),
        "ALB": ("Albumin", "CHEMISTRY", "g/dL", 3.9, 0.35, True, 3.5, 5.2),
        "CREAT": ("Creatinine", "CHEMISTRY", "mg/dL", 0.85, 0.2, False, 0.6, 1.2),
        "AST": ("Aspartate Aminotransferase", "CHEMISTRY", "U/L", 42, 0.45, False, 0, 40),
        "ALT": ("Alanine Aminotransferase", "CHEMISTRY", "U/L", 36, 0.5, False, 0, 40),
        "ALP": ("Alkaline Phosphatase", "CHEMISTRY", "U/L", 105, 0.35, False, 40, 120),
        "GGT": ("Gamma Glutamyl Transferase", "CHEMISTRY", "U/L", 55, 0.6, False, 0, 60),
        "SODIUM": ("Sodium", "CHEMISTRY", "mmol/L", 139, 2.5, True, 135, 145),
        "K": ("Potassium", "CHEMISTRY", "mmol/L", 4.2, 0.3, True, 3.5, 5.1),
        "HGB": ("Hemoglobin", "HEMATOLOGY", "g/dL", 13.0, 1.4, True, 12.0, 16.5),
        "PLAT": ("Platelets", "HEMATOLOGY", "10^3/uL", 150, 0.4, False, 150, 400),
        "WBC": ("Leukocytes", "HEMATOLOGY", "10^3/uL", 5.5, 0.3, False, 4.0, 10.0),
        "NEUT": ("Neutrophils", "HEMATOLOGY", "10^3/uL", 3.2, 0.35, False, 1.8, 7.5),
        "LYM": ("Lymphocytes", "HEMATOLOGY", "10^3/uL", 1.6, 0.35, False, 1.0, 4.0),
        "INR": ("Prothrombin Intl. Normalized Ratio", "COAGULATION", "1", 1.1, 0.08, True,
                0.8, 1.2),
    }

    # conventional units; inside rescue's and io-rt-mvi's screening limits with a margin
    _ELIGIBLE_LABS: ClassVar[dict[str, tuple[float, float]]] = {
        "BILI": (0.2, 2.5), "ALB": (2.9, 5.5), "INR": (0.8, 1.6), "CREAT": (0.4, 1.8),
        "AST": (8, 190), "ALT": (6, 190), "ALP": (30, 500), "PLAT": (55, 600),
        "WBC": (2.6, 11.9), "NEUT": (1.6, 9.0), "HGB": (8.5, 18.0),
    }

    def _write_lb(self, us: np.ndarray, vn: Any, vis: Any, dtc: Any, blfl: Any,
                  values: dict[str, np.ndarray]) -> None:
        """LB records of the panel ``values`` (conventional units) with SI standard results."""
        for t, v in values.items():
            test, cat, unit, _, _, _, lln, uln = self._LAB[t]
            v = np.round(np.maximum(v, 0.01), 2 if unit in ("mg/dL", "g/dL", "1") else 1)
            analyte = LB_ANALYTE[t]
            si = {"bilirubin": "umol/L", "creatinine": "umol/L", "albumin": "g/L",
                  "hemoglobin": "g/L"}.get(analyte)
            if unit == "10^3/uL":
                si = "10^9/L"
            if si:
                f = float(convert(1.0, unit, si, analyte=analyte))
            else:
                si, f = unit, 1.0
            sv = np.round(v * f, 2)
            orres_u = None if unit == "1" else unit
            nrind = np.where(v < lln, "LOW", np.where(v > uln, "HIGH", "NORMAL"))
            self.t.add("LB", USUBJID=us, LBTESTCD=t, LBTEST=test, LBCAT=cat,
                       LBORRES=np.array([f"{x:g}" for x in v], dtype=object), LBORRESU=orres_u,
                       LBORNRLO=f"{lln:g}" if lln > 0 else None, LBORNRHI=f"{uln:g}",
                       LBSTRESC=np.array([f"{x:g}" for x in sv], dtype=object), LBSTRESN=sv,
                       LBSTRESU=None if si == "1" else si,
                       LBSTNRLO=round(lln * f, 3) if lln > 0 else np.nan,
                       LBSTNRHI=round(uln * f, 3), LBNRIND=nrind,
                       LBSPEC="BLOOD" if cat == "HEMATOLOGY" else "SERUM", LBBLFL=blfl,
                       VISITNUM=vn, VISIT=vis, LBDTC=dtc)

    def _baseline_panel(self, rng: np.random.Generator, k: int) -> dict[str, np.ndarray]:
        out = {}
        for t, (_, _, _, med, s, normal, _, _) in self._LAB.items():
            out[t] = (rng.normal(med, s, k) if normal
                      else np.exp(np.log(med) + s * rng.normal(size=k)))
        return out

    def _screen_failures(self) -> None:
        """Screening data of the candidates who failed: labs, height/weight, ECOG and the
        Child-Pugh components, with the data behind the failed criterion where it is data
        (ECOG above the limit, Child-Pugh class, bilirubin, age)."""
        fail = np.flatnonzero(~self.eligible)
        k = fail.size
        if not k:
            return
        rng = self.rng["misc"]
        lab = self._baseline_panel(rng, k)
        reasons = [self.fail_reasons.get(int(i), set()) for i in fail]

        def has(*ids: str) -> np.ndarray:
            return np.array([bool(r & set(ids)) for r in reasons])

        ecog_max = 2 if self._ecog_probs()[2] > 0 else 1
        ecog = np.where(has("ecog"), ecog_max + 1, self.ecog0[fail])
        cp_b, cp_c = has("child-pugh-a", "child-pugh"), has("child-pugh-a-b")
        lab["BILI"] = np.where(cp_b, rng.uniform(2.1, 2.9, k), lab["BILI"])
        lab["ALB"] = np.where(cp_b, rng.uniform(2.9, 3.3, k), lab["ALB"])
        lab["BILI"] = np.where(cp_c, rng.uniform(3.2, 4.5, k), lab["BILI"])
        lab["ALB"] = np.where(cp_c, rng.uniform(2.3, 2.7, k), lab["ALB"])
        lab["INR"] = np.where(cp_c, rng.uniform(1.8, 2.2, k), lab["INR"])
        lab["BILI"] = np.where(has("lab-bilirubin"), rng.uniform(3.2, 5.0, k), lab["BILI"])
        asc = np.where(cp_c, 2, np.where(cp_b, 1, 0))
        d = self.par.demographics
        too_old = d.age_max < 80
        self.age[fail] = np.where(has("age"), d.age_max + 1 + rng.integers(0, 4, k) if too_old
                                  else d.age_min - 1, self.age[fail])
        us = self.usubjid[fail]
        v0 = self.p.schedule.visits[0].name
        dtc = _iso(self.screen_date[fail])
        self.t.add("SV", USUBJID=us, VISITNUM=100.0, VISIT=v0, SVPRESP="Y", SVOCCUR="Y",
                   SVSTDTC=dtc, SVENDTC=dtc)
        self._write_lb(us, 100.0, v0, dtc, None, lab)
        for t, test, unit, val in (("HEIGHT", "Height", "cm", self.height[fail]),
                                   ("WEIGHT", "Weight", "kg", self.weight[fail])):
            txt = np.array([f"{x:g}" for x in val], dtype=object)
            self.t.add("VS", USUBJID=us, VSTESTCD=t, VSTEST=test, VSORRES=txt, VSORRESU=unit,
                       VSSTRESC=txt, VSSTRESN=val, VSSTRESU=unit, VISITNUM=100.0, VISIT=v0,
                       VSDTC=dtc)
        e = ecog.astype(int).astype(str).astype(object)
        self.t.add("RS", USUBJID=us, RSTESTCD="ECOG101", RSTEST="ECOG1-Performance Status",
                   RSCAT="ECOG", RSORRES=e, RSSTRESC=e, RSSTRESN=ecog.astype(float),
                   RSEVAL="INVESTIGATOR", VISITNUM=100.0, VISIT=v0, RSDTC=dtc)
        for testcd, test, grades, vals in (
                ("CPASCIT", "Child-Pugh Ascites", CP_ASCITES, asc),
                ("CPENCEPH", "Child-Pugh Hepatic Encephalopathy", CP_ENCEPHALOPATHY,
                 np.zeros(k, dtype=int))):
            txt = np.array(grades, dtype=object)[vals]
            self.t.add("RS", USUBJID=us, RSTESTCD=testcd, RSTEST=test,
                       RSCAT="CHILD-PUGH CLASSIFICATION", RSORRES=txt, RSSTRESC=txt,
                       RSEVAL="INVESTIGATOR", VISITNUM=100.0, VISIT=v0, RSDTC=dtc)

    def _labs(self) -> None:
        rng, n = self.rng["lab"], self.n
        base = self._baseline_panel(rng, n)
        # enrolled participants met the protocols' laboratory criteria at screening (the most
        # stringent of the five: rescue and io-rt-mvi)
        for t, (lo, hi) in self._ELIGIBLE_LABS.items():
            base[t] = np.clip(base[t], lo, hi)
        afp0 = np.exp(np.log(50) + 2.0 * rng.normal(size=n))
        labs = self._attended("labs")
        i = labs["i"].to_numpy()
        days_tx = _dd(labs["actual"].to_numpy(), self.first_tx[i])
        days_al = _dd(labs["actual"].to_numpy(), self.alloc_date[i])
        post = days_tx > 0
        progressed = days_al >= self.ttp_days[i]
        y90 = self._has(Y90_KINDS)[i]
        haic = self._has(InterventionKind.HAIC)[i]
        reild_p = self._arm_value(lambda a: a.reild_fraction.value)
        self.reild = (rng.random(n) < reild_p) & self._has(Y90_KINDS)
        # REILD (Sangro 2008: bilirubin >= 3 mg/dL with ascites 1-2 months after Y-90) shows in
        # every attended lab visit 21-120 days after the first treatment; it is observed only
        # when such a visit took place
        reild_row = self.reild[i] & (days_tx >= 21) & (days_tx <= 120)
        first_row = pd.Series(days_tx[reild_row]).groupby(i[reild_row]).min()
        self.reild_seen_day = np.full(n, np.nan)
        self.reild_seen_day[first_row.index.to_numpy()] = first_row.to_numpy()
        early = post & (days_tx <= 45)
        m = len(labs)
        rows_testcd, rows_val = [], []
        for t in self._LAB:
            noise = rng.normal(0, 0.08, m)
            v = base[t][i] * np.exp(np.where(post, noise, 0))
            if t in ("AST", "ALT"):
                v = v * np.where(early & y90, rng.uniform(1.3, 4.0, m), 1.0)
                v = v * np.where(progressed, 1.4, 1.0)
            if t == "BILI":
                v = v * np.where(progressed, 1.3, 1.0)
                v = np.where(reild_row, np.maximum(v * 4, rng.uniform(3.1, 6.0, m)), v)
            if t == "ALB":
                v = v - np.where(reild_row, 0.8, 0.0) - np.where(progressed, 0.3, 0)
            if t in ("PLAT", "NEUT", "WBC"):
                v = v * np.where(post & haic, rng.uniform(0.4, 0.9, m), 1.0)
            if t in ("PLAT", "LYM") and True:
                v = v * np.where(early & y90, rng.uniform(0.6, 1.0, m), 1.0)
            rows_testcd.append(t)
            rows_val.append(v)
        us = labs["USUBJID"].to_numpy()
        vn = labs["visitnum"].to_numpy()
        vis = labs["visit"].to_numpy()
        dtc = _iso(labs["actual"].to_numpy())
        blfl = np.where(labs["visitnum"].to_numpy() == 100.0, "Y", None)
        self._write_lb(us, vn, vis, dtc, blfl, dict(zip(rows_testcd, rows_val, strict=True)))
        afp_rows = self._attended("afp")
        if len(afp_rows):
            j = afp_rows["i"].to_numpy()
            dal = _dd(afp_rows["actual"].to_numpy(), self.alloc_date[j])
            post = dal > 7
            fac = (np.where(post & self.resp[j], 0.2, 1.0)
                   * np.where(dal >= self.ttp_days[j], 2.5, 1))
            v = np.round(afp0[j] * fac * np.exp(0.1 * rng.normal(size=len(j))), 1)
            self.t.add("LB", USUBJID=afp_rows["USUBJID"].to_numpy(), LBTESTCD="AFP",
                       LBTEST="Alpha Fetoprotein", LBCAT="TUMOR MARKERS",
                       LBORRES=np.array([f"{x:g}" for x in v], dtype=object), LBORRESU="ng/mL",
                       LBORNRHI="10", LBSTRESC=np.array([f"{x:g}" for x in v], dtype=object),
                       LBSTRESN=v, LBSTRESU="ng/mL", LBSTNRHI=10.0,
                       LBNRIND=np.where(v > 10, "HIGH", "NORMAL"), LBSPEC="SERUM",
                       LBBLFL=np.where(afp_rows["visitnum"].to_numpy() == 100.0, "Y", None),
                       VISITNUM=afp_rows["visitnum"].to_numpy(),
                       VISIT=afp_rows["visit"].to_numpy(),
                       LBDTC=_iso(afp_rows["actual"].to_numpy()))
        # vitals: height at screening, weight (and BSA for HAIC) at visits with an examination
        vs = self.visit_table[self.visit_table["visitnum"] == 100.0]
        vi = vs["i"].to_numpy()
        gi = self.idx[vi]
        common = {"USUBJID": vs["USUBJID"].to_numpy(), "VISITNUM": 100.0,
                  "VISIT": vs["visit"].to_numpy(), "VSBLFL": "Y",
                  "VSDTC": _iso(vs["actual"].to_numpy())}
        for t, test, unit, val in (("HEIGHT", "Height", "cm", self.height[gi]),
                                   ("WEIGHT", "Weight", "kg", self.weight[gi]),
                                   ("BSA", "Body Surface Area", "m2", np.round(self.bsa[vi], 3))):
            self.t.add("VS", VSTESTCD=t, VSTEST=test,
                       VSORRES=np.array([f"{x:g}" for x in val], dtype=object), VSORRESU=unit,
                       VSSTRESC=np.array([f"{x:g}" for x in val], dtype=object), VSSTRESN=val,
                       VSSTRESU=unit, **common)
        ex = self._attended("physical_exam")
        ex = ex[ex["visitnum"] != 100.0]
        if len(ex):
            w = np.round(self.weight[self.idx[ex["i"].to_numpy()]]
                         * np.exp(rng.normal(0, 0.02, len(ex))), 1)
            self.t.add("VS", USUBJID=ex["USUBJID"].to_numpy(), VSTESTCD="WEIGHT", VSTEST="Weight",
                       VSORRES=np.array([f"{x:g}" for x in w], dtype=object), VSORRESU="kg",
                       VSSTRESC=np.array([f"{x:g}" for x in w], dtype=object), VSSTRESN=w,
                       VSSTRESU="kg", VISITNUM=ex["visitnum"].to_numpy(),
                       VISIT=ex["visit"].to_numpy(), VSDTC=_iso(ex["actual"].to_numpy()))
        # Child-Pugh clinical components at every lab visit (bilirubin, albumin, INR are in LB)
        asc = np.where(reild_row, 2, np.where(progressed & (rng.random(m) < 0.3), 1,
                                              np.where((days_tx > 0) & (rng.random(m) < 0.05),
                                                       1, 0)))
        enc = np.where(reild_row & (rng.random(m) < 0.3), 1, 0)
        for testcd, test, grades, vals in (
                ("CPASCIT", "Child-Pugh Ascites", CP_ASCITES, asc),
                ("CPENCEPH", "Child-Pugh Hepatic Encephalopathy", CP_ENCEPHALOPATHY, enc)):
            txt = np.array(grades, dtype=object)[vals]
            self.t.add("RS", USUBJID=us, RSTESTCD=testcd, RSTEST=test,
                       RSCAT="CHILD-PUGH CLASSIFICATION", RSORRES=txt, RSSTRESC=txt,
                       RSEVAL="INVESTIGATOR", VISITNUM=vn, VISIT=vis, RSDTC=dtc)
        ec = self._attended("ecog")
        if len(ec):
            j = ec["i"].to_numpy()
            e0 = self.ecog0[self.idx[j]]
            dal = _dd(ec["actual"].to_numpy(), self.alloc_date[j])
            worse = (dal >= self.ttp_days[j]) & (rng.random(len(j)) < 0.5)
            e = np.clip(e0 + worse + (rng.random(len(j)) < 0.05), 0, 4)
            self.t.add("RS", USUBJID=ec["USUBJID"].to_numpy(), RSTESTCD="ECOG101",
                       RSTEST="ECOG1-Performance Status", RSCAT="ECOG",
                       RSORRES=e.astype(str).astype(object), RSSTRESC=e.astype(str).astype(object),
                       RSSTRESN=e.astype(float), RSEVAL="INVESTIGATOR",
                       VISITNUM=ec["visitnum"].to_numpy(), VISIT=ec["visit"].to_numpy(),
                       RSDTC=_iso(ec["actual"].to_numpy()))
        # medical history (all screened candidates enrolled)
        g = self.idx
        mh = [("Chronic hepatitis B", "Hepatitis B", self.hbv[g]),
              ("Chronic hepatitis C", "Hepatitis C", self.hcv[g]),
              ("Liver cirrhosis", "Hepatic cirrhosis", self.cirrhosis[g])]
        for term, decod, occ in mh:
            self.t.add("MH", USUBJID=self.usub, MHTERM=term, MHDECOD=decod,
                       MHCAT="HCC AETIOLOGY AND LIVER DISEASE", MHPRESP="Y",
                       MHOCCUR=np.where(occ, "Y", "N"), VISITNUM=100.0,
                       MHDTC=_iso(self.screen_date[g]))

    # ------------------------------------------------------------------ tumour measurements

    def _tumour_records(self) -> None:
        rng = self.rng["tr"]
        n = self.n
        les = self.lesions
        img = self._attended("imaging").copy()
        img["day"] = _dd(img["actual"].to_numpy(), self.alloc_date[img["i"].to_numpy()])
        # baseline: the last imaging at or before allocation; post-baseline after it
        is_base = img["visitnum"] == 100.0
        stop = self._imaging_stop()
        img = img[is_base | ((img["day"] > 0)
                             & (img["day"].to_numpy() <= stop[img["i"].to_numpy()]))]
        # first imaging at or after progression shows it; none after that visit
        prog_visit = (img["day"].to_numpy() >= self.ttp_days[img["i"]]) & ~img["visitnum"].eq(100.0)
        img = img.assign(prog=prog_visit)
        first_pd = img[img["prog"]].groupby("i")["day"].min()
        pd_day = np.full(n, np.inf)
        pd_day[first_pd.index.to_numpy()] = first_pd.to_numpy()
        img = img[img["day"].to_numpy() <= pd_day[img["i"].to_numpy()]]
        self.pd_day = pd_day
        self.img_table = img
        # per-participant response multipliers (anatomic a, viable v)
        a = np.where(self.resp_recist, rng.uniform(0.45, 0.62, n),
                     np.where(self.resp, rng.uniform(0.78, 0.95, n), rng.uniform(0.84, 1.08, n)))
        v = np.where(self.cr, 0.0, np.where(self.resp, rng.uniform(0.25, 0.55, n),
                                             rng.uniform(0.8, 1.05, n)))
        evaluators = [("INVESTIGATOR", None)]
        if self.p.design.central_review:
            evaluators.append(("INDEPENDENT ASSESSOR", "RADIOLOGIST 1"))
        m = les.merge(img[["i", "visitnum", "visit", "actual", "day", "prog"]], on="i")
        base = m["visitnum"].to_numpy() == 100.0
        i = m["i"].to_numpy()
        prog = m["prog"].to_numpy()
        in_growth = prog & ~self.out_of_field[i]
        tgt = (m["role"] == "TARGET").to_numpy()
        d0, v0 = m["d0"].to_numpy(), m["v0"].to_numpy()
        ld = np.where(base, d0, d0 * a[i])
        vd = np.where(base, v0, np.minimum(v0 * v[i], ld))
        ld = np.where(in_growth, ld * 1.5 + 6, ld)
        vd = np.where(in_growth, np.maximum(vd * 1.5 + 6, 0.3 * v0 + 10), vd)
        vd = np.minimum(vd, ld)
        nt_state = np.where(base, "PRESENT", np.where(self.cr[i], "ABSENT", "PRESENT"))
        nt_state = np.where(in_growth & (m["loc"] == "PORTAL VEIN").to_numpy(),
                            "UNEQUIVOCAL PROGRESSION", nt_state)
        for ev, evid in evaluators:
            noise_l = rng.normal(0, 0.7, len(m))
            noise_v = rng.normal(0, 0.7, len(m))
            ldn = np.where(ld > 0, np.maximum(np.round(ld + noise_l, 1), 1.0), 0.0)
            vdn = np.where(vd > 0, np.maximum(np.round(vd + noise_v, 1), 1.0), 0.0)
            vdn = np.minimum(vdn, ldn)
            us = self.usub[i]
            common = dict(TREVAL=ev, TREVALID=evid, TRMETHOD="CT SCAN")
            for testcd, test, vals, mask in (
                    ("LDIAM", "Longest Diameter", ldn, tgt),
                    ("VIABDIAM", "Viable Tumor Longest Diameter", vdn, tgt)):
                txt = np.array([f"{x:g}" for x in vals[mask]], dtype=object)
                self.t.add("TR", USUBJID=us[mask], TRGRPID="TARGET",
                           TRLNKID=m["lnkid"].to_numpy()[mask], TRTESTCD=testcd, TRTEST=test,
                           TRORRES=txt, TRORRESU="mm", TRSTRESC=txt, TRSTRESN=vals[mask],
                           TRSTRESU="mm", TRBLFL=np.where(base[mask], "Y", None),
                           VISITNUM=m["visitnum"].to_numpy()[mask],
                           VISIT=m["visit"].to_numpy()[mask],
                           TRDTC=_iso(m["actual"].to_numpy()[mask]), **common)
            ntm = ~tgt
            self.t.add("TR", USUBJID=us[ntm], TRGRPID="NON-TARGET",
                       TRLNKID=m["lnkid"].to_numpy()[ntm], TRTESTCD="TUMSTATE",
                       TRTEST="Tumor State", TRORRES=nt_state[ntm], TRSTRESC=nt_state[ntm],
                       TRBLFL=np.where(base[ntm], "Y", None),
                       VISITNUM=m["visitnum"].to_numpy()[ntm], VISIT=m["visit"].to_numpy()[ntm],
                       TRDTC=_iso(m["actual"].to_numpy()[ntm]), **common)
            # baseline identification (TU) and its qualifiers
            b = m[base]
            self.t.add("TU", USUBJID=self.usub[b["i"].to_numpy()], TULNKID=b["lnkid"].to_numpy(),
                       TUTESTCD="TUMIDENT", TUTEST="Tumor Identification",
                       TUORRES=b["role"].to_numpy(), TUSTRESC=b["role"].to_numpy(),
                       TULOC=b["loc"].to_numpy(), TUMETHOD="CT SCAN", TUEVAL=ev, TUEVALID=evid,
                       TUBLFL="Y", VISITNUM=b["visitnum"].to_numpy(), VISIT=b["visit"].to_numpy(),
                       TUDTC=_iso(b["actual"].to_numpy()))
            # new lesions at the progression visit (outside the treated area)
            nl = img[img["prog"].to_numpy() & self.out_of_field[img["i"].to_numpy()]]
            if len(nl):
                k = len(nl)
                loc = np.where(rng.random(k) < 0.7, "LIVER", "LUNG")
                size = np.round(rng.uniform(12, 30, k), 1)
                txt = np.array([f"{x:g}" for x in size], dtype=object)
                ui = self.usub[nl["i"].to_numpy()]
                self.t.add("TU", USUBJID=ui, TULNKID="NEW01", TUTESTCD="TUMIDENT",
                           TUTEST="Tumor Identification", TUORRES="NEW", TUSTRESC="NEW",
                           TULOC=loc, TUMETHOD="CT SCAN", TUEVAL=ev, TUEVALID=evid,
                           VISITNUM=nl["visitnum"].to_numpy(), VISIT=nl["visit"].to_numpy(),
                           TUDTC=_iso(nl["actual"].to_numpy()))
                for testcd, test, val in (("TUMSTATE", "Tumor State", None),
                                          ("LDIAM", "Longest Diameter", size),
                                          ("VIABDIAM", "Viable Tumor Longest Diameter", size)):
                    self.t.add("TR", USUBJID=ui, TRGRPID="NEW", TRLNKID="NEW01",
                               TRTESTCD=testcd, TRTEST=test,
                               TRORRES=txt if val is not None else "UNEQUIVOCAL PROGRESSION",
                               TRORRESU="mm" if val is not None else None,
                               TRSTRESC=txt if val is not None else "UNEQUIVOCAL PROGRESSION",
                               TRSTRESN=val if val is not None else np.nan,
                               TRSTRESU="mm" if val is not None else None,
                               VISITNUM=nl["visitnum"].to_numpy(), VISIT=nl["visit"].to_numpy(),
                               TRDTC=_iso(nl["actual"].to_numpy()), **common)

    def _imaging_stop(self) -> np.ndarray:
        """Last day (from allocation) of protocol tumour assessments: surgery or subsequent
        therapy by conversion ends them, except protocol surgery (sirt-haic)."""
        stop = np.full(self.n, np.inf)
        conv = self.surg & ~self.surg_protocol
        stop[conv] = _dd(self.surg_date[conv], self.alloc_date[conv]) - 1
        return stop

    # ------------------------------------------------------------------ adverse events

    def _adverse_events(self) -> None:
        rng, n = self.rng["ae"], self.n
        tx_day = _dd(self.first_tx, self.alloc_date)
        self.ae_truth: dict[str, np.ndarray] = {}
        for k, arm in enumerate(self.arm_ids):
            for ae in self.par.arms[arm].aes:
                inarm = self.arm == k
                occ = inarm & (rng.random(n) < ae.incidence.value)
                onset = rng.integers(ae.onset_days[0], ae.onset_days[1] + 1, n)
                seen = occ & (tx_day + onset <= self.end_days)
                self.ae_truth[f"{arm}:{ae.term}"] = occ
                self._add_ae(seen, onset, ae.term, ae.decod, ae.soc,
                             rng.choice(5, n, p=ae.grade_probs) + 1, ae.related, ae.aesi)
        # REILD: with the bilirubin rise of the lab step
        reild = np.isfinite(self.reild_seen_day)
        seen = np.nan_to_num(self.reild_seen_day, nan=30)
        onset = np.maximum(1, seen - rng.integers(0, 8, n)).astype(np.int64)
        self._add_ae(reild, onset, "Radioembolization-induced liver disease",
                     "Radiation hepatitis", "Hepatobiliary disorders",
                     np.where(rng.random(n) < 0.8, 3, 4), True, True)
        self._add_ae(reild, onset + 3, "Ascites", "Ascites", "Gastrointestinal disorders",
                     np.full(n, 2), True, False)

    def _add_ae(self, mask: np.ndarray, onset: np.ndarray, term: str, decod: str, soc: str,
                grade: np.ndarray, related: bool, aesi: bool) -> None:
        # an event is recorded only when it starts within the participant's follow-up
        mask = mask & (self.first_tx + _days(onset) <= self.end_date)
        if not mask.any():
            return
        rng = self.rng["ae"]
        k = int(mask.sum())
        g = grade[mask]
        start = self.first_tx[mask] + _days(onset[mask])
        end = start + _days(rng.exponential(14, k) + 1)
        ongoing = end > self.end_date[mask]
        ser = np.where(g >= 4, "Y", np.where((g == 3) & (rng.random(k) < 0.5), "Y", "N"))
        rel = np.where(related, rng.choice(["POSSIBLY RELATED", "PROBABLY RELATED", "RELATED"], k),
                       rng.choice(["NOT RELATED", "UNLIKELY RELATED"], k))
        us = self.usub[mask]
        sev = np.array(["MILD", "MODERATE", "SEVERE", "SEVERE", "SEVERE"], dtype=object)[g - 1]
        spid = np.array([f"{term[:12].upper()}-{j}" for j in range(k)], dtype=object)
        self.t.add("AE", USUBJID=us, AESPID=spid, AETERM=term, AEDECOD=decod, AEBODSYS=soc,
                   AESEV=sev, AESER=ser, AEACN="NOT APPLICABLE", AEREL=rel,
                   AEOUT=np.where(ongoing, "NOT RECOVERED/NOT RESOLVED", "RECOVERED/RESOLVED"),
                   AESHOSP=np.where(ser == "Y", "Y", "N"),
                   AETOXGR=g.astype(str).astype(object), EPOCH="TREATMENT",
                   AESTDTC=_iso(start), AEENDTC=_iso(np.where(ongoing, sched.NAT, end)))
        if aesi:
            self._aesi.extend(zip(us, spid, strict=True))

    # ------------------------------------------------------------------ questionnaires

    def _questionnaires(self) -> None:
        rng = self.rng["qs"]
        q = self._attended("qol")
        if not len(q):
            return
        j = q["i"].to_numpy()
        k = len(q)
        z0 = rng.normal(0, 1, self.n)
        dal = _dd(q["actual"].to_numpy(), self.alloc_date[j])
        z = z0[j] + np.where(dal >= self.ttp_days[j], 0.8, 0.0) + rng.normal(0, 0.4, k)
        us, vn, vis = q["USUBJID"].to_numpy(), q["visitnum"].to_numpy(), q["visit"].to_numpy()
        dtc = _iso(q["actual"].to_numpy())
        miss = self.par.conduct.qol_item_missing_fraction.value
        for item, testcd in enumerate((*QLQC30_TESTCD, *HCC18_TESTCD), start=1):
            if item in (29, 30):
                val = np.clip(np.round(5.0 - 0.9 * z + rng.normal(0, 0.7, k)), 1, 7)
            else:
                val = np.clip(np.round(1.7 + 0.6 * z + rng.normal(0, 0.6, k)), 1, 4)
            gone = rng.random(k) < miss
            cat = "EORTC QLQ-C30 V3.0" if item <= 30 else "EORTC QLQ-HCC18"
            txt = np.where(gone, None, val.astype(int).astype(str)).astype(object)
            self.t.add("QS", USUBJID=us, QSTESTCD=testcd,
                       QSTEST=f"{cat.replace(' V3.0', '')} item {item}", QSCAT=cat,
                       QSORRES=txt, QSORRESU=None, QSSTRESC=txt, QSSTRESU=None,
                       QSSTRESN=np.where(gone, np.nan, val),
                       QSSTAT=np.where(gone, "NOT DONE", None),
                       QSREASND=np.where(gone, "ITEM NOT ANSWERED", None),
                       QSBLFL=np.where(vn == 100.0, "Y", None), VISITNUM=vn, VISIT=vis,
                       QSDTC=dtc)

    def _liver_function(self) -> None:
        """XL: hepatobiliary scintigraphy at the visits that schedule it (parameters
        ``liver_function``). Per participant a baseline whole-liver uptake rate and the share
        of it in the liver left untreated; after the first treatment the treated territory and
        the untreated liver change by the cited relative amounts, linearly to day 180, with a
        log-normal measurement error per territory. The whole liver is the sum of the two."""
        lf = self.par.liver_function
        q = self._attended("hepatobiliary_scintigraphy")
        if lf is None or not len(q):
            return
        rng, n = self.rng["xl"], self.n
        total0 = np.clip(rng.normal(lf.total_uptake_mean.value, lf.total_uptake_sd.value, n),
                         0.5, None)
        share = rng.uniform(lf.untreated_share_min.value, lf.untreated_share_max.value, n)
        j = q["i"].to_numpy()
        k = len(q)
        days = _dd(q["actual"].to_numpy(), self.first_tx[j]).astype(float)
        frac = np.clip(np.nan_to_num(days, nan=0.0) / 180.0, 0.0, 1.0)
        sd = lf.measurement_sd.value
        treated = (total0[j] * (1 - share[j]) * (1 + lf.treated_change_180d.value * frac)
                   * np.exp(rng.normal(0, sd, k)))
        untreated = (total0[j] * share[j] * (1 + lf.untreated_change_180d.value * frac)
                     * np.exp(rng.normal(0, sd, k)))
        test, unit = XL_TESTS["HBUPTR"]
        us, vn, vis = q["USUBJID"].to_numpy(), q["visitnum"].to_numpy(), q["visit"].to_numpy()
        dtc = _iso(q["actual"].to_numpy())
        for loc, val in (("WHOLE LIVER", treated + untreated), ("TREATED TERRITORY", treated),
                         ("UNTREATED LIVER", untreated)):
            v = np.round(val, 2)
            txt = np.array([f"{x:g}" for x in v], dtype=object)
            self.t.add("XL", USUBJID=us, XLTESTCD="HBUPTR", XLTEST=test,
                       XLCAT="REGIONAL LIVER FUNCTION", XLORRES=txt, XLORRESU=unit,
                       XLSTRESC=txt, XLSTRESN=v, XLSTRESU=unit, XLLOC=loc,
                       XLMETHOD="HEPATOBILIARY SCINTIGRAPHY WITH SPECT-CT",
                       XLBLFL=np.where(vn == 100.0, "Y", None), VISITNUM=vn, VISIT=vis,
                       XLDTC=dtc)

    # ------------------------------------------------------------------ surgery, subsequent

    def _surgery_and_subsequent(self) -> None:
        rng, n = self.rng["sub"], self.n
        s = self.surg
        if s.any():
            us = self.usub[s]
            prot = self.surg_protocol[s]
            self.t.add("PR", USUBJID=us, PRSPID="SURG1", PRTRT="HEPATECTOMY",
                       PRDECOD="Hepatectomy",
                       PRCAT=np.where(prot, "PROTOCOL SURGERY", SUBSEQUENT_CAT),
                       PRINDC="HEPATOCELLULAR CARCINOMA", PRLOC="LIVER",
                       PRSTDTC=_iso(self.surg_date[s]), PRENDTC=_iso(self.surg_date[s]))
            self._subseq_reason.extend((u, "SURG1", "CURATIVE CONVERSION")
                                       for u in us[~prot])
            resp = self.resp[s]
            mean = np.where(resp, self._arm_value(lambda a: a.surgery.necrosis_responder_mean.value
                                                  if a.surgery else 0)[s],
                            self._arm_value(lambda a: a.surgery.necrosis_nonresponder_mean.value
                                            if a.surgery else 0)[s])
            sd = self._arm_value(lambda a: a.surgery.necrosis_sd if a.surgery else 1)[s]
            nec = np.round(np.clip(rng.normal(mean, sd), 0, 100))
            txt = np.array([f"{x:g}" for x in nec], dtype=object)
            self.necrosis = np.full(n, np.nan)
            self.necrosis[s] = nec
            self.t.add("MI", USUBJID=us, MILNKID="T01", MITESTCD="NECROPCT",
                       MITEST=MI_TESTS["NECROPCT"][0], MIORRES=txt, MIORRESU="%",
                       MISTRESC=txt, MISTRESN=nec, MISTRESU="%", MISPEC="LIVER TUMOR TISSUE",
                       MIMETHOD="HISTOPATHOLOGY", VISITNUM=np.nan,
                       MIDTC=_iso(np.minimum(self.surg_date[s] + np.timedelta64(7, "D"),
                                             self.end_date[s])))
        else:
            self.necrosis = np.full(n, np.nan)
        # subsequent therapy after observed progression
        p = self._arm_value(lambda a: a.subsequent_after_pd.value)
        seen = np.isfinite(self.pd_day)
        start_day = self.pd_day + rng.integers(7, 60, n)
        do = seen & (rng.random(n) < p) & (start_day < self.end_days)
        self.subseq = do
        self.subseq_day = np.where(do, start_day, np.nan)
        date = self.alloc_date + _days(np.where(do, start_day, 0))
        systemic = rng.random(n) < 0.6
        cm = do & systemic
        if cm.any():
            agents = rng.choice(["SORAFENIB", "LENVATINIB", "ATEZOLIZUMAB/BEVACIZUMAB",
                                 "REGORAFENIB"], int(cm.sum()))
            spid = np.array([f"SUB{j}" for j in range(int(cm.sum()))], dtype=object)
            self.t.add("CM", USUBJID=self.usub[cm], CMSPID=spid, CMTRT=agents, CMCAT=SUBSEQUENT_CAT,
                       CMINDC="HEPATOCELLULAR CARCINOMA", CMSTDTC=_iso(date[cm]))
            self._subseq_cm.extend(zip(self.usub[cm], spid, strict=True))
        pr = do & ~systemic
        if pr.any():
            trt = rng.choice(["TRANSARTERIAL CHEMOEMBOLIZATION", "RADIOFREQUENCY ABLATION",
                              "STEREOTACTIC BODY RADIATION THERAPY"], int(pr.sum()))
            spid = np.array([f"SUB{j}" for j in range(int(pr.sum()))], dtype=object)
            self.t.add("PR", USUBJID=self.usub[pr], PRSPID=spid, PRTRT=trt, PRCAT=SUBSEQUENT_CAT,
                       PRINDC="HEPATOCELLULAR CARCINOMA", PRLOC="LIVER", PRSTDTC=_iso(date[pr]))
            self._subseq_reason.extend((u, sp, "PROGRESSIVE DISEASE")
                                       for u, sp in zip(self.usub[pr], spid, strict=True))

    # ------------------------------------------------------------------ disposition, DM

    def _disposition(self) -> None:
        m, idx = self.m, self.idx
        fail = ~self.eligible
        # DS: consent for every candidate
        self.t.add("DS", USUBJID=self.usubjid, DSTERM="INFORMED CONSENT OBTAINED",
                   DSDECOD="INFORMED CONSENT OBTAINED", DSCAT="PROTOCOL MILESTONE",
                   EPOCH="SCREENING", DSSTDTC=_iso(self.screen_date))
        if fail.any():
            self.t.add("DS", USUBJID=self.usubjid[fail], DSTERM="SCREEN FAILURE",
                       DSDECOD="SCREEN FAILURE", DSCAT="DISPOSITION EVENT", EPOCH="SCREENING",
                       DSSTDTC=_iso(self.fail_date[fail]))
        milestone = "RANDOMIZED" if self.p.design.type is DesignType.RANDOMIZED else "ENROLLED"
        self.t.add("DS", USUBJID=self.usub, DSTERM=milestone, DSDECOD=milestone,
                   DSCAT="PROTOCOL MILESTONE", EPOCH="SCREENING", DSSTDTC=_iso(self.alloc_date))
        term = {"DEATH": ("DEATH", "DEATH"), "WITHDRAWAL": ("WITHDRAWAL OF CONSENT",
                                                            "WITHDRAWAL BY SUBJECT"),
                "LOST": ("LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP"),
                "COMPLETED": ("STUDY COMPLETED", "COMPLETED")}
        self.t.add("DS", USUBJID=self.usub,
                   DSTERM=np.array([term[r][0] for r in self.end_reason], dtype=object),
                   DSDECOD=np.array([term[r][1] for r in self.end_reason], dtype=object),
                   DSCAT="DISPOSITION EVENT", EPOCH="FOLLOW-UP", DSSTDTC=_iso(self.end_date))
        # DM
        arms = {a.id: a for a in self.p.arms}
        armcd = np.full(m, None, dtype=object)
        armnm = np.full(m, None, dtype=object)
        armcd[idx] = [self.arm_ids[a].upper() for a in self.arm]
        armnm[idx] = [arms[self.arm_ids[a]].name for a in self.arm]
        def full(vals: np.ndarray) -> np.ndarray:
            out = np.full(m, sched.NAT)
            out[idx] = vals
            return out
        treated = self.treated
        rfx_s = full(np.where(treated, self.first_tx, sched.NAT))
        rfx_e = full(np.where(treated, self.last_tx, sched.NAT))
        actcd, actnm = armcd.copy(), armnm.copy()
        nt = np.zeros(m, dtype=bool)
        nt[idx] = ~treated
        actcd[nt] = None
        actnm[nt] = None
        armnrs = np.where(fail, "SCREEN FAILURE", np.where(nt, "ASSIGNED, NOT TREATED", None))
        end = full(self.end_date)
        end[fail] = self.fail_date[fail]
        dth = full(np.where(self.death, self.end_date, sched.NAT))
        self.t.add(
            "DM", USUBJID=self.usubjid, SUBJID=self.subjid, RFSTDTC=_iso(rfx_s),
            RFENDTC=_iso(end), RFXSTDTC=_iso(rfx_s), RFXENDTC=_iso(rfx_e),
            RFICDTC=_iso(self.screen_date), RFPENDTC=_iso(end), DTHDTC=_iso(dth),
            DTHFL=np.where(np.isnat(dth), None, "Y"), SITEID=self.siteid,
            AGE=self.age, AGEU="YEARS", SEX=np.where(self.male, "M", "F"),
            RACE=self.par.demographics.race, ARMCD=armcd, ARM=armnm, ACTARMCD=actcd, ACTARM=actnm,
            ARMNRS=armnrs, ACTARMUD=None,
            COUNTRY=self.par.demographics.country, DMDTC=_iso(self.screen_date))
        # supplemental qualifiers
        self._supp()

    def _supp(self) -> None:
        # TU qualifiers: inside treated area and Couinaud segment (baseline lesions)
        tables = self.t.build(self.studyid, ("TU", "AE", "PR", "CM"))
        tu = tables.get("TU")
        if tu is not None:
            key = self.lesions.assign(USUBJID=self.usub[self.lesions["i"].to_numpy()])
            tu2 = tu.merge(key[["USUBJID", "lnkid", "infield", "seg"]],
                           left_on=["USUBJID", "TULNKID"], right_on=["USUBJID", "lnkid"],
                           how="left")
            new = tu2["TUSTRESC"] == "NEW"
            has_local = dict(zip(self.usub, self._has(
                (*Y90_KINDS, InterventionKind.SBRT, InterventionKind.RADIOTHERAPY)), strict=True))
            loc_ok = tu2["USUBJID"].map(has_local).to_numpy(dtype=bool)
            infield = np.where(new, np.where(loc_ok, "N", None),
                               tu2["infield"].astype(object))
            lab = SUPP_QUALIFIERS["TU"]
            ok = pd.notna(infield)
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok], QNAM="INFIELD",
                       QLABEL=lab["INFIELD"][0], QVAL=infield[ok], QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
            seg = tu2["seg"].to_numpy()
            ok = (tu2["TULOC"] == "LIVER").to_numpy() & ~new.to_numpy() & (seg > 0)
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok],
                       QNAM="COUINAUD",
                       QLABEL=lab["COUINAUD"][0],
                       QVAL=np.array([str(int(x)) for x in seg[ok]], dtype=object), QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
            ok = (tu2["TULOC"] == "PORTAL VEIN").to_numpy()
            self.t.add("SUPPTU", USUBJID=tu2["USUBJID"].to_numpy()[ok], IDVAR="TUSEQ",
                       IDVARVAL=tu2["TUSEQ"].astype(int).astype(str).to_numpy()[ok], QNAM="MPVT",
                       QLABEL=lab["MPVT"][0], QVAL="Y", QORIG="CRF",
                       QEVAL=tu2["TUEVAL"].to_numpy()[ok])
        for code, pairs, qnam, qlab in (
                ("AE", [(u, s, "Y") for u, s in self._aesi], "AESI",
                 SUPP_QUALIFIERS["AE"]["AESI"][0]),
                ("PR", self._subseq_reason, "SUBTXRSN", SUPP_QUALIFIERS["PR"]["SUBTXRSN"][0]),
                ("CM", [(u, s, "PROGRESSIVE DISEASE") for u, s in self._subseq_cm], "SUBTXRSN",
                 SUPP_QUALIFIERS["CM"]["SUBTXRSN"][0])):
            if not pairs or code not in tables:
                continue
            parent = tables[code]
            spid = dict(zip(zip(parent["USUBJID"], parent[f"{code}SPID"], strict=True),
                            parent[f"{code}SEQ"], strict=True))
            us = np.array([u for u, _, _ in pairs], dtype=object)
            seq = np.array([str(int(spid[(u, s)])) for u, s, _ in pairs], dtype=object)
            self.t.add(f"SUPP{code}", USUBJID=us, IDVAR=f"{code}SEQ", IDVARVAL=seq, QNAM=qnam,
                       QLABEL=qlab, QVAL=np.array([v for _, _, v in pairs], dtype=object),
                       QORIG="CRF", QEVAL=None)

    # ------------------------------------------------------------------ truth

    def _truth(self) -> pd.DataFrame:
        return pd.DataFrame({
            "USUBJID": self.usub, "ARM": [self.arm_ids[a] for a in self.arm],
            "alloc_date": self.alloc_date, "first_tx": self.first_tx, "last_tx": self.last_tx,
            "os_days": self.os_days, "ttp_days": self.ttp_days, "pfs_days": self.pfs_days,
            "withdrawal_days": self.wd_days, "lost_days": self.lost_days,
            "end_days": self.end_days, "end_reason": self.end_reason, "end_date": self.end_date,
            "first_imaging_days": self.first_img_days, "p_response": self.p_response,
            "responder_mrecist": self.resp, "cr_mrecist": self.cr,
            "responder_recist": self.resp_recist, "tumour_dose_gy": self.dose_achieved,
            "pd_visit_day": self.pd_day, "out_of_field_progression": self.out_of_field,
            "surgery": self.surg, "surgery_date": self.surg_date, "necrosis_pct": self.necrosis,
            "subsequent": self.subseq, "subsequent_day": self.subseq_day, "reild": self.reild,
            "reild_seen_day": self.reild_seen_day,
            "bsa_m2": self.bsa, "pvtt": self.pvtt, "extrahepatic": self.extra,
            "treated": self.treated,
        })
