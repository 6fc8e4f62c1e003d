"""Sample size and power for the reference trials: exact binomial and Simon two-stage designs,
events for a log-rank comparison with k:1 allocation, and patients from accrual and follow-up.

Methods (each the published one; the variant chosen is named where there is a choice):

* **Exact single-stage binomial design** (A'Hern 2001, Stat Med 20:859-866; Fleming 1982):
  reject H0: p <= p0 when X > r responses out of n. The design is the smallest n <= ``nmax``
  for which some r has P(X > r | p0) <= alpha and P(X > r | p1) >= 1 - beta; for that n, r is
  the smallest such r (largest power). Because the binomial is discrete, a feasible n can be
  followed by an infeasible n + 1; ``stable_n`` reports the smallest n from which every larger
  n up to ``nmax`` is also feasible (Chernick & Liu 2002, Am Stat 56:149-155).
* **Simon two-stage designs** (Simon 1989, Control Clin Trials 10:1-10), by exact
  enumeration with the criteria of R ``clinfun::ph2simon`` (Fortran ``f2bdry``): stop after
  stage 1 if X1 <= r1; declare the treatment promising if X1 + X2 > r. For every n <= nmax,
  n1 < n and r1 in 0..n1-1, r is the largest value in r1..r1+n2 whose power exceeds 1 - beta
  (Simon's search: "the maximum value of r that satisfied the type 2 error constraint"), and
  the design is kept if its type I error is below alpha (strict inequalities, as clinfun).
  Optimal = minimum EN(p0); minimax = minimum n, then minimum EN(p0) (as clinfun and Simon;
  unlike PhIIdesign, no tolerance above alpha). Ties in EN are broken as clinfun's loop order
  (smaller n, then smaller n1, then larger r1).
* **Events for the log-rank test, allocation k:1 (experimental:control)**:
  Schoenfeld (1983, Biometrics 39:499-503): D = (z_{1-a} + z_{1-b})^2 (1 + k)^2 / (k ln(HR)^2);
  Freedman (1982, Stat Med 1:121-129): D = (z_{1-a} + z_{1-b})^2 (1 + k HR)^2 / (k (1 - HR)^2),
  the form lifelines' ``sample_size_necessary_under_cph`` implements. z_{1-a} uses alpha/2
  for a two-sided test. Both are rounded up to whole events; the unrounded value is kept.
* **Patients from accrual and follow-up** (Lachin & Foulkes 1986, Biometrics 42:507-519,
  exponential survival, uniform accrual over A, analysis at A + F, optional exponential
  drop-out with hazard eta): P(event | lambda) = lambda / (lambda + eta) *
  (1 - (exp(-(lambda+eta) F) - exp(-(lambda+eta) (A + F))) / ((lambda+eta) A)); the overall
  probability is the k:1-weighted mean over the arms and N = D / P(event). The
  ``"simpson"`` variant uses Schoenfeld (1983)'s Simpson-rule approximation
  1 - (S(F) + 4 S(F + A/2) + S(A + F)) / 6 instead of the exact integral (as Collett, Modelling
  Survival Data in Medical Research, ch. 10, and Stata ``power logrank, simpson()``).

Everything here is pure and deterministic; bad input raises :class:`hccrt.errors.InputError`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy.stats import binom, norm

from hccrt.errors import InputError

Method = Literal["schoenfeld", "freedman"]
EventProbability = Literal["exact", "simpson"]

NMAX_LIMIT = 1000


# --------------------------------------------------------------------------- input checks


def check_probability(value: Any, field: str, *, open_interval: bool = True) -> float:
    """A number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(field, value, "a number strictly between 0 and 1")
    v = float(value)
    if not (math.isfinite(v) and 0.0 < v < 1.0):
        raise InputError(field, value, "a number strictly between 0 and 1")
    return v


def check_positive(value: Any, field: str, *, allow_zero: bool = False) -> float:
    """A finite number > 0 (or >= 0)."""
    allowed = "a finite number >= 0" if allow_zero else "a finite number > 0"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(field, value, allowed)
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InputError(field, value, allowed)
    return v


