"""The grouped API router resolves every URL exactly as DRF's flat DefaultRouter does (same
view, name and arguments), reverses the same names, and lists the same OpenAPI paths."""

from __future__ import annotations

import re

from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from rest_framework.routers import DefaultRouter

from hccrt.web.api import urls as api_urls


class _Conf:
    def __init__(self, patterns: list) -> None:
        self.urlpatterns = patterns


def _flat_router() -> DefaultRouter:
    flat = DefaultRouter()
    for prefix, viewset, basename in api_urls.router.registry:
        flat.register(prefix, viewset, basename=basename)
    return flat


def _sample(regex: str) -> str:
    """A concrete path a route pattern matches (ids 7, format json)."""
    path = regex.replace("(?P<pk>[^/.]+)", "7").replace("(?P<format>[a-z0-9]+)", "json")
    path = path.replace("<drf_format_suffix:format>", ".json")  # the root view's suffix
    path = path.replace("\\.", ".").replace("/?", "/")
    return re.sub(r"[\^$]", "", path)


def test_every_route_resolves_as_with_the_flat_router():
    flat = _flat_router().urls
    grouped = URLResolver(RegexPattern(r"^/"), _Conf(api_urls.router.urls))
    reference = URLResolver(RegexPattern(r"^/"), _Conf(flat))
    samples = {_sample(str(p.pattern)) for p in flat}
    assert len(samples) > 100  # every resource's list, detail, actions and suffixes
    for path in sorted(samples):
        want, got = reference.resolve("/" + path), grouped.resolve("/" + path)
        assert (got.url_name, got.kwargs, got.func.cls) == \
            (want.url_name, want.kwargs, want.func.cls), path  # fmt: skip
    for path in ("/labsx/", "/labs", "/nolabs/", "/labs/7/x/"):
        for resolver in (grouped, reference):
            try:
                resolver.resolve(path)
            except Exception as exc:  # Resolver404 from both
                assert type(exc).__name__ == "Resolver404"
            else:
                raise AssertionError(f"{path} resolved")


def test_names_reverse_and_the_schema_lists_plain_paths(world):
    assert reverse("labs-list") == "/api/v1/labs/"
    assert reverse("labs-detail", args=[7]) == "/api/v1/labs/7/"
    assert reverse("labs-history", args=[7]) == "/api/v1/labs/7/history/"
    assert reverse("api-root") == "/api/v1/"
    assert get_resolver().resolve("/api/v1/adverse-events.json").kwargs == {"format": "json"}
    paths = world.client("administrator").get("/api/v1/schema/", {"format": "json"}).json()
    listed = set(paths["paths"])
    for prefix, _viewset, _basename in api_urls.router.registry:
        assert f"/api/v1/{prefix}/" in listed, prefix
    assert not any("{var}" in p or "(?" in p for p in listed)
