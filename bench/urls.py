"""The app's URLs and `/bench/bare/`: a Django view that does nothing, behind the same middleware
(sessions, authentication, CSRF, axes …), so a page's time over it is the page's own work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("safety_office.urls")),
]
