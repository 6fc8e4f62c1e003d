"""URL patterns of the assessments area; included under the ``pages`` namespace."""

from django.urls import URLPattern, path

from hccrt.web.pages.assessments import views

urlpatterns: list[URLPattern] = [
    path("participants/<int:participant_pk>/assessments/new/", views.assessment_new,
         name="assessment-new"),
    path("assessments/<int:pk>/", views.assessment_edit, name="assessment-edit"),
    path("review/", views.review_inbox, name="review-inbox"),
    path("review/assign/", views.review_assign, name="review-assign"),
    path("review/reads/<int:pk>/", views.review_read, name="review-read"),
    path("review/cases/<int:participant_pk>/adjudication/", views.adjudication,
         name="adjudication"),
]  # fmt: skip
