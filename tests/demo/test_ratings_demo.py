"""The demo's year of ratings, read as the rating pages read it: every demo performer rated in
every month, Dimitris Alexiou improving over the year, a second norms version some performers
acknowledged, disputes in each state, and stored ratings that are what the ratings' own
computation stores.

``seed_demo`` runs once for the module (its default amounts: a dozen answers a month behind
each performer), inside a transaction rolled back at its end; each test runs in a savepoint
of it. The history is drawn around the day it is seeded, so the figures move a little from
one day to another: the tests check what holds on any day.
"""

from datetime import date, timedelta
from io import StringIO
from itertools import pairwise
from statistics import mean

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from demo.ratings import ACKNOWLEDGED_BY, DISPUTES, NORMS_ADJUSTED
from demo.surveys.story import IMPROVING, PERFORMERS
from notifications.selectors import unread_count
from ratings.models import (
    Dispute,
    DisputeComment,
    NormsAcknowledgement,
    Rating,
    RatingPeriod,
    RatingScheme,
)
from ratings.periods import local_day, period_bounds, period_instants
from ratings.services import ratings_compute
from surveys.models import Invitation, Response
from surveys.scoring import QuestionKind
from tenants import rls
from tenants.models import AuditEntry, Membership, Tenant

ADMIN = "admin@aegean.example"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
        rls.all_tenants(),
    ):
        call_command("seed_demo", "--force", stdout=StringIO())
        yield Tenant.objects.get(slug="aegean")
        transaction.set_rollback(True)


def member(tenant, name: str) -> Membership:
    return Membership.objects.for_tenant(tenant).get(user__email=f"{name}@aegean.example")


def today(tenant) -> date:
    return local_day(timezone.now(), tenant.time_zone)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_starts(tenant) -> list[date]:
    """The first days of the months wholly inside the demo's year, up to the last complete
    month (the first month of the year and the current one are partial)."""
    start = next_month(today(tenant) - timedelta(days=365))
    starts = []
    while start < today(tenant).replace(day=1):
        starts.append(start)
        start = next_month(start)
    return starts


def monthly(tenant, name: str) -> dict[date, float | None]:
    rows = Rating.objects.for_tenant(tenant).filter(
        performer=member(tenant, name), period__kind=RatingPeriod.Kind.MONTH
    )
    return dict(rows.values_list("period__start", "value"))


def stored(tenant, period) -> dict:
    rows = Rating.objects.for_tenant(tenant).filter(period=period)
    return {
        (row.performer_id, row.department_id): (
            row.value,
            row.components,
            row.inputs,
            row.scheme_id,
        )
        for row in rows
    }


def test_every_demo_performer_is_rated_in_every_month_of_the_year(db, demo):
    starts = month_starts(demo)

    ratings = {name: monthly(demo, name) for name in PERFORMERS}

    assert len(starts) >= 10  # 11, but 10 when seeded on 29 February
    for name, values in ratings.items():
        assert [values.get(start) is not None for start in starts] == [True] * len(starts), name
        assert all(0 <= values[start] <= 100 for start in starts), name


def test_each_period_of_the_year_is_computed_and_those_long_ended_are_closed(db, demo):
    periods = RatingPeriod.objects.for_tenant(demo).order_by("kind", "start")
    day = today(demo)

    for kind in RatingPeriod.Kind.values:
        # From the one holding the day a year ago to the current one, without a gap.
        starts = list(periods.filter(kind=kind).values_list("start", "end"))
        assert starts[0][0] == period_bounds(kind, day - timedelta(days=365))[0], kind
        assert starts[-1][0] == period_bounds(kind, day)[0], kind
        assert all(end == start for (_s, end), (start, _e) in pairwise(starts)), kind
    assert periods.filter(kind="month").count() >= 12
    for period in periods:
        assert period.computed_at is not None
        assert period.is_closed == (day >= period.end + timedelta(days=10)), period.start
        assert Rating.objects.for_tenant(demo).filter(period=period).exists()
    closings = AuditEntry.objects.for_tenant(demo).filter(action="rating_period.closed")
    assert closings.count() == periods.filter(closed_at__isnull=False).count()
    assert not closings.exclude(actor=None).exists()  # closed by the nightly run


def test_dimitris_improves_month_by_month(db, demo):
    (name,) = IMPROVING
    starts = month_starts(demo)
    values = monthly(demo, name)

    first_quarter = mean(values[start] for start in starts[:3])
    last_quarter = mean(values[start] for start in starts[-3:])

    assert last_quarter >= first_quarter + 30, (first_quarter, last_quarter)
    assert last_quarter >= 70
    # Their customers' NPS rose, and their complaints were resolved faster: the first and the
    # last quarter wholly inside the year compared.
    rows = Rating.objects.for_tenant(demo).filter(
        performer=member(demo, name),
        period__kind=RatingPeriod.Kind.QUARTER,
        period__start__gte=today(demo) - timedelta(days=365),
        period__end__lte=today(demo),
    )
    quarters = [
        {component["key"]: component["raw"] for component in components}
        for components in rows.order_by("period__start").values_list("components", flat=True)
    ]
    assert len(quarters) >= 3
    assert quarters[-1]["customer_score"] > quarters[0]["customer_score"] + 20
    assert quarters[-1]["resolution_hours"] < quarters[0]["resolution_hours"]


