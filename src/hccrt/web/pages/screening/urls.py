"""URL patterns of the screening area; included under the ``pages`` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
