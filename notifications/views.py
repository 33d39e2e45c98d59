from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors
from notifications.services import is_local_path, notifications_mark_read
from tenants.decorators import member_required
from tenants.errors import ApplicationError


@member_required()
@require_GET
def notification_list(request):
    return render(
        request,
        "notifications/list.html",
        {"notifications": selectors.recent_for(request.member)},
    )


@member_required()
@require_POST
def notification_read(request):
    """Mark one notification (``id``) or all of them read, then go back to ``next``."""
    raw_id = request.POST.get("id")
    if raw_id is not None and not raw_id.isdigit():
        raise ApplicationError("The notification id must be a number.", code="invalid_id")
    notifications_mark_read(member=request.member, ids=None if raw_id is None else [int(raw_id)])
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("notification-list", tenant_slug=request.tenant.slug)


@member_required()
@require_GET
def notification_open(request, notification_id: int):
    """Follow a notification to what it is about; following it is reading it."""
    notification = selectors.notification_for_member_or_404(request.member, notification_id)
    notifications_mark_read(member=request.member, ids=[notification.pk])
    if notification.link and is_local_path(notification.link):
        return redirect(notification.link)
    return redirect("notification-list", tenant_slug=request.tenant.slug)


@never_cache
@member_required()
@require_GET
def notification_count(request):
    """The bell alone, for the top bar to refresh itself."""
    return render(request, "notifications/_bell.html")
