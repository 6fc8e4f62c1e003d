"""Randomization: concealed stratified permuted-block lists, Pocock-Simon minimization, and
a balance and predictability report.

Methods:

* **Stratified permuted blocks with randomly varied block sizes** (Zelen 1974; Matts &
  Lachin 1988, Control Clin Trials 9:327-344): one list per stratum (every combination of the
  stratification factors' levels); each block holds the arms in the allocation ratio (a block
  size is a multiple of the ratio's sum: 3, 6, 9 for 2:1) and is randomly permuted; the block
  size is drawn uniformly from the allowed multiples, block by block.
* **Seeding**: the master seed is a 128-bit integer from :mod:`secrets` (the operating
  system's cryptographic generator) unless an authorised statistician passes the stored one
  to reproduce a list. Each stratum draws from its own PCG64 stream,
  ``SeedSequence(seed, spawn_key=(stratum index,))``, so a list is reproducible from the
  stored seed and strata are independent. The seed is stored with the list and never shown in
  its repr.
* **Concealment**: :class:`RandomizationList` is the artefact data capture consumes through
  :func:`next_assignment` (one assignment at a time, for the stratum of the participant being
  randomized); its repr and :meth:`RandomizationList.concealed` show the design and the
  number of slots, never the arms; :meth:`RandomizationList.fingerprint` (SHA-256 of the
  canonical JSON) lets the sealed copy be verified without opening it.
* **Pocock-Simon minimization** (Pocock & Simon 1975, Biometrics 31:103-115): for a new
  participant, the imbalance if assigned to arm a is the weighted sum over factors of the range
  of the arms' counts among participants sharing the participant's level, with counts divided
  by the ratio's weights for unequal allocation (the "naive" extension; Kuznetsova & Tymofyeyev
  2012 show it can drift from the target ratio, which the balance report makes visible). The
  arm with the smallest imbalance is assigned with probability ``p_best`` (Pocock & Simon's
  random element; 0.8 by default), otherwise one of the other arms in proportion to the
  ratio; ties are broken at random in proportion to the ratio.
* **Predictability**: the share of correct guesses by a site using the convergence strategy
  (Blackwell & Hodges 1957, Ann Math Stat 28:449-460): guess the arm furthest below its
  target share among the allocations so far in the stratum (ties: the arm with the larger
  share; equal shares: a correct guess counts 1 / number tied). For 1:1 blocks of fixed size
  2m, the expected correct guesses per block are m + (2^(2m) / C(2m, m) - 1) / 2.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hccrt.errors import InputError

SEED_BITS = 128


# --------------------------------------------------------------------------- input checks


def check_seed(seed: Any) -> int:
    """A stored seed: a non-negative integer (bool and floats refused)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", seed, "a non-negative integer (the stored list seed)")
    return int(seed)


def new_seed() -> int:
    """A fresh 128-bit seed from the operating system's cryptographic generator."""
    return secrets.randbits(SEED_BITS)


