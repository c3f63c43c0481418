"""What every page needs to draw the navigation for the signed-in user's role."""

from django.http import HttpRequest

from .navigation import menu_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    return {"nav_menu": menu_for(user, request.path)}


def notifications(request: HttpRequest) -> dict:
    """The bell's unread count: one COUNT query, and only on a page that draws the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from functools import cache

    from .selectors import notification_unread_count

    # Templates call a callable when they read it; cached, so using it twice is still one query.
    return {"notification_unread": cache(lambda: notification_unread_count(user=user))}
