"""The entry point :func:`simulate`: argument and parameter checks, then the generator."""

from __future__ import annotations

from collections.abc import Callable

from hccrt.errors import InputError
from hccrt.protocols import Protocol, load_builtin
from hccrt.protocols.schema import DesignType, InterventionKind
from hccrt.simulate.cohort.common import Y90_KINDS, _check_int
from hccrt.simulate.cohort.generator import _Generator
from hccrt.simulate.cohort.result import SimulatedTrial
from hccrt.simulate.parameters import Parameters, load_parameters


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
