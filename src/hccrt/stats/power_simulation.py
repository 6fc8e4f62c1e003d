"""Power of a two-arm survival comparison by simulation, with a batched NumPy log-rank test.

Each simulated trial: uniform accrual over ``accrual`` months, exponential survival (control
hazard ln 2 / median_control, experimental hazard HR times that), optional exponential
drop-out, and optionally a binary prognostic factor whose prevalence differs by arm (a
non-randomized comparison such as sirt-haic; its hazard ratio multiplies the hazard). The
analysis is either at a fixed calendar time (accrual + follow-up) or event-driven, at the
calendar time of the D-th event (participants entering after it contribute nothing: they are
kept with time 0 and no event, which leaves the log-rank statistic unchanged).

The test is the Mantel-Haenszel log-rank test (Mantel 1966; Peto & Peto 1972), as R
``survival::survdiff`` (rho = 0) and lifelines ``logrank_test``: at each distinct event time
with N at risk (N1 experimental), d events (d1 experimental),
U = sum(d1 - d N1 / N), V = sum(d (N1/N) (1 - N1/N) (N - d) / (N - 1)) (hypergeometric variance
with the ties correction), chi2 = U^2 / V on 1 df. ``batched_logrank`` computes it for a whole
batch of trials at once (one row-wise argsort, cumulative sums, tie groups found by comparing
neighbours), so 10,000 trials take well under a second; ties are handled exactly.

Empirical power is reported with its Monte Carlo standard error next to the Schoenfeld (1983)
and Freedman (1982) analytical power at the same number of events and allocation ratio (see
:mod:`hccrt.stats.design`). For 2:1 allocation they disagree; the simulation says which to
trust (survival.md section 5.3: Schoenfeld conservative, Freedman optimistic).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from scipy.stats import chi2 as chi2_dist

from hccrt.errors import InputError
from hccrt.stats import design

CHUNK = 2000  # trials per log-rank batch (bounds memory: ~20 arrays of CHUNK x n floats)


@dataclass(frozen=True, slots=True)
class SurvivalScenario:
    """One design to simulate. Times are in months; the experimental arm is group 1."""

    name: str
    endpoint: str
    randomized: bool
    n_experimental: int
    n_control: int
    median_control: float
    hazard_ratio: float
    accrual: float
    follow_up: float  # after the last entry; calendar analysis at accrual + follow_up
    dropout_hazard: float = 0.0  # per month, both arms
    events: int | None = None  # event-driven analysis at this many events (None: calendar)
    confounder_prevalence: tuple[float, float] | None = None  # (experimental, control)
    confounder_hazard_ratio: float = 1.0
    source: str = ""

    @property
    def n(self) -> int:
        return self.n_experimental + self.n_control

    @property
    def allocation_ratio(self) -> float:
        return self.n_experimental / self.n_control

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SCENARIOS: dict[str, SurvivalScenario] = {
    "sbrt-bclcc": SurvivalScenario(
        name="sbrt-bclcc",
        endpoint="overall survival",
        randomized=True,
        n_experimental=123,
        n_control=61,
        median_control=12.0,
        hazard_ratio=0.67,
        accrual=24.0,
        follow_up=24.0,
        source=(
            "Registry (seed 004): 184 participants randomized 2:1, 24 months accrual + 24 "
            "months follow-up. Control median OS 12 months and HR 0.67 are assumptions (the "
            "registry states none), as in survival.md section 3.1."
        ),
    ),
    "sirt-haic": SurvivalScenario(
        name="sirt-haic",
        endpoint="progression-free survival",
        randomized=False,
        n_experimental=143,
        n_control=143,
        median_control=12.0,
        hazard_ratio=0.70,
        accrual=24.0,
        follow_up=24.0,
        source=(
            "Registry (seed 002): 286 participants, two arms, non-randomized. The 1:1 split, "
            "HAIC median PFS 12 months, HR 0.70 and 24 + 24 months are assumptions (the "
            "registry states none). Being non-randomized, arm imbalance in a prognostic "
            "factor can be simulated with confounder_prevalence / confounder_hazard_ratio."
        ),
    ),
}


def scenario(name: str, **changes: Any) -> SurvivalScenario:
    """A named scenario (``sbrt-bclcc`` or ``sirt-haic``), optionally with fields changed."""
    if name not in SCENARIOS:
        raise InputError("scenario", name, " | ".join(SCENARIOS))
    return check_scenario(replace(SCENARIOS[name], **changes)) if changes else SCENARIOS[name]


def check_seed(seed: Any) -> int:
    """A reproducible seed: a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", seed, "a non-negative integer")
    return int(seed)


