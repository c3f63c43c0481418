from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("隐患治理")

    def ready(self) -> None:
        """Plug into the floors below: menu entries, home-page work queues, the hazard part of an inspection
        record's page, the "hazards" ledger kind.

        Imports are local here only because Django forbids importing views and models before the app
        registry is ready; no circle is being dodged.
        """
        from accounts.choices import Role
        from core.imports import register_importer
        from core.navigation import NavItem, register
        from core.panels import HOME, register_panel

        from . import views
        from .importers import HazardImporter

        verifiers = frozenset({Role.ADMIN, Role.OFFICER, Role.DEPARTMENT})
        register(
            NavItem(_("隐患台账"), "hazards:hazard_list", "exclamation-triangle", order=40),
            NavItem(_("待复查"), "hazards:verification_list", "clipboard-check", order=41, roles=verifiers),
            NavItem(_("挂牌督办"), "hazards:listed_list", "flag", order=42),
        )
        units = [Role.TOWNSHIP, Role.DEPARTMENT]
        register_panel(HOME, "hazards/home_follow.html", views.home_follow_panel, roles=units, order=10)
        office = [Role.OFFICER, Role.DEPARTMENT]
        register_panel(HOME, "hazards/home_verify.html", views.home_verify_panel, roles=office, order=20)
        register_panel(
            HOME, "hazards/home_extensions.html", views.home_extension_panel, roles=[Role.OFFICER], order=30
        )
        # 登记为隐患 and the hazards registered, on each 不符合 result of an inspection record.
        register_panel(
            "inspections.record_detail", "hazards/_record_hazards.html", views.record_hazards_panel
        )
        # Ledger kind "hazards": the upload page, the background import job and `import_ledger hazards`.
        register_importer("hazards", HazardImporter())
