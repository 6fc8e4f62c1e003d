"""Fixtures of the capture tests: two sites, the mini trial, one user per role."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from hccrt.protocols import parse_protocol
from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, Role, Screening
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import store_protocol
from tests.protocols.minimal_protocol import as_yaml, minimal

SITE_ROLES = (Role.SITE_INVESTIGATOR, Role.SITE_COORDINATOR, Role.MEDICAL_PHYSICIST,
              Role.MONITOR)  # fmt: skip
CENTRAL_ROLES = (Role.ADMINISTRATOR, Role.STATISTICIAN, Role.DATA_MANAGER, Role.CENTRAL_READER)
CONSENT = date(2026, 1, 10)


class World:
    def __init__(self) -> None:
        store_protocol(parse_protocol(as_yaml(minimal())), source="mini.yaml")
        self.protocol = Protocol.objects.get(code="mini-trial", is_current=True)
        self.site_a = Site.objects.create(code="a", name="Site A", country="KR")
        self.site_b = Site.objects.create(code="b", name="Site B", country="FR")
        User = get_user_model()
        self.users = {}
        for role in SITE_ROLES:
            u = User.objects.create_user(role)
            Membership.objects.create(user=u, role=role, site=self.site_a)
            self.users[role] = u
        for role in CENTRAL_ROLES:
            u = User.objects.create_user(role)
            Membership.objects.create(user=u, role=role, site=None)
            self.users[role] = u
        self.system = User.objects.create_user("setup")
        with audit_context(self.system):
            self.pa = self.participant("MINI-A-001", self.site_a)
            self.pb = self.participant("MINI-B-001", self.site_b)

    def participant(self, study_id: str, site: Site, protocol: Protocol | None = None,
                    consent: date = CONSENT) -> Participant:  # fmt: skip
        p = Participant(study_id=study_id, site=site, protocol=protocol or self.protocol,
                        consent_date=consent, consent_version="1.0", sex="M", age=64)
        p.save(user=self.system)
        return p

    def eligible(self, participant: Participant) -> Screening:
        s = Screening(participant=participant, screening_date=CONSENT,
                      outcome=Screening.Outcome.ELIGIBLE, confirmed=True)  # fmt: skip
        s.save(user=self.system)
        return s

    def client(self, role: str) -> APIClient:
        c = APIClient()
        c.force_authenticate(self.users[role])
        return c


@pytest.fixture(autouse=True)
def _fresh_protocol_caches():
    """Protocol rows are immutable and never deleted, so their facts are cached by id; each
    test's database reuses ids, so the caches start empty."""
    from hccrt.web.capture.models import protocol_facts, protocol_model

    protocol_facts.cache_clear()
    protocol_model.cache_clear()
    yield


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return World()
