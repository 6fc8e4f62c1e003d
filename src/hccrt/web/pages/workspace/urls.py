"""URL patterns of the workspace area; included under the ``pages`` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
