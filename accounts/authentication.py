"""API tokens that expire: a token older than settings.TOKEN_TTL_HOURS is refused (401); the caller
asks POST /api/v1/auth/token/ for a new one. Logout deletes it at once (accounts.services.token_revoke)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token) -> bool:
    return token.created < timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token
