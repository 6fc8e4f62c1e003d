"""The Y-90 post-treatment dosimetry form on the participant pages: offered on the timeline,
its administration picked among the participant's own administrations only (never another
participant's, nor another site's), saved through the audited path with the core's predicted
dose beside the measured one.

The predicted tumour dose is the partition model written out by hand (Ho S et al., Eur J Nucl
Med 1996;23:947-52: D_T = K x A x (1 - LSF) x TNR / (TNR x M_T + M_N), K = 49.67 Gy.kg/GBq,
masses at 1.03 g/mL), not the core's output.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.models import Role
from tests.web.pages.test_forms_ecrf import client_for, new_url
from tests.web.test_y90_post_treatment import _administration

pytestmark = [pytest.mark.database, pytest.mark.django_db]

SLUG = "y90-post-treatment-dosimetry"


def _body(adm, **kw) -> dict:
    return {"administration": str(adm.pk), "imaging_date": "2026-02-11", "quantity": "TUMDOSE",
            "value": "150.2", "unit": "Gy", "dose_model": "PARTITION",
            "modality": "Y-90 PET/CT", **kw}  # fmt: skip


@pytest.fixture
def administrations(world):
    own = _administration(world, world.pa, delivered=1.8)
    neighbour = world.participant("MINI-A-002", world.site_a)
    return {"own": own, "same site": _administration(world, neighbour, delivered=1.7),
            "other site": _administration(world, world.pb, delivered=1.6)}


def test_only_the_participants_own_administrations_are_offered(world, administrations):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    r = c.get(new_url(world.pa, SLUG))
    assert r.status_code == 200
    html = r.content.decode()
    select = re.search(r'<select name="administration".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="(\d+)"', select)
    assert values == [str(administrations["own"].pk)]
    assert "Y-90 administration of 2026-02-10 (1.800 GBq delivered)" in select


@pytest.mark.parametrize("whose", ["same site", "other site"])
def test_another_participants_administration_is_refused(world, administrations, whose):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    r = c.post(new_url(world.pa, SLUG), _body(administrations[whose]))
    assert r.status_code == 422
    html = r.content.decode()
    slot = html[html.index('id="err-administration"'):].split("</div>")[0]
    assert "Select a valid choice" in slot
    assert not m.Y90PostTreatmentDosimetry.objects.exists()


def test_saved_audited_and_shown_on_the_timeline(world, administrations):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    r = c.post(new_url(world.pa, SLUG), _body(administrations["own"]))
    assert r.status_code == 302, r.content.decode()[:2000]
    row = m.Y90PostTreatmentDosimetry.objects.get()
    m_t, m_n = 200 * 1.03 / 1000, 800 * 1.03 / 1000
    tumour = 49.67 * 1.8 * (1 - 0.05) * 3.0 / (3.0 * m_t + m_n)
    assert row.participant == world.pa and row.value == 150.2
    assert row.predicted_gy == pytest.approx(tumour, rel=1e-9)
    event = AuditEvent.objects.get(model="capture.y90posttreatmentdosimetry")
    assert event.action == "create" and event.username == Role.MEDICAL_PHYSICIST
    page = c.get(reverse("pages:participant-detail", args=[world.pa.pk])).content.decode()
    section = page[page.index(f'<section id="{SLUG}"'):]
    section = section[:section.index("</section>")]
    assert "150 Gy" in section and f"{tumour:.3g}" in section and "Y-90 PET/CT" in section
    assert reverse("pages:form-edit", args=[SLUG, row.pk]) in section


def test_a_dose_before_the_administration_is_refused_on_its_field(world, administrations):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    r = c.post(new_url(world.pa, SLUG), _body(administrations["own"], imaging_date="2026-02-09"))
    assert r.status_code == 422
    html = r.content.decode()
    slot = html[html.index('id="err-imaging_date"'):].split("</div>")[0]
    assert "on or after the administration (2026-02-10)" in slot
    assert not m.Y90PostTreatmentDosimetry.objects.exists()


def test_the_timeline_offers_the_form_only_to_roles_that_may_write_it(world, administrations):
    c = client_for(world, Role.MEDICAL_PHYSICIST)
    c.post(new_url(world.pa, SLUG), _body(administrations["own"]))
    row = m.Y90PostTreatmentDosimetry.objects.get()
    detail = reverse("pages:participant-detail", args=[world.pa.pk])
    new, edit = new_url(world.pa, SLUG), reverse("pages:form-edit", args=[SLUG, row.pk])
    page = c.get(detail).content.decode()
    assert new in page and f'href="{edit}"' in page
    # a monitor reads every form and writes only queries: the row, without new or edit
    page = client_for(world, Role.MONITOR).get(detail).content.decode()
    assert f'<section id="{SLUG}"' in page
    assert new not in page and f'href="{edit}"' not in page
    assert f'href="{edit}history/"' in page
