from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district and a year of its records (`manage.py seed_demo`). Nothing registers here:
    the steps and their order are written down in demo.steps."""

    name = "demo"
    verbose_name = _("演示数据")
