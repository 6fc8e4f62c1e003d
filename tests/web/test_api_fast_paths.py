"""The API save's precompiled paths agree with the ORM paths they replace: the participant
a form may be saved for (``writable_participant`` vs the scoped queryset, every role, site,
resource and deleted/unknown participant), and serializer fields built once per class (the
same fields as DRF builds per instance, never shared between instances)."""

from __future__ import annotations

import pytest
from rest_framework import serializers as drf
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hccrt.web.api import serializers as s
from hccrt.web.capture import access
from hccrt.web.capture.models import AdverseEvent, LabResult, Role
from hccrt.web.core.models import Participant
from tests.web.conftest import CENTRAL_ROLES, SITE_ROLES

pytestmark = [pytest.mark.database, pytest.mark.django_db]

RESOURCES = sorted(access.ALL - {"participants", "queries"})


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_writable_participant_is_the_scoped_queryset_for_every_role_and_resource(world):
    gone = world.participant("MINI-A-002", world.site_a)
    gone.soft_delete(reason="entered in error", user=world.system)
    pks = [world.pa.pk, world.pb.pk, gone.pk, max(world.pa.pk, world.pb.pk, gone.pk) + 1]
    compared = found = 0
    for role in (*SITE_ROLES, *CENTRAL_ROLES):
        user = world.users[role]
        for resource in RESOURCES:
            if resource in access.IMAGING and access.reader_only(user, resource):
                continue  # the reader's scope joins assignments: the field uses the queryset
            sites = access.allowed_sites(user, resource, "write")
            for pk in pks:
                expected = (Participant.objects.alive().for_user(user, resource, "write")
                            .select_related("site").filter(pk=pk).first())  # fmt: skip
                got = s.writable_participant(pk, sites)
                compared += 1
                if expected is None:
                    assert got is None, (role, resource, pk)
                    continue
                found += 1
                assert got is not None, (role, resource, pk)
                assert _values(got) == _values(expected)  # dates are dates, not text
                assert _values(got.site) == _values(expected.site)
    assert compared == 8 * len(RESOURCES) * 4 - 4 * 2  # minus the reader's imaging pairs
    assert found > 0  # own-site writers found their participant; nobody found a deleted one


def test_the_participant_field_refuses_what_the_queryset_refuses(world):
    token = Token.objects.create(user=world.users[Role.SITE_COORDINATOR]).key
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    lab = {"collection_date": "2026-02-01", "test": "ALT", "value": 55.0, "unit": "U/L",
           "uln": 40}  # fmt: skip
    for bad, code in ((world.pb.pk, "does_not_exist"), ("x", "incorrect_type"),
                      (True, "incorrect_type"), (10**9, "does_not_exist")):  # fmt: skip
        r = c.post("/api/v1/labs/", {**lab, "participant": bad}, format="json")
        assert r.status_code == 400, (bad, r.content)
        message = str(drf.PrimaryKeyRelatedField.default_error_messages[code])
        assert r.json()["errors"] == [{  # DRF's own messages, as the queryset path gave
            "field": "participant", "value": bad,
            "rule": message.format(pk_value=bad, data_type=type(bad).__name__)}]
    r = c.post("/api/v1/labs/", {**lab, "participant": str(world.pa.pk)}, format="json")
    assert r.status_code == 201 and r.json()["site"] == "a"


@pytest.mark.parametrize("model,resource", [(LabResult, "labs"),
                                            (AdverseEvent, "adverse-events")])  # fmt: skip
def test_fields_built_once_equal_the_fields_drf_builds(world, model, resource):
    cls = s.serializer_for(model, resource)
    first, second = cls().fields, cls().fields
    fresh = drf.ModelSerializer.get_fields(cls())  # what DRF builds per instance
    assert list(first) == list(fresh) == list(second)
    for name in fresh:
        assert repr(first[name]) == repr(fresh[name]), name
        assert first[name] is not second[name]  # bound to one serializer each
        assert first[name].parent is not second[name].parent


def test_the_death_read_with_the_participant_drives_the_after_death_check(world):
    """The API save's edit checks use the death date read with the participant (no query of
    its own), and open the same after-death query as a save outside the API."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hccrt.web.capture.models import DataQuery, Disposition

    token = Token.objects.create(user=world.users[Role.SITE_COORDINATOR]).key
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    lab = {"participant": world.pa.pk, "test": "ALT", "value": 55.0, "unit": "U/L", "uln": 40}
    assert s.writable_participant(world.pa.pk, None).first_death_date is None
    for died in (date(2026, 3, 1), date(2026, 2, 20)):  # the first recorded death counts
        Disposition(participant=world.pa, disposition_date=died, event="DEATH",
                    death_cause="liver failure").save(user=world.system)  # fmt: skip
    assert s.writable_participant(world.pa.pk, None).first_death_date == date(2026, 3, 1)
    with CaptureQueriesContext(connection) as q:
        after = c.post("/api/v1/labs/", {**lab, "collection_date": "2026-03-05"}, format="json")
    assert after.status_code == 201
    assert not any(x["sql"].startswith('SELECT "disposition_date"') for x in q.captured_queries)
    before = c.post("/api/v1/labs/", {**lab, "collection_date": "2026-02-25"}, format="json")
    opened = DataQuery.objects.filter(edit_check="after_death", target_model="capture.labresult")
    assert [int(x.target_pk) for x in opened] == [after.json()["id"]]
    assert before.status_code == 201  # before the first death: no query
