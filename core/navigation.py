"""The main menu, drawn per role.

Each app registers its own entries from its AppConfig.ready(), so no app imports the apps above it
and a new app appears in the menu by registering, not by editing this file. A role is whatever
string the user model's `role` holds; core gives them no meaning.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int = 100
    roles: frozenset[str] | None = None  # None: every role
    # Other pages that belong to this entry (URL names whose paths are prefixes), e.g. 录入检查's drafts.
    also: tuple[str, ...] = ()

    def visible_to(self, user) -> bool:
        # A superuser is the administrator whatever role the account row says: it sees every entry.
        return self.roles is None or user.is_superuser or getattr(user, "role", None) in self.roles


_registry: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in _registry:
            _registry.append(item)
    _registry.sort(key=lambda i: i.order)


def menu_for(user, current_path: str) -> list[dict]:
    menu = []
    for item in _registry:
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        prefixes = [url, *(_reverse_or_none(name) for name in item.also)]
        entry = {"label": item.label, "url": url, "icon": item.icon, "active": False}
        menu.append((entry, [p for p in prefixes if p]))
    # The entry with the longest URL prefix of the page is the current one (/inspections/ vs
    # /inspections/check-items/); home only matches itself.
    best, best_length = None, -1
    for entry, prefixes in menu:
        for prefix in prefixes:
            if (current_path == prefix or (prefix != "/" and current_path.startswith(prefix))) and len(
                prefix
            ) > best_length:
                best, best_length = entry, len(prefix)
    if best is not None:
        best["active"] = True
    return [entry for entry, _prefixes in menu]


def _reverse_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None
