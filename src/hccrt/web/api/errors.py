"""JSON errors that name the field, the value received and the rule broken.

Every error response has the shape ``{"errors": [{"field", "value", "rule"}], "detail"}``
(``field`` is null for errors that concern no field, e.g. authentication).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from hccrt.errors import InputError
from hccrt.web.audit.base import AuditBypassError, StaleVersionError


def _value_from_request(context: dict[str, Any], field: str) -> Any:
    request = context.get("request")
    data = getattr(request, "data", None)
    if not isinstance(data, dict):
        try:
            data = dict(data.items()) if data is not None else {}
        except AttributeError:
            data = {}
    node: Any = data
    for part in field.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def django_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    out = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for err in errors:
                params = err.params or {}
                rule = params.get("rule") or (err.message % params if params else err.message)
                out.append({"field": None if field == "__all__" else field,
                            "value": params.get("value"), "rule": str(rule)})  # fmt: skip
    else:
        for err in exc.error_list:
            params = err.params or {}
            out.append({"field": None, "value": params.get("value"),
                        "rule": str(params.get("rule") or err.message)})  # fmt: skip
    return out


def _flatten(detail: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(detail, dict):
        for k, v in detail.items():
            out.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(detail, list):
        for item in detail:
            if isinstance(item, dict | list):
                out.extend(_flatten(item, prefix))
            else:
                out.append((prefix, str(item)))
    else:
        out.append((prefix, str(detail)))
    return out


def error_response(errors: list[dict[str, Any]], code: int, **extra: Any) -> Response:
    detail = "; ".join(
        f"{e['field']}: {e['rule']}" if e.get("field") else str(e["rule"]) for e in errors
    )
    return Response({"detail": detail, "errors": errors, **extra}, status=code)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        errors = django_errors(exc)
        for e in errors:
            if e["value"] is None and e["field"]:
                e["value"] = _value_from_request(context, e["field"])
            e["value"] = _jsonable(e["value"])
        return error_response(errors, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InputError):
        return error_response(
            [{"field": exc.field, "value": _jsonable(exc.value), "rule": exc.allowed}],
            status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleVersionError):
        return error_response(
            [{"field": "version", "value": exc.submitted,
              "rule": f"the current version ({exc.current}); reload and reapply"}],
            status.HTTP_409_CONFLICT,
        )  # fmt: skip
    if isinstance(exc, AuditBypassError):
        return error_response([{"field": None, "value": None, "rule": str(exc)}],
                              status.HTTP_400_BAD_REQUEST)  # fmt: skip
    if isinstance(exc, ValidationError):
        errors = [
            {"field": field or None,
             "value": _jsonable(_value_from_request(context, field)) if field else None,
             "rule": message}
            for field, message in _flatten(exc.detail)
        ]  # fmt: skip
        return error_response(errors, status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", response.data) if isinstance(response.data, dict) \
        else response.data
    errors = [{"field": None, "value": None, "rule": str(detail)}]
    response.data = {"detail": str(detail), "errors": errors}
    return response