def check_int_in(value: Any, field: str, low: int, high: int) -> int:
    """An integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(field, value, f"an integer from {low} to {high}")
    v = int(value)
    if not low <= v <= high:
        raise InputError(field, value, f"an integer from {low} to {high}")
    return v


def check_rates(p0: Any, p1: Any) -> tuple[float, float]:
    """Response rates under H0 and H1, with p0 < p1."""
    a = check_probability(p0, "p0")
    b = check_probability(p1, "p1")
    if b <= a:
        raise InputError("p1", p1, f"a response rate greater than p0 ({a})")
    return a, b


def check_hazard_ratio(hr: Any) -> float:
    """Hazard ratio experimental/control: > 0 and != 1."""
    v = check_positive(hr, "hazard_ratio")
    if v == 1.0:
        raise InputError("hazard_ratio", hr, "a number > 0 other than 1 (no difference to detect)")
    return v


def check_ratio(k: Any) -> float:
    """Allocation ratio experimental:control, k > 0."""
    return check_positive(k, "allocation_ratio")


def z_alpha(alpha: float, sides: int) -> float:
    """Normal quantile for the significance level (alpha / 2 when two-sided)."""
    if sides not in (1, 2):
        raise InputError("sides", sides, "1 or 2")
    return float(norm.ppf(1.0 - alpha / sides))


# --------------------------------------------------------------------- single-stage binomial


@dataclass(frozen=True, slots=True)
class BinomialDesign:
    """Exact single-stage design: reject H0 (treatment promising) when responses > r of n."""

    p0: float
    p1: float
    alpha: float
    beta: float
    n: int
    r: int
    actual_alpha: float
    actual_power: float
    stable_n: int | None  # smallest n from which every n' <= nmax is feasible (None: none)
    method: str = "exact binomial, reject if X > r (A'Hern 2001)"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _single_stage_table(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For n = 1..nmax: feasible?, r (smallest with alpha ok), alpha, power at that r."""
    ns = np.arange(1, nmax + 1)
    rs = np.arange(0, nmax + 1)
    # sf(r) = P(X > r); rows n, columns r; r >= n gives 0
    a = binom.sf(rs[None, :], ns[:, None], p0)
    w = binom.sf(rs[None, :], ns[:, None], p1)
    ok_alpha = a <= alpha
    ok_alpha[:, -1] = True  # r = nmax >= n is always "ok" (never reject)
    r = ok_alpha.argmax(axis=1)  # smallest r with type I error <= alpha
    idx = np.arange(nmax)
    power = w[idx, r]
    feasible = (power >= 1.0 - beta) & (r < ns)
    return feasible, r, a[idx, r], power


def binomial_design(
    p0: float, p1: float, alpha: float = 0.05, beta: float = 0.2, nmax: int = 500
) -> BinomialDesign:
    """Smallest exact single-stage design testing H0: p <= p0 against p = p1 (one-sided)."""
    p0, p1 = check_rates(p0, p1)
    alpha = check_probability(alpha, "alpha")
    beta = check_probability(beta, "beta")
    nmax = check_int_in(nmax, "nmax", 1, 5000)
    feasible, r, a, power = _single_stage_table(p0, p1, alpha, beta, nmax)
    if not feasible.any():
        raise InputError("nmax", nmax, "a larger maximum sample size", "no feasible design")
    i = int(feasible.argmax())
    bad = np.flatnonzero(~feasible)
    stable = int(bad[-1] + 2) if bad.size else 1
    return BinomialDesign(
        p0=p0,
        p1=p1,
        alpha=alpha,
        beta=beta,
        n=i + 1,
        r=int(r[i]),
        actual_alpha=float(a[i]),
        actual_power=float(power[i]),
        stable_n=stable if stable <= nmax else None,
    )


# --------------------------------------------------------------------------- Simon two-stage


@dataclass(frozen=True, slots=True)
class SimonDesign:
    """A Simon two-stage design: stop if X1 <= r1 of n1; promising if X1 + X2 > r of n."""

    kind: str  # "optimal" or "minimax"
    p0: float
    p1: float
    alpha: float
    beta: float
    r1: int
    n1: int
    r: int
    n: int
    en_p0: float  # expected sample size under p0
    pet_p0: float  # probability of early termination under p0
    actual_alpha: float
    actual_power: float
    en_p1: float
    pet_p1: float
    method: str = "Simon (1989) by exact enumeration, clinfun::ph2simon criteria"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SimonResult:
    """Optimal and minimax designs, and the best design for each feasible n (clinfun's out)."""

    optimal: SimonDesign
    minimax: SimonDesign
    best_by_n: tuple[tuple[int, int, int, int, float, float], ...]  # (r1, n1, r, n, EN, PET)

    def as_dict(self) -> dict[str, Any]:
        return {
            "optimal": self.optimal.as_dict(),
            "minimax": self.minimax.as_dict(),
            "best_by_n": [list(row) for row in self.best_by_n],
        }


