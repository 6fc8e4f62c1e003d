"""Seed a demonstration database: the five protocols, synthetic cohorts, one user per role.

:func:`seed_demo` is what ``hccrt demo`` calls before it opens the web app. It is idempotent:
protocols already holding participants are not loaded again, users and memberships are
reused (their password is reset to the demo password), reads already assigned are kept.

Every user gets the same fixed, published demo password (:data:`DEMO_PASSWORD`): acceptable
only because the data are synthetic. To keep it off a real database, the seed refuses to run
unless debug is on (``HCCRT_DEBUG``) or the database is the embedded SQLite file, or the
caller passes ``force=True``.

Sites are those the synthetic cohorts name (``SITEID`` 01, 02, ...: the records bridge creates
them on import; the first three are created here in any case, so the site roles have a home
and a second site shows isolation). Cohorts load through
:func:`hccrt.web.capture.bridge.import_records`, the audited path of the API (validation,
CTCAE grading, edit checks, audit trail). The record tables carry no central reads, so a few
follow-up tumour assessments of enrolled participants are created and assigned to the reader
(with the baseline they compare against).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from hccrt.errors import HccrtError, InputError
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Membership, Role
from hccrt.web.core.models import Participant, Site

#: the demo-only password of every demo user (printed by ``hccrt demo``)
DEMO_PASSWORD = "hccrt-demo"
DEFAULT_SEED = 2026
PROTOCOLS = ("io-rt-mvi", "rescue", "sbrt-bclcc", "sirt-haic", "tare-ut7")
SITES = (("01", "Demo site 01"), ("02", "Demo site 02"), ("03", "Demo site 03"))
READS_PER_PROTOCOL = 2
SEED_USER = "demo-seed"


class DemoSeedRefused(HccrtError):
    """The demo seed would put known passwords into a database that may be real."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    site: str | None  # site code; None: every site

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    def line(self) -> str:
        where = f"site {self.site}" if self.site else "all sites"
        return f"{self.username:<14} {self.password:<12} {self.role_label} ({where})"


#: user name, role, site code (None: a central role for every site)
USERS: tuple[tuple[str, str, str | None], ...] = (
    ("coordinator", Role.SITE_COORDINATOR, "01"),
    ("investigator", Role.SITE_INVESTIGATOR, "01"),
    ("physicist", Role.MEDICAL_PHYSICIST, "01"),
    ("monitor", Role.MONITOR, "01"),
    ("coordinator2", Role.SITE_COORDINATOR, "02"),
    ("reader", Role.CENTRAL_READER, None),
    ("statistician", Role.STATISTICIAN, None),
    ("datamanager", Role.DATA_MANAGER, None),
    ("admin", Role.ADMINISTRATOR, None),
)


def _database_vendor() -> str:
    return connection.vendor


def check_allowed(force: bool = False) -> None:
    """Refuse unless debug is on, the database is SQLite, or ``force``."""
    if force or settings.DEBUG or _database_vendor() == "sqlite":
        return
    raise DemoSeedRefused(
        "the demo seed creates users with a published password; it runs only with "
        "HCCRT_DEBUG=1 or on the embedded SQLite database (database here: "
        f"{_database_vendor()}); pass force=True to seed a throw-away database anyway")


def _users() -> list[DemoUser]:
    User = get_user_model()
    out = []
    for username, role, site_code in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.save()
        site = Site.objects.get(code=site_code) if site_code else None
        Membership.objects.get_or_create(user=user, role=role, site=site)
        out.append(DemoUser(username, DEMO_PASSWORD, str(role), site_code))
    return out


def _load_cohort(code: str, n: int, seed: int, user: Any) -> int:
    """Simulate and import one protocol's cohort unless it has participants; rows loaded."""
    if Participant.objects.filter(protocol__code=code).exists():
        return 0
    from hccrt.simulate import simulate
    from hccrt.web.capture.bridge import import_records

    trial = simulate(code, n=n, seed=seed)
    counts = import_records(trial.records, code, user=user,
                            reason="hccrt demo: synthetic cohort")  # fmt: skip
    return int(sum(counts.values()))


