from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("检查执法")

    def ready(self) -> None:
        """Plug into the floors below: menu entries, the enterprise page's inspections panel and 录入检查
        button, and the "inspections" ledger kind.

        Imports are local here only because Django forbids importing models before the app registry
        is ready; no circle is being dodged.
        """
        from accounts.choices import Role
        from accounts.views import ENTERPRISE_ACTIONS, ENTERPRISE_DETAIL
        from core.imports import register_importer
        from core.navigation import NavItem, register
        from core.panels import register_panel
        from core.tallies import register_tally

        from . import views
        from .importers import InspectionImporter
        from .models import InspectionAction

        register_importer("inspections", InspectionImporter())
        # The action list's row count from its triggers' tally (migration 0010), not a count of the table.
        register_tally(InspectionAction)

        # 录入检查 is for the roles that write; the leader's role is read-only.
        writers = frozenset({Role.ADMIN, Role.OFFICER, Role.DEPARTMENT, Role.TOWNSHIP})
        register(
            NavItem(_("检查行动"), "inspections:action_list", "clipboard-check", order=20),
            NavItem(
                _("录入检查"),
                "inspections:entry_new",
                "pencil-square",
                order=21,
                roles=writers,
                also=("inspections:draft_list",),
            ),
            NavItem(_("检查计划"), "inspections:plan_list", "calendar-check", order=25),
            NavItem(_("双随机抽查"), "inspections:draw_list", "shuffle", order=27),
            NavItem(_("检查事项清单"), "inspections:check_item_list", "list-check", order=30),
        )
        # The enterprise page: its inspections, and 录入检查 with the enterprise already chosen.
        register_panel(
            ENTERPRISE_DETAIL,
            "inspections/_enterprise_inspections.html",
            views.enterprise_inspections_panel,
            order=10,
        )
        register_panel(
            ENTERPRISE_ACTIONS,
            "inspections/_enterprise_entry.html",
            views.enterprise_entry_panel,
            roles=writers,
        )
        # 专项行动: what the inspections tagged to a campaign count towards its targets.
        from campaigns.choices import TargetMetric
        from campaigns.measures import register_campaign_measure

        from . import selectors_campaigns as camp

        actions_url = "inspections:action_list"
        register_campaign_measure(
            TargetMetric.INSPECTIONS,
            _("检查行动"),
            "次",
            camp.campaign_inspections,
            by_unit=camp.campaign_inspections_by_unit,
            list_url=actions_url,
            by_sector=False,
            order=10,
        )
        register_campaign_measure(
            TargetMetric.ENTERPRISES_INSPECTED,
            _("检查生产经营单位"),
            "家",
            camp.campaign_enterprises,
            by_unit=camp.campaign_enterprises_by_unit,
            list_url=actions_url,
            additive=False,  # distinct enterprises: one firm inspected under two sub-plans is one 家
            order=11,
        )
        register_campaign_measure(
            TargetMetric.INSPECTION_VISITS,
            _("检查家次"),
            "家次",
            camp.campaign_visits,
            by_unit=camp.campaign_visits_by_unit,
            list_url=actions_url,
            order=12,
        )
