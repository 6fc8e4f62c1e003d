"""URL patterns of the planning area; included under the ``pages`` namespace."""

from django.urls import URLPattern, path

from hccrt.web.pages.planning import views

urlpatterns: list[URLPattern] = [
    path("planning/", views.home, name="planning-home"),
    path("planning/y90/<int:pk>/", views.y90_plan, name="y90-plan"),
    path("planning/y90/<int:pk>/preview/", views.y90_preview, name="y90-preview"),
    path("planning/y90/plan/<int:pk>/", views.y90_summary, name="y90-summary"),
    path("planning/y90/plan/<int:pk>/sign/", views.y90_sign, name="y90-sign"),
    path("planning/y90/plan/<int:pk>/administration/", views.y90_administer,
         name="y90-administer"),
    path("planning/sbrt/<int:pk>/", views.sbrt_plan, name="sbrt-plan"),
    path("planning/sbrt/<int:pk>/preview/", views.sbrt_preview, name="sbrt-preview"),
    path("planning/haic/<int:pk>/", views.haic_plan, name="haic-plan"),
    path("planning/haic/<int:pk>/preview/", views.haic_preview, name="haic-preview"),
    path("qol/<int:pk>/", views.qol_fill, name="qol-fill"),
]