def _assign_reads(code: str, reader: Any, user: Any, k: int) -> int:
    """Baseline (investigator) and follow-up (assigned to ``reader``) assessments of ``k``
    enrolled participants at the first site, unless the reader already has reads here."""
    if m.TumourAssessment.objects.filter(reader=reader, participant__protocol__code=code) \
            .exists():
        return 0
    people = list(Participant.objects.alive()
                  .filter(protocol__code=code, site__code=SITES[0][0], consent_date__isnull=False)
                  .exclude(arm="").order_by("study_id")[:k])  # fmt: skip
    made = 0
    for p in people:
        base_date = p.consent_date + timedelta(days=7)
        base = m.TumourAssessment(participant=p, assessment_date=base_date,
                                  timepoint="baseline", criteria="MRECIST", modality="CT SCAN",
                                  evaluator="INVESTIGATOR")  # fmt: skip
        base.save(user=user)
        m.Lesion(participant=p, assessment=base, lesion_id="T01", role="TARGET",
                 couinaud_segment=7, longest_diameter_mm=52.0, viable_diameter_mm=44.0
                 ).save(user=user)  # fmt: skip
        m.Lesion(participant=p, assessment=base, lesion_id="NT01", role="NON-TARGET",
                 couinaud_segment=4, state="PRESENT").save(user=user)
        m.TumourAssessment(participant=p, assessment_date=base_date + timedelta(days=84),
                           timepoint="follow_up", criteria="MRECIST", modality="CT SCAN",
                           evaluator="INDEPENDENT ASSESSOR", reader=reader).save(user=user)
        made += 1
    return made


def seed_demo(cohort_size: int = 40, seed: int = DEFAULT_SEED, *,
              protocols: Sequence[str] = PROTOCOLS, force: bool = False,
              progress: Callable[[str], None] | None = None) -> list[DemoUser]:  # fmt: skip
    """Protocols, sites, one user per role and a synthetic cohort of each protocol.

    Args:
        cohort_size: participants enrolled per protocol (screen failures come on top), 1-500.
        seed: the cohorts' random seed (the same seed gives the same cohorts).
        protocols: codes of the built-in protocols to load cohorts for.
        force: seed even where :func:`check_allowed` would refuse (a throw-away database).
        progress: called with a line of text per step.

    Returns the demo users (user name, password, role, site) to print.
    """
    if isinstance(cohort_size, bool) or not isinstance(cohort_size, int) \
            or not 1 <= cohort_size <= 500:
        raise InputError("cohort_size", cohort_size, "an integer 1-500")
    unknown = [c for c in protocols if c not in PROTOCOLS]
    if unknown:
        raise InputError("protocols", unknown, f"codes of the built-in protocols {PROTOCOLS}")
    check_allowed(force)
    say = progress or (lambda _s: None)
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    for code, name in SITES:
        site, created = Site.objects.get_or_create(code=code, defaults={"name": name})
        if not created and site.name == code:  # named by the bridge after its SITEID
            site.name = name
            site.save()
    User = get_user_model()
    system, _ = User.objects.get_or_create(username=SEED_USER, defaults={"is_active": False})
    users = _users()
    reader = User.objects.get(username="reader")
    for code in protocols:
        say(f"{code}: loading a synthetic cohort of {cohort_size} (audited saves)")
        try:
            with transaction.atomic():
                rows = _load_cohort(code, cohort_size, seed, system)
                reads = _assign_reads(code, reader, system, READS_PER_PROTOCOL)
        except InputError as exc:  # one protocol's cohort refused: the others still load
            say(f"{code}: NOT loaded, a record was refused: {exc}")
            continue
        say(f"{code}: {rows} record rows loaded, {reads} reads assigned to the reader"
            if rows or reads else f"{code}: already loaded")
    for site in Site.objects.filter(name__regex=r"^[0-9]+$"):
        site.name = f"Demo site {site.code}"
        site.save()
    return users


def demo_users_text(users: Sequence[DemoUser]) -> str:
    """The lines ``hccrt demo`` prints: who can sign in, with which password and role."""
    head = f"{'user':<14} {'password':<12} role (where)"
    return "\n".join([head, *(u.line() for u in users)])
