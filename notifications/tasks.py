from celery import shared_task

from notifications.services import deliveries_due, delivery_queue, delivery_send


# One per message: a stored result nobody reads would be one more Redis key per email.
@shared_task(acks_late=True, ignore_result=True)
def send_delivery_task(delivery_id: int, tenant_id: int | None = None) -> bool:
    return delivery_send(delivery_id=delivery_id)


@shared_task
def sweep_deliveries_task() -> int:
    """Re-queue what is due: retries whose back-off is over, and what the broker lost."""
    due = deliveries_due()
    for delivery_id, row in due.items():
        send_delivery_task.apply_async(
            (delivery_id,), {"tenant_id": row.tenant_id}, queue=delivery_queue(row.priority)
        )
    return len(due)
