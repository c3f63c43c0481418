"""Panels on the home pages, contributed by the apps above accounts.

accounts may not import them (the layer order), so an app registers a panel from its
AppConfig.ready(): a template to include and a function giving its context. home() calls the
functions of the panels meant for the user's role, and the page includes each template inside its
work queue with the context as `panel`. A function returning None means "nothing to show".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest], dict | None]


@dataclass(frozen=True)
class HomePanel:
    template_name: str
    context: PanelContext
    roles: frozenset[str] | None = None  # None: every role
    order: int = 100

    def visible_to(self, user) -> bool:
        return self.roles is None or user.role in self.roles


_registry: list[HomePanel] = []


def register_home_panel(
    template_name: str, context_func: PanelContext, *, roles: Iterable[str] | None = None, order: int = 100
) -> None:
    panel = HomePanel(template_name, context_func, frozenset(roles) if roles is not None else None, order)
    # ready() may run twice (tests, autoreload): one entry per template.
    _registry[:] = [p for p in _registry if p.template_name != template_name]
    _registry.append(panel)
    _registry.sort(key=lambda p: p.order)


def panels_for(request: HttpRequest) -> list[dict]:
    """[{template_name, panel}] for the signed-in user, in order; panels with nothing to show left out."""
    shown = []
    for panel in _registry:
        if not panel.visible_to(request.user):
            continue
        context = panel.context(request)
        if context is not None:
            shown.append({"template_name": panel.template_name, "panel": context})
    return shown
