from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("专项行动与宣传活动")

    def ready(self) -> None:
        """Plug into the floor below: the 专项行动 menu entry.

        Imports are local here only because Django forbids importing views and models before the app
        registry is ready; no circle is being dodged.
        """
        from core.navigation import NavItem, register

        register(NavItem(_("专项行动"), "campaigns:campaign_list", "bullseye", order=50))
        # 活动台账 (宣传/培训/演练/会议): the menu entry, this year's figures on the home page, the
        # "activities" ledger kind (upload page, background job, `import_ledger activities`).
        from core.imports import register_importer
        from core.panels import HOME, register_panel

        from . import views_activities
        from .importers import ActivityImporter

        register(NavItem(_("宣传培训"), "campaigns:activity_list", "megaphone", order=51))
        register_panel(HOME, "campaigns/activity_home.html", views_activities.home_activities_panel, order=60)
        register_importer("activities", ActivityImporter())
        # A campaign's page: the activities tagged to it.
        from .views import CAMPAIGN_DETAIL

        register_panel(
            CAMPAIGN_DETAIL, "campaigns/_campaign_activities.html", views_activities.campaign_activities_panel
        )
        # The enterprise page: the 约谈 that named the enterprise.
        from accounts.views import ENTERPRISE_DETAIL

        register_panel(
            ENTERPRISE_DETAIL,
            "campaigns/_enterprise_talks.html",
            views_activities.enterprise_talks_panel,
            order=60,
        )
