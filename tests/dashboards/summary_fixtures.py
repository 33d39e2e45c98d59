"""A survey programme and complaints for the programme summary's and the survey funnel's tests,
made through the real services (recorded and decided, sent, accepted by a real SMTP server,
answered, followed up and re-rated; complaints filed and walked through the workflow) at the
times the tests choose.

Today is Friday 20 November 2026 (noon in Athens): the default period is 23 August – 20
November, compared with 25 May – 22 August. Acme Motor's events get the NPS survey, Acme
Rent's the CSAT one; Acme Road's rule samples nobody and Acme Other has no rule.

    days ago  brand  decision      email           answer            performer
    current period
      1       Motor  invited       accepted        NPS 10            Bob (north branch)
      3       Motor  invited       accepted        NPS 9
     10       Motor  invited       accepted        NPS 3 → re-rate 8 (recovered)
     20       Motor  invited       accepted        NPS 5 → re-rate 4 (still a critic)
     30       Motor  invited       accepted        —
     40       Motor  invited       queued only     —
      2       Rent   invited       accepted        CSAT 5            Bob (north branch)
     15       Rent   invited       accepted        CSAT 4
     25       Rent   invited       accepted        CSAT 2 (followed up, not re-rated)
      5       Motor  opted out
      6       Motor  no email
     53       Motor  too old (recorded three days after it happened)
      2       Motor  throttled (the customer of 3 days ago)
      7       Road   not in the sample
      8       Other  no rule
      9       Motor  not eligible (its complaint was rejected)
    previous period
    100       Motor  invited       accepted        NPS 9
    110       Motor  invited       accepted        —
    120       Motor  no email
    130       Rent   invited       accepted        CSAT 2
    Globex: one event this week, invited and answered NPS 0.

    complaints (Acme Motor)  received         resolved
      A                       5 days ago       5 days ago
      B                     100 days ago      50 days ago
      C (rejected)           10 days ago       —
      E                     120 days ago     120 days ago
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from complaints.lifecycle import State
from complaints.models import Complaint
from notifications.services import delivery_send
from surveys.followups.services import follow_up_complete
from surveys.models import FollowUp, Interaction, Invitation, SurveyVersion
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import Brand, Membership
from tests.complaint_fixtures import _resolve
from tests.factories import BrandFactory
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 8, 23), date(2026, 11, 20))
PREVIOUS = (date(2026, 5, 25), date(2026, 8, 22))

serial = itertools.count(1)


@dataclass
class Programme:
    """Acme's survey programme: its brands and surveys."""

    motor: Brand
    rent: Brand
    road: Brand
    other: Brand
    nps_version: SurveyVersion
    csat_version: SurveyVersion
    handler: Membership
    clock: Callable


def programme(acme, motor: Brand, handler: Membership, clock) -> Programme:
    """Acme Motor asks NPS, Acme Rent CSAT (both at once after the event), Acme Road's rule
    samples nobody, Acme Other has no rule."""
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    road = BrandFactory(tenant=acme, name="Acme Road", reference_prefix="ARO")
    other = BrandFactory(tenant=acme, name="Acme Other", reference_prefix="AOT")
    nps_version = publish_survey(acme, name="After service")
    csat_version = publish_survey(acme, name="Rental", primary=QuestionKind.CSAT)
    add_rule(acme, nps_version.survey, brand=motor, delay_minutes=0)
    add_rule(acme, csat_version.survey, brand=rent, delay_minutes=0)
    add_rule(acme, nps_version.survey, brand=road, delay_minutes=0, sample_percent=0)
    return Programme(motor, rent, road, other, nps_version, csat_version, handler, clock)


def event(
    brand: Brand,
    *,
    when: datetime,
    customer=None,
    email: str | None = "",
    recorded_after: timedelta = timedelta(hours=1),
    **fields,
) -> Interaction:
    """A service event of ``brand`` at ``when``, recorded (and decided) ``recorded_after``
    later, for ``customer`` or a new one (``email`` None: none; ``survey_opt_out`` …)."""
    n = next(serial)
    tenant = brand.tenant
    if customer is None:
        extra = {key: fields.pop(key) for key in ("survey_opt_out",) if key in fields}
        if email is None:
            customer = make_customer(tenant, f"Customer {n}", phone=f"+30 210 000 {n:04d}", **extra)
        else:
            address = email or f"summary{n}@{tenant.slug}.example"
            customer = make_customer(tenant, f"Customer {n}", address, **extra)
    return record(
        brand,
        customer,
        occurred_at=when,
        now=when + recorded_after,
        reference=f"summary-{n}",
        **fields,
    )


def invitation_of(interaction: Interaction) -> Invitation:
    return Invitation.objects.for_tenant(interaction.tenant_id).get(
        interaction=interaction, purpose=Invitation.Purpose.FIRST
    )


def sent(interaction: Interaction, clock, *, accepted: bool = True) -> Invitation:
    """Its invitation sent by the sender's minute, and (``accepted``) its email taken by the
    SMTP server."""
    when = interaction.occurred_at + timedelta(hours=1)
    invitations_run(now=when)
    invitation = invitation_of(interaction)
    if accepted:
        # The outbox row is due from the machine's own time (its default), which the test's
        # clock does not move: send it then. The figures count the event's invitation,
        # whenever its email was accepted.
        clock(max(datetime.now(UTC), when))
        if not delivery_send(delivery_id=invitation.delivery_id):
            # Committed rows (a live-server test) are also seen by the test run's Celery
            # worker, if one is up: it may have claimed the email first.
            _accepted_by_the_worker(invitation)
        clock(when)
    return invitation


