"""The shell shared by every page: the styled 404, distinct labels on the AE form."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, Role
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import load_builtin_protocols

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _coordinator() -> tuple[Client, Site]:
    site = Site.objects.create(code="s1", name="Site one", country="KR")
    user = get_user_model().objects.create_user("coord", password="pw-coord-1")
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=site)
    client = Client()
    assert client.login(username="coord", password="pw-coord-1")
    return client, site


def test_a_missing_page_is_the_sites_own_404_with_navigation() -> None:
    client, _ = _coordinator()
    response = client.get("/participants/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html and "Sign out" in html and 'href="/"' in html


def test_ae_relatedness_labels_are_distinct_when_interventions_share_a_name() -> None:
    """sbrt-bclcc gives the same systemic therapy name to an intervention of each arm; a
    screen reader must still tell the two relatedness fields apart (WCAG 2.4.6)."""
    load_builtin_protocols()
    client, site = _coordinator()
    protocol = Protocol.objects.get(code="sbrt-bclcc", is_current=True)
    system = get_user_model().objects.create_user("setup")
    with audit_context(system):
        p = Participant(study_id="SB-1", site=site, protocol=protocol,
                        consent_date=date(2026, 1, 10), consent_version="1.0", sex="M", age=60)
        p.save(user=system)
    html = client.get(f"/participants/{p.pk}/forms/adverse-events/new/").content.decode()
    texts = [part.split("</label>")[0].split(">", 1)[1] for part in html.split("<label")[1:]]
    labels = [t.strip() for t in texts if "Related to" in t]
    assert len(labels) >= 2
    assert len(set(labels)) == len(labels), labels
