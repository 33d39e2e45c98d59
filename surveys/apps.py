from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from complaints.events import ComplaintClosed
        from notifications.events import DeliverySent
        from surveys.followups.assigning import follow_ups_hand_back
        from surveys.followups.notices import register_messages
        from surveys.interactions.recording import on_complaint_closed
        from surveys.invitations.status import invitation_accepted_stamp
        from tenants.events import MemberDeactivated, subscribe
        from tenants.navigation import NavItem, navigation_add
        from tenants.permissions import Action
        from tenants.settings_pages import SettingsSection, settings_section_add

        register_messages()
        subscribe(ComplaintClosed, on_complaint_closed)
        subscribe(DeliverySent, invitation_accepted_stamp)
        subscribe(MemberDeactivated, follow_ups_hand_back)
        navigation_add(
            NavItem(_("Surveys"), "survey-list", Action.VIEW_SURVEYS, 30),
            NavItem(_("Responses"), "response-list", Action.VIEW_SURVEYS, 31),
            NavItem(_("Follow-ups"), "follow-up-list", Action.VIEW_SURVEYS, 32),
            NavItem(_("Interactions"), "interaction-list", Action.VIEW_SURVEYS, 33),
        )
        settings_section_add(SettingsSection(_("Survey programme"), "settings-surveys", 40))
