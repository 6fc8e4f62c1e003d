"""URL patterns of the assessments area; included under the ``pages`` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