def check_arms_ratio(
    arms: Sequence[str], ratio: Sequence[int]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Distinct arm names and a positive integer weight for each (e.g. (2, 1) for 2:1)."""
    arms_t = tuple(arms)
    if (
        len(arms_t) < 2
        or len(set(arms_t)) != len(arms_t)
        or not all(isinstance(a, str) and a for a in arms_t)
    ):
        raise InputError("arms", list(arms_t), "two or more distinct, non-empty arm names")
    ratio_t = tuple(ratio)
    if len(ratio_t) != len(arms_t):
        raise InputError("ratio", list(ratio_t), f"one weight per arm ({len(arms_t)})")
    for r in ratio_t:
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r <= 0:
            raise InputError("ratio", list(ratio_t), "positive integers, e.g. 2:1 as (2, 1)")
    g = math.gcd(*ratio_t)
    return arms_t, tuple(int(r) // g for r in ratio_t)


def check_multipliers(multipliers: Sequence[int]) -> tuple[int, ...]:
    """Allowed block sizes as multiples of the ratio's sum (e.g. (2, 3): 6 and 9 for 2:1)."""
    m = tuple(multipliers)
    if not m or any(
        isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x <= 0 for x in m
    ):
        raise InputError("block_multipliers", list(m), "positive integers, e.g. (2, 3)")
    return tuple(sorted({int(x) for x in m}))


def check_strata(strata: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Stratification factors and their levels (None: a single, unstratified list)."""
    if strata is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, levels in strata.items():
        lv = tuple(levels)
        if not name or not lv or len(set(lv)) != len(lv):
            raise InputError("strata", {name: list(lv)}, "a factor name and distinct levels")
        out[str(name)] = tuple(str(x) for x in lv)
    return out


def stratum_key(levels: Mapping[str, str], factors: Mapping[str, Sequence[str]]) -> str:
    """Canonical key of a stratum, e.g. ``"site=A|pvtt=yes"`` (factor order of the design)."""
    parts = []
    for name, allowed in factors.items():
        if name not in levels:
            raise InputError("stratum", dict(levels), f"a level for every factor: {list(factors)}")
        if str(levels[name]) not in allowed:
            raise InputError(name, levels[name], " | ".join(allowed))
        parts.append(f"{name}={levels[name]}")
    return "|".join(parts) if parts else "all"


# ------------------------------------------------------------------------ the list artefact


class ListEntry(BaseModel):
    """One slot of a stratum's list."""

    model_config = ConfigDict(frozen=True)

    number: str  # randomization number printed on the record, e.g. "S02-0007"
    sequence: int  # 1-based position in the stratum
    block: int  # 1-based block index in the stratum
    block_size: int
    arm: str


class StratumList(BaseModel):
    """The list of one stratum."""

    model_config = ConfigDict(frozen=True)

    key: str
    levels: dict[str, str]
    entries: tuple[ListEntry, ...] = Field(repr=False)


class RandomizationList(BaseModel):
    """A concealed, reproducible stratified permuted-block list (see the module doc)."""

    model_config = ConfigDict(frozen=True)

    method: str = "stratified permuted blocks, random block sizes"
    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    block_sizes: tuple[int, ...]
    factors: dict[str, tuple[str, ...]]
    size_per_stratum: int
    seed: int = Field(repr=False)
    generator: str = "numpy PCG64, SeedSequence(seed, spawn_key=(stratum index,))"
    strata: tuple[StratumList, ...] = Field(repr=False)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the whole list (seed and assignments included)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    def concealed(self) -> dict[str, Any]:
        """What a site may see: the design and the slots per stratum, no arms, no seed."""
        return {
            "method": self.method,
            "arms": list(self.arms),
            "ratio": list(self.ratio),
            "factors": {k: list(v) for k, v in self.factors.items()},
            "slots_per_stratum": {s.key: len(s.entries) for s in self.strata},
            "fingerprint": self.fingerprint(),
        }

    def stratum(self, levels: Mapping[str, str]) -> StratumList:
        key = stratum_key(levels, self.factors)
        for s in self.strata:
            if s.key == key:
                return s
        raise InputError("stratum", key, "a stratum of this list")  # pragma: no cover


def _block(arms: Sequence[str], ratio: Sequence[int], mult: int, rng: np.random.Generator
           ) -> list[str]:  # fmt: skip
    base = [a for a, r in zip(arms, ratio, strict=True) for _ in range(r * mult)]
    return [base[i] for i in rng.permutation(len(base))]


def _stratum_sequence(
    arms: Sequence[str], ratio: Sequence[int], multipliers: Sequence[int], size: int,
    rng: np.random.Generator,
) -> list[tuple[int, int, str]]:  # fmt: skip
    """(block index, block size, arm) for at least ``size`` slots, whole blocks."""
    out: list[tuple[int, int, str]] = []
    b = 0
    while len(out) < size:
        b += 1
        mult = int(multipliers[rng.integers(len(multipliers))])
        blk = _block(arms, ratio, mult, rng)
        out.extend((b, len(blk), a) for a in blk)
    return out


def permuted_block_list(
    arms: Sequence[str],
    ratio: Sequence[int],
    size_per_stratum: int,
    strata: Mapping[str, Sequence[str]] | None = None,
    block_multipliers: Sequence[int] = (2, 3),
    seed: int | None = None,
) -> RandomizationList:
    """Generate a stratified permuted-block list.

    ``ratio`` (2, 1) with ``block_multipliers`` (2, 3) gives blocks of 6 and 9; 1:1 gives 4 and
    6. Each stratum gets whole blocks until it has at least ``size_per_stratum`` slots. With
    ``seed=None`` a 128-bit seed is drawn from :mod:`secrets` and stored with the list; passing
    the stored seed (and the same design) reproduces the list exactly.
    """
    arms_t, ratio_t = check_arms_ratio(arms, ratio)
    mult = check_multipliers(block_multipliers)
    factors = check_strata(strata)
    if (
        isinstance(size_per_stratum, bool)
        or not isinstance(size_per_stratum, int)
        or (size_per_stratum < 1)
    ):
        raise InputError("size_per_stratum", size_per_stratum, "an integer >= 1")
    seed = new_seed() if seed is None else check_seed(seed)
    combos = list(itertools.product(*factors.values())) if factors else [()]
    width = len(str(len(combos)))
    out = []
    for i, combo in enumerate(combos):
        levels = dict(zip(factors, combo, strict=True))
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i,))))
        seq = _stratum_sequence(arms_t, ratio_t, mult, size_per_stratum, rng)
        entries = tuple(
            ListEntry(number=f"S{i + 1:0{width}d}-{j + 1:04d}", sequence=j + 1, block=b,
                      block_size=bs, arm=a)
            for j, (b, bs, a) in enumerate(seq)
        )  # fmt: skip
        out.append(StratumList(key=stratum_key(levels, factors), levels=levels, entries=entries))
    return RandomizationList(
        arms=arms_t, ratio=ratio_t, block_sizes=tuple(m * sum(ratio_t) for m in mult),
        factors=factors, size_per_stratum=size_per_stratum, seed=seed, strata=tuple(out),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assignment:
    """One participant's allocation."""

    number: str
    arm: str
    stratum: str


def next_assignment(
    rl: RandomizationList, levels: Mapping[str, str], already_assigned: int
) -> Assignment:
    """The allocation of the next participant of a stratum (``already_assigned`` before)."""
    s = rl.stratum(levels)
    if (
        isinstance(already_assigned, bool)
        or not isinstance(already_assigned, int)
        or (already_assigned < 0)
    ):
        raise InputError("already_assigned", already_assigned, "an integer >= 0")
    if already_assigned >= len(s.entries):
        raise InputError("already_assigned", already_assigned,
                         f"fewer than the {len(s.entries)} slots of stratum {s.key}",
                         "the stratum's list is exhausted")  # fmt: skip
    e = s.entries[already_assigned]
    return Assignment(number=e.number, arm=e.arm, stratum=s.key)


# ------------------------------------------------------------------------ minimization


@dataclass(slots=True)
class Minimizer:
    """Pocock-Simon minimization with a random element (see the module doc).

    State (counts per factor level and arm, and the generator) lives in the object; replaying
    the same participants in the same order with the same stored seed reproduces every
    assignment.
    """

    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    factors: dict[str, tuple[str, ...]]
    weights: dict[str, float]
    p_best: float
    seed: int
    rng: np.random.Generator = field(repr=False)
    counts: dict[str, np.ndarray] = field(repr=False)  # factor -> (levels x arms)
    history: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        arms: Sequence[str],
        ratio: Sequence[int],
        factors: Mapping[str, Sequence[str]],
        weights: Mapping[str, float] | None = None,
        p_best: float = 0.8,
        seed: int | None = None,
    ) -> Minimizer:
        arms_t, ratio_t = check_arms_ratio(arms, ratio)
        f = check_strata(factors)
        if not f:
            raise InputError("factors", factors, "at least one factor with its levels")
        w = {k: 1.0 for k in f} if weights is None else {k: float(weights[k]) for k in f}
        if any(not (math.isfinite(v) and v > 0) for v in w.values()):
            raise InputError("weights", dict(w), "a positive weight per factor")
        if (
            isinstance(p_best, bool)
            or not isinstance(p_best, (int, float))
            or not (1.0 / len(arms_t) <= p_best <= 1.0)
        ):
            raise InputError("p_best", p_best, f"a probability from 1/{len(arms_t)} to 1")
        s = new_seed() if seed is None else check_seed(seed)
        return cls(
            arms=arms_t, ratio=ratio_t, factors=f, weights=w, p_best=float(p_best), seed=s,
            rng=np.random.Generator(np.random.PCG64(np.random.SeedSequence(s))),
            counts={k: np.zeros((len(v), len(arms_t))) for k, v in f.items()},
        )  # fmt: skip

    def _rows(self, levels: Mapping[str, str]) -> tuple[np.ndarray, list[int]]:
        """Counts per arm among participants sharing each of the participant's levels."""
        rows, at = [], []
        for name, allowed in self.factors.items():
            if name not in levels:
                raise InputError("levels", dict(levels), f"a level for every factor: "
                                 f"{list(self.factors)}")  # fmt: skip
            lv = str(levels[name])
            if lv not in allowed:
                raise InputError(name, levels[name], " | ".join(allowed))
            at.append(allowed.index(lv))
            rows.append(self.counts[name][at[-1]])
        return np.asarray(rows)[None], at

    def imbalance(self, levels: Mapping[str, str]) -> np.ndarray:
        """Total weighted imbalance if the participant went to each arm (Pocock-Simon G)."""
        rows, _ = self._rows(levels)
        w = np.asarray([self.weights[k] for k in self.factors])
        return pocock_simon_g(rows, w, np.asarray(self.ratio, dtype=float))[0]

    def assign(self, levels: Mapping[str, str]) -> str:
        """Allocate one participant (three uniforms from the stored stream) and record it."""
        rows, at = self._rows(levels)
        w = np.asarray([self.weights[k] for k in self.factors])
        share = np.asarray(self.ratio, dtype=float)
        g = pocock_simon_g(rows, w, share)
        pick = int(choose_arm(g, share, self.p_best, self.rng.random((1, 3)))[0])
        for (name, _), i in zip(self.factors.items(), at, strict=True):
            self.counts[name][i, pick] += 1
        self.history.append(self.arms[pick])
        return self.arms[pick]


