from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from complaints import events
        from surveys.interactions.recording import on_complaint_closed

        events.subscribe(events.ComplaintClosed, on_complaint_closed)
