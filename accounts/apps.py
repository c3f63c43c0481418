from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("组织、用户与生产经营单位")

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from core.imports import register_importer
        from core.navigation import NavItem, register
        from core.panels import register_panel

        from . import audit, views_responsibility
        from .choices import Role
        from .importers import EnterpriseImporter

        auth_signals.user_logged_in.connect(audit.on_login, dispatch_uid="accounts.audit.login")
        auth_signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="accounts.audit.failed")
        auth_signals.user_logged_out.connect(audit.on_logout, dispatch_uid="accounts.audit.logout")

        register_importer("enterprises", EnterpriseImporter())
        # Its own page's story: the letters an enterprise signed (安全责任).
        register_panel(
            "accounts.enterprise_detail",
            "accounts/_enterprise_letters.html",
            views_responsibility.enterprise_letters_panel,
            order=60,
        )

        register(
            NavItem(_("工作台"), "home", "house", order=0),
            NavItem(_("生产经营单位"), "accounts:enterprise_list", "building", order=10),
            NavItem(_("安全责任"), "accounts:responsibility", "pen", order=70),
            NavItem(_("组织机构"), "accounts:orgunit_list", "diagram-3", order=80),
            NavItem(_("系统管理"), "admin:index", "gear", order=90, roles=frozenset({Role.ADMIN})),
            NavItem(
                _("接口文档"), "api-docs", "braces", order=95, roles=frozenset({Role.ADMIN, Role.OFFICER})
            ),
        )
