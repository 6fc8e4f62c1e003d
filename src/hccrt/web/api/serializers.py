"""Serializers built from the models: every editable field writable, derived fields read-only.

The participant field only offers participants the user may write at (site isolation at
input); ``arm`` is replaced by ``"concealed"`` for roles that may not see it; the central
reader never sees the site.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, models, router
from django.utils import timezone
from rest_framework import serializers

from hccrt.web.api import rows
from hccrt.web.capture import access
from hccrt.web.capture.checks import DEATH_DATE_COLUMN
from hccrt.web.capture.models import Allocation, DataQuery, Disposition, protocol_facts
from hccrt.web.core.models import Participant, Protocol, Site

COMMON_READ_ONLY = ("id", "version", "is_deleted", "created_at", "updated_at")
CONCEALED = "concealed"


def _masked(participant: Participant) -> bool:
    return protocol_facts(participant.protocol_id).masked


def writable_participant(pk: int, sites: set[int] | None) -> Participant | None:
    """The live participant ``pk`` when its site is in ``sites`` (None: any site), with its
    site loaded: what ``Participant.objects.alive().filter(site_id__in=sites)
    .select_related("site").filter(pk=pk).first()`` returns, in one precompiled statement
    (building that query was a fifth of an API save's CPU; tests/web/test_api_fast_paths.py
    checks the two agree). The same statement reads the participant's first recorded death,
    kept as ``first_death_date`` for the save's edit checks (one round trip less)."""
    if sites is not None and not sites:
        return None
    using = router.db_for_read(Participant)
    death = DEATH_DATE_COLUMN.format(table=Disposition._meta.db_table)
    sql = (f'SELECT {rows.select_list("p", Participant)}, {rows.select_list("s", Site)}, '
           f'{death} FROM "{Participant._meta.db_table}" p '
           f'JOIN "{Site._meta.db_table}" s ON s."id" = p."site_id" '
           'WHERE p."id" = %s AND NOT p."is_deleted"')  # fmt: skip
    params: list[Any] = [pk]
    if sites is not None:
        sql += f' AND p."site_id" IN ({", ".join(["%s"] * len(sites))})'
        params.extend(sorted(sites))
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    n, k = rows.width(Participant), rows.width(Site)
    participant = rows.instance(Participant, using, row[:n])
    Participant._meta.get_field("site").set_cached_value(
        participant, rows.instance(Site, using, row[n:n + k]))
    died = row[n + k]
    participant.first_death_date = (  # type: ignore[attr-defined]
        date.fromisoformat(died) if isinstance(died, str) else died)  # SQLite: text
    return participant