def two_stage_characteristics(
    r1: int, n1: int, r: int, n: int, p: float
) -> tuple[float, float, float]:
    """P(declare promising), PET and EN of a two-stage design at response rate p (exact)."""
    n2 = n - n1
    x1 = np.arange(r1 + 1, n1 + 1)
    reject = float(np.sum(binom.pmf(x1, n1, p) * binom.sf(r - x1, n2, p)))
    pet = float(binom.cdf(r1, n1, p))
    return reject, pet, n1 + (1.0 - pet) * n2


def simon_two_stage(
    p0: float, p1: float, alpha: float = 0.05, beta: float = 0.2, nmax: int = 100
) -> SimonResult:
    """Simon's optimal and minimax two-stage designs by exact enumeration (see module doc).

    The enumeration is vectorised over n2, r1 and r for each n1 (cumulative binomial tables),
    so nmax = 100 takes well under a second.
    """
    p0, p1 = check_rates(p0, p1)
    alpha = check_probability(alpha, "alpha")
    beta = check_probability(beta, "beta")
    nmax = check_int_in(nmax, "nmax", 2, NMAX_LIMIT)

    # sf[n2, m + OFF] = P(Bin(n2, p) > m) for m in -nmax..nmax (1 for m < 0, 0 for m >= n2)
    off = nmax
    m = np.arange(-nmax, nmax + 1)
    n2s = np.arange(0, nmax + 1)
    sf0 = binom.sf(m[None, :], n2s[:, None], p0)
    sf1 = binom.sf(m[None, :], n2s[:, None], p1)
    sf0[:, m < 0] = 1.0
    sf1[:, m < 0] = 1.0

    best_en = np.full(nmax + 1, np.inf)
    best = np.zeros((nmax + 1, 4), dtype=np.int64)  # r1, n1, r, n
    best_pet = np.zeros(nmax + 1)

    # windows[n2, s, r] = sf[n2, s + r] (a view): row s = off - x1 holds P(X2 > r - x1)
    win1 = np.lib.stride_tricks.sliding_window_view(sf1, nmax, axis=1)
    for n1 in range(1, nmax):
        n2 = np.arange(1, nmax - n1 + 1)  # (N2,)
        x1 = np.arange(0, n1 + 1)  # (X,)
        r1 = np.arange(0, n1)  # (R1,)
        # rejection(r1, r) = sum_{x1 > r1} b(x1) P(X2 > r - x1): a reverse cumulative sum over
        # x1 of the window rows (row off - x1 of the window holds P(X2 > r - x1))
        above = (x1[None, :] > r1[:, None]).astype(float)  # (R1, X)
        s1 = win1[1 : nmax - n1 + 1, off - n1 : off + 1]  # (N2, X, R), x1 descending
        tail = np.cumsum(s1 * binom.pmf(x1[::-1], n1, p1)[None, :, None], axis=1)
        rej1 = tail[:, n1 - 1 :: -1, :]  # rej1[:, r1] = sum over x1 >= r1 + 1, (N2, R1, R)
        # power decreases in r, so the r with enough power are 0..c-1; clinfun searches
        # r1 <= r <= r1 + n2 only, so r* = min(c - 1, r1 + n2), kept if r* >= r1
        c = (1.0 - rej1 < beta).sum(axis=2)  # (N2, R1)
        rstar = np.minimum(c - 1, r1[None, :] + n2[:, None])
        has = rstar >= r1[None, :]
        # type I error only at r*: sum_{x1 > r1} b0(x1) P0(X2 > r* - x1)
        m_idx = np.maximum(rstar, 0)[:, :, None] - x1[None, None, :] + off  # (N2, R1, X)
        sf_at = sf0[n2[:, None, None], m_idx]
        a_star = np.einsum("nrx,rx->nr", sf_at, above * binom.pmf(x1, n1, p0)[None, :])
        feas = has & (a_star < alpha)  # (N2, R1)
        if not feas.any():
            continue
        pet = binom.cdf(r1, n1, p0)  # (R1,)
        en = n1 + (1.0 - pet)[None, :] * n2[:, None]  # (N2, R1)
        en = np.where(feas, en, np.inf)
        # per n2 (i.e. per n): best r1, preferring the larger r1 on ties (clinfun loop order)
        rev = en[:, ::-1]
        k = rev.argmin(axis=1)
        r1_best = n1 - 1 - k
        en_best = rev[np.arange(len(n2)), k]
        for i in np.flatnonzero(np.isfinite(en_best)):
            n = n1 + int(n2[i])
            if en_best[i] < best_en[n]:  # strict: smaller n1 wins ties, as clinfun
                rb = int(r1_best[i])
                best_en[n] = en_best[i]
                best[n] = (rb, n1, int(rstar[i, rb]), n)
                best_pet[n] = pet[rb]

    feasible_n = np.flatnonzero(np.isfinite(best_en))
    if feasible_n.size == 0:
        raise InputError("nmax", nmax, "a larger maximum sample size", "no feasible design")
    n_opt = int(feasible_n[np.argmin(best_en[feasible_n])])  # first minimum: smallest n
    n_mm = int(feasible_n[0])

    def design(kind: str, n: int) -> SimonDesign:
        r1_, n1_, r_, n_ = (int(v) for v in best[n])
        a_, pet0, en0 = two_stage_characteristics(r1_, n1_, r_, n_, p0)
        w_, pet1, en1 = two_stage_characteristics(r1_, n1_, r_, n_, p1)
        return SimonDesign(
            kind=kind, p0=p0, p1=p1, alpha=alpha, beta=beta, r1=r1_, n1=n1_, r=r_, n=n_,
            en_p0=en0, pet_p0=pet0, actual_alpha=a_, actual_power=w_, en_p1=en1, pet_p1=pet1,
        )  # fmt: skip

    rows = tuple(
        (int(best[n, 0]), int(best[n, 1]), int(best[n, 2]), int(n), float(best_en[n]),
         float(best_pet[n]))
        for n in feasible_n
    )  # fmt: skip
    return SimonResult(optimal=design("optimal", n_opt), minimax=design("minimax", n_mm),
                       best_by_n=rows)  # fmt: skip


