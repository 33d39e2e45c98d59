from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from complaints.guards import open_complaints_refusal, reference_prefix_refusal
        from complaints.notices import register_messages
        from complaints.workflow import on_member_deactivated
        from tenants.events import MemberDeactivated, subscribe
        from tenants.guards import department_close_check_add, reference_prefix_check_add
        from tenants.navigation import NavItem, navigation_add
        from tenants.permissions import Action
        from tenants.settings_pages import SettingsSection, settings_section_add

        register_messages()
        # A member who leaves hands their open complaints back to their departments.
        subscribe(MemberDeactivated, on_member_deactivated)
        navigation_add(
            NavItem(_("Complaints"), "complaint-queue", Action.VIEW_COMPLAINTS, 10),
            NavItem(_("Corrective actions"), "corrective-action-list", Action.VIEW_COMPLAINTS, 11),
        )
        # A department that owns open complaints stays open; a prefix other brands' references
        # start with is not taken again.
        department_close_check_add(open_complaints_refusal)
        reference_prefix_check_add(reference_prefix_refusal)
        settings_section_add(
            SettingsSection(_("Complaint categories"), "settings-complaint-categories", 20),
            SettingsSection(_("Root causes"), "settings-root-causes", 22),
            SettingsSection(_("Complaint handling"), "settings-complaint-handling", 24),
            SettingsSection(_("SLA policies"), "settings-sla-policies", 26),
            SettingsSection(_("Routing rules"), "settings-routing-rules", 28),
        )
