"""Kaplan-Meier survival curves with Greenwood variance, pointwise CIs, quantiles, landmarks.

Methods (each as implemented by R ``survival`` 3.5, which the tests reproduce to 1e-6):

* Product-limit estimator (Kaplan & Meier 1958): S(t) = prod_{t_j <= t} (1 - d_j / n_j) over
  the distinct observed times, with d_j and n_j the (case-weighted) number of events and at risk.
* Greenwood (1926) variance of log S: sum d_j / (n_j (n_j - d_j)) (infinite once the curve
  reaches 0, as R). Integer case weights act as frequencies. With non-integer weights (e.g.
  inverse-probability weights) the variance is R ``survfit``'s default for that case, the
  robust infinitesimal-jackknife variance (sum over subjects of squared weighted influence).
* Pointwise confidence intervals as R ``survfit_confint``: ``"log-log"`` (default here, as SAS
  PROC LIFETEST and most oncology SAPs; R's default is ``"log"``): S^exp(+-z se/log S), NaN at
  S in {0, 1}; ``"log"``: exp(log S +- z se), upper capped at 1, NaN at S = 0; ``"plain"``:
  S +- z S se clipped to [0, 1].
* Quantiles and their CIs by Brookmeyer & Crowley (1982): the times where the curve and its
  pointwise bands first reach 1 - p, using the same transform as the bands, with R
  ``quantile.survfit``'s rules (tolerance sqrt(machine eps); a curve exactly at 1 - p on a
  flat gives the midpoint of the flat, up to the last follow-up time when the flat runs to the
  end; "not reached" is NaN, never inf).
* Landmark rates S(t) by the step function; NaN beyond a group's last follow-up time unless
  ``extend=True`` (R ``summary.survfit(times=, extend=)``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.stats._inputs import (
    ArrayLike,
    as_event,
    as_labels,
    as_time,
    as_weights,
    check_conf,
)

_TOL = float(np.sqrt(np.finfo(float).eps))
#: Rows per block of the chunked elementwise passes (KM variance and CIs, log-rank, RMST):
#: bounds the temporaries to a few MB whatever N, which keeps peak memory near the output.
BLOCK = 1 << 15


def _blocks(a: int, b: int, size: int | None = None) -> Iterator[tuple[int, int]]:
    """Consecutive [start, stop) ranges of at most ``size`` (default :data:`BLOCK`) rows
    covering [a, b)."""
    size = size or BLOCK
    for s in range(a, b, size):
        yield s, min(s + size, b)


@dataclass(frozen=True)
class SortedSurv:
    """Per-group tables of distinct times (group-major, time-sorted within each group).

    Built once by :func:`sort_survival` and shared by KM, log-rank and RMST, so a full analysis
    sorts the data once. Unweighted, the censoring counts are derived on first access from the
    at-risk and event counts (exact: integer counts in float64); with weights they are stored.
    """

    time: np.ndarray  # distinct times, per group, concatenated
    n_risk: np.ndarray  # (weighted) number at risk just before each distinct time
    n_event: np.ndarray  # (weighted) events at each distinct time
    group_start: np.ndarray  # index into the distinct-time arrays where each group starts
    levels: np.ndarray  # group labels (a single None when ungrouped)
    n_obs: np.ndarray  # observations per group
    weighted: bool
    non_integer_weights: bool = False
    w2_event: np.ndarray | None = None  # sum of squared weights of the events at each time
    w2_total: np.ndarray | None = None  # sum of squared weights of everyone at each time
    censor: np.ndarray | None = None  # stored (weighted) censoring counts; None: derived

    @property
    def group_end(self) -> np.ndarray:
        """One past the last row of each group."""
        return np.append(self.group_start[1:], self.time.size)

    @functools.cached_property
    def n_censor(self) -> np.ndarray:
        """(Weighted) censorings at each distinct time: n_risk - n_event - n_risk(next time
        of the group), 0 after a group's last time."""
        if self.censor is not None:
            return self.censor
        nxt = np.empty_like(self.n_risk)
        nxt[:-1] = self.n_risk[1:]
        nxt[self.group_end - 1] = 0.0
        np.subtract(self.n_risk, nxt, out=nxt)
        return np.subtract(nxt, self.n_event, out=nxt)


