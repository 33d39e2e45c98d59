from celery import shared_task

from ratings.services import ratings_refresh


@shared_task
def refresh_ratings_task() -> int:
    """Nightly: recompute every tenant's open rating periods and close those past their time."""
    return ratings_refresh()
