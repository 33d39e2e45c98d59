"""The staff notifications complaints send: their message keys and words
(``notifications.messages``), registered by ``ComplaintsConfig.ready()``.

A notification keeps the key and plain parameters (the reference, the clock's code, the due
time as ISO text); each reader sees it in their own language, the clock's name translated and
the due time in their language's format.
"""

from django.utils.translation import gettext_lazy as _

from complaints.models import SlaAlert
from notifications.messages import message_register

SLA_WARNING = "sla.warning"
SLA_BREACH = "sla.breach"
SLA_ESCALATION = "sla.escalation"


def sla_message(level: int) -> str:
    """The message of an SLA event: 0 the warning, 1 the breach, 2 and more an escalation."""
    return (SLA_WARNING, SLA_BREACH, SLA_ESCALATION)[min(level, 2)]


def register_messages() -> None:
    clocks = dict(SlaAlert.Clock.choices)
    message_register(
        SLA_WARNING,
        _("%(reference)s: %(clock)s is due %(due)s."),
        dates=("due",),
        labels={"clock": clocks},
    )
    message_register(
        SLA_BREACH, _("%(reference)s: %(clock)s is overdue."), labels={"clock": clocks}
    )
    message_register(
        SLA_ESCALATION,
        _("%(reference)s: %(clock)s is still overdue; escalated to you."),
        labels={"clock": clocks},
    )