def _segment(t: np.ndarray, e: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray | None, ...]:
    """Distinct-time table of one time-sorted group: time, n_risk, n_event, and (with
    weights) the weighted censoring counts and the squared-weight sums."""
    n = t.size
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    if w is None:
        if bool(new.all()):  # no ties: one observation per distinct time
            return t, np.arange(n, 0, -1, dtype=np.float64), e, None, None, None
        idx = np.flatnonzero(new)
        del new
        n_event = np.add.reduceat(e, idx)
        n_risk = (n - idx).astype(np.float64)
        return t[idx], n_risk, n_event, None, None, None
    idx = np.flatnonzero(new)
    del new
    n_event = np.add.reduceat(e * w, idx)
    total = np.add.reduceat(w, idx)
    w2 = w * w
    # reverse cumulative sum, as R adds weights from the end
    n_risk = np.cumsum(total[::-1])[::-1]
    return (t[idx], n_risk, n_event, total - n_event, np.add.reduceat(e * w2, idx),
            np.add.reduceat(w2, idx))


def sort_survival(
    time: np.ndarray,
    event: np.ndarray,
    codes: np.ndarray | None,
    levels: np.ndarray | None,
    weights: np.ndarray | None,
) -> SortedSurv:
    """Group-wise tied-time tables from validated arrays.

    Each group's rows are taken out once (boolean compress) and sorted by time alone, so no
    full-length (group, time) sort and no per-group re-sort of the whole data is needed; the
    log-rank test later merges the groups' tables (:func:`pooled_event_blocks`).

    Unweighted, each row is packed into one unsigned 64-bit key, the time's IEEE-754 bits
    shifted left by one with the 0/1 event in the freed bit (lossless: times are finite and
    >= 0, so their bit patterns order like the times and leave the top bit free), and the keys
    are sorted by value (SIMD sort, no argsort and no gathers); unpacking gives the times
    sorted, each row's event with it. With weights, an argsort orders times, events and
    weights together. Order within tied times is irrelevant (only block sums are used).
    """
    if weights is None:
        # -0.0 passes validation (not < 0) but has the sign bit set: make it +0.0
        tk = time + 0.0 if bool(np.signbit(time).any()) else time
        key = tk.view(np.uint64) << np.uint64(1)
        key |= event.astype(np.uint64)
        del tk
    parts: list[tuple[np.ndarray, ...]] = []
    if codes is None:
        parts.append((key,) if weights is None else (time, event, weights))
    else:
        k = len(levels) if levels is not None else int(codes.max()) + 1
        for j in range(k):
            m = codes == j  # sequential compress, then the small per-group work below
            parts.append((key[m],) if weights is None else (time[m], event[m], weights[m]))
            del m
    if weights is None:
        del key
    n_per = np.array([p[0].size for p in parts])
    cols: list[list[np.ndarray | None]] = [[] for _ in range(6)]
    while parts:
        part = parts.pop(0)
        if weights is None:
            kj = part[0]
            del part
            kj.sort()
            e = (kj & np.uint64(1)).astype(np.float64)
            kj >>= np.uint64(1)
            seg = _segment(kj.view(np.float64), e, None)
            del kj, e
        else:
            t, e, w = part
            del part
            o = np.argsort(t)
            seg = _segment(t[o], e[o], w[o])
            del t, e, w, o
        for c, x in zip(cols, seg, strict=True):
            c.append(x)
        del seg
    sizes = [x.size for x in cols[0]]  # type: ignore[union-attr]
    gidx = np.cumsum([0, *sizes[:-1]]).astype(np.int64)

    def cat(c: list[np.ndarray | None]) -> np.ndarray | None:
        """Concatenate one column, releasing the per-group parts as it goes."""
        if c[0] is None:
            return None
        out = c[0] if len(c) == 1 else np.concatenate(c)  # type: ignore[arg-type]
        c.clear()
        return out

    lv = levels if levels is not None else np.array([None], dtype=object)
    t, nr, ne = cat(cols[0]), cat(cols[1]), cat(cols[2])
    assert t is not None and nr is not None and ne is not None
    return SortedSurv(
        time=t,
        n_risk=nr,
        n_event=ne,
        group_start=gidx,
        levels=lv,
        n_obs=n_per,
        weighted=weights is not None,
        non_integer_weights=weights is not None and bool(np.any(weights != np.floor(weights))),
        censor=cat(cols[3]),
        w2_event=cat(cols[4]),
        w2_total=cat(cols[5]),
    )


