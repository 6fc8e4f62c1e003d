"""Allocation: single-arm enrolment, non-randomized assignment, randomization from the list.

Randomization takes the next slot of the participant's stratum from the concealed list made
by :func:`hccrt.stats.randomization.permuted_block_list`, through the core's
:func:`~hccrt.stats.randomization.next_assignment`. The stratum's counter row is locked
(``SELECT ... FOR UPDATE``) inside the transaction that writes the allocation, so concurrent
randomizations in one stratum queue on that row: none shares a slot, none skips one. A unique
constraint on (list, stratum, slot) backs this up. Randomization needs a confirmed eligible
screening and every stratification factor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from hccrt.errors import InputError
from hccrt.stats.randomization import next_assignment, permuted_block_list, stratum_key
from hccrt.web.audit.chain import lock_chain
from hccrt.web.capture.models import (
    Allocation,
    RandomizationList,
    Screening,
    StratumCounter,
)
from hccrt.web.core.models import Participant, Protocol, Site

SITE_FACTOR = "site"


@transaction.atomic
def create_randomization_list(
    protocol: Protocol, size_per_stratum: int, *, stratify_by_site: bool = True,
    sites: list[Site] | None = None, seed: int | None = None,
) -> RandomizationList:  # fmt: skip
    """Generate (core) and store the sealed list of a randomized protocol; one active per code."""
    design = protocol.document["design"]
    if design["type"] != "randomized":
        raise InputError("protocol", protocol.code, "a randomized protocol")
    ratio = design["allocation_ratio"]
    arms = [a["id"] for a in protocol.document["arms"] if a["id"] in ratio]
    strata: dict[str, list[str]] = {}
    if stratify_by_site:
        strata[SITE_FACTOR] = [s.code for s in (sites or Site.objects.order_by("code"))]
    for f in design.get("stratification_factors", []):
        strata[f["id"]] = list(f["levels"])
    base = sum(ratio[a] for a in arms)
    mult = sorted({b // base for b in design.get("block_sizes", []) if b % base == 0}) or [2, 3]
    core = permuted_block_list(
        arms, [ratio[a] for a in arms], size_per_stratum, strata=strata or None,
        block_multipliers=mult, seed=seed,
    )  # fmt: skip
    RandomizationList.objects.filter(protocol__code=protocol.code, is_active=True).update(
        is_active=False
    )
    stored = RandomizationList.objects.create(
        protocol=protocol, fingerprint=core.fingerprint(), sealed=core.model_dump_json()
    )
    for s in core.strata:
        StratumCounter.objects.create(rand_list=stored, stratum=s.key)
    return stored


def _eligible(participant: Participant) -> bool:
    return Screening.objects.alive().filter(
        participant=participant, outcome=Screening.Outcome.ELIGIBLE, confirmed=True
    ).exists()


def allocate(
    participant: Participant, method: str, allocation_date: date, *, arm: str | None = None,
    reason: str = "", strata: dict[str, str] | None = None, user: Any = None,
) -> Allocation:  # fmt: skip
    """Allocate a participant (audited); raises InputError naming the field otherwise."""
    with transaction.atomic():
        lock_chain(chain=participant.site_id)  # before any row lock (see AuditedModel.save)
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if Allocation.objects.filter(participant=participant).exists():
            raise InputError("participant", participant.study_id, "a participant not yet "
                             "allocated (allocations are final; correct them with a reason)")
        doc = participant.protocol.document
        design = doc["design"]["type"]
        arms = [a["id"] for a in doc["arms"]]
        expected = {"single_arm": "single_arm", "non_randomized_parallel": "non_randomized",
                    "randomized": "randomized"}[design]  # fmt: skip
        if method != expected:
            raise InputError("method", method, f"{expected!r} (the protocol's design is {design})")
        if not _eligible(participant):
            raise InputError("eligibility", participant.study_id,
                             "a screening with an eligible outcome confirmed by the investigator")
        allocation = Allocation(participant=participant, method=method,
                                allocation_date=allocation_date, reason=reason or "")  # fmt: skip
        if method == "single_arm":
            allocation.arm = arms[0]
        elif method == "non_randomized":
            if arm not in arms:
                raise InputError("arm", arm, f"one of {arms}")
            if not (reason or "").strip():
                raise InputError("reason", reason, "why this arm was assigned (required for a "
                                 "non-randomized assignment)")  # fmt: skip
            allocation.arm = arm
        else:
            rand_list = RandomizationList.objects.filter(
                protocol__code=participant.protocol.code, is_active=True
            ).first()
            if rand_list is None:
                raise InputError("randomization_list", participant.protocol.code,
                                 "an active randomization list for the protocol")
            core = rand_list.load()
            levels = {k: str(v) for k, v in (strata or {}).items()}
            if SITE_FACTOR in core.factors:
                levels[SITE_FACTOR] = participant.site.code
            key = stratum_key(levels, core.factors)  # raises naming the missing factor
            counter = StratumCounter.objects.select_for_update().get(
                rand_list=rand_list, stratum=key
            )
            assignment = next_assignment(core, levels, counter.assigned)
            allocation.arm = assignment.arm
            allocation.rand_list = rand_list
            allocation.stratum = assignment.stratum
            allocation.slot = counter.assigned
            allocation.randomization_number = assignment.number
            allocation.strata = levels
            counter.assigned += 1
            counter.save(update_fields=["assigned"])
        allocation.save(user=user)
        participant.arm = allocation.arm
        participant.status = Participant.Status.ENROLLED
        participant.save(user=user, reason=f"allocated by {method}")
        from hccrt.web.capture.schedule import generate_visits

        anchors = ["enrolment"] + (["randomization"] if method == "randomized" else [])
        for anchor in anchors:
            generate_visits(participant, anchor, allocation_date, user=user,
                            reason=f"{anchor} on {allocation_date.isoformat()}")  # fmt: skip
        return allocation
