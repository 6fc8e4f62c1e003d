"""The core web app: protocol versions by content hash, participants, pages and health.

Marked ``database``: `make test` reruns these on PostgreSQL when HCCRT_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hccrt.protocols import BUILTIN_CODES, parse_protocol
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import load_builtin_protocols, store_protocol
from tests.protocols.minimal_protocol import as_yaml, minimal

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _mini(**changes):
    return parse_protocol(as_yaml(minimal(**changes)))


def test_storing_the_same_content_twice_keeps_one_version():
    first = store_protocol(_mini(), source="mini.yaml")
    again = store_protocol(_mini(), source="mini.yaml")
    assert first.created and not again.created
    assert Protocol.objects.filter(code="mini-trial").count() == 1


def test_changed_content_becomes_the_new_current_version_and_old_is_kept():
    store_protocol(_mini(), source="mini.yaml")
    result = store_protocol(_mini(version="1.1"), source="mini.yaml")
    assert result.created
    versions = Protocol.objects.filter(code="mini-trial")
    assert versions.count() == 2
    current = versions.get(is_current=True)
    assert current.version == "1.1" and current.content_hash == result.content_hash
    # going back to the first content re-activates the stored row instead of adding one
    store_protocol(_mini(), source="mini.yaml")
    assert versions.count() == 2
    assert versions.get(is_current=True).version == "1.0"


def test_only_one_current_version_per_code_is_enforced_by_the_database():
    store_protocol(_mini(), source="mini.yaml")
    stored = Protocol.objects.get(code="mini-trial")
    with pytest.raises(IntegrityError), transaction.atomic():
        Protocol.objects.create(
            code="mini-trial",
            version="x",
            content_hash="0" * 64,
            title="t",
            short_title="t",
            design_type="randomized",
            document=stored.document,
            source="x",
            is_current=True,
        )


def test_stored_document_round_trips_to_the_validated_protocol():
    store_protocol(_mini(), source="mini.yaml")
    stored = Protocol.objects.get(code="mini-trial")
    assert stored.as_protocol() == _mini()


def test_participant_study_id_is_unique_within_a_protocol_and_arm_is_checked():
    store_protocol(_mini(), source="mini.yaml")
    protocol = Protocol.objects.get(code="mini-trial")
    site = Site.objects.create(code="snuh", name="Seoul National University Hospital")
    p = Participant(study_id="MINI-001", protocol=protocol, site=site, arm="placebo")
    with pytest.raises(ValidationError, match="arm 'placebo' is not an arm of mini-trial"):
        p.full_clean()
    p.arm = "exp"
    p.full_clean()
    p.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(study_id="MINI-001", protocol=protocol, site=site)


def test_health_reports_database_and_counts(client):
    store_protocol(_mini(), source="mini.yaml")
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["protocols"] == 1 and body["participants"] == 0


def test_protocol_pages_show_arms_schedule_limits_and_endpoints(client):
    store_protocol(_mini(), source="mini.yaml")
    listing = client.get("/protocols/")
    assert listing.status_code == 200
    assert b"mini-trial" in listing.content and b"randomized 2:1 (exp : ctl)" in listing.content
    detail = client.get("/protocols/mini-trial/")
    html = detail.content.decode()
    assert detail.status_code == 200
    for expected in (
        "Experimental",
        "3 months after randomization, then every 3 months to 24 months",
        "&lt;= 15 Gy (model=partition, tumour_absorbed_dose_gy=150)",
        "Overall survival",
        "Objective response rate",
        "RECIST 1.1",
        "1 primary, 1 secondary",
    ):
        assert expected in html, expected


def test_unknown_protocol_page_is_404(client):
    assert client.get("/protocols/nope/").status_code == 404


def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_five_builtin_protocols_load_into_the_database(client):
    results = load_builtin_protocols()
    assert [r.code for r in results] == list(BUILTIN_CODES)
    assert all(r.created for r in results)
    assert not any(r.created for r in load_builtin_protocols())
    assert Protocol.objects.filter(is_current=True).count() == 5
    for code in BUILTIN_CODES:
        assert client.get(f"/protocols/{code}/").status_code == 200
