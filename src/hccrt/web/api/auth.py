"""Token and session login with throttling (per user name and address) and optional TOTP."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hccrt.web import security
from hccrt.web.api.errors import error_response


class GrantsTokenAuthentication(TokenAuthentication):
    """Token authentication that reads the token, its user and the user's role grants
    (memberships) in one query, and leaves the grants where
    :func:`hccrt.web.capture.access.grants` caches them for the request (one database round
    trip and one ORM query less per API call than token lookup + membership lookup)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from django.db import connections, router

        from hccrt.web.api import rows
        from hccrt.web.capture.models import Membership, Role

        User = get_user_model()
        sql = (f'SELECT {rows.select_list("u", User)}, m."role", m."site_id" '
               f'FROM "{Token._meta.db_table}" t '
               f'JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
               f'LEFT JOIN "{Membership._meta.db_table}" m ON m."user_id" = u."id" '
               'WHERE t."key" = %s')  # fmt: skip
        using = router.db_for_read(User)
        with connections[using].cursor() as cursor:  # a plain cursor: no ORM query to build
            cursor.execute(sql, [key])
            found = cursor.fetchall()
        if not found:
            raise exceptions.AuthenticationFailed("Invalid token.")
        n = rows.width(User)
        user = rows.instance(User, using, found[0][:n])
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        grants = [(r[n], r[n + 1]) for r in found if r[n] is not None]
        if user.is_superuser:
            grants.append((Role.ADMINISTRATOR, None))
        user._hccrt_grants = grants
        return user, Token(key=key, user=user)


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(required=False, allow_blank=True)


def _address(request: Request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _check(request: Request) -> tuple[Any, Response | None]:
    body = Credentials(data=request.data)
    body.is_valid(raise_exception=True)
    username = body.validated_data["username"]
    address = _address(request)
    if security.login_blocked(username, address):
        return None, error_response(
            [{"field": "username", "value": username,
              "rule": "too many failed logins; wait 15 minutes"}],
            status.HTTP_429_TOO_MANY_REQUESTS,
        )  # fmt: skip
    user = authenticate(request, username=username, password=body.validated_data["password"])
    if user is None:  # the authentication backend counted the failure
        return None, error_response(
            [{"field": "password", "value": None, "rule": "valid credentials"}],
            status.HTTP_401_UNAUTHORIZED,
        )
    device = getattr(user, "totp", None)
    if device is not None and device.confirmed and not security.verify_totp(
        device.secret, body.validated_data.get("otp", "")
    ):
        security.record_login_failure(username, address)
        return None, error_response(
            [{"field": "otp", "value": None, "rule": "the current code of your authenticator"}],
            status.HTTP_401_UNAUTHORIZED,
        )
    security.clear_login_failures(username, address)
    return user, None


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(request=Credentials)
    def post(self, request: Request) -> Response:
        user, failed = _check(request)
        if failed is not None:
            return failed
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=Credentials)
    def post(self, request: Request) -> Response:
        user, failed = _check(request)
        if failed is not None:
            return failed
        login(request._request, user)
        return Response({"username": user.get_username()})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpSetup(serializers.Serializer):
    otp = serializers.CharField(required=False, allow_blank=True)


class TotpView(APIView):
    """Optional second factor: POST without ``otp`` starts (or restarts) enrolment and returns
    the secret and its otpauth URI; POST with the current ``otp`` confirms it. From then on
    every login needs the code."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TotpSetup)
    def post(self, request: Request) -> Response:
        from hccrt.web.capture.models import TotpDevice

        body = TotpSetup(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data.get("otp", "")
        device = TotpDevice.objects.filter(user=request.user).first()
        if not code:
            if device is not None and device.confirmed:
                return error_response(
                    [{"field": "otp", "value": None,
                      "rule": "a second factor is already confirmed for this account"}],
                    status.HTTP_400_BAD_REQUEST)  # fmt: skip
            secret = security.new_totp_secret()
            TotpDevice.objects.update_or_create(user=request.user,
                                                defaults={"secret": secret, "confirmed": False})
            uri = (f"otpauth://totp/hccrt:{request.user.get_username()}?secret={secret}"
                   "&issuer=hccrt")  # fmt: skip
            return Response({"secret": secret, "uri": uri}, status=status.HTTP_201_CREATED)
        if device is None or not security.verify_totp(device.secret, code):
            return error_response([{"field": "otp", "value": None,
                                    "rule": "the current code of the enrolled secret"}],
                                  status.HTTP_400_BAD_REQUEST)  # fmt: skip
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return Response({"confirmed": True})
