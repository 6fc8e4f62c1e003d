"""Sign-in in a real browser: the login page, a failed sign-in, a signed-in page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hccrt.web.capture.models import Membership, Role
from hccrt.web.core.models import Site
from tests.web.browser.conftest import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_wrong_password_is_refused_with_a_message(new_page: Any) -> None:
    get_user_model().objects.create_user("coord", password=PASSWORD)
    page = new_page()
    sign_in(page, "coord", password="wrong")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
    screenshot(page, "sign-in-refused")


def test_signed_in_user_sees_their_name_and_roles(new_page: Any) -> None:
    site = Site.objects.create(code="s1", name="Site one", country="KR")
    user = get_user_model().objects.create_user("coord", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.SITE_COORDINATOR, site=site)
    page = new_page()
    sign_in(page, "coord")
    page.goto("/protocols/")
    assert page.get_by_text("coord").first.is_visible()
    assert page.get_by_text("Site coordinator").first.is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url
