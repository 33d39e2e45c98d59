from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from complaints.notices import register_messages
        from tenants.navigation import NavItem, navigation_add
        from tenants.permissions import Action

        register_messages()

        navigation_add(
            NavItem(_("Complaints"), "complaint-queue", Action.VIEW_COMPLAINTS, 10),
            NavItem(_("Corrective actions"), "corrective-action-list", Action.VIEW_COMPLAINTS, 11),
        )