def pooled_event_blocks(
    ss: SortedSurv, size: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The log-rank test's per-group at-risk and event counts (K x B arrays, one row per group)
    at the pooled distinct event times, yielded in time order in blocks of bounded size.

    The groups' tables are merged without a pooled sort: cut points sampled every ``size``
    rows of each group bound the rows of every group between consecutive cuts. Within a block
    the groups' rows are merged (stable sort of K sorted runs, linear), and at the first row of
    each pooled time, the number of group-j rows before it (a running count) locates group j's
    first time >= t, whose at-risk count is group j's (0 past the group's end) and whose event
    count is group j's if that time is t. Times without events are dropped.
    """
    size = size or BLOCK
    k = len(ss.levels)
    starts, ends = ss.group_start, ss.group_end
    cuts = np.unique(np.concatenate([ss.time[a:b:size] for a, b in zip(starts, ends, strict=True)]))
    lo_pos = [np.searchsorted(ss.time[a:b], cuts, side="left") + a
              for a, b in zip(starts, ends, strict=True)]
    for i in range(cuts.size):
        bounds = [(int(lo_pos[j][i]), int(lo_pos[j][i + 1]) if i + 1 < cuts.size else int(e))
                  for j, e in enumerate(ends)]
        rows = np.concatenate([np.arange(a, b) for a, b in bounds])
        if rows.size == 0:
            continue
        grp = np.repeat(np.arange(k, dtype=np.int16), [b - a for a, b in bounds])
        o = np.argsort(ss.time[rows], kind="stable")  # merges K sorted runs
        rows, grp = rows[o], grp[o]
        del o
        ts = ss.time[rows]
        first = np.empty(rows.size, dtype=bool)
        first[0] = True
        np.not_equal(ts[1:], ts[:-1], out=first[1:])
        run = np.flatnonzero(first)
        dd = np.add.reduceat(ss.n_event[rows], run)
        run = run[dd > 0]
        if run.size == 0:
            continue
        ut = ts[run]
        risk = np.empty((k, run.size))
        dev = np.empty((k, run.size))
        grun = grp[run]
        for j, (a, _b) in enumerate(bounds):
            before = np.cumsum(grp == j, dtype=np.int64)  # group-j rows up to and including r
            # first group-j row at or after the run start: a + (rows of j strictly before)
            pj = before[run]
            pj -= grun == j
            pj += a
            end = int(ends[j])
            past = pj >= end  # no group-j time >= t: none at risk (only in the last block)
            np.minimum(pj, end - 1, out=pj)
            np.take(ss.n_risk, pj, out=risk[j])
            hit = ss.time[pj] == ut
            np.multiply(np.take(ss.n_event, pj), hit, out=dev[j])
            if past.any():
                risk[j, past] = 0.0
                dev[j, past] = 0.0
        yield risk, dev


def _ci(
    surv: np.ndarray, se_log: np.ndarray, conf_type: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits exactly as R survfit_confint (logse=TRUE)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se_log * surv
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            xx = np.where(surv == 0, np.nan, surv)
            return np.exp(np.log(xx) - z * se_log), np.minimum(np.exp(np.log(xx) + z * se_log), 1.0)
        lx = np.where((surv == 0) | (surv == 1), np.nan, surv)
        np.log(lx, out=lx)  # log S
        se2 = z * se_log
        se2 /= lx
        ll = np.negative(lx, out=lx)
        np.log(ll, out=ll)  # log(-log S)
        lower = ll - se2
        upper = np.add(ll, se2, out=ll)
        del se2
        for lim in (lower, upper):  # exp(-exp(.)) in place
            np.exp(lim, out=lim)
            np.negative(lim, out=lim)
            np.exp(lim, out=lim)
        return lower, upper


def _findq(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Port of R survival:::findq: first x where the cdf y reaches p, with R's tie rules."""
    out = np.full(p.shape, np.nan)
    if np.all(np.isnan(y)) or np.nanmax(y) < p.min():
        return out
    xmax = x[-1]
    # duplicated(y): keep the first of each value (NaN counts as a value)
    keep = np.ones(y.size, dtype=bool)
    yk = np.where(np.isnan(y), np.inf, y)
    keep[1:] = yk[1:] != yk[:-1]
    if np.isinf(yk).any():  # only the first NaN survives duplicated()
        isn = np.isnan(y)
        first_nan = np.argmax(isn)
        keep[isn] = False
        keep[first_nan] = True
    x, y = x[keep], y[keep]
    n = y.size
    valid = ~np.isnan(y)
    iv = np.arange(n)[valid]

    def approx_idx(nodes: np.ndarray) -> np.ndarray:
        o = np.argsort(nodes, kind="stable")
        xs, ix = nodes[o], iv[o]
        pos = np.searchsorted(xs, p, side="left")
        ok = (pos < xs.size) & (p >= xs[0])
        res = np.full(p.shape, -1)
        res[ok] = ix[pos[ok]]
        return res

    i1 = approx_idx(y[valid] + _TOL)
    i2 = approx_idx(y[valid] - _TOL)
    both = (i1 >= 0) & (i2 >= 0)
    out[both] = (x[i1[both]] + x[i2[both]]) / 2
    out[p == 0] = x[0]
    if not np.isnan(y[-1]):
        last = np.abs(p - y[-1]) < _TOL
        m = last & (i1 >= 0)
        out[m] = (x[i1[m]] + xmax) / 2
    return out


