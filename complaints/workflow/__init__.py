"""One function per complaint transition: check, move the state, record, audit, notify.

Every function takes the acting membership (``None`` for the complainant acting on the public
status page), runs in one transaction, writes the state with a compare-and-set on ``version``
(so a concurrent change is refused, never overwritten), writes a :class:`Transition` row and
queues customer messages in the outbox. The table of who may go from where to where is
``complaints.lifecycle``.

* ``moves`` — the one guarded compare-and-set move every step (the transfer too) goes through,
  and the errors it refuses with;
* ``handling`` — acknowledge, assess, assign, transfer, investigate, questions and answers, the
  first reply;
* ``decision`` — resolve, send the decision, the internal review;
* ``endings`` — accept, close, reopen, reject, withdraw, merge.
"""

from complaints.workflow.decision import (
    complaint_complete_review,
    complaint_request_review,
    complaint_resolve,
    complaint_send_response,
    default_recourse,
)
from complaints.workflow.endings import (
    complaint_accept_decision,
    complaint_close,
    complaint_merge,
    complaint_reject,
    complaint_reopen,
    complaint_withdraw,
)
from complaints.workflow.handling import (
    complaint_acknowledge,
    complaint_assess,
    complaint_assign,
    complaint_receive_information,
    complaint_record_first_response,
    complaint_request_information,
    complaint_start_investigation,
    complaint_transfer,
    complaints_hand_back,
    on_member_deactivated,
)
from complaints.workflow.moves import (
    CUSTOMER,
    FIRST_RESPONSES,
    TRANSITION_NAMES,
    StaleComplaint,
    TransitionNotAllowed,
    TransitionNotAvailable,
    available_transitions,
)

__all__ = [
    "CUSTOMER",
    "FIRST_RESPONSES",
    "TRANSITION_NAMES",
    "StaleComplaint",
    "TransitionNotAllowed",
    "TransitionNotAvailable",
    "available_transitions",
    "complaint_accept_decision",
    "complaint_acknowledge",
    "complaint_assess",
    "complaint_assign",
    "complaint_close",
    "complaint_complete_review",
    "complaint_merge",
    "complaint_receive_information",
    "complaint_record_first_response",
    "complaint_reject",
    "complaint_reopen",
    "complaint_request_information",
    "complaint_request_review",
    "complaint_resolve",
    "complaint_send_response",
    "complaint_start_investigation",
    "complaint_transfer",
    "complaint_withdraw",
    "complaints_hand_back",
    "default_recourse",
    "on_member_deactivated",
]
