from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: tools every app uses that know nothing of the domain (no org tree, no roles)."""

    name = "core"
    verbose_name = _("基础设施")
