"""Sign-ins and sign-outs on the audit log (core.audit, logger "safety.audit"), success and failure,
with the user and the client address. Connected in AccountsConfig.ready(); they only log, they decide
nothing. django-axes keeps its own table of attempts (AccessAttempt, AccessLog in the admin)."""

from core.audit import audit_event, client_ip


def _via(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "token"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


def on_login(sender, request, user, **kwargs) -> None:
    audit_event("login", user=user.get_username(), ip=client_ip(request), via=_via(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the name tried is logged.
    audit_event(
        "login_failed",
        user=credentials.get("username"),
        ip=client_ip(request),
        via=_via(request),
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )


def on_logout(sender, request, user, **kwargs) -> None:
    audit_event(
        "logout", user=user.get_username() if user else None, ip=client_ip(request), via=_via(request)
    )
