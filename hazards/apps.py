from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("隐患治理")

    def ready(self) -> None:
        from accounts.navigation import NavItem, register

        register(NavItem(_("隐患台账"), "hazards:hazard_list", "exclamation-triangle", order=40))

        # A year of hazards in seed_demo, after the inspections they come from (reset runs before theirs).
        from accounts.demo import register_demo_step

        from .demo import reset_hazards, seed_hazards

        register_demo_step("hazards", seed_hazards, order=30, reset=reset_hazards)
        self._register_pages()

        # Ledger kind "hazards": the upload page, the background import job and `import_ledger hazards`.
        from .ledger_import import register as register_ledger

        register_ledger()

    def _register_pages(self) -> None:
        """The 待复查 and 挂牌督办 menu entries and the work queues on the home pages (accounts.home)."""
        from accounts.choices import Role
        from accounts.home import register_home_panel
        from accounts.navigation import NavItem, register

        from . import views

        verifiers = frozenset({Role.ADMIN, Role.OFFICER, Role.DEPARTMENT})
        register(
            NavItem(_("待复查"), "hazards:verification_list", "clipboard-check", order=41, roles=verifiers),
            NavItem(_("挂牌督办"), "hazards:listed_list", "flag", order=42),
        )
        units = [Role.TOWNSHIP, Role.DEPARTMENT]
        register_home_panel("hazards/home_follow.html", views.home_follow_panel, roles=units, order=10)
        office = [Role.OFFICER, Role.DEPARTMENT]
        register_home_panel("hazards/home_verify.html", views.home_verify_panel, roles=office, order=20)
        register_home_panel(
            "hazards/home_extensions.html", views.home_extension_panel, roles=[Role.OFFICER], order=30
        )
