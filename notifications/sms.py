"""SMS backends: how an SMS delivery of the outbox leaves the machine.

``settings.SMS_BACKEND`` picks one by name: ``"console"`` (development: the message is printed)
or ``"http"`` (a generic gateway that takes JSON). A backend raises :class:`TransientSmsError`
when trying again later may work and :class:`SmsError` when it never will; the outbox retries
the first with back-off and gives up on the second at once.
"""

import json
import logging
import sys
import urllib.error
import urllib.request
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Answers of a gateway that mean "not now" rather than "never".
RETRYABLE_STATUSES = frozenset({408, 429})


class SmsError(Exception):
    """The message cannot be sent: a bad number, a refused sender, a rejected request."""


class TransientSmsError(SmsError):
    """The gateway is down, busy or slow: the same message may go through later."""


class SmsBackend:
    def send(self, *, to: str, body: str, sender: str) -> None:
        """Send ``body`` to the phone number ``to``; raise ``SmsError`` when it was not sent."""
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Development: prints each message (and logs it) instead of sending it."""

    def send(self, *, to: str, body: str, sender: str) -> None:
        # sys.stdout looked up at call time, so a worker's or a test's redirection applies.
        sys.stdout.write(f"SMS from {sender} to {to}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        logger.info("SMS to %s printed to the console (%s characters)", to, len(body))


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would arrive as a body-less GET (and carry the token to another
    # address): a gateway that redirects is misconfigured, which is an error, not a success.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpSmsBackend(SmsBackend):
    """A generic HTTP gateway: ``POST {"to", "from", "text"}`` as JSON with a bearer token.

    Any 2xx answer means accepted. 5xx, 408, 429, timeouts and connection errors are
    transient; any other answer (4xx, a redirect) is permanent.
    """

    def __init__(
        self, *, url: str | None = None, token: str | None = None, timeout: float | None = None
    ):
        self.url = settings.SMS_HTTP_URL if url is None else url
        self.token = settings.SMS_HTTP_TOKEN if token is None else token
        self.timeout = settings.SMS_HTTP_TIMEOUT if timeout is None else timeout
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured("SMS_HTTP_URL must be an http:// or https:// address.")
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def send(self, *, to: str, body: str, sender: str) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"to": to, "from": sender, "text": body}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            # Checked before URLError, its base class: the gateway did answer.
            detail = error.read(500).decode("utf-8", "replace").strip()
            message = f"SMS gateway answered {error.code} {error.reason}"
            if detail:
                message = f"{message}: {detail}"
            if error.code >= 500 or error.code in RETRYABLE_STATUSES:
                raise TransientSmsError(message) from error
            raise SmsError(message) from error
        except (urllib.error.URLError, HTTPException, OSError) as error:
            # Connection refused or reset, DNS failure, timeout (TimeoutError is an OSError).
            reason = getattr(error, "reason", error)
            raise TransientSmsError(f"SMS gateway unreachable: {reason}") from error


BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleSmsBackend,
    "http": HttpSmsBackend,
}


def get_sms_backend() -> SmsBackend:
    """The backend ``settings.SMS_BACKEND`` names."""
    try:
        backend = BACKENDS[settings.SMS_BACKEND]
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND must be one of {', '.join(sorted(BACKENDS))}, "
            f"not {settings.SMS_BACKEND!r}."
        ) from None
    return backend()
