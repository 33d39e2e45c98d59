from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        from notifications.member_invitations import member_invitation_email
        from tenants.events import MemberInvited, subscribe

        subscribe(MemberInvited, member_invitation_email)
