"""The home page: the dashboard of the protocol in focus at the user's sites."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hccrt.web.pages.shell import protocol_in_focus, visible_participants


@login_required
def home(request: HttpRequest) -> HttpResponse:
    protocol = protocol_in_focus(request)
    participants = visible_participants(request.user)
    if protocol is not None:
        participants = participants.filter(protocol__code=protocol.code)
    return render(request, "pages/dashboard/home.html",
                  {"protocol": protocol, "participant_count": participants.count()})  # fmt: skip
