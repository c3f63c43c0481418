"""The bell on every page: the signed-in user's unread notifications."""

from functools import cache

from django.http import HttpRequest

from .selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict:
    """The bell's unread count: one COUNT query, and only on a page that draws the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable when they read it; cached, so using it twice is still one query.
    return {"notification_unread": cache(lambda: notification_unread_count(user=user))}