def test_the_admin_adjusted_the_norms_and_some_performers_acknowledged_them(db, demo):
    versions = list(RatingScheme.objects.for_tenant(demo).order_by("version"))
    rated = Rating.objects.for_tenant(demo).filter(performer__isnull=False)

    assert [scheme.version for scheme in versions] == [1, 2, 3]
    first, start, adjusted = versions
    assert (first.customer_score_kind, start.customer_score_kind) == ("csat", "nps")
    assert [scheme.created_by.user.email for scheme in (start, adjusted)] == [ADMIN, ADMIN]
    assert adjusted.norms == {**start.norms, **NORMS_ADJUSTED} != start.norms
    acknowledged = NormsAcknowledgement.objects.for_tenant(demo).filter(scheme=adjusted)
    assert sorted(acknowledged.values_list("performer__user__email", flat=True)) == sorted(
        f"{name}@aegean.example" for name in ACKNOWLEDGED_BY
    )
    assert set(ACKNOWLEDGED_BY) < set(PERFORMERS)
    # Closed periods keep the version they were computed with; open ones use the new norms.
    assert set(rated.filter(period__closed_at__isnull=False).values_list("scheme", flat=True)) == {
        start.pk
    }
    assert set(rated.filter(period__closed_at__isnull=True).values_list("scheme", flat=True)) == {
        adjusted.pk
    }


def test_performers_disputed_low_answers_and_each_state_is_there(db, demo):
    disputes = {
        dispute.performer.user.email.split("@")[0]: dispute
        for dispute in Dispute.objects.for_tenant(demo).select_related(
            "performer__user", "decided_by__user", "response__interaction", "response__invitation"
        )
    }
    stories = {story.performer: story for story in DISPUTES}

    assert sorted(disputes) == sorted(stories)
    assert sorted(dispute.status for dispute in disputes.values()) == [
        "accepted",
        "open",
        "rejected",
    ]
    for name, dispute in disputes.items():
        story = stories[name]
        response = dispute.response
        # A detractor's first answer about the performer's own interaction, behind their rating.
        assert response.interaction.performer_id == dispute.performer_id
        assert response.invitation.purpose == Invitation.Purpose.FIRST
        assert (response.primary_kind, response.is_critic) == (QuestionKind.NPS, True)
        thread = DisputeComment.objects.for_tenant(demo).filter(dispute=dispute)
        bodies = list(thread.order_by("created_at", "pk").values_list("body", flat=True))
        assert bodies == [story.text, *(text for _author, text in story.thread)]
        assert dispute.created_at >= response.submitted_at
        if dispute.status == Dispute.Status.OPEN:
            assert len(bodies) >= 2
            assert dispute.decided_by is None
        else:
            assert dispute.decided_by.user.email == f"{story.decided_by}@aegean.example"
            assert dispute.decision_note == story.note
            assert dispute.decided_at > max(thread.values_list("created_at", flat=True))
    actions = AuditEntry.objects.for_tenant(demo).filter(action__startswith="dispute.")
    assert sorted(set(actions.values_list("action", flat=True))) == [
        "dispute.accepted",
        "dispute.commented",
        "dispute.opened",
        "dispute.rejected",
    ]


def test_the_accepted_answer_left_the_performers_open_ratings(db, demo):
    dispute = Dispute.objects.for_tenant(demo).get(status=Dispute.Status.ACCEPTED)
    performer = dispute.performer
    open_periods = RatingPeriod.objects.for_tenant(demo).filter(closed_at__isnull=True)

    for period in open_periods:
        start, end = period_instants(period.start, period.end, demo.time_zone)
        answers = Response.objects.for_tenant(demo).filter(
            interaction__performer=performer,
            invitation__purpose=Invitation.Purpose.FIRST,
            primary_kind=QuestionKind.NPS,
            interaction__occurred_at__gte=start,
            interaction__occurred_at__lt=end,
        )
        rating = Rating.objects.for_tenant(demo).filter(period=period, performer=performer)
        counted = answers.exclude(pk=dispute.response_id).count()
        assert (rating.get().inputs["answers"] if rating else 0) == counted, period.start
        if answers.filter(pk=dispute.response_id).exists():
            assert answers.count() == counted + 1


def test_stored_ratings_are_what_the_computation_stores(db, demo):
    for period in RatingPeriod.objects.for_tenant(demo).filter(closed_at__isnull=True):
        seeded = stored(demo, period)

        ratings_compute(period=period)
        once = stored(demo, period)
        ratings_compute(period=period)

        assert once == seeded, period.start
        assert stored(demo, period) == once


def test_the_demo_leaves_no_rating_news_in_any_bell(db, demo):
    members = Membership.objects.for_tenant(demo).select_related("tenant")

    assert [unread_count(each) for each in members] == [0] * members.count()


def test_seeding_again_adds_no_ratings_disputes_or_versions(db, demo):
    models = (Rating, RatingPeriod, RatingScheme, NormsAcknowledgement, Dispute, DisputeComment)
    before = {model.__name__: model.objects.for_tenant(demo).count() for model in models}
    closed = list(RatingPeriod.objects.for_tenant(demo).values_list("pk", "closed_at"))

    call_command("seed_demo", "--force", stdout=StringIO())

    assert {model.__name__: model.objects.for_tenant(demo).count() for model in models} == before
    assert list(RatingPeriod.objects.for_tenant(demo).values_list("pk", "closed_at")) == closed
