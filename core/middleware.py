"""Response headers that no view should have to remember."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has none of its own.

    The policy lets scripts come only from our origin: a page with an inline <script> or an onclick=
    stops working, which tests/hardening catches (the templates are scanned, and Chromium reports any
    violation on the main pages). Django's SecurityMiddleware sends nosniff and the referrer policy,
    XFrameOptionsMiddleware sends DENY; this one adds what Django has no setting for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
