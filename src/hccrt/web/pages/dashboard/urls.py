"""URL patterns of the dashboard area; included under the ``pages`` namespace."""

from django.urls import path

from hccrt.web.pages.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
]
