from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from complaints import events as complaint_events
        from notifications import events as outbox_events
        from surveys.interactions.recording import on_complaint_closed
        from surveys.invitations.status import invitation_accepted_stamp

        complaint_events.subscribe(complaint_events.ComplaintClosed, on_complaint_closed)
        outbox_events.subscribe(outbox_events.DeliverySent, invitation_accepted_stamp)
