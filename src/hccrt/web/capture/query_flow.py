"""The lifecycle of a data query, shared by the API and the pages.

Manual queries are raised by the roles of :data:`access.QUERY_RAISE`; the site answers
(:data:`access.QUERY_ANSWER`); whoever raises queries closes or re-opens them. A re-opened query
is ``open`` again with ``reopened`` counting how often. Each transition is an audited save
with the ``version`` the user acted on (a stale one raises :class:`StaleVersionError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from hccrt.errors import InputError
from hccrt.web.audit.base import audit_context
from hccrt.web.capture import access
from hccrt.web.capture.models import DataQuery

Status = DataQuery.Status


class QueryPermissionError(PermissionError):
    """The user's role may not take this action on this query."""


@dataclass(frozen=True)
class Transition:
    action: str
    roles: frozenset[str]
    to: str
    allowed_from: tuple[str, ...]


TRANSITIONS: dict[str, Transition] = {
    "answer": Transition("answer", access.QUERY_ANSWER, Status.ANSWERED, (Status.OPEN,)),
    "close": Transition("close", access.QUERY_RAISE, Status.CLOSED,
                        (Status.OPEN, Status.ANSWERED)),
    "reopen": Transition("reopen", access.QUERY_RAISE, Status.OPEN,
                         (Status.ANSWERED, Status.CLOSED)),
}  # fmt: skip


def may_raise(user: Any) -> bool:
    return bool(access.roles(user) & access.QUERY_RAISE)


def allowed_actions(user: Any, query: DataQuery) -> list[str]:
    """The transitions ``user`` may apply to ``query`` in its current status."""
    return [t.action for t in TRANSITIONS.values()
            if query.status in t.allowed_from
            and access.has_role_at(user, t.roles, query.participant.site_id)]  # fmt: skip


def transition(query: DataQuery, user: Any, action: str, version: int, *,
               response: str = "", reason: str = "") -> DataQuery:  # fmt: skip
    """Apply ``action`` (answer / close / reopen) to ``query`` as ``user``; audited."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise InputError("action", action, f"one of {list(TRANSITIONS)}")
    if not access.has_role_at(user, t.roles, query.participant.site_id):
        raise QueryPermissionError(f"your role may not set a query {t.to}")
    if query.status not in t.allowed_from:
        raise InputError("status", query.status, f"one of {list(t.allowed_from)} to move to "
                         f"{t.to}")  # fmt: skip
    query.version = version
    if t.to == Status.ANSWERED:
        response = (response or "").strip()
        if not response:
            raise InputError("response", response, "an answer to the query")
        query.response = response
    if action == "reopen":
        query.reopened += 1
    query.status = t.to
    query.save(user=user, reason=(reason or "").strip() or f"query {t.to}")
    return query


def raise_query(user: Any, participant: Any, *, text: str, target_model: str = "",
                target_pk: str = "", target_field: str = "") -> DataQuery:  # fmt: skip
    """A manual query on a participant (or one of its records), raised by ``user``."""
    if not may_raise(user):
        raise QueryPermissionError("your role may not raise queries")
    if not access.has_role_at(user, access.QUERY_RAISE, participant.site_id):
        raise QueryPermissionError("your role may not raise queries at this site")
    text = (text or "").strip()
    if not text:
        raise InputError("text", text, "the question to the site")
    q = DataQuery(participant=participant, text=text, raised_by=user,
                  target_model=target_model or participant._meta.label_lower,
                  target_pk=str(target_pk or participant.pk), target_field=target_field)
    with audit_context(user, ""), transaction.atomic():
        q.save(user=user)
    return q
