"""URL patterns of the planning area; included under the ``pages`` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
