from celery import shared_task

from surveys.sender import invitations_run


@shared_task
def send_survey_invitations_task() -> dict[str, int]:
    """Keep clicked scores, expire, send and remind the invitations due (beat: every minute)."""
    return invitations_run()
