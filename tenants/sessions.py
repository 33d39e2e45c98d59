"""Sessions of signed-in users end when idle or old (settings ``LOOPDESK_SESSION_IDLE_MINUTES``,
``LOOPDESK_SESSION_MAX_HOURS``).

Django's own ``SESSION_COOKIE_AGE`` is the maximum age; idleness is ours: the session keeps
when it started and when it was last used, and the first request past either limit signs
the user out and sends them to the sign-in page, back to where they were after it. "Last
used" is written at most once a minute (a session write per request would be a database
write per request), and the bell's poll is not use: a page left open in a tab goes idle.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

STARTED_KEY = "loopdesk_started_at"
SEEN_KEY = "loopdesk_seen_at"
# How stale "last used" may be before a request writes it again.
TOUCH_EVERY_SECONDS = 60
# Requests a page makes on its own, not the user: they never count as use.
BACKGROUND_VIEWS = {"notification-count"}


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = int(timezone.now().timestamp())
        session = request.session
        started = session.setdefault(STARTED_KEY, now)
        seen = session.get(SEEN_KEY, now)
        idle_limit = settings.LOOPDESK_SESSION_IDLE_MINUTES * 60
        if now - seen > idle_limit or now - started > settings.LOOPDESK_SESSION_MAX_HOURS * 3600:
            logout(request)
            messages.info(request, _("Your session has ended: please sign in again."))
            return redirect_to_login(request.get_full_path())
        url_name = request.resolver_match.url_name if request.resolver_match else None
        if url_name not in BACKGROUND_VIEWS and (
            SEEN_KEY not in session or now - seen >= TOUCH_EVERY_SECONDS
        ):
            session[SEEN_KEY] = now
        return None
