"""Small helpers shared by the workspace pages: links to records, labels of forms."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from hccrt.web.capture import access


def url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@functools.lru_cache(maxsize=1)
def form_labels() -> dict[str, str]:
    """app_label.model -> human name of the form (its verbose name)."""
    out = {}
    for label in access.model_resources():
        app_label, model = label.split(".")
        out[label] = str(apps.get_model(app_label, model)._meta.verbose_name)
    return out


def record_url(model_label: str, pk: Any) -> str | None:
    """The page of a record (a participant's page, or the form's edit page), if defined."""
    if model_label == "core.participant":
        return url_or_none("pages:participant-detail", int(pk))
    if model_label == "capture.dataquery":
        return url_or_none("pages:query-detail", int(pk))
    slug = access.model_resources().get(model_label)
    if slug is None or slug in access.ACTION_ONLY:  # no generic edit page (allocations)
        return None
    try:
        return url_or_none("pages:form-edit", slug, int(pk))
    except ValueError:
        return None


def show_value(value: Any) -> str:
    """An audited value for display: empty as a dash, long values cut."""
    import json

    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
