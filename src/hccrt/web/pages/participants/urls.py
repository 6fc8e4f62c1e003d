"""URL patterns of the participants area; included under the ``pages`` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
