from celery import shared_task

from surveys.sender import invitations_run
from tenants.rls import all_tenants


@shared_task
def send_survey_invitations_task() -> dict[str, int]:
    """Keep clicked scores, expire, send and remind the invitations due (beat: every minute)."""
    with all_tenants():  # every tenant's invitations that are due
        return invitations_run()
