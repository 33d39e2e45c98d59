from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from complaints.events import ComplaintClosed
        from notifications.events import DeliverySent
        from surveys.interactions.recording import on_complaint_closed
        from surveys.invitations.status import invitation_accepted_stamp
        from tenants.events import subscribe

        subscribe(ComplaintClosed, on_complaint_closed)
        subscribe(DeliverySent, invitation_accepted_stamp)
