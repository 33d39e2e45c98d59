"""Reads of a member's in-app notifications: only ever their own, in their tenant."""

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Notification
from tenants.models import Membership


def _own(member: Membership) -> QuerySet[Notification]:
    return Notification.objects.for_tenant(member.tenant_id).filter(recipient=member)


def unread_count(member: Membership) -> int:
    """How many of the member's notifications are unread: the number on the bell."""
    return _own(member).filter(read_at__isnull=True).count()


def recent_for(member: Membership, limit: int = 50) -> QuerySet[Notification]:
    """The member's latest ``limit`` notifications, newest first, read or not."""
    return _own(member).order_by("-created_at", "-id")[:limit]


def notification_for_member_or_404(member: Membership, notification_id: int) -> Notification:
    """One of the member's own notifications; anyone else's is a 404 like a missing one."""
    try:
        return _own(member).get(pk=notification_id)
    except Notification.DoesNotExist as missing:
        raise Http404("No notification matches the given query.") from missing
