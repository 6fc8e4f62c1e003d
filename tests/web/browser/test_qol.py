"""The QoL questionnaire on a 1024x768 tablet: every screen, big touch targets, keyboard."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.protocols import parse_protocol
from hccrt.web.audit.base import audit_context
from hccrt.web.capture.models import Membership, QolResponse, Role
from hccrt.web.core.models import Participant, Protocol, Site
from hccrt.web.core.services import store_protocol
from tests.protocols.minimal_protocol import as_yaml, minimal
from tests.web.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_tablet_questionnaire_through_all_screens(new_page: Any) -> None:
    store_protocol(parse_protocol(as_yaml(minimal())), source="mini.yaml")
    site = Site.objects.create(code="s1", name="Site one", country="KR")
    user = get_user_model().objects.create_user("coord", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=site)
    with audit_context(user):
        p = Participant(study_id="MINI-S1-001", site=site, consent_date=date(2026, 1, 10),
                        protocol=Protocol.objects.get(code="mini-trial", is_current=True))
        p.save()
    page = new_page("coord")
    page.goto(f"/qol/{p.pk}/")
    page.get_by_role("button", name="Start").click()
    for screen in range(1, 9):
        page.locator("strong", has_text=f"Screen {screen} of 8").wait_for()
        assert page.locator("progress").get_attribute("value") == str(screen)
        groups = page.locator("fieldset.item")
        first = groups.first.locator(".choice span").first
        box = first.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        for i in range(groups.count()):
            if screen == 1 and i == 0:  # keyboard: focus the first choice, arrow, space
                groups.nth(0).locator("input").first.focus()
                page.keyboard.press("ArrowRight")
                page.keyboard.press("Space")
                assert groups.nth(0).locator("input").nth(1).is_checked()
                continue
            groups.nth(i).locator(".choice span").nth(1).click()  # the second answer
        if screen == 6:
            screenshot(page, "qol-tablet-screen-6")
        if screen < 8:
            page.get_by_role("button", name="Next →").click()
    assert QolResponse.objects.count() == 0  # nothing stored before the last screen
    page.get_by_role("button", name="Send answers").click()
    page.get_by_text("The answers are saved (48 of 48 items answered)").wait_for()
    c30 = QolResponse.objects.get(instrument="QLQ-C30")
    assert set(c30.answers.values()) == {2}
    # all items answered 2: PF2 = (1 - (2 - 1) / 3) x 100 = 66.7; QL2 = (2 - 1) / 6 x 100
    assert c30.scores["PF2"] == pytest.approx(200 / 3)
    assert c30.scores["QL2"] == pytest.approx(100 / 6)
