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
        from accounts.views import ENTERPRISE_DETAIL
        from core.imports import register_importer
        from core.navigation import NavItem, register
        from core.panels import HOME, register_panel
        from core.tallies import register_group_tally, register_tally
        from inspections.hooks import ACTION_DETAIL, ENTRY_CONFIRM, register_submit_step

        from . import services, views, views_accidents
        from .importers import HazardImporter
        from .importers_accidents import AccidentImporter
        from .models import DAYS_TALLY, FIGURES_TALLY, Hazard, HazardDayTally, HazardTally

        # The ledger's row count comes from its triggers' tally (migration 0012), not a count of millions.
        register_tally(Hazard)
        # … and its figures per township and state from its group tally (migration 0013).
        register_group_tally(HazardTally, FIGURES_TALLY)
        # … and a deep page finds its day from the per-day tally (migration 0014).
        register_group_tally(HazardDayTally, DAYS_TALLY)

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
        # 录入检查: on the confirm step one line per 不符合 item, and at submit (same transaction) each
        # ticked line becomes a hazard; the action page lists the hazards it produced.
        register_panel(ENTRY_CONFIRM, "hazards/_entry_hazards.html", views.entry_confirm_panel)
        register_submit_step(services.ENTRY_PREFIX, services.hazards_from_entry)
        register_panel(ACTION_DETAIL, "hazards/_action_hazards.html", views.action_hazards_panel)
        # 约谈 ↔ 隐患: the hazards linked to a 约谈, on its page in the activity ledger.
        from campaigns.views_activities import ACTIVITY_DETAIL

        register_panel(ACTIVITY_DETAIL, "hazards/_activity_hazards.html", views.activity_hazards_panel)
        # The enterprise page: its hazards, open and overdue first.
        register_panel(
            ENTERPRISE_DETAIL, "hazards/_enterprise_hazards.html", views.enterprise_hazards_panel, order=20
        )
        # Ledger kind "hazards": the upload page, the background import job and `import_ledger hazards`.
        register_importer("hazards", HazardImporter())
        # 事故: its menu entry and ledger kind "accidents" (`import_ledger accidents`).
        register(NavItem(_("事故"), "hazards:accident_list", "activity", order=45))
        register_panel(
            ENTERPRISE_DETAIL,
            "hazards/accident_enterprise_panel.html",
            views_accidents.enterprise_accidents_panel,
            order=25,
        )
        register_importer("accidents", AccidentImporter())
        # 专项行动: what the hazards tagged to a campaign count towards its targets.
        from campaigns.choices import TargetMetric
        from campaigns.measures import register_campaign_measure

        from . import selectors_campaigns as camp

        hazards_url = "hazards:hazard_list"
        for order, (key, label, func, by_unit) in enumerate(
            [
                (
                    TargetMetric.HAZARDS_FOUND,
                    _("排查隐患"),
                    camp.campaign_hazards_found,
                    camp.campaign_hazards_found_by_unit,
                ),
                (
                    TargetMetric.HAZARDS_RECTIFIED,
                    _("整改隐患"),
                    camp.campaign_hazards_rectified,
                    camp.campaign_hazards_rectified_by_unit,
                ),
                (
                    TargetMetric.MAJOR_HAZARDS_FOUND,
                    _("排查重大事故隐患"),
                    camp.campaign_major_found,
                    camp.campaign_major_found_by_unit,
                ),
                (
                    TargetMetric.MAJOR_HAZARDS_CLOSED,
                    _("重大事故隐患销号"),
                    camp.campaign_major_closed,
                    camp.campaign_major_closed_by_unit,
                ),
            ],
            start=30,
        ):
            register_campaign_measure(
                key, label, "项", func, by_unit=by_unit, list_url=hazards_url, order=order
            )
