"""The API's router: DRF's ``DefaultRouter`` (root view, ``.json`` format suffixes, the same
URL patterns and names), with each resource's routes grouped behind a test of its prefix.

DRF lists every route of every resource in one flat list, so Django tested a request against
up to ~100 regular expressions before reaching, say, ``labs/``. Grouped, a request is tested
against one string prefix per resource, then against its resource's few routes, which are
DRF's own, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver, re_path
from django.urls.resolvers import RegexPattern
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns


class _StartsWith(RegexPattern):
    """A zero-width group test: the path starts with ``prefix`` then '/' or '.'; nothing is
    consumed, so the routes inside match the whole path. Shown as ``^`` (an empty pattern)
    wherever URL patterns are listed or turned into paths (OpenAPI schema, admindocs)."""

    def __init__(self, prefix: str) -> None:
        super().__init__(r"^", is_endpoint=False)
        self._heads = (f"{prefix}/", f"{prefix}.")

    def match(self, path: str) -> tuple[str, tuple[()], dict[str, Any]] | None:
        return (path, (), {}) if path.startswith(self._heads) else None


class ResourceRouter(DefaultRouter):
    def get_urls(self) -> list[Any]:
        urls: list[Any] = []
        flat: list[Any] = []  # every route, for the root view's listing
        for prefix, viewset, basename in self.registry:
            one = SimpleRouter(trailing_slash=self.trailing_slash != "")
            one.register(prefix, viewset, basename=basename)
            routes = one.get_urls()
            flat.extend(routes)
            if self.include_format_suffixes:
                routes = format_suffix_patterns(routes)
            urls.append(URLResolver(_StartsWith(prefix), routes))
        if self.include_root_view:
            root = [re_path(r"^$", self.get_api_root_view(api_urls=flat),
                            name=self.root_view_name)]  # fmt: skip
            urls.extend(format_suffix_patterns(root) if self.include_format_suffixes else root)
        return urls
