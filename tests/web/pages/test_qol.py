"""The tablet QoL questionnaire (issue 10 item 8): screens, draft, storage and scoring.

Expected scale scores are computed by hand with the EORTC QLQ-C30 Scoring Manual (3rd ed.,
Fayers 2001) formulas: raw score RS = mean of the scale's items; functional scales
S = (1 - (RS - 1) / range) x 100; symptom scales and global health S = ((RS - 1) / range) x 100;
range 3 for the 1-4 items, 6 for items 29-30. Item-to-scale mapping from the manual's table 1:
PF2 = items 1-5, FA = 10, 12, 18, QL2 = 29, 30.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hccrt.web.capture.models import Membership, QolResponse, Role
from hccrt.web.pages.planning.qol import SCREENS

pytestmark = pytest.mark.database

#: answers to items 1-48 (1-4; items 29 and 30 on 1-7)
ANSWERS = {n: 1 + (n * 7) % 4 for n in range(1, 49)}
ANSWERS.update({1: 1, 2: 2, 3: 1, 4: 3, 5: 2, 10: 2, 12: 3, 18: 2, 29: 5, 30: 6})


def coordinator(world: Any) -> Client:
    c = Client()
    c.force_login(world.users[Role.SITE_COORDINATOR])
    return c


def fill(c: Client, pk: int, answers: dict[int, int], submit: bool = True) -> Any:
    url = reverse("pages:qol-fill", args=[pk])
    r = c.post(url, {"screen": 0, "completion_date": "2026-03-01", "move": "next"})
    assert "Screen 1 of 8" in r.content.decode()
    for i, screen in enumerate(SCREENS, start=1):
        data: dict[str, Any] = {"screen": i, "move": "next"}
        data.update({f"q{n}": answers[n] for n in screen.items if n in answers})
        if i == len(SCREENS):
            if not submit:
                return r
            data["move"] = "submit"
        r = c.post(url, data)
        assert r.status_code == 200, r.content.decode()[:500]
        if i < len(SCREENS):
            assert f"Screen {i + 1} of 8" in r.content.decode()
    return r


def test_complete_questionnaire_is_stored_and_scored_as_the_manual(world: Any) -> None:
    c = coordinator(world)
    r = fill(c, world.pa.pk, ANSWERS)
    assert "The answers are saved (48 of 48 items answered)" in r.content.decode()
    c30 = QolResponse.objects.get(instrument="QLQ-C30")
    hcc = QolResponse.objects.get(instrument="QLQ-HCC18")
    assert c30.answers == {f"q{n}": ANSWERS[n] for n in range(1, 31)}
    assert hcc.answers == {f"q{n}": ANSWERS[n] for n in range(31, 49)}
    assert str(c30.completion_date) == "2026-03-01"
    pf_rs = (1 + 2 + 1 + 3 + 2) / 5
    assert c30.scores["PF2"] == pytest.approx((1 - (pf_rs - 1) / 3) * 100)  # 73.33
    fa_rs = (2 + 3 + 2) / 3
    assert c30.scores["FA"] == pytest.approx((fa_rs - 1) / 3 * 100)  # 44.44
    ql_rs = (5 + 6) / 2
    assert c30.scores["QL2"] == pytest.approx((ql_rs - 1) / 6 * 100)  # 75.0
    # the thank-you page shows the core's scores
    html = r.content.decode()
    shown = re.search(r'data-scale="PF2">([\d.]+)<', html)
    assert shown and float(shown.group(1)) == pytest.approx(73.3, abs=0.05)
    # the draft is gone: a new questionnaire starts empty
    r = c.get(reverse("pages:qol-fill", args=[world.pa.pk]) + "?screen=1")
    assert "checked" not in r.content.decode()


def test_nothing_is_stored_before_the_last_screen_and_back_keeps_answers(world: Any) -> None:
    c = coordinator(world)
    fill(c, world.pa.pk, ANSWERS, submit=False)
    assert QolResponse.objects.count() == 0
    url = reverse("pages:qol-fill", args=[world.pa.pk])
    r = c.post(url, {"screen": 8, "move": "back", "q40": 2})
    html = r.content.decode()
    assert "Screen 7 of 8" in html
    assert f'name="q31" value="{ANSWERS[31]}" checked' in html
    assert QolResponse.objects.count() == 0


def test_missing_items_are_scored_with_the_half_rule(world: Any) -> None:
    """PF2 with 3 of 5 items answered is scored (at least half); RF2 with none is missing."""
    answers = {n: v for n, v in ANSWERS.items() if n not in (4, 5, 6, 7)}
    c = coordinator(world)
    r = fill(c, world.pa.pk, answers)
    assert "44 of 48 items answered" in r.content.decode()
    c30 = QolResponse.objects.get(instrument="QLQ-C30")
    assert c30.answers["q4"] is None
    assert c30.scores["PF2"] == pytest.approx((1 - ((1 + 2 + 1) / 3 - 1) / 3) * 100)
    assert c30.scores["RF2"] is None


def test_an_answer_outside_the_scale_is_refused_with_the_allowed_values(world: Any) -> None:
    c = coordinator(world)
    url = reverse("pages:qol-fill", args=[world.pa.pk])
    r = c.post(url, {"screen": 6, "move": "next", "q29": 9})
    assert r.status_code == 400
    assert "Item 29: got &#x27;9&#x27;; allowed: one of 1, 2, 3, 4, 5, 6, 7" in r.content.decode()
    assert "Screen 6 of 8" in r.content.decode()


def test_tablet_markup_labels_every_choice_and_shows_progress(world: Any) -> None:
    c = coordinator(world)
    html = c.get(reverse("pages:qol-fill", args=[world.pa.pk]) + "?screen=6").content.decode()
    assert '<progress max="8" value="6"' in html
    assert "Item 29 · Global health status / QoL (see the licensed questionnaire sheet)" in html
    assert html.count('name="q29"') == 7 and "7 Excellent" in html
    html = c.get(reverse("pages:qol-fill", args=[world.pa.pk]) + "?screen=1").content.decode()
    assert html.count('type="radio"') == 5 * 4 and "Very much" in html


def test_roles_and_sites(world: Any) -> None:
    phys = Client()
    phys.force_login(world.users[Role.MEDICAL_PHYSICIST])
    assert phys.get(reverse("pages:qol-fill", args=[world.pa.pk])).status_code == 403
    other = get_user_model().objects.create_user("coord-b")
    Membership.objects.create(user=other, role=Role.SITE_COORDINATOR, site=world.site_b)
    c = Client()
    c.force_login(other)
    assert c.get(reverse("pages:qol-fill", args=[world.pa.pk])).status_code == 404
    assert c.get(reverse("pages:qol-fill", args=[world.pb.pk])).status_code == 200


def test_a_date_before_consent_is_refused_and_the_draft_kept(world: Any) -> None:
    c = coordinator(world)
    url = reverse("pages:qol-fill", args=[world.pa.pk])
    c.post(url, {"screen": 0, "completion_date": "2026-01-01", "move": "next"})  # consent 01-10
    for i, screen in enumerate(SCREENS, start=1):
        data: dict[str, Any] = {"screen": i, "move": "submit" if i == 8 else "next"}
        data.update({f"q{n}": ANSWERS[n] for n in screen.items})
        r = c.post(url, data, follow=True)
    html = r.content.decode()
    assert "Not saved (nothing was stored)" in html and "2026-01-10" in html
    assert QolResponse.objects.count() == 0
    html = c.get(url + "?screen=8").content.decode()
    assert f'name="q48" value="{ANSWERS[48]}" checked' in html
