"""What a staff notification says: a message key and plain parameters, worded when it is shown.

A notification is stored as a key (``sla.breach``) and parameters (``{"reference": …,
"clock": "resolution"}``), never as text: one event notifies members who read different
languages, and each must read it in their own, with dates in their language's format and the
tenant's time zone. Each app registers the messages it sends in its ``AppConfig.ready()`` (as
it adds its menu entries): a lazily translated format string, the parameters that hold an ISO
date and time (formatted when shown), and those that hold a value with a translated label
(a clock, a status). :func:`message_render` words a stored message in the active language.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone
from django.utils.functional import Promise

# Rows written before messages had keys keep their text under this key.
TEXT = "text"


@dataclass(frozen=True)
class Message:
    """One kind of notification: its format string (``%(name)s`` placeholders), the
    parameters that are ISO date-times, and the translated labels of coded parameters."""

    text: Promise | str
    dates: tuple[str, ...] = ()
    labels: Mapping[str, Mapping[str, Promise | str]] = field(default_factory=dict)


_MESSAGES: dict[str, Message] = {TEXT: Message("%(text)s")}


def message_register(
    key: str,
    text: Promise | str,
    *,
    dates: tuple[str, ...] = (),
    labels: Mapping[str, Mapping[str, Promise | str]] | None = None,
) -> None:
    """Add a message kind; registering the same key again replaces it (a reloaded app)."""
    _MESSAGES[key] = Message(text=text, dates=tuple(dates), labels=dict(labels or {}))


def message_check(key: str, params: Mapping) -> None:
    """Refuse (``ValueError``: a programming error, not a user's) a key nobody registered, or
    parameters that are not plain JSON values (a model, a datetime: pass ids and ISO text)."""
    if key not in _MESSAGES:
        raise ValueError(f"unknown notification message {key!r}")
    for name, value in params.items():
        if not isinstance(value, str | int | float | bool | type(None)):
            raise ValueError(f"notification parameter {name!r} must be plain, not {value!r}")


def _date(value) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.UTC)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def message_render(key: str, params: Mapping) -> str:
    """The message in the active language, dates in its format and the current time zone.

    A key no longer registered, or parameters that do not fill its format, show what there is
    rather than fail the page (an old row outlives the code that wrote it).
    """
    message = _MESSAGES.get(key)
    if message is None:
        return str(params.get("text", key))
    values = dict(params)
    for name in message.dates:
        if name in values:
            values[name] = _date(values[name])
    for name, labels in message.labels.items():
        if name in values and values[name] in labels:
            values[name] = str(labels[values[name]])
    try:
        return str(message.text) % values
    except (KeyError, TypeError, ValueError):
        return str(params.get("text", key))
