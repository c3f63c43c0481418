"""Panels that an upper app adds to a lower app's page: the home pages' work queues, a hazard part on
an inspection record, and whatever comes next.

A lower app may not import the apps above it (the layer order), so the upper app registers a panel
from its AppConfig.ready(): the slot (the page it goes on), a template to include and a function
giving its context. The page's view asks `panels_for(slot, request, **objects)` and includes each
template with the context as `panel`. A function returning None means "nothing to show".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest

PanelContext = Callable[..., dict | None]

HOME = "home"


@dataclass(frozen=True)
class Panel:
    slot: str
    template_name: str
    context: PanelContext
    roles: frozenset[str] | None = None  # None: every role
    order: int = 100

    def visible_to(self, user) -> bool:
        return self.roles is None or getattr(user, "role", None) in self.roles


_registry: list[Panel] = []


def register_panel(
    slot: str,
    template_name: str,
    context_func: PanelContext,
    *,
    roles: Iterable[str] | None = None,
    order: int = 100,
) -> None:
    """Show `template_name` on the pages of `slot`; `context_func(request, **objects)` fills it."""
    panel = Panel(slot, template_name, context_func, frozenset(roles) if roles is not None else None, order)
    # ready() may run twice (tests, autoreload): one entry per slot and template.
    _registry[:] = [p for p in _registry if (p.slot, p.template_name) != (slot, template_name)]
    _registry.append(panel)
    _registry.sort(key=lambda p: p.order)


def panels_for(slot: str, request: HttpRequest, **objects) -> list[dict]:
    """[{template_name, panel}] of `slot` for the signed-in user, in order; empty ones left out."""
    shown = []
    for panel in _registry:
        if panel.slot != slot or not panel.visible_to(request.user):
            continue
        context = panel.context(request, **objects)
        if context is not None:
            shown.append({"template_name": panel.template_name, "panel": context})
    return shown
