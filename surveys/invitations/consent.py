"""May we email this customer a survey? The one rule, read by the decision (``interactions``),
the sender and the reminder (``sending``) and the demo.

A customer is emailed a survey when they have an email address, agree to email and did not opt
out of surveys. The decision tells the two refusals apart (coverage counts them apart): opted
out (or no consent to email) is ``OPTED_OUT``, no address is ``NO_EMAIL``.
"""

from django.db.models import Q

from customers.models import Customer
from surveys.models import Interaction

OPTED_OUT = Interaction.Decision.OPTED_OUT
NO_EMAIL = Interaction.Decision.NO_EMAIL


def survey_email_refusal(customer: Customer) -> str | None:
    """Why ``customer`` may not be emailed a survey (OPTED_OUT or NO_EMAIL); None: they may."""
    if customer.survey_opt_out or not customer.consent_email:
        return OPTED_OUT
    if not customer.email:
        return NO_EMAIL
    return None


def may_email(customer: Customer) -> bool:
    """Whether ``customer`` may be emailed a survey (:func:`survey_email_refusal` is None)."""
    return survey_email_refusal(customer) is None


def may_email_q(*, customer: str = "customer") -> Q:
    """The same rule in SQL, on the customer reached through the field ``customer``."""
    return Q(**{f"{customer}__survey_opt_out": False, f"{customer}__consent_email": True}) & ~Q(
        **{f"{customer}__email": ""}
    )
