"""URL patterns of the workspace area; included under the ``pages`` namespace."""

from django.urls import URLPattern, path

from hccrt.web.pages.workspace import audit, exports, queries

urlpatterns: list[URLPattern] = [
    path("queries/", queries.query_list, name="queries"),
    path("queries/<int:pk>/", queries.query_detail, name="query-detail"),
    path("audit/", audit.audit_history, name="audit"),
    path("exports/", exports.exports, name="exports"),
    path("exports/runs/<int:pk>/", exports.export_run, name="export-run"),
    path("exports/runs/<int:pk>/files/<str:name>", exports.export_file, name="export-file"),
]