def _accepted_by_the_worker(invitation: Invitation, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Invitation.objects.for_tenant(invitation.tenant_id).get(pk=invitation.pk).accepted_at:
            return
        time.sleep(0.1)
    raise AssertionError(f"invitation {invitation.pk}: its email was never accepted")


def answer(invitation: Invitation, score: int, *, when: datetime):
    """The customer answers the survey's primary question with ``score`` at ``when``."""
    primary = invitation.version.questions.get(is_primary=True)
    return response_submit(invitation=invitation, answers={primary.pk: score}, now=when)


def rerated(response, score: int, *, handler: Membership, when: datetime):
    """The critic's follow-up done by ``handler`` with a re-rate, answered ``score``."""
    follow_up = FollowUp.objects.for_tenant(response.tenant_id).get(response=response)
    again = follow_up_complete(
        actor=handler, follow_up=follow_up, outcome="Called back.", invite_rerate=True, now=when
    )
    invitations_run(now=when)
    return answer(
        Invitation.objects.for_tenant(response.tenant_id).get(pk=again.pk), score, when=when
    )


def surveyed(brand, score, days, *, accepted=True, programme: Programme, today=NOW, **fields):
    """An event ``days`` before ``today``, invited, its email accepted (or only queued),
    answered ``score`` an hour later (None: not answered)."""
    when = today - timedelta(days=days)
    programme.clock(when)
    interaction = event(brand, when=when, **fields)
    invitation = sent(interaction, programme.clock, accepted=accepted)
    if score is None:
        return interaction, None
    return interaction, answer(invitation, score, when=when + timedelta(hours=1))


def survey_world(acme, prog: Programme, *, complaint_in, bob) -> dict:
    """The table of the module's doc (the complaints too), the clock left at ``NOW``."""
    motor, rent, clock = prog.motor, prog.rent, prog.clock
    # previous period, oldest first
    clock(NOW - timedelta(days=130))
    surveyed(rent, 2, 130, programme=prog)
    clock(NOW - timedelta(days=120))
    event(motor, when=NOW - timedelta(days=120), email=None)
    surveyed(motor, None, 110, programme=prog)
    surveyed(motor, 9, 100, programme=prog)
    # current period
    clock(NOW - timedelta(days=53))
    event(motor, when=NOW - timedelta(days=53), recorded_after=timedelta(days=3))
    surveyed(motor, None, 40, accepted=False, programme=prog)
    surveyed(motor, None, 30, programme=prog)
    surveyed(rent, 2, 25, programme=prog)
    _i, five = surveyed(motor, 5, 20, programme=prog)
    surveyed(rent, 4, 15, programme=prog)
    _i, three = surveyed(motor, 3, 10, programme=prog)
    rejected = complaint_at(complaint_in, State.REJECTED, NOW - timedelta(days=10), clock)
    event(motor, when=NOW - timedelta(days=9), complaint=rejected)
    event(prog.other, when=NOW - timedelta(days=8))
    event(prog.road, when=NOW - timedelta(days=7))
    event(motor, when=NOW - timedelta(days=6), email=None)
    event(motor, when=NOW - timedelta(days=5), survey_opt_out=True)
    nine, _r = surveyed(motor, 9, 3, programme=prog)
    event(motor, when=NOW - timedelta(days=2), customer=nine.customer)  # throttled
    surveyed(rent, 5, 2, programme=prog, performer=bob)
    surveyed(motor, 10, 1, programme=prog, performer=bob)
    clock(NOW)
    rerated(three, 8, handler=prog.handler, when=NOW - timedelta(days=9))
    rerated(five, 4, handler=prog.handler, when=NOW - timedelta(days=19))
    clock(NOW)
    return {"rejected": rejected}


def complaint_at(complaint_in, state, when: datetime, clock) -> Complaint:
    """A complaint received at ``when`` and walked to ``state`` then; the clock back at NOW."""
    clock(when)
    complaint = complaint_in(state)
    clock(NOW)
    return complaint


def complaints_world(complaint_in, clock, handler) -> None:
    """Complaints A, B and E of the module's doc (C is the survey world's rejected one)."""
    complaint_at(complaint_in, State.RESOLVED, NOW - timedelta(days=5), clock)
    b = complaint_at(complaint_in, State.INVESTIGATING, NOW - timedelta(days=100), clock)
    clock(NOW - timedelta(days=50))
    _resolve(b, handler)
    clock(NOW)
    complaint_at(complaint_in, State.RESOLVED, NOW - timedelta(days=120), clock)


def make_world(clock, acme, motor, admin, bob, complaint_in, globex_brand) -> dict:
    """Acme's survey programme and complaints of the module's doc, and Globex's one event of
    this week (invited, its email accepted, answered 0); the clock left at ``NOW``."""
    clock(NOW)
    prog = programme(acme, motor, admin, clock)
    made = survey_world(acme, prog, complaint_in=complaint_in, bob=bob)
    complaints_world(complaint_in, clock, admin)
    globex_programme = programme(globex_brand.tenant, globex_brand, None, clock)
    surveyed(globex_brand, 0, 1, programme=globex_programme)
    clock(NOW)
    return {"programme": prog, **made}