# ------------------------------------------------------------------- log-rank: events, power


@dataclass(frozen=True, slots=True)
class EventsResult:
    """Events needed for a log-rank comparison, by one method."""

    method: str
    hazard_ratio: float
    allocation_ratio: float  # k, experimental:control
    alpha: float
    power: float
    sides: int
    events_exact: float  # unrounded formula value
    events: int  # rounded up

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _events_factor(method: str, hr: float, k: float) -> float:
    """Events per unit (z_a + z_b)^2 for the method."""
    if method == "schoenfeld":
        return (1.0 + k) ** 2 / (k * math.log(hr) ** 2)
    if method == "freedman":
        return (1.0 + k * hr) ** 2 / (k * (1.0 - hr) ** 2)
    raise InputError("method", method, "schoenfeld | freedman")


def logrank_events(
    hazard_ratio: float,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation_ratio: float = 1.0,
    method: Method = "schoenfeld",
    sides: int = 2,
) -> EventsResult:
    """Number of events for a log-rank test of HR (experimental/control), allocation k:1."""
    hr = check_hazard_ratio(hazard_ratio)
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    k = check_ratio(allocation_ratio)
    za = z_alpha(alpha, sides)
    zb = float(norm.ppf(power))
    d = (za + zb) ** 2 * _events_factor(method, hr, k)
    return EventsResult(
        method=method, hazard_ratio=hr, allocation_ratio=k, alpha=alpha, power=power,
        sides=sides, events_exact=d, events=math.ceil(d - 1e-9),
    )  # fmt: skip


def logrank_power(
    events: float,
    hazard_ratio: float,
    alpha: float = 0.05,
    allocation_ratio: float = 1.0,
    method: Method = "schoenfeld",
    sides: int = 2,
) -> float:
    """Power of the log-rank test with ``events`` events (inverse of :func:`logrank_events`).

    Power = Phi(sqrt(D / factor) - z_{1-a}), the same normal approximation each method's
    sample-size formula rests on (the negligible rejection in the wrong tail is ignored).
    """
    d = check_positive(events, "events")
    hr = check_hazard_ratio(hazard_ratio)
    alpha = check_probability(alpha, "alpha")
    k = check_ratio(allocation_ratio)
    za = z_alpha(alpha, sides)
    return float(norm.cdf(math.sqrt(d / _events_factor(method, hr, k)) - za))


