from celery import shared_task

from surveys.rollups.services import answer_days_catch_up
from surveys.sender import invitations_run


@shared_task
def send_survey_invitations_task() -> dict[str, int]:
    """Keep clicked scores, expire, send and remind the invitations due (beat: every minute)."""
    return invitations_run()


@shared_task
def answer_days_catch_up_task() -> int:
    """Recompute every tenant's due days of the answer rollup (beat: every minute); returns
    how many. A dashboard recomputes its own due days anyway: this keeps that work small."""
    return answer_days_catch_up()
