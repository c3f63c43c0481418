"""API sign-in and sign-out: tokens that expire and that logout revokes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..lockout import lockout_message

TokenSerializer = inline_serializer("Token", fields={"token": serializers.CharField()})


class TokenObtainView(ObtainAuthToken):
    """取得接口令牌: username and password give a token that works for TOKEN_TTL_HOURS. Failed attempts
    count towards the brute-force lockout (django-axes) like the login page's; a locked-out caller gets
    429 with the reason in Chinese."""

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": lockout_message(), "code": "locked_out"}, status=429)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token = services.token_issue(user=user)
        # Issuing a token is a sign-in: last_login, the audit log and axes' reset all follow it.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token.key})


class TokenLogoutView(APIView):
    """注销令牌: deletes the token the call is made with (with a session, all the user's tokens)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        key = request.auth.key if isinstance(request.auth, Token) else None
        services.token_revoke(user=request.user, key=key)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