def pocock_simon_g(rows: np.ndarray, weights: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Pocock-Simon imbalance G for each candidate arm, for a batch of participants.

    ``rows`` (B, F, K): counts per arm among earlier participants with the same level of each
    of F factors; counts are divided by the ratio weights ``share`` (K,); the imbalance of a
    factor is the range of the scaled counts after adding the participant to the candidate
    arm; G is the ``weights``-weighted sum over factors. Returns (B, K).
    """
    k = rows.shape[-1]
    c = rows[:, :, None, :] + np.eye(k)[None, None, :, :]  # (B, F, candidate, K)
    scaled = c / share
    rng_ = scaled.max(axis=-1) - scaled.min(axis=-1)  # (B, F, candidate)
    return np.einsum("bfa,f->ba", rng_, weights)


def _pick(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index drawn with probability proportional to each row's weights, from uniforms u."""
    cum = np.cumsum(weights, axis=1)
    return (cum < (u * cum[:, -1])[:, None]).sum(axis=1)


def choose_arm(g: np.ndarray, share: np.ndarray, p_best: float, u: np.ndarray) -> np.ndarray:
    """Minimization choice for a batch: (B, K) imbalances and (B, 3) uniforms -> arm indices.

    The arms with the smallest G are tied-broken in proportion to the ratio (u[:, 0]); if every
    arm ties that is the assignment; otherwise it is kept with probability ``p_best``
    (u[:, 1]) and replaced by one of the other arms in proportion to the ratio (u[:, 2]).
    """
    best = np.isclose(g, g.min(axis=1, keepdims=True), rtol=0.0, atol=1e-12)
    pick = _pick(best * share, u[:, 0])
    others = np.ones_like(best)
    others[np.arange(len(pick)), pick] = False
    alt = _pick(others * share, u[:, 2])
    random_step = ~best.all(axis=1) & (u[:, 1] >= p_best)
    return np.where(random_step, alt, pick)


# --------------------------------------------------------- balance and predictability report


@dataclass(frozen=True, slots=True)
class BalanceReport:
    """Simulated imbalance and predictability of a randomization scheme within a stratum."""

    method: str
    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    n_per_stratum: int
    n_sims: int
    seed: int
    mean_abs_imbalance: float  # |n_first_arm - target| at the end of the stratum
    p95_abs_imbalance: float
    max_abs_imbalance: float
    max_abs_imbalance_any_time: float  # over every point during accrual
    share_final_ratio_exact: float  # strata ending exactly at the target ratio (when integral)
    correct_guess_share: float  # convergence strategy
    correct_guess_se: float
    chance_guess_share: float  # always guessing the largest arm
    block_sizes: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def guess_credit(seqs: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Convergence-strategy correct guesses in each row of (strata x participants) arm indices.

    Before each allocation the site guesses the arm furthest below its target share so far
    (ties: the larger share; equal shares split the credit). Returns the credit per row.
    """
    n = seqs.shape[1]
    k = len(ratio)
    share = ratio / ratio.sum()
    onehot = seqs[:, :, None] == np.arange(k)[None, None, :]  # (B, n, K)
    before = np.cumsum(onehot, axis=1) - onehot  # counts before each allocation
    shortfall = np.arange(n)[None, :, None] * share[None, None, :] - before
    top = np.isclose(shortfall, shortfall.max(axis=2, keepdims=True), rtol=0.0, atol=1e-9)
    top_share = np.where(top, share, -1.0)
    top &= np.isclose(top_share, top_share.max(axis=2, keepdims=True))
    hit = (top & onehot).any(axis=2)
    return (hit / top.sum(axis=2)).sum(axis=1)


def balance_report(
    arms: Sequence[str],
    ratio: Sequence[int],
    n_per_stratum: int,
    method: str = "permuted_blocks",
    block_multipliers: Sequence[int] = (2, 3),
    p_best: float = 0.8,
    n_sims: int = 2000,
    seed: int | None = None,
) -> BalanceReport:
    """Simulate ``n_sims`` strata of ``n_per_stratum`` participants under the scheme.

    ``method``: ``"permuted_blocks"`` (the list generator above, truncated at
    n_per_stratum, which leaves the last block incomplete) or ``"minimization"`` (one factor,
    the stratum itself, so the comparison is like for like), or ``"simple"`` (complete
    randomization, the reference for predictability).
    """
    arms_t, ratio_t = check_arms_ratio(arms, ratio)
    mult = check_multipliers(block_multipliers)
    if isinstance(n_per_stratum, bool) or not isinstance(n_per_stratum, int) or n_per_stratum < 1:
        raise InputError("n_per_stratum", n_per_stratum, "an integer >= 1")
    if isinstance(n_sims, bool) or not isinstance(n_sims, int) or n_sims < 1:
        raise InputError("n_sims", n_sims, "an integer >= 1")
    if method not in ("permuted_blocks", "minimization", "simple"):
        raise InputError("method", method, "permuted_blocks | minimization | simple")
    seed = new_seed() if seed is None else check_seed(seed)
    r = np.asarray(ratio_t, dtype=float)
    share0 = r[0] / r.sum()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    idx = {a: i for i, a in enumerate(arms_t)}
    n = n_per_stratum
    target_int = (n * r / r.sum()).round(9)
    integral = bool(np.all(target_int == np.round(target_int)))
    if method == "permuted_blocks":
        seqs = np.array([
            [idx[a] for _, _, a in _stratum_sequence(arms_t, ratio_t, mult, n, rng)][:n]
            for _ in range(n_sims)
        ])  # fmt: skip
    elif method == "simple":
        seqs = _pick(np.broadcast_to(r, (n_sims * n, len(r))), rng.random(n_sims * n))
        seqs = seqs.reshape(n_sims, n)
    else:  # minimization on the stratum alone, all simulated strata advanced together
        seqs = np.zeros((n_sims, n), dtype=np.int64)
        counts = np.zeros((n_sims, 1, len(r)))
        for j in range(n):
            g = pocock_simon_g(counts, np.ones(1), r)
            pick = choose_arm(g, r, p_best, rng.random((n_sims, 3)))
            seqs[:, j] = pick
            counts[np.arange(n_sims), 0, pick] += 1
    first = np.cumsum(seqs == 0, axis=1)
    dev = np.abs(first - share0 * np.arange(1, n + 1))
    final = dev[:, -1]
    counts_end = (seqs[:, :, None] == np.arange(len(r))).sum(axis=1)
    exact = np.all(np.isclose(counts_end, target_int), axis=1) & integral
    cred = guess_credit(seqs, r) / n
    return BalanceReport(
        method=method, arms=arms_t, ratio=ratio_t, n_per_stratum=n_per_stratum, n_sims=n_sims,
        seed=seed, mean_abs_imbalance=float(final.mean()),
        p95_abs_imbalance=float(np.quantile(final, 0.95)),
        max_abs_imbalance=float(final.max()), max_abs_imbalance_any_time=float(dev.max()),
        share_final_ratio_exact=float(np.mean(exact)), correct_guess_share=float(cred.mean()),
        correct_guess_se=float(cred.std(ddof=1) / math.sqrt(n_sims)) if n_sims > 1 else 0.0,
        chance_guess_share=float(r.max() / r.sum()),
        block_sizes=tuple(m * sum(ratio_t) for m in mult) if method == "permuted_blocks" else (),
    )  # fmt: skip


# ------------------------------------------------------------------ from a protocol's design


def allocator_from_design(
    design: Mapping[str, Any], size_per_stratum: int = 0, seed: int | None = None
) -> RandomizationList | Minimizer:
    """Build the allocation a protocol's design block asks for (plain data, as the schema dumps).

    Keys read: ``allocation_ratio`` (arm id -> integer weight), ``stratification_factors``
    (``[{"id": ..., "levels": [...]}, ...]``), ``block_sizes`` (absolute sizes, each a multiple
    of the ratio's sum: 3, 6, 9 for 2:1; default 2x and 3x the sum), ``randomization_method``
    (``"permuted_blocks"``, the default, or ``"minimization"``) and ``minimization_p_best``
    (default 0.8). A permuted-block list needs ``size_per_stratum`` >= 1.
    """
    ratio_map = design.get("allocation_ratio") or {}
    if not ratio_map:
        raise InputError("allocation_ratio", ratio_map, "arm id -> integer weight for every arm")
    arms = list(ratio_map)
    ratio = [ratio_map[a] for a in arms]
    arms_t, ratio_t = check_arms_ratio(arms, ratio)
    factors = {
        str(f["id"]): tuple(str(x) for x in f["levels"])
        for f in design.get("stratification_factors") or []
    }
    method = design.get("randomization_method") or "permuted_blocks"
    if method == "minimization":
        if not factors:
            raise InputError("stratification_factors", [], "at least one factor to minimize on")
        return Minimizer.create(
            arms_t, ratio_t, factors, p_best=design.get("minimization_p_best", 0.8), seed=seed
        )
    if method != "permuted_blocks":
        raise InputError("randomization_method", method, "permuted_blocks | minimization")
    total = sum(ratio_t)
    sizes = list(design.get("block_sizes") or [2 * total, 3 * total])
    bad = [b for b in sizes if not isinstance(b, int) or b <= 0 or b % total]
    if bad:
        raise InputError("block_sizes", sizes, f"positive multiples of {total} (the ratio's sum)")
    return permuted_block_list(
        arms_t, ratio_t, size_per_stratum, factors or None, [b // total for b in sizes], seed
    )