@dataclass(frozen=True)
class KaplanMeierResult:
    """A fitted Kaplan-Meier estimate.

    ``table`` (built on first access) has one row per group and distinct observed time (events
    and censorings, as R ``survfit``): group, time, n_risk, n_event, n_censor, surv, std_err
    (SE of S, as ``summary.survfit``), std_err_log (SE of log S), lower, upper. The same
    columns are available as numpy arrays in ``arrays``.
    """

    arrays: KMColumns
    variance: str  # "greenwood", or "robust" (infinitesimal jackknife) for non-integer weights
    conf_type: str
    conf_level: float
    sorted: SortedSurv
    last_time: np.ndarray  # last follow-up time per group (event or censoring)

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        ss = self.sorted
        sizes = np.diff(np.append(ss.group_start, ss.time.size))
        codes = np.repeat(np.arange(len(ss.levels)), sizes)
        if len(ss.levels) == 1 and ss.levels[0] is None:
            group = pd.Series([None] * ss.time.size, dtype=object)
        else:
            group = pd.Categorical.from_codes(codes, categories=pd.Index(ss.levels))
        return pd.DataFrame({"group": group, **self.arrays})

    @property
    def groups(self) -> list:
        return list(self.sorted.levels)

    def _slices(self) -> Iterator[tuple[int, object, slice]]:
        gs = self.sorted.group_start
        ends = np.append(gs[1:], self.sorted.time.size)
        for k, lvl in enumerate(self.sorted.levels):
            yield k, lvl, slice(int(gs[k]), int(ends[k]))

    def quantiles(self, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Survival-time quantiles with Brookmeyer-Crowley CIs (R ``quantile.survfit``).

        ``probs`` are cumulative probabilities (0.5 = median, 0.25 = the time by which 25 % had
        the event). NaN means not reached / not estimable.
        """
        p = np.asarray(probs, dtype=float)
        if p.ndim != 1 or p.size == 0 or np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
            raise InputError("probs", probs, "probabilities in [0, 1]")
        surv, lo, up = (self.arrays[c] for c in ("surv", "lower", "upper"))
        rows = []
        for _, lvl, sl in self._slices():
            x = np.r_[0.0, self.sorted.time[sl]]
            q = _findq(x, np.r_[0.0, 1 - surv[sl]], p)
            ql = _findq(x, np.r_[0.0, 1 - lo[sl]], p)
            qu = _findq(x, np.r_[0.0, 1 - up[sl]], p)
            for j in range(p.size):
                rows.append((lvl, p[j], q[j], ql[j], qu[j]))
        out = pd.DataFrame(rows, columns=["group", "prob", "time", "lower", "upper"])
        return out

    def median(self) -> pd.DataFrame:
        """Median survival with its Brookmeyer-Crowley CI, one row per group."""
        return self.quantiles([0.5]).drop(columns="prob")

    def at(self, times: Sequence[float], extend: bool = False) -> pd.DataFrame:
        """Landmark estimates S(t) with CIs (R ``summary.survfit(times=)``).

        Beyond a group's last follow-up time the estimate is NaN unless ``extend=True``.
        """
        tt = np.asarray(times, dtype=float)
        if tt.ndim != 1 or np.any(~np.isfinite(tt)) or np.any(tt < 0):
            raise InputError("times", times, "finite times >= 0")
        cols = self.arrays
        rows = []
        for k, lvl, sl in self._slices():
            ts = self.sorted.time[sl]
            pos = np.searchsorted(ts, tt, side="right") - 1  # last time <= t
            nr_pos = np.searchsorted(ts, tt, side="left")  # first time >= t
            for j, t in enumerate(tt):
                beyond = t > self.last_time[k] and not extend
                if pos[j] < 0:
                    s, se, lo, up = 1.0, 0.0, 1.0, 1.0
                else:
                    i = sl.start + pos[j]
                    s, se = cols["surv"][i], cols["std_err"][i]
                    lo, up = cols["lower"][i], cols["upper"][i]
                nr = cols["n_risk"][sl.start + nr_pos[j]] if nr_pos[j] < ts.size else 0.0
                if beyond:
                    s = se = lo = up = nr = np.nan
                rows.append((lvl, t, nr, s, se, lo, up))
        return pd.DataFrame(
            rows, columns=["group", "time", "n_risk", "surv", "std_err", "lower", "upper"]
        )


def _non_integer_weights(ss: SortedSurv) -> bool:
    """R survfit uses the robust variance when any case weight is not an integer."""
    return bool(ss.non_integer_weights)


def _ij_var_log(n: np.ndarray, d: np.ndarray, w2e: np.ndarray, w2t: np.ndarray) -> np.ndarray:
    """Infinitesimal-jackknife variance of log S(t) for case-weighted data (one group).

    The influence of subject i on log S(t) is -sum_{t_j <= min(t, t_i)} (dN_ij - h_j) /
    (n_j - d_j) with h_j = d_j / n_j; the variance is sum_i (w_i * influence_i)^2, which R
    survfit computes subject by subject (survfitkm.c, robust variance). Here it is summed in
    closed form per distinct time: subjects whose time is <= t contribute a fixed term, those
    still at risk contribute A(t)^2 w_i^2 with A the Greenwood-type cumulative sum.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(n - d > 0, 1.0 / (n - d), np.inf)
        a = np.where(d > 0, d * b / n, 0.0)
    big_a = np.cumsum(a)
    with np.errstate(invalid="ignore"):
        at_time = b * b * w2e - 2.0 * b * big_a * w2e + big_a * big_a * w2t
        at_time = np.where(w2e > 0, at_time, big_a * big_a * w2t)
        w2_after = np.cumsum(w2t[::-1])[::-1] - w2t  # squared weights still at risk after t
        return np.cumsum(at_time) + big_a * big_a * w2_after


class KMColumns(Mapping[str, np.ndarray]):
    """The Kaplan-Meier columns by name, in table order. ``n_censor`` (from the sorted table)
    and ``std_err`` (= surv * std_err_log) are derived on first access and then kept, so a fit
    holds only what it needs until they are read."""

    ORDER = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "std_err_log",
             "lower", "upper")

    def __init__(self, eager: dict[str, np.ndarray],
                 lazy: dict[str, Callable[[], np.ndarray]]) -> None:
        self._eager = eager
        self._lazy = lazy

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._eager:
            if key not in self._lazy:
                raise KeyError(key)
            self._eager[key] = self._lazy.pop(key)()
        return self._eager[key]

    def __iter__(self) -> Iterator[str]:
        return iter(c for c in self.ORDER if c in self._eager or c in self._lazy)

    def __len__(self) -> int:
        return len(self._eager) + len(self._lazy)


