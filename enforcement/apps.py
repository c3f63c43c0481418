from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("行政执法")

    def ready(self) -> None:
        """Plug into the floors below. Imports are local here only because Django forbids importing
        models before the app registry is ready; no circle is being dodged."""
        # Ledger kind "cases": the upload page, the background import job and `import_ledger cases`.
        from core.imports import register_importer
        from core.tallies import register_tally

        from .importers import CaseImporter
        from .models import Case

        register_importer("cases", CaseImporter())
        # The case list's row count from its triggers' tally (migration 0015), not a count of the table.
        register_tally(Case)

        # 行政执法 in the menu; 立案 and the cases on the pages below (home, enterprise, inspection record,
        # hazard); the home queue of cases near their limit for those who handle cases.
        from accounts.choices import Role
        from accounts.views import ENTERPRISE_ACTIONS, ENTERPRISE_DETAIL
        from core.navigation import NavItem, register
        from core.panels import HOME, register_panel
        from hazards.views import HAZARD_DETAIL

        from . import views

        register(NavItem(_("行政执法"), "enforcement:case_list", "briefcase", order=50))
        register(NavItem(_("执法文书"), "enforcement:document_list", "file-earmark-text", order=51))
        from django.core.checks import register as register_check

        from .numbering import check_number_pattern

        register_check(check_number_pattern)  # 文号格式 ENFORCEMENT_DOCUMENT_NUMBER_PATTERN
        register_panel(
            HOME,
            "enforcement/home_cases.html",
            views.home_cases_panel,
            roles=[Role.OFFICER, Role.DEPARTMENT],
            order=15,
        )
        register_panel(
            ENTERPRISE_DETAIL, "enforcement/_enterprise_cases.html", views.enterprise_cases_panel, order=30
        )
        register_panel(ENTERPRISE_ACTIONS, "enforcement/_enterprise_open.html", views.enterprise_open_panel)
        register_panel(
            "inspections.record_detail", "enforcement/_record_cases.html", views.record_cases_panel
        )
        register_panel(HAZARD_DETAIL, "enforcement/_hazard_cases.html", views.hazard_cases_panel)
        # 约谈 ↔ 案件: the cases linked to a 约谈, on its page in the activity ledger.
        from campaigns.views_activities import ACTIVITY_DETAIL

        register_panel(
            ACTIVITY_DETAIL, "enforcement/_activity_cases.html", views.activity_cases_panel, order=110
        )

        # 举报 in the menu; 立案调查 and the cases opened from an accident on its page.
        from hazards.views_accidents import ACCIDENT_DETAIL

        from . import views_sources

        register(NavItem(_("举报"), "enforcement:tip_list", "megaphone", order=52))
        register_panel(
            ACCIDENT_DETAIL, "enforcement/tip_accident_cases.html", views_sources.accident_cases_panel
        )
        # 执法文书 issued outside a case (责令限期整改指令书 …) on the hazard and inspection record pages.
        from . import views_documents

        register_panel(
            HAZARD_DETAIL,
            "enforcement/documents/_source_documents.html",
            views_documents.hazard_documents_panel,
        )
        register_panel(
            "inspections.record_detail",
            "enforcement/documents/_source_documents.html",
            views_documents.record_documents_panel,
        )

        # 专项行动: what the cases tagged to a campaign count towards its targets.
        from campaigns.choices import TargetMetric
        from campaigns.measures import register_campaign_measure

        from . import selectors_campaigns as camp

        cases_url = "enforcement:case_list"
        register_campaign_measure(
            TargetMetric.CASES_OPENED,
            _("立案查处"),
            "起",
            camp.campaign_cases,
            by_unit=camp.campaign_cases_by_unit,
            list_url=cases_url,
            order=50,
        )
        register_campaign_measure(
            TargetMetric.FINES,
            _("罚款金额"),
            "万元",
            camp.campaign_fines,
            by_unit=camp.campaign_fines_by_unit,
            list_url=cases_url,
            order=51,
        )
