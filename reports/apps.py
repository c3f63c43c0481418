from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计与工作总结")

    def ready(self) -> None:
        """Register the metrics of every domain (reports/metrics/), and plug the dashboard and the
        statistics pages into the floors below.

        Imports are local here only because Django forbids importing models before the app registry is
        ready; no circle is being dodged.
        """
        from accounts.choices import Role
        from core.navigation import NavItem, register
        from core.panels import HOME, register_panel

        from . import (
            metrics,  # noqa: F401  (registers every domain's metrics)
            signals,  # noqa: F401  (late records mark their periods' roll-ups stale)
            summaries_campaign,  # noqa: F401  (the campaign report's phases-and-targets table)
            tasks_summaries,  # noqa: F401  (the summaries' PDF job plugs its queueing in; the worker's task)
            views,
        )

        # 统计: the dashboard, for every role (each sees its own scope's figures).
        register(
            NavItem(
                _("统计"),
                "reports:dashboard",
                "bar-chart",
                order=60,
                roles=frozenset({Role.OFFICER, Role.ADMIN, Role.LEADER, Role.TOWNSHIP, Role.DEPARTMENT}),
            )
        )
        # 月度评估: the published rankings for every role; the district office computes and publishes.
        register(
            NavItem(
                _("月度评估"),
                "reports:evaluation_list",
                "trophy",
                order=61,
                roles=frozenset({Role.OFFICER, Role.ADMIN, Role.LEADER, Role.TOWNSHIP, Role.DEPARTMENT}),
            )
        )
        # 工作总结: the summaries (drafts, versions) of the user's scope; leaders read them.
        register(
            NavItem(
                _("工作总结"),
                "reports:report_list",
                "journal-text",
                order=62,
                roles=frozenset({Role.OFFICER, Role.ADMIN, Role.LEADER, Role.TOWNSHIP, Role.DEPARTMENT}),
                also=("reports:template_list",),
            )
        )
        # The leader's home page: this year's key figures with 同比, first on the page.
        register_panel(
            HOME, "reports/_home_figures.html", views.home_figures_panel, roles=[Role.LEADER], order=1
        )
