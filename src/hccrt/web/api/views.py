"""API views: one generic view set per form, scoped by role and site in its queryset.

Writes: POST creates; PUT/PATCH need the ``version`` the client edited (body field or
``If-Match`` header) and a ``change_reason`` (body field or ``X-Change-Reason`` header; some
forms have a ``reason`` field of their own, e.g. why a subsequent treatment began); a stale
version gets 409 with the stored record and the submitted data, and nothing is written.
DELETE is a soft delete with a reason. ``GET .../{id}/history/?field=`` returns the audit
events of the record (per field with ``field``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from hccrt.errors import InputError
from hccrt.web.api import serializers as s
from hccrt.web.api.auth import GrantsTokenAuthentication
from hccrt.web.api.errors import error_response
from hccrt.web.audit.base import StaleVersionError, audit_context
from hccrt.web.audit.chain import feed_horizon
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import access
from hccrt.web.capture import models as m
from hccrt.web.capture.allocation import allocate
from hccrt.web.capture.checks import known_deaths
from hccrt.web.core.models import Participant


def _reason(request: Request) -> str:
    data = request.data if isinstance(request.data, dict) else {}
    return str(data.get("change_reason") or request.headers.get("X-Change-Reason") or "").strip()


def _version(request: Request) -> int:
    data = request.data if isinstance(request.data, dict) else {}
    raw = data.get("version", request.headers.get("If-Match"))
    try:
        return int(str(raw).strip('"W/'))
    except (TypeError, ValueError):
        raise InputError("version", raw, "the version of the record being edited (an "
                         "integer from the last read)") from None  # fmt: skip


class EventSerializer(serializers.ModelSerializer):
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "username", "action", "model", "object_pk", "participant_id",
                  "version", "changes", "reason"]  # fmt: skip

    def get_changes(self, obj: AuditEvent) -> dict[str, Any]:
        import json

        return json.loads(obj.changes)


def _mask_events(events: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """Hide arm values from roles that may not see them (per event's site)."""
    out = []
    for e in events:
        site_id = e.pop("_site_id", None)
        if not access.sees_arm(user, site_id, masked=False):
            if e["model"] == "capture.allocation":
                continue
            for field in ("arm",):
                if field in e["changes"]:
                    e["changes"][field] = [s.CONCEALED, s.CONCEALED]
        out.append(e)
    return out


class FormViewSet(viewsets.ModelViewSet):
    # token + user + role grants in one query (the save path's first round trip)
    authentication_classes = [GrantsTokenAuthentication, SessionAuthentication]
    resource = ""
    model: type = m.Screening
    filterset_fields = ["participant"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        qs = self.model.objects.alive().for_user(self.request.user, self.resource, "read")
        qs = qs.select_related("participant__site", "participant__protocol")
        params = self.request.query_params
        if params.get("site"):
            qs = qs.filter(participant__site__code=params["site"])
        if params.get("protocol"):
            qs = qs.filter(participant__protocol__code=params["protocol"])
        if params.get("study_id"):
            qs = qs.filter(participant__study_id=params["study_id"])
        return qs

    def _check_write(self, instance: Any = None) -> None:
        if self.resource in access.ACTION_ONLY:
            raise PermissionDenied(f"{self.resource} are written through their own actions")
        sites = access.allowed_sites(self.request.user, self.resource, "write")
        if sites is not None and not sites:
            raise PermissionDenied(f"your role may not write {self.resource}")
        if instance is not None:
            allowed = self.model.objects.filter(pk=instance.pk).for_user(
                self.request.user, self.resource, "write").exists()
            if not allowed:
                raise PermissionDenied(f"your role may not change this {self.resource} record")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._check_write()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant = serializer.validated_data.get("participant")
        deaths = {}  # read with the participant (ScopedParticipantField): not read again
        if hasattr(participant, "first_death_date"):
            deaths[participant.pk] = participant.first_death_date
        with audit_context(request.user, ""), known_deaths(deaths):
            serializer.save()  # one transaction: the audited save
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._check_write(instance)
        submitted = _version(request)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            with audit_context(request.user, _reason(request)), transaction.atomic():
                serializer.instance.version = submitted
                serializer.save()
        except StaleVersionError as exc:
            current = self.get_serializer(self.model.objects.get(pk=instance.pk)).data
            return error_response(
                [{"field": "version", "value": exc.submitted,
                  "rule": f"the current version ({exc.current}); reload and reapply"}],
                status.HTTP_409_CONFLICT, current=current, submitted=request.data,
            )  # fmt: skip
        return Response(self.get_serializer(serializer.instance).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self._check_write(instance)
        instance.version = _version(request)
        reason = _reason(request)
        if not reason:
            raise InputError("reason", reason, "why the record is deleted (required)")
        instance.soft_delete(reason=reason, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[OpenApiParameter("field", str, description="one field only")],
                   responses=EventSerializer(many=True))  # fmt: skip
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        events = AuditEvent.objects.filter(model=obj._meta.label_lower, object_pk=str(obj.pk))
        data = [dict(e, _site_id=obj.audit_site_id())
                for e in EventSerializer(events, many=True).data]  # fmt: skip
        field = request.query_params.get("field")
        if field:
            data = [e for e in data if field in e["changes"]]
            for e in data:
                e["changes"] = {field: e["changes"][field]}
        return Response(_mask_events(data, request.user))


def form_viewset(model: type, resource: str, serializer: type | None = None) -> type:
    return type(f"{model.__name__}ViewSet", (FormViewSet,), {
        "model": model, "resource": resource,
        "serializer_class": serializer or s.serializer_for(model, resource),
        "queryset": model.objects.none(),
    })  # fmt: skip


class ParticipantViewSet(FormViewSet):
    model = Participant
    resource = "participants"
    serializer_class = s.ParticipantSerializer
    queryset = Participant.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self) -> Any:
        qs = Participant.objects.alive().for_user(self.request.user, self.resource, "read")
        qs = qs.select_related("site", "protocol")
        params = self.request.query_params
        if params.get("site"):
            qs = qs.filter(site__code=params["site"])
        if params.get("protocol"):
            qs = qs.filter(protocol__code=params["protocol"])
        if params.get("study_id"):
            qs = qs.filter(study_id=params["study_id"])
        return qs

    @extend_schema(request=s.AllocateRequest, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        participant = self.get_object()
        if not access.has_role_at(request.user, access.RANDOMIZE, participant.site_id):
            raise PermissionDenied("your role may not allocate participants at this site")
        body = s.AllocateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        with audit_context(request.user, ""):
            allocation = allocate(participant, d["method"], d["allocation_date"],
                                  arm=d.get("arm"), reason=d.get("reason", ""),
                                  strata=d.get("strata"), user=request.user)  # fmt: skip
        return Response(s.AllocationSerializer(allocation, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class AllocationViewSet(FormViewSet):
    model = m.Allocation
    resource = "allocations"
    serializer_class = s.AllocationSerializer
    queryset = m.Allocation.objects.none()
    http_method_names = ["get", "head", "options"]


class QueryViewSet(FormViewSet):
    """Data queries: raised by monitors/data managers (or edit checks), answered by the site,
    closed or re-opened by whoever raises them."""

    model = m.DataQuery
    resource = "queries"
    serializer_class = s.QuerySerializer
    queryset = m.DataQuery.objects.none()
    filterset_fields = ["participant", "status", "edit_check"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not access.roles(request.user) & access.QUERY_RAISE:
            raise PermissionDenied("your role may not raise queries")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with audit_context(request.user, ""), transaction.atomic():
            serializer.save(raised_by=request.user)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def _transition(self, request: Request, action_name: str) -> Response:
        """One lifecycle step; the rules are :mod:`hccrt.web.capture.query_flow`'s."""
        from hccrt.web.capture import query_flow

        query = self.get_object()
        body = s.QueryActionRequest(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            query_flow.transition(query, request.user, action_name,
                                  body.validated_data["version"],
                                  response=body.validated_data.get("response", ""),
                                  reason=body.validated_data.get("reason", ""))  # fmt: skip
        except query_flow.QueryPermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        except StaleVersionError as exc:
            return error_response(
                [{"field": "version", "value": exc.submitted,
                  "rule": f"the current version ({exc.current}); reload and reapply"}],
                status.HTTP_409_CONFLICT,
            )  # fmt: skip
        return Response(self.get_serializer(query).data)

    @extend_schema(request=s.QueryActionRequest)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, "answer")

    @extend_schema(request=s.QueryActionRequest)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, "close")

    @extend_schema(request=s.QueryActionRequest)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, "reopen")

    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        """Queries per site and status, within the user's sites."""
        rows = (self.get_queryset().order_by().values("participant__site__code")
                .annotate(open=Count("id", filter=Q(status="open")),
                          answered=Count("id", filter=Q(status="answered")),
                          closed=Count("id", filter=Q(status="closed"))))  # fmt: skip
        return Response({r.pop("participant__site__code"): r for r in rows})


class ChangeFeedView(ListAPIView):
    """Everything changed since ``since`` (ISO 8601): inserts, updates, deletes, query events.

    Events are in audit order; the cursor continues where the last page stopped.
    """

    serializer_class = EventSerializer

    @extend_schema(parameters=[
        OpenApiParameter("since", str, description="ISO 8601 date-time (inclusive)"),
        OpenApiParameter("model", str, description="app_label.model, e.g. capture.labresult"),
    ])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user = self.request.user
        if access.reader_only(user, "tumour-assessments") or not access.grants(user):
            raise PermissionDenied("your role has no change feed")
        sites = access.allowed_sites(user, "participants", "read")
        qs = AuditEvent.objects.all()
        horizon = feed_horizon()  # per-site chains commit independently: no skipped event
        if horizon is not None:
            qs = qs.filter(at__lt=horizon)
        if sites is not None:
            qs = qs.filter(site_id__in=sites)
        since = self.request.query_params.get("since")
        if since:
            parsed: datetime | None = parse_datetime(since)
            if parsed is None:
                raise InputError("since", since, "an ISO 8601 date-time, e.g. "
                                 "2026-11-22T10:00:00Z")  # fmt: skip
            qs = qs.filter(at__gte=parsed)
        if self.request.query_params.get("model"):
            qs = qs.filter(model=self.request.query_params["model"])
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        site_of = {e.id: e.site_id for e in page}
        data = [dict(d, _site_id=site_of[d["id"]])
                for d in self.get_serializer(page, many=True).data]  # fmt: skip
        return self.get_paginated_response(_mask_events(data, request.user))


def not_found(*args: Any, **kwargs: Any) -> None:  # pragma: no cover
    raise NotFound()