# ------------------------------------------------------------ patients: accrual and follow-up


def event_probability(
    hazard: float,
    accrual: float,
    follow_up: float,
    dropout_hazard: float = 0.0,
    variant: EventProbability = "exact",
) -> float:
    """P(event observed by the analysis) under exponential survival and uniform accrual.

    ``accrual`` A: uniform entry over [0, A]; ``follow_up`` F: extra time after the last entry,
    so follow-up runs from F to A + F. Exact: Lachin & Foulkes (1986); ``"simpson"``:
    Schoenfeld (1983) 1 - (S(F) + 4 S(F + A/2) + S(A + F)) / 6 (drop-out ignored there).
    """
    lam = check_positive(hazard, "hazard")
    a = check_positive(accrual, "accrual", allow_zero=True)
    f = check_positive(follow_up, "follow_up", allow_zero=True)
    eta = check_positive(dropout_hazard, "dropout_hazard", allow_zero=True)
    if a + f == 0:
        raise InputError("follow_up", follow_up, "accrual + follow_up > 0")
    if variant == "simpson":
        s = [math.exp(-lam * t) for t in (f, f + a / 2.0, f + a)]
        return 1.0 - (s[0] + 4.0 * s[1] + s[2]) / 6.0
    if variant != "exact":
        raise InputError("variant", variant, "exact | simpson")
    tot = lam + eta
    if a == 0:
        censor_free = math.exp(-tot * f)
    else:
        censor_free = (math.exp(-tot * f) - math.exp(-tot * (a + f))) / (tot * a)
    return lam / tot * (1.0 - censor_free)


@dataclass(frozen=True, slots=True)
class SampleSizeResult:
    """Patients for a log-rank comparison from events and the accrual/follow-up model."""

    method: str
    events: int
    events_exact: float
    event_probability: float  # overall, k:1-weighted
    event_probability_experimental: float
    event_probability_control: float
    n_total: int
    n_experimental: int
    n_control: int
    median_control: float
    median_experimental: float
    hazard_ratio: float
    allocation_ratio: float
    accrual: float
    follow_up: float
    dropout_hazard: float
    alpha: float
    power: float
    sides: int
    variant: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sample_size(
    hazard_ratio: float,
    median_control: float,
    accrual: float,
    follow_up: float,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation_ratio: float = 1.0,
    method: Method = "schoenfeld",
    sides: int = 2,
    dropout_hazard: float = 0.0,
    variant: EventProbability = "exact",
) -> SampleSizeResult:
    """Patients needed: events by ``method`` divided by the probability of an event.

    Survival is exponential in each arm (control hazard ln 2 / median_control, experimental
    hazard HR times that). Arm sizes are ceil(N k / (1 + k)) and ceil(N / (1 + k)), so the
    total can exceed ceil(N) by one.
    """
    ev = logrank_events(hazard_ratio, alpha, power, allocation_ratio, method, sides)
    med = check_positive(median_control, "median_control")
    lam_c = math.log(2.0) / med
    lam_e = lam_c * ev.hazard_ratio
    k = ev.allocation_ratio
    pe = event_probability(lam_e, accrual, follow_up, dropout_hazard, variant)
    pc = event_probability(lam_c, accrual, follow_up, dropout_hazard, variant)
    p = (k * pe + pc) / (1.0 + k)
    n = ev.events / p
    n_e = math.ceil(n * k / (1.0 + k) - 1e-9)
    n_c = math.ceil(n / (1.0 + k) - 1e-9)
    return SampleSizeResult(
        method=method, events=ev.events, events_exact=ev.events_exact, event_probability=p,
        event_probability_experimental=pe, event_probability_control=pc, n_total=n_e + n_c,
        n_experimental=n_e, n_control=n_c, median_control=med,
        median_experimental=med / ev.hazard_ratio, hazard_ratio=ev.hazard_ratio,
        allocation_ratio=k, accrual=float(accrual), follow_up=float(follow_up),
        dropout_hazard=float(dropout_hazard), alpha=ev.alpha, power=ev.power, sides=sides,
        variant=variant,
    )  # fmt: skip
