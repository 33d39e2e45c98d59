"""Secrets out of the logs: the token of a survey link (and of a member's invitation link,
``/accounts/invitation/<token>/``) and a status page's ``?key=``.

A customer's link is its own password: ``/s/<token>/`` (the survey, its score, thanks and
``/s/unsubscribe/<token>/``) and ``…?key=…``. A log line that kept it would let anyone who reads
the logs answer the survey or open the case, so every request log writes ``[redacted]``
instead: Django's (``django.request``: "Not Found: /s/…/", ``django.server``: runserver's
access log) through :class:`RedactLinks` in ``LOGGING``, and gunicorn's access log through
``config.gunicorn``. The rest of the line (method, status, size, time) stays.
"""

import logging
import re

REDACTED = "[redacted]"

# The token is a whole path segment after /s/ (or /s/unsubscribe/), percent-encoded or not.
# A member's invitation link, /accounts/invitation/<token>/, the same way.
_SURVEY_PATH = re.compile(
    r"(/s/(?:unsubscribe/)?|/accounts/invitation/)[^/?#\s\"'<>]+", re.IGNORECASE
)
_ENCODED_SURVEY_PATH = re.compile(
    r"(%2Fs%2F(?:unsubscribe%2F)?|%2Faccounts%2Finvitation%2F)[^%?#&\s\"'<>]+", re.IGNORECASE
)
# ?key=… or &key=…, also inside an encoded ?next= (%3Fkey%3D…).
_KEY_PARAMETER = re.compile(r"([?&]key=)[^&#\s\"'<>]+", re.IGNORECASE)
_ENCODED_KEY_PARAMETER = re.compile(r"((?:%3F|%26)key%3D)[^&#\s\"'<>%]+", re.IGNORECASE)
_PATTERNS = (_SURVEY_PATH, _ENCODED_SURVEY_PATH, _KEY_PARAMETER, _ENCODED_KEY_PARAMETER)


def redact(text: str) -> str:
    """``text`` with every survey token and ``key`` parameter replaced by ``[redacted]``."""
    if "s/" not in text and "key" not in text.lower() and "%2f" not in text.lower():
        return text  # the common case: nothing to look for
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\1{REDACTED}", text)
    return text


class RedactLinks(logging.Filter):
    """A logging filter that redacts a record's message (it never drops one).

    The message is formatted once and stored without arguments, so every handler and
    formatter after this one (and pytest's capture) sees the redacted line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: let logging report it as it would
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
