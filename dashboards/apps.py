from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from tenants.navigation import NavItem, navigation_add
        from tenants.permissions import Action

        navigation_add(NavItem(_("Dashboards"), "dashboard-nps", Action.VIEW_DASHBOARDS, 50))
