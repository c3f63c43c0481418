from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("检查执法")

    def ready(self) -> None:
        from accounts.demo import register_demo_step
        from accounts.navigation import NavItem, register

        from .demo import reset_inspections, seed_inspections

        register_demo_step("inspections", seed_inspections, order=20, reset=reset_inspections)

        register(
            NavItem(_("检查行动"), "inspections:action_list", "clipboard-check", order=20),
            NavItem(_("检查事项清单"), "inspections:check_item_list", "list-check", order=30),
        )
