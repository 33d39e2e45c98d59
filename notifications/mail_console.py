"""The email backend when no SMTP server is configured: it prints to the worker's console.

By default one line per message (recipients and subject): a development console is for
following what happens, and a message's body holds its links, which are secrets. With
``EMAIL_LOG_BODIES=1`` the whole message is printed, as Django's console backend does, e.g.
to open a demo invitation's survey link.
"""

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


def summary(message) -> str:
    recipients = ", ".join(message.recipients()) or "nobody"
    parts = 1 + len(getattr(message, "alternatives", []) or []) + len(message.attachments)
    return f"Email to {recipients}: “{message.subject}” ({parts} parts, not printed)\n"


class EmailBackend(ConsoleBackend):
    def write_message(self, message):
        if getattr(settings, "EMAIL_LOG_BODIES", False):
            return super().write_message(message)
        self.stream.write(summary(message))
