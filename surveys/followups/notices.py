"""The staff notifications follow-ups send (``notifications.messages``), registered by
``SurveysConfig.ready()``: plain parameters (the customer's name, the due time as ISO text),
worded in each reader's language."""

from django.utils.translation import gettext_lazy as _

from notifications.messages import message_register

FOLLOW_UP_ASSIGNED = "follow_up.assigned"
FOLLOW_UP_TAKEN_AWAY = "follow_up.taken_away"


def register_messages() -> None:
    message_register(
        FOLLOW_UP_ASSIGNED,
        _("Call %(customer)s back: the follow-up is yours, due %(due)s."),
        dates=("due",),
    )
    message_register(
        FOLLOW_UP_TAKEN_AWAY,
        _("The follow-up of %(customer)s is now %(assignee)s's."),
    )
