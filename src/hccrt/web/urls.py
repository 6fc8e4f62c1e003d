from django.contrib import admin
from django.urls import include, path

from hccrt.web.core import views

urlpatterns = [
    path("protocols/", views.protocol_list, name="protocol-list"),
    path("protocols/<slug:code>/", views.protocol_detail, name="protocol-detail"),
    path("health", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("hccrt.web.api.urls")),
    path("", include("hccrt.web.pages.urls")),
]