def km_from_sorted(ss: SortedSurv, conf_type: str, conf_level: float) -> KaplanMeierResult:
    """Kaplan-Meier table from a :class:`SortedSurv` (no re-sorting).

    The elementwise steps run in blocks of :data:`BLOCK` rows written into the output arrays,
    and the products/sums accumulate in place, so the temporaries stay a few MB whatever N
    (the arithmetic, and so every value, is the same as on whole arrays).
    """
    z = check_conf(conf_type, conf_level)
    n, d = ss.n_risk, ss.n_event
    m = n.size
    surv = np.empty(m)
    gw = np.empty(m)
    ends = ss.group_end
    last_time = np.empty(ss.group_start.size)
    robust = ss.weighted and ss.w2_total is not None and _non_integer_weights(ss)
    with np.errstate(divide="ignore", invalid="ignore"):
        for s, e in _blocks(0, m):
            nb, db = n[s:e], d[s:e]
            np.divide(db, nb, out=surv[s:e])
            np.subtract(1.0, surv[s:e], out=surv[s:e])  # 1 - d/n
            if not robust:
                # Greenwood increment; infinite when the curve drops to 0 (R survfit: Inf)
                nd = nb - db
                gw[s:e] = np.where(nd == 0, np.where(db > 0, np.inf, 0.0), db / (nb * nd))
    for k, (a, b) in enumerate(zip(ss.group_start, ends, strict=True)):
        np.cumprod(surv[a:b], out=surv[a:b])
        if robust:
            assert ss.w2_event is not None and ss.w2_total is not None
            gw[a:b] = _ij_var_log(n[a:b], d[a:b], ss.w2_event[a:b], ss.w2_total[a:b])
        else:
            np.cumsum(gw[a:b], out=gw[a:b])
        last_time[k] = ss.time[b - 1]
    se_log = np.sqrt(gw, out=gw)
    if robust:  # once S = 0 every influence is 0 (R: std.err 0, limits NA)
        se_log[surv == 0] = 0.0
    lower = np.empty(m)
    upper = np.empty(m)
    for s, e in _blocks(0, m):
        lower[s:e], upper[s:e] = _ci(surv[s:e], se_log[s:e], conf_type, z)

    def std_err() -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return surv * se_log

    arrays = KMColumns(
        {"time": ss.time, "n_risk": n, "n_event": d, "surv": surv, "std_err_log": se_log,
         "lower": lower, "upper": upper},
        {"n_censor": lambda: ss.n_censor, "std_err": std_err},
    )
    variance = "robust" if robust else "greenwood"
    return KaplanMeierResult(arrays, variance, conf_type, conf_level, ss, last_time)


def prepare(
    time: ArrayLike,
    event: ArrayLike | None,
    group: ArrayLike | None,
    weights: ArrayLike | None,
    data: pd.DataFrame | None,
) -> SortedSurv:
    """Validate inputs (arrays or column names of ``data``) and build the sorted table."""
    t = as_time(data, time)
    e = as_event(data, event, t.size)
    w = as_weights(data, weights, t.size)
    lab = as_labels(data, group, t.size, "group")
    codes, levels = (None, None) if lab is None else lab
    return sort_survival(t, e, codes, levels, w)


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike | None = None,
    *,
    group: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
) -> KaplanMeierResult:
    """Kaplan-Meier estimate, optionally by group and with case weights.

    Arguments are arrays, or column names of ``data``. ``event`` is 1 for an event and 0 for
    censoring (all events if omitted). ``conf_type`` is ``"log-log"`` (default), ``"log"``
    (R's default) or ``"plain"``. See the module docstring for the methods.
    """
    check_conf(conf_type, conf_level)
    return km_from_sorted(prepare(time, event, group, weights, data), conf_type, conf_level)
