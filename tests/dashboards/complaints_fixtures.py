"""Complaints of Acme for the complaint figures' tests (``complaints.metrics`` and the
Complaints dashboard), filed and handled through the workflow at the times each step names
(``clock``), never by writing a state or a timestamp.

Acme works Monday to Friday 09:00–17:00 in Athens (UTC+2 in November, UTC+3 in October) with
the Greek holidays; its default SLA is 8 working hours to acknowledge, 24 to respond first and
15 working days (120 h) to resolve. Today is Friday 20 November 2026, 12:00 in Athens.

    complaint  received (Athens)  category  channel  customer  steps (Athens)
    A          Mon 2 Nov 09:00    claims    web form Maria     ack + handle 10:00; resolved
                                                               (slow handling) and answered
                                                               Tue 3 Nov 13:00; accepted: closed
    B          Mon 2 Nov 09:00    claims    phone    Maria     ack + handle Tue 3 Nov 12:00;
                                                               resolved (wrong information)
                                                               and answered Fri 6 Nov 09:00;
                                                               accepted: closed
    C          Wed 4 Nov 09:00    —         email    Carl      nothing (head office's)
    D          Thu 19 Nov 09:00   claims    web form Maria     acknowledged 10:00
    E          Mon 2 Nov 09:00    claims    web form Erin      rejected 11:00
    G          Tue 10 Nov 09:00   claims    phone    Gus       ack + handle 09:30; resolved
                                                               (slow handling) and answered
                                                               15:00
    H          Mon 16 Nov 09:00   claims    email    Hana      nothing
    F          Thu 1 Oct 09:00    claims    web form Fred      nothing

Claims go to the north branch (Acme's routing rule); C, with no category, to the head office.
By hand, over the complaints received in November (A B C D E G H):

* volume 7; by channel web form 3 (A D E), phone 2 (B G), email 2 (C H); by category claims
  6, none 1; by week: 2 Nov 4 (A B C E), 9 Nov 1 (G), 16 Nov 2 (H D).
* root causes: slow handling 2 (67 %, 67 %), wrong information 1 (33 %, 100 %); 4 without.
* acknowledgement: met A D G; missed B (late), C H (overdue now); E rejected: not due →
  3 of 6. First response (due 24 working hours after receipt): met A (Tue 13:00 ≤ Wed 4 Nov
  17:00), E (its rejection answered it), G; missed B (Fri 6 Nov > Wed 4 Nov 17:00), C and H
  (overdue now); D not due until Mon 23 Nov → 3 of 6. Resolution: met A B G; C, D and H not
  due yet; E ended → 3 of 3. With F (October): each clock one more missed.
* working hours to resolution: G 6 (09:00–15:00), A 12 (8 + 4), B 32 (4 days × 8) → bands
  0–8: 1, 8–24: 1, 24–40: 1; median 12.
* backlog now (open: all but closed A B and rejected E), by days since received: D 1 →
  0–1; H 4 → 2–6; C 16 and G 10 → 7–29; F 50 → 30 and more.
* repeat complainants (threshold 3): Maria, 3 (A B D).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from complaints import workflow
from complaints.lifecycle import State
from complaints.models import Category, Channel, Complaint, RootCause
from tests.complaint_fixtures import bring_to, file_complaint

ATHENS = ZoneInfo("Europe/Athens")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # Friday, 12:00 in Athens


def athens(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ATHENS)


@dataclass
class World:
    complaints: dict[str, Complaint]
    claims: Category


def filed(clock, brand, when: datetime, **fields) -> Complaint:
    clock(when)
    return file_complaint(brand, received_at=when, **fields)


def handled(clock, complaint, when: datetime, handler) -> Complaint:
    """Acknowledged, assessed, assigned and under investigation at ``when``."""
    clock(when)
    return bring_to(complaint, State.INVESTIGATING, handler)


def resolved(clock, complaint, when: datetime, handler, cause_code: str) -> Complaint:
    """Resolved with the root cause ``cause_code`` and the decision sent at ``when``."""
    clock(when)
    cause = RootCause.objects.for_tenant(complaint.tenant_id).get(code=cause_code)
    complaint = workflow.complaint_resolve(
        complaint=complaint, actor=handler, root_cause=cause, resolution="We fixed it."
    )
    return workflow.complaint_send_response(complaint=complaint, actor=handler)


def accepted(clock, complaint, when: datetime) -> Complaint:
    clock(when)
    return workflow.complaint_accept_decision(complaint=complaint, actor=None)


def person(name: str) -> dict:
    return {"name": name, "email": f"{name.lower()}@example.com"}


def november_world(clock, acme, brand, handler) -> World:
    """The table of the module's doc, ending at ``NOW``."""
    claims = Category.objects.for_tenant(acme).get(code="claims")
    maria = {"name": "Maria Rossi", "email": "maria.rossi@example.com"}
    web, phone, email = Channel.WEB_FORM, Channel.PHONE, Channel.EMAIL
    made = {}

    made["F"] = filed(
        clock, brand, athens(10, 1, 9), category=claims, channel=web, **person("Fred")
    )
    a = filed(clock, brand, athens(11, 2, 9), category=claims, channel=web, **maria)
    b = filed(clock, brand, athens(11, 2, 9), category=claims, channel=phone, **maria)
    e = filed(clock, brand, athens(11, 2, 9), category=claims, channel=web, **person("Erin"))
    a = handled(clock, a, athens(11, 2, 10), handler)
    clock(athens(11, 2, 11))
    made["E"] = workflow.complaint_reject(complaint=e, actor=handler, reason="Not ours.")
    b = handled(clock, b, athens(11, 3, 12), handler)
    a = resolved(clock, a, athens(11, 3, 13), handler, "slow-handling")
    made["A"] = accepted(clock, a, athens(11, 3, 14))
    made["C"] = filed(clock, brand, athens(11, 4, 9), channel=email, **person("Carl"))
    b = resolved(clock, b, athens(11, 6, 9), handler, "wrong-info")
    made["B"] = accepted(clock, b, athens(11, 6, 10))
    g = filed(clock, brand, athens(11, 10, 9), category=claims, channel=phone, **person("Gus"))
    g = handled(clock, g, athens(11, 10, 9, 30), handler)
    made["G"] = resolved(clock, g, athens(11, 10, 15), handler, "slow-handling")
    made["H"] = filed(
        clock, brand, athens(11, 16, 9), category=claims, channel=email, **person("Hana")
    )
    d = filed(clock, brand, athens(11, 19, 9), category=claims, channel=web, **maria)
    clock(athens(11, 19, 10))
    made["D"] = workflow.complaint_acknowledge(complaint=d, actor=handler)
    clock(NOW)
    fresh = Complaint.objects.for_tenant(acme).in_bulk([c.pk for c in made.values()])
    return World(complaints={k: fresh[c.pk] for k, c in made.items()}, claims=claims)
