"""What every page shares: sign-in and role gates, the protocol in focus, the navigation.

The role and site rules are those of :mod:`hccrt.web.capture.access` (querysets are cut there);
this module only decides which pages a role is offered and which protocol a page is about.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

import hccrt
from hccrt.web.capture import access
from hccrt.web.capture.models import Role
from hccrt.web.core.models import Participant, Protocol

SESSION_PROTOCOL_KEY = "hccrt_protocol"

SITE_STAFF = frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER, Role.SITE_INVESTIGATOR,
                        Role.SITE_COORDINATOR})  # fmt: skip
READ_ALL = frozenset(SITE_STAFF | {Role.STATISTICIAN, Role.MONITOR})
PHYSICS = frozenset({Role.ADMINISTRATOR, Role.MEDICAL_PHYSICIST, Role.SITE_INVESTIGATOR})
READERS = frozenset({Role.CENTRAL_READER, Role.ADMINISTRATOR})
ANYONE = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


#: The navigation: label, URL name in the ``pages`` namespace, roles offered the page. An
#: entry whose URL is not (yet) defined is left out, so areas can land one at a time.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "pages:home", ANYONE),
    NavItem("Screening", "pages:screening-list", SITE_STAFF | {Role.MONITOR}),
    NavItem("Participants", "pages:participant-list", READ_ALL | {Role.MEDICAL_PHYSICIST}),
    NavItem("Planning & QoL", "pages:planning-home", PHYSICS | {Role.SITE_COORDINATOR}),
    NavItem("Central review", "pages:review-inbox", READERS),
    NavItem("Assign reads", "pages:review-assign", frozenset({Role.ADMINISTRATOR,
                                                             Role.DATA_MANAGER})),
    NavItem("Queries", "pages:queries", READ_ALL),
    NavItem("Audit", "pages:audit", READ_ALL),
    NavItem("Exports", "pages:exports", frozenset({Role.ADMINISTRATOR, Role.DATA_MANAGER,
                                                   Role.STATISTICIAN})),
    NavItem("Trial finder", "pages:finder", ANYONE),
)


def user_roles(user: Any) -> set[str]:
    return access.roles(user)


def has_any_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user_roles(user) & set(roles))


def forbidden(request: HttpRequest, why: str) -> HttpResponse:
    """A 403 page that says what the user lacks (never which data exists)."""
    return render(request, "pages/forbidden.html", {"why": why}, status=403)


def role_required(roles: Iterable[str]) -> Callable[[Callable[..., HttpResponse]],
                                                    Callable[..., HttpResponse]]:
    """Sign-in required, and one of ``roles`` at some site; otherwise a 403 page."""
    allowed = frozenset(roles)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_any_role(request.user, allowed):
                names = ", ".join(sorted(Role(r).label for r in allowed))
                return forbidden(request, f"This page is for: {names}.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def current_protocols() -> list[Protocol]:
    return list(Protocol.objects.filter(is_current=True).order_by("code"))


def protocol_in_focus(request: HttpRequest) -> Protocol | None:
    """The protocol a page is about: ``?protocol=CODE``, else the session's, else the first.

    Choosing one with ``?protocol=`` keeps it for the session.
    """
    protocols = {p.code: p for p in current_protocols()}
    if not protocols:
        return None
    wanted = request.GET.get("protocol") or request.session.get(SESSION_PROTOCOL_KEY)
    chosen = protocols.get(wanted or "") or next(iter(protocols.values()))
    if request.session.get(SESSION_PROTOCOL_KEY) != chosen.code:
        request.session[SESSION_PROTOCOL_KEY] = chosen.code
    return chosen


def visible_participants(user: Any, op: str = "read") -> Any:
    """Participants ``user`` may ``op``, cut by role and site in the queryset."""
    return access.scope(Participant.objects.alive(), user, "participants", op)


def navigation(user: Any) -> list[dict[str, str]]:
    roles = user_roles(user)
    items = []
    for item in NAVIGATION:
        if not roles & item.roles:
            continue
        try:
            items.append({"label": item.label, "url": reverse(item.url_name),
                          "name": item.url_name})  # fmt: skip
        except NoReverseMatch:
            continue
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    """Context processor: navigation, roles and protocols for ``pages/base.html``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hccrt_version": hccrt.__version__}
    return {
        "hccrt_version": hccrt.__version__,
        "nav": navigation(user),
        "user_role_labels": sorted(Role(r).label for r in user_roles(user)),
        "all_protocols": current_protocols(),
    }
