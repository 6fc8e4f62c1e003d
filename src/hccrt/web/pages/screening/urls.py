"""URL patterns of the screening area; included under the ``pages`` namespace."""

from django.urls import path

from hccrt.web.pages.screening import enrol, finder, log, views

urlpatterns = [
    path("screening/", log.screening_list, name="screening-list"),
    path("screening/new/", views.screening_new, name="screening-new"),
    path("screening/<int:pk>/", views.screening_detail, name="screening-detail"),
    path("screening/<int:pk>/update/", views.screening_edit, name="screening-edit"),
    path("trial-finder/", finder.finder, name="finder"),
    path("participants/<int:pk>/enrol/", enrol.enrol, name="enrol"),
]
