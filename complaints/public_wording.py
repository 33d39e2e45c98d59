"""How the public status page words a complaint's state and steps: the customer's words.

Transition notes are never shown: staff write them for each other (the question asked and a
review's reason reach the customer as messages instead).
"""

from django.utils.translation import gettext_lazy as _

from complaints.lifecycle import State
from complaints.models import Complaint, Transition
from complaints.workflow import CUSTOMER

STATE_SENTENCES = {
    State.RECEIVED: _("We have received your complaint and will confirm shortly who handles it."),
    State.ACKNOWLEDGED: _("We have confirmed your complaint and are checking the details."),
    State.ASSESSED: _("We have checked the details and are passing it to the right team."),
    State.ASSIGNED: _("The team that will handle your complaint has it."),
    State.INVESTIGATING: _("We are looking into it."),
    State.WAITING_ON_CUSTOMER: _("We need more information from you: please answer below."),
    State.RESOLVED: _("We have finished looking into it and are preparing our answer."),
    State.RESPONSE_SENT: _("We have sent you our decision. Please tell us if you accept it."),
    State.UNDER_REVIEW: _("People who did not handle your complaint are reviewing our decision."),
    State.CLOSED: _("Your complaint is closed."),
    State.REOPENED: _("We have reopened your complaint and are looking into it again."),
    State.REJECTED: _("We could not take this forward as a complaint."),
    State.WITHDRAWN: _("This complaint was withdrawn. We are no longer handling it."),
    State.MERGED: _(
        "We are handling this together with another complaint about the same matter, "
        "and write about it to the contact given with that one."
    ),
}

# What happened at each step; the second wording when the customer took the step themselves.
TRANSITION_SENTENCES = {
    "acknowledge": (_("We confirmed that we received your complaint."), None),
    "assess": (_("We checked the details of your complaint."), None),
    "assign": (_("Your complaint went to the team that handles it."), None),
    "start_investigation": (_("We started looking into your complaint."), None),
    "request_information": (_("We asked you for more information."), None),
    "receive_information": (_("We recorded your answer."), _("You answered our questions.")),
    "resolve": (_("We finished looking into it and prepared our answer."), None),
    "send_response": (_("We sent you our decision."), None),
    "accept_decision": (
        _("Your acceptance of our decision was recorded."),
        _("You accepted our decision."),
    ),
    "request_review": (
        _("Your request for a review was recorded."),
        _("You asked for a review of our decision."),
    ),
    "complete_review": (_("We reviewed our decision and sent it to you again."), None),
    "close": (_("We closed your complaint."), None),
    "reopen": (_("We reopened your complaint."), None),
    "reject": (_("We could not take this forward as a complaint."), None),
    "withdraw": (
        _("Your complaint was withdrawn at your request."),
        _("You withdrew your complaint."),
    ),
    "merge": (_("We joined your complaint with another one about the same matter."), None),
}

# The confirmation after each step the customer takes on the status page.
DONE = {
    "answer": _("Thank you: we have your answer and carry on with your complaint."),
    "add": _("Thank you: we have added this to your complaint."),
    "accept": _("Thank you. Your complaint is now closed."),
    "review": _("We have asked for a review of our decision. We will write to you."),
    "withdraw": _("Your complaint is withdrawn."),
}


def state_sentence(complaint: Complaint) -> str:
    return str(STATE_SENTENCES.get(complaint.state, complaint.get_state_display()))


def transition_sentence(transition: Transition) -> str:
    staff_words, customer_words = TRANSITION_SENTENCES.get(
        transition.name, (transition.get_target_display(), None)
    )
    if transition.actor_label == CUSTOMER and customer_words is not None:
        return str(customer_words)
    return str(staff_words)
