"""What a locked-out user sees (django-axes calls lockout_response, settings.AXES_LOCKOUT_CALLABLE):
a page in Chinese that says why and for how long, or JSON for the API; status 429 either way."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "登录失败次数过多，该账号在此地址已被暂时锁定，请 %(minutes)s 分钟后再试，或联系系统管理员解锁。"
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    return render(request, "accounts/lockout.html", {"message": lockout_message()}, status=429)
