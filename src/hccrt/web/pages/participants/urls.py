"""URL patterns of the participants area; included under the ``pages`` namespace."""

from django.urls import URLPattern, path

from hccrt.web.pages.participants import views

urlpatterns: list[URLPattern] = [
    path("participants/", views.participant_list, name="participant-list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant-detail"),
    path("participants/<int:pk>/forms/<slug:form>/new/", views.form_new, name="form-new"),
    path("forms/lab-units/", views.lab_units, name="lab-units"),
    path("forms/ae-grades/", views.ae_grades, name="ae-grades"),
    path("forms/<slug:form>/<int:pk>/", views.form_edit, name="form-edit"),
    path("forms/<slug:form>/<int:pk>/history/", views.form_history, name="form-history"),
    path("forms/<slug:form>/<int:pk>/delete/", views.form_delete, name="form-delete"),
]