def _check_int(value: Any, field: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(field, value, f"an integer >= {low}")
    return int(value)


def check_scenario(s: SurvivalScenario) -> SurvivalScenario:
    """Validate a scenario; raise InputError naming the first bad field."""
    _check_int(s.n_experimental, "n_experimental", 1)
    _check_int(s.n_control, "n_control", 1)
    design.check_positive(s.median_control, "median_control")
    design.check_positive(s.hazard_ratio, "hazard_ratio")  # 1 allowed: type I error by simulation
    design.check_positive(s.accrual, "accrual")
    design.check_positive(s.follow_up, "follow_up", allow_zero=True)
    design.check_positive(s.dropout_hazard, "dropout_hazard", allow_zero=True)
    if s.events is not None:
        _check_int(s.events, "events", 1)
        if s.events > s.n:
            raise InputError("events", s.events, f"at most the number of participants ({s.n})")
    if s.confounder_prevalence is not None:
        if len(s.confounder_prevalence) != 2:
            raise InputError(
                "confounder_prevalence", s.confounder_prevalence, "(experimental, control)"
            )
        for p in s.confounder_prevalence:
            if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
                raise InputError("confounder_prevalence", p, "proportions from 0 to 1")
    design.check_positive(s.confounder_hazard_ratio, "confounder_hazard_ratio")
    return s


# ------------------------------------------------------------------------------ simulation


@dataclass(frozen=True, slots=True)
class SimulatedTrials:
    """A batch of simulated trials as (trials x participants) arrays."""

    time: np.ndarray  # float64, months from entry to event or censoring
    event: np.ndarray  # bool
    group: np.ndarray  # int8, 1 = experimental
    analysis_time: np.ndarray  # calendar time of each trial's analysis


def simulate_trials(s: SurvivalScenario, n_sims: int, seed: int) -> SimulatedTrials:
    """Simulate ``n_sims`` trials of scenario ``s`` from ``seed`` (reproducible)."""
    check_scenario(s)
    n_sims = _check_int(n_sims, "n_sims", 1)
    rng = np.random.default_rng(check_seed(seed))
    n = s.n
    group = np.zeros(n, dtype=np.int8)
    group[: s.n_experimental] = 1
    groups = np.broadcast_to(group, (n_sims, n))
    lam = np.where(group == 1, s.hazard_ratio, 1.0) * math.log(2.0) / s.median_control
    entry = rng.uniform(0.0, s.accrual, size=(n_sims, n))
    hazard = np.broadcast_to(lam, (n_sims, n))
    if s.confounder_prevalence is not None:
        prev = np.where(group == 1, s.confounder_prevalence[0], s.confounder_prevalence[1])
        x = rng.random((n_sims, n)) < prev
        hazard = hazard * np.where(x, s.confounder_hazard_ratio, 1.0)
    t_event = rng.exponential(1.0, size=(n_sims, n)) / hazard
    if s.dropout_hazard > 0:
        t_drop = rng.exponential(1.0 / s.dropout_hazard, size=(n_sims, n))
    else:
        t_drop = np.full((n_sims, n), np.inf)
    # calendar time of each observed event (events before drop-out only)
    cal = np.where(t_event <= t_drop, entry + t_event, np.inf)
    if s.events is None:
        cut = np.full(n_sims, s.accrual + s.follow_up)
    else:
        cut = np.partition(cal, s.events - 1, axis=1)[:, s.events - 1]
        fewer = ~np.isfinite(cut)  # fewer than D events ever: analyse when all are in
        if fewer.any():
            cut[fewer] = np.max(np.where(np.isfinite(cal[fewer]), cal[fewer], 0.0), axis=1)
    event = cal <= cut[:, None]  # the same floats that define the cut: exactly D events
    censor = np.minimum(t_drop, np.maximum(cut[:, None] - entry, 0.0))  # 0: not yet enrolled
    time = np.where(event, t_event, censor)
    return SimulatedTrials(time=time, event=event, group=np.asarray(groups), analysis_time=cut)


# ---------------------------------------------------------------------- batched log-rank


@dataclass(frozen=True, slots=True)
class BatchedLogrank:
    """Log-rank results per trial (experimental = group 1)."""

    chi2: np.ndarray
    observed_minus_expected: np.ndarray  # U = O1 - E1 (negative: fewer experimental events)
    variance: np.ndarray
    events: np.ndarray  # total events per trial


def _batch(time: np.ndarray, event: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, ...]:
    n = time.shape[1]
    order = np.argsort(time, axis=1, kind="stable")
    t = np.take_along_axis(time, order, 1)
    e = np.take_along_axis(event, order, 1).astype(np.float64)
    g = np.take_along_axis(group, order, 1).astype(np.float64)
    pos = np.arange(n)
    same_prev = np.zeros_like(t, dtype=bool)
    same_prev[:, 1:] = t[:, 1:] == t[:, :-1]
    # first position of each tie group, and whether a position closes its tie group
    start = np.maximum.accumulate(np.where(same_prev, 0, pos), axis=1)
    last = np.ones_like(same_prev)
    last[:, :-1] = ~same_prev[:, 1:]
    n_risk = (n - start).astype(np.float64)
    g_at_or_after = np.cumsum(g[:, ::-1], axis=1)[:, ::-1]
    n1_risk = np.take_along_axis(g_at_or_after, start, 1)
    ce = np.cumsum(e, axis=1)
    ce1 = np.cumsum(e * g, axis=1)
    d = ce - np.take_along_axis(ce - e, start, 1)  # events in the tie group so far
    d1 = ce1 - np.take_along_axis(ce1 - e * g, start, 1)
    w = last & (d > 0)
    p = n1_risk / n_risk
    u = np.where(w, d1 - d * p, 0.0).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ties = np.where(n_risk > 1, (n_risk - d) / (n_risk - 1), 1.0)
    v = np.where(w, d * p * (1.0 - p) * ties, 0.0).sum(1)
    return u, v, ce[:, -1]


def batched_logrank(
    time: np.ndarray, event: np.ndarray, group: np.ndarray, chunk: int = CHUNK
) -> BatchedLogrank:
    """Log-rank chi-square for every row of (trials x participants) arrays at once.

    ``group`` is 1 for the experimental arm and 0 for control (one row, or one per trial).
    Rows without information (V = 0) get chi2 NaN.
    """
    time = np.asarray(time, dtype=np.float64)
    if time.ndim != 2:
        raise InputError("time", f"array of shape {time.shape}", "a (trials x participants) array")
    event = np.broadcast_to(np.asarray(event), time.shape)
    group = np.broadcast_to(np.asarray(group), time.shape)
    if not np.isin(group, (0, 1)).all():
        raise InputError("group", np.unique(group)[:5].tolist(), "0 (control) or 1 (experimental)")
    if not np.isin(event, (0, 1)).all():
        raise InputError("event", np.unique(event)[:5].tolist(), "0/1 or booleans")
    if (~np.isfinite(time) | (time < 0)).any():
        raise InputError("time", "a negative or non-finite value", "finite numbers >= 0")
    chunk = _check_int(chunk, "chunk", 1)
    parts = [
        _batch(time[i : i + chunk], event[i : i + chunk], group[i : i + chunk])
        for i in range(0, time.shape[0], chunk)
    ]
    u = np.concatenate([p[0] for p in parts])
    v = np.concatenate([p[1] for p in parts])
    events = np.concatenate([p[2] for p in parts])
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(v > 0, u * u / v, np.nan)
    return BatchedLogrank(chi2=chi2, observed_minus_expected=u, variance=v, events=events)


# ---------------------------------------------------------------------- power by simulation


@dataclass(frozen=True, slots=True)
class PowerSimulationResult:
    """Empirical power of the log-rank test next to the analytical formulas."""

    scenario: SurvivalScenario
    n_sims: int
    seed: int
    alpha: float
    empirical_power: float  # share of trials with chi2 above the critical value (two-sided)
    monte_carlo_se: float
    power_favouring_experimental: float  # rejections with U < 0 when HR < 1 (U > 0 if HR > 1)
    mean_events: float
    sd_events: float
    # analytical power at the mean number of events and the allocation ratio, and events for
    # 80 % power by each formula (None when HR = 1: nothing to detect)
    schoenfeld_power: float | None
    freedman_power: float | None
    schoenfeld_events_80: int | None
    freedman_events_80: int | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["scenario"] = self.scenario.as_dict()
        return out


def power_by_simulation(
    s: SurvivalScenario, n_sims: int = 10_000, seed: int = 20260101, alpha: float = 0.05
) -> PowerSimulationResult:
    """Simulate ``n_sims`` trials of ``s`` and test each with the log-rank test (two-sided)."""
    alpha = design.check_probability(alpha, "alpha")
    seed = check_seed(seed)
    sims = simulate_trials(s, n_sims, seed)
    lr = batched_logrank(sims.time, sims.event, sims.group)
    crit = float(chi2_dist.ppf(1.0 - alpha, 1))
    reject = np.nan_to_num(lr.chi2, nan=0.0) > crit
    favour = reject & ((lr.observed_minus_expected < 0) == (s.hazard_ratio < 1))
    power = float(reject.mean())
    k = s.allocation_ratio
    hr = s.hazard_ratio
    mean_events = float(lr.events.mean())
    formulas: dict[str, Any] = dict.fromkeys(
        ("schoenfeld_power", "freedman_power", "schoenfeld_events_80", "freedman_events_80")
    )
    if hr != 1.0:
        for m in ("schoenfeld", "freedman"):
            formulas[f"{m}_power"] = design.logrank_power(mean_events, hr, alpha, k, m)
            formulas[f"{m}_events_80"] = design.logrank_events(hr, alpha, 0.8, k, m).events
    return PowerSimulationResult(
        scenario=s,
        n_sims=n_sims,
        seed=seed,
        alpha=alpha,
        empirical_power=power,
        monte_carlo_se=math.sqrt(power * (1.0 - power) / n_sims),
        power_favouring_experimental=float(favour.mean()),
        mean_events=mean_events,
        sd_events=float(lr.events.std(ddof=1)) if n_sims > 1 else 0.0,
        **formulas,
    )