class ScopedParticipantField(serializers.PrimaryKeyRelatedField):
    def __init__(self, resource: str, **kwargs: Any) -> None:
        self.resource = resource
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return (Participant.objects.alive().for_user(user, self.resource, "write")
                .select_related("site"))  # fmt: skip

    def to_internal_value(self, data: Any) -> Any:
        user = getattr(self.context.get("request"), "user", None)
        if self.resource in access.IMAGING and access.reader_only(user, self.resource):
            return super().to_internal_value(data)  # a reader's scope joins assignments
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = Participant._meta.pk.to_python(data)
        except (TypeError, ValueError, DjangoValidationError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        participant = writable_participant(pk, access.allowed_sites(user, self.resource,
                                                                    "write"))  # fmt: skip
        if participant is None:
            self.fail("does_not_exist", pk_value=data)
        return participant


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to another form, offered only within what the user may read."""

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        self.related_model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        resource = access.model_resources()[self.related_model._meta.label_lower]
        return self.related_model.objects.alive().for_user(
            getattr(request, "user", None), resource, "read")


def _new_field(field: serializers.Field) -> serializers.Field:
    """An unbound copy of ``field`` (a field built by ModelSerializer and never bound).

    DRF's ``Field.__deepcopy__`` calls the constructor again with deep copies of every
    argument. The arguments (choices, validators, model fields, querysets) are never changed
    by a field, and binding sets the per-serializer attributes (name, parent, source, label)
    on the copy, so a shallow copy is the same field; a field holding a child field (list,
    dict, nested serializer) binds the child too, so it is deep-copied as DRF does."""
    kwargs = field._kwargs  # type: ignore[attr-defined]
    if isinstance(field, serializers.BaseSerializer) or "child" in kwargs \
            or "child_relation" in kwargs:
        return copy.deepcopy(field)
    return copy.copy(field)


class FormSerializer(serializers.ModelSerializer):
    resource = ""
    site = serializers.SerializerMethodField()

    def get_fields(self) -> dict[str, Any]:
        """The fields ModelSerializer builds from the model's metadata, built once per class;
        each instance gets its own unbound copies (:func:`_new_field`). Building them on
        every request was a tenth of an API save's CPU."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built  # type: ignore[attr-defined]
        return {name: _new_field(field) for name, field in built.items()}

    def get_site(self, obj: Any) -> str | None:
        participant = obj if isinstance(obj, Participant) else obj.participant
        return participant.site.code

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if access.reader_only(user, self.resource):
            data.pop("site", None)
            data.pop("reader", None)
        participant = instance if isinstance(instance, Participant) else instance.participant
        if "arm" in data and data["arm"] and not access.sees_arm(
            user, participant.site_id, _masked(participant)
        ):
            data["arm"] = CONCEALED
            for hidden in ("randomization_number", "slot", "rand_list"):
                data.pop(hidden, None)
        return data


def serializer_for(model: type[models.Model], resource: str,
                   read_only: tuple[str, ...] = ()) -> type[FormSerializer]:  # fmt: skip
    extra: dict[str, Any] = {"resource": resource}
    meta_attrs: dict[str, Any] = {
        "model": model,
        "exclude": ["sealed"] if hasattr(model, "sealed") else [],
        "read_only_fields": (*COMMON_READ_ONLY, *read_only),
    }
    if model is not Participant:
        extra["participant"] = ScopedParticipantField(resource)
    for f in model._meta.concrete_fields:
        target = getattr(f, "related_model", None)
        if f.is_relation and target is not None and f.name != "participant" \
                and target._meta.label_lower in access.model_resources() \
                and f.name not in read_only:
            extra[f.name] = ScopedRelatedField(target, allow_null=f.null, required=not f.null)
    if hasattr(model, "status_on"):  # visits: upcoming / due / overdue / done / missed today
        extra["status"] = serializers.SerializerMethodField()
        extra["get_status"] = lambda self, obj: obj.status_on(timezone.localdate())
    meta = type("Meta", (), meta_attrs)
    return type(f"{model.__name__}Serializer", (FormSerializer,), {"Meta": meta, **extra})


class ParticipantSerializer(FormSerializer):
    resource = "participants"
    site = serializers.SlugRelatedField(slug_field="code", queryset=Site.objects.all())
    protocol = serializers.SlugRelatedField(
        slug_field="code", queryset=Protocol.objects.filter(is_current=True)
    )

    class Meta:
        model = Participant
        fields = ["id", "study_id", "protocol", "site", "arm", "consent_date",
                  "consent_version", "status", "sex", "age", *COMMON_READ_ONLY[1:]]  # fmt: skip
        read_only_fields = (*COMMON_READ_ONLY, "arm", "status")

    def validate_site(self, site: Site) -> Site:
        request = self.context.get("request")
        sites = access.allowed_sites(getattr(request, "user", None), "participants", "write")
        if sites is not None and site.pk not in sites:
            raise serializers.ValidationError(f"a site you may enrol at (not {site.code})")
        return site

    def validate_protocol(self, protocol: Protocol) -> Protocol:
        if self.instance is not None and self.instance.protocol_id != protocol.pk:
            raise serializers.ValidationError("the participant's protocol (not changeable)")
        return protocol


class QuerySerializer(serializer_for(DataQuery, "queries",
                                     read_only=("status", "response", "raised_by", "reopened",
                                                "edit_check"))):  # fmt: skip
    pass


class AllocationSerializer(serializer_for(Allocation, "allocations")):
    class Meta:
        model = Allocation
        exclude = ["rand_list"]
        read_only_fields = [f.name for f in Allocation._meta.fields if f.name != "rand_list"]


class AllocateRequest(serializers.Serializer):
    method = serializers.ChoiceField(choices=Allocation.Method.choices)
    allocation_date = serializers.DateField()
    arm = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    strata = serializers.DictField(child=serializers.CharField(), required=False)


class QueryActionRequest(serializers.Serializer):
    version = serializers.IntegerField()
    response = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
