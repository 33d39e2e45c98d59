"""Demo ratings: a year of monthly, quarterly and yearly ratings of the demo's staff, computed
from the demo's history by the ratings' own services as the nightly run would have.

The story: when ratings started, the demo admin chose NPS as the customer score (most of the
demo's surveys ask it first; version 2 of the scheme, the defaults otherwise). Each period
was computed and closed ``close_after_days`` after its end with that version. Lately the admin
adjusted the norms (version 3): the periods still open are computed with it, and some
performers have acknowledged it. Dimitris Alexiou, weak a year ago, improved month by month
(``story.IMPROVING``). Three performers disputed a low answer behind their rating: one dispute
is open with a thread, one was accepted (the answer left the score), one rejected with the
manager's reason.

Made once: on a rerun (the tenant has a scheme version made by a member) the periods of the
last year still open are computed again and those now due are closed, as the nightly run
would; the scheme, the acknowledgements and the disputes are left as they are.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from demo.tenant import demo_actor
from notifications.services import notifications_mark_history_read
from ratings import formula
from ratings.disputes import dispute_comment, dispute_decide, dispute_open
from ratings.models import CustomerScoreKind, Dispute, DisputeComment, RatingPeriod, RatingScheme
from ratings.periods import local_day, period_bounds
from ratings.schemes import norms_acknowledge, scheme_version_add
from ratings.services import period_for, rating_period_settle, ratings_compute, scheme_current
from surveys.models import Invitation, Response
from surveys.scoring import QuestionKind
from tenants.models import Membership, Tenant

YEAR = timedelta(days=365)
NIGHTLY_RUN = time(2, 30)  # UTC, as the beat schedules ``refresh_ratings_task``
# Version 2, when ratings started: the customer score is the NPS.
SCHEME_AT_START = {"customer_score_kind": CustomerScoreKind.NPS}
# Version 3, lately: a year of data showed the defaults too easy on speed and too hard on NPS.
NORMS_ADJUSTED = {
    formula.CUSTOMER_SCORE: [-10, 50],
    formula.RESOLUTION_HOURS: [100, 24],
}
# Who has read version 3's norms (the others have not yet).
ACKNOWLEDGED_BY = ["maria.konstantinou", "jose.martinez", "giorgos.nikolaou", "alexei.smirnov"]


@dataclass(frozen=True)
class DisputeStory:
    performer: str  # the demo user's email before the @
    reason: str
    text: str
    thread: tuple[tuple[str, str], ...]  # (author, message) after the opening text
    decided_by: str = ""  # "" leaves it open
    is_accepted: bool = False
    note: str = ""
    days_ago: int = 3  # when it was opened


DISPUTES = [
    DisputeStory(
        "olga.petrova",
        Dispute.Reason.OUTSIDE_MY_CONTROL,
        "The customer scored the partner's tow truck, not my dispatch: a truck was on its way "
        "six minutes after the call, then the partner garage sent it to another breakdown "
        "first. The delay is in the partner's log.",
        (
            (
                "giulia.rossi",
                "I see your dispatch time in the log. Before I decide: did you tell the customer "
                "the new arrival time when the partner changed it?",
            ),
            (
                "olga.petrova",
                "Yes, I called the customer back with the new time and again when the truck "
                "was ten minutes away. Both calls are in the case notes.",
            ),
        ),
        days_ago=4,
    ),
    DisputeStory(
        "jose.martinez",
        Dispute.Reason.NOT_MY_WORK,
        "I only took this customer's first call and passed the claim to the Piraeus desk, "
        "which handled it from then on. The answer is about how the claim was settled.",
        (("nikos.georgiou", "Checking the claim file with Piraeus, back to you tomorrow."),),
        decided_by="nikos.georgiou",
        is_accepted=True,
        note="The claim file confirms it: Piraeus handled it from the second day. The answer "
        "leaves your score.",
        days_ago=9,
    ),
    DisputeStory(
        "francesca.bianchi",
        Dispute.Reason.OTHER,
        "The customer was unhappy about the renewal price, which I do not set. I served the "
        "customer quickly and answered every question.",
        (),
        decided_by="giulia.rossi",
        note="Nothing in the answer points to the price: the score is about the service you "
        "gave. It stays in your rating; let's look at the visit together on Thursday.",
        days_ago=6,
    ),
]


def seed_demo_ratings(tenant: Tenant, *, now: datetime | None = None) -> int:
    """Compute the ratings of every month, quarter and year of the demo's last year (closing
    those past ``close_after_days``), with the demo's scheme versions, acknowledgements and
    disputes the first time; returns how many periods were computed."""
    now = now or timezone.now()
    with transaction.atomic():
        admin = demo_actor(tenant)
        members = {
            member.user.email.split("@")[0]: member
            for member in Membership.objects.for_tenant(tenant)
            .filter(is_active=True)
            .select_related("tenant", "user", "department")
        }
        versions = RatingScheme.objects.for_tenant(tenant)
        is_new = not versions.filter(created_by__isnull=False).exists()
        if is_new:
            scheme_version_add(actor=admin, **SCHEME_AT_START)
            # Both versions were there when the first period was computed.
            versions.update(created_at=now - YEAR)
        today = local_day(now, tenant.time_zone)
        periods = _periods_of_the_year(tenant, today)
        computed = 0
        for period in periods:
            if period.is_closed or period.reopened_at is not None:
                continue
            closing = _closing_time(period, scheme_current(tenant.pk).close_after_days, today, now)
            if closing is not None:
                rating_period_settle(period=period, now=closing)  # as that night did
                computed += 1
        if is_new:
            scheme = scheme_version_add(actor=admin, norms=NORMS_ADJUSTED)
            for name in ACKNOWLEDGED_BY:
                if name in members:
                    norms_acknowledge(performer=members[name], scheme=scheme)
            _disputes(members, now)
        for period in periods:
            period.refresh_from_db()
            if not period.is_closed:
                ratings_compute(period=period, now=now)
                computed += 1
        if is_new:
            # The demo's norms versions and disputes are history: none of it waits in a bell.
            notifications_mark_history_read(tenant=tenant, until=timezone.now())
    return computed


def _periods_of_the_year(tenant: Tenant, today: date) -> list[RatingPeriod]:
    """Every month, quarter and year holding a day of the last year, oldest end first."""
    periods = []
    for kind in RatingPeriod.Kind.values:
        start, _end = period_bounds(kind, today - YEAR)
        while start <= today:
            period = period_for(tenant, kind, start)
            periods.append(period)
            start = period.end
    return sorted(periods, key=lambda period: (period.end, period.start))


def _closing_time(period: RatingPeriod, close_after_days: int, today: date, now: datetime):
    """When the nightly run closed the period, if that day has come (None: still open)."""
    closing_day = period.end + timedelta(days=close_after_days)
    if closing_day > today:
        return None
    return min(datetime.combine(closing_day, NIGHTLY_RUN, UTC), now)


def _low_answer(performer: Membership) -> Response | None:
    """The performer's latest critic's first answer that counts in their rating (NPS)."""
    return (
        Response.objects.for_tenant(performer.tenant_id)
        .filter(
            interaction__performer=performer,
            invitation__purpose=Invitation.Purpose.FIRST,
            primary_kind=QuestionKind.NPS,
            is_critic=True,
            dispute__isnull=True,
        )
        .order_by("-interaction__occurred_at", "-pk")
        .first()
    )


def _disputes(members: dict[str, Membership], now: datetime) -> None:
    """The demo's disputes, made by the disputes' services, then dated back: opened some days
    ago, each message later than the one before, decided after the last."""
    for story in DISPUTES:
        performer = members.get(story.performer)
        response = _low_answer(performer) if performer else None
        if response is None:
            continue
        dispute = dispute_open(
            actor=performer, response=response, reason=story.reason, text=story.text
        )
        for author, body in story.thread:
            dispute_comment(actor=members[author], dispute=dispute, body=body)
        if story.decided_by:
            dispute = dispute_decide(
                actor=members[story.decided_by],
                dispute=dispute,
                is_accepted=story.is_accepted,
                note=story.note,
            )
        opened_at = max(now - timedelta(days=story.days_ago), response.submitted_at)
        _date_back(dispute, opened_at, now)


def _date_back(dispute: Dispute, opened_at: datetime, now: datetime) -> None:
    comments = list(
        DisputeComment.objects.for_tenant(dispute.tenant_id)
        .filter(dispute=dispute)
        .order_by("created_at", "pk")
    )
    steps = len(comments) + (1 if dispute.decided_at else 0)
    step = (now - opened_at) / (steps + 1)
    Dispute.objects.for_tenant(dispute.tenant_id).filter(pk=dispute.pk).update(created_at=opened_at)
    for number, comment in enumerate(comments):
        DisputeComment.objects.for_tenant(dispute.tenant_id).filter(pk=comment.pk).update(
            created_at=opened_at + step * number
        )
    if dispute.decided_at:
        Dispute.objects.for_tenant(dispute.tenant_id).filter(pk=dispute.pk).update(
            decided_at=opened_at + step * steps
        )
