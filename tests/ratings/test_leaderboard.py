"""The leaderboard: performers ranked per period and department subtree with their movement,
"not enough data" apart, department ratings; who sees it by the tenant's setting; a manager's
recompute, close and reopen (audited), which the nightly run respects."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings.models import Rating, RatingPeriod
from ratings.schemes import scheme_version_add
from ratings.services import period_for, ratings_refresh, scheme_current
from tenants.models import AuditEntry, Department, Role
from tests.factories import make_member

BOARD = "/acme/ratings/leaderboard/"
MARCH = f"{BOARD}?kind=month&start=2026-03-01"


def store(period, *, performer=None, department=None, value, answers=0) -> Rating:
    """A stored rating as ``ratings_compute`` leaves one (its components aside)."""
    components = [
        {
            "key": "customer_score",
            "raw": 4.0,
            "count": answers,
            "normalised": value,
            "weight": 40.0,
            "has_enough": value is not None,
        },
    ]
    return Rating.objects.create(
        tenant_id=period.tenant_id,
        period=period,
        performer=performer,
        department=department,
        scheme=scheme_current(period.tenant_id),
        value=value,
        components=components,
        inputs={"answers": answers},
        computed_at=datetime(2026, 4, 1, tzinfo=UTC),
    )


@pytest.fixture
def board(acme, acme_agent, acme_south_agent, acme_performer):
    """March: Bob Adams 70, Pete Brown 70 (a tie), Sara 55, Nina no rating; February: Bob 60,
    Sara 65."""
    march = period_for(acme, "month", date(2026, 3, 1))
    february = period_for(acme, "month", date(2026, 2, 1))
    nina = make_member(acme, "nina", Role.PERFORMER, "north-branch")
    for member, surname in zip(
        (acme_agent, acme_performer, acme_south_agent, nina),
        ("Adams", "Brown", "Clark", "Davis"),
        strict=True,
    ):
        User.objects.filter(pk=member.user_id).update(last_name=surname)  # ties go by name
    store(march, performer=acme_agent, value=70.0, answers=12)
    store(march, performer=acme_performer, value=70.0, answers=8)
    store(march, performer=acme_south_agent, value=55.0, answers=20)
    store(march, performer=nina, value=None, answers=2)
    store(february, performer=acme_agent, value=60.0, answers=9)
    store(february, performer=acme_south_agent, value=65.0, answers=11)
    for code, value in (("head-office", 62.5), ("north", 70.0), ("north-branch", 70.0)):
        store(march, department=Department.objects.for_tenant(acme).get(code=code), value=value)
    return {"march": march, "nina": nina}


def rows_of(page) -> list[tuple]:
    return [
        (row.rank, row.rating.performer.user.first_name, row.rating.value, row.movement)
        for row in page.context["ranked"]
    ]


def test_the_admin_sees_everyone_ranked_with_ties_movement_and_no_data_apart(
    client_of, acme_admin, board
):
    page = client_of(acme_admin).get(MARCH)

    assert page.status_code == 200
    assert rows_of(page) == [
        (1, "Bob", 70.0, 10.0),
        (1, "Pete", 70.0, None),  # no rating in February: no movement
        (3, "Sara", 55.0, -10.0),
    ]
    assert [row.rating.performer_id for row in page.context["unranked"]] == [board["nina"].pk]
    html = page.content.decode()
    assert "+10.0" in html and "-10.0" in html
    assert [(r.department.code, r.value) for r in page.context["department_ratings"]] == [
        ("head-office", 62.5),
        ("north", 70.0),
        ("north-branch", 70.0),
    ]
    assert "Recompute now" in html and "Close the period" in html


def test_a_department_shows_its_subtree_only(client_of, acme, acme_admin, board):
    north = Department.objects.for_tenant(acme).get(code="north")

    page = client_of(acme_admin).get(f"{MARCH}&department={north.pk}")

    assert [name for _rank, name, _value, _move in rows_of(page)] == ["Bob", "Pete"]
    assert [r.department.code for r in page.context["department_ratings"]] == [
        "north",
        "north-branch",
    ]


def test_a_manager_sees_their_regions_board_and_no_other(client_of, acme, acme_manager, board):
    south = Department.objects.for_tenant(acme).get(code="south")
    mario = client_of(acme_manager)  # manager of the north region

    page = mario.get(MARCH)
    refused = mario.get(f"{MARCH}&department={south.pk}")

    assert [name for _rank, name, _value, _move in rows_of(page)] == ["Bob", "Pete"]
    assert [each.code for each in page.context["departments"]] == ["north", "north-branch"]
    assert refused.status_code == 400


def test_a_department_of_another_tenant_is_refused(client_of, acme_manager, globex, board):
    hq = Department.objects.for_tenant(globex).get(code="hq")

    page = client_of(acme_manager).get(f"{MARCH}&department={hq.pk}")

    assert page.status_code == 400
    assert "Choose one of the departments listed." in page.content.decode()


def test_the_list_costs_the_same_queries_for_three_or_thirty_performers(
    client_of, acme, acme_admin, board
):
    client = client_of(acme_admin)
    client.get(MARCH)  # the session's first save aside
    with CaptureQueriesContext(connection) as few:
        client.get(MARCH)
    for number in range(27):
        member = make_member(acme, f"extra{number}", Role.AGENT, "south-branch")
        store(board["march"], performer=member, value=float(number), answers=6)
    with CaptureQueriesContext(connection) as many:
        page = client.get(MARCH)

    assert len(page.context["ranked"]) == 30
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [("named", ["You", "Bob"]), ("anonymous", ["You", "A colleague"])],
)
def test_a_performer_sees_their_departments_board_as_the_setting_says(
    client_of, acme, acme_admin, acme_performer, board, visibility, shown
):
    scheme_version_add(actor=acme_admin, leaderboard=visibility)

    page = client_of(acme_performer).get(MARCH)

    html = page.content.decode()
    assert page.status_code == 200
    assert [row.rating.performer.user.first_name for row in page.context["ranked"]] == [
        "Bob",
        "Pete",
    ]  # the north branch only: Sara is in the south
    assert page.context["shows_components"] is False
    for label in shown:
        assert label in html
    if visibility == "anonymous":
        assert "Bob" not in html
    assert "Recompute now" not in html


def test_a_hidden_leaderboard_is_refused_to_performers(client_of, acme_performer, board):
    assert client_of(acme_performer).get(MARCH).status_code == 403  # hidden by default


def test_the_analyst_reads_the_board_and_cannot_recompute(client_of, acme, acme_analyst, board):
    march = board["march"]
    analyst = client_of(acme_analyst)

    page = analyst.get(MARCH)
    refused = analyst.post(f"/acme/ratings/periods/{march.pk}/recompute/")

    assert page.status_code == 200
    assert "Recompute now" not in page.content.decode()
    assert refused.status_code == 403
    march.refresh_from_db()
    assert march.computed_at is None
    assert Rating.objects.for_tenant(acme).filter(period=march).count() == 7


def test_another_tenants_member_gets_a_404_and_another_tenants_period_too(
    client_of, acme, globex, acme_manager, globex_agent, board
):
    globex_march = period_for(globex, "month", date(2026, 3, 1))

    assert client_of(globex_agent).get(MARCH).status_code == 404
    assert (
        client_of(acme_manager)
        .post(f"/acme/ratings/periods/{globex_march.pk}/recompute/")
        .status_code
        == 404
    )
    globex_march.refresh_from_db()
    assert globex_march.computed_at is None


# --- recompute, close, reopen ---------------------------------------------------------------


def test_the_manager_recomputes_closes_and_reopens_and_each_is_audited(
    client_of, acme, acme_manager, board
):
    march = board["march"]
    manager = client_of(acme_manager)

    recomputed = manager.post(f"/acme/ratings/periods/{march.pk}/recompute/", follow=True)
    # nobody has inputs in March: every stored rating goes
    assert "0 ratings are recomputed." in recomputed.content.decode()
    assert not Rating.objects.for_tenant(acme).filter(period=march).exists()

    manager.post(f"/acme/ratings/periods/{march.pk}/close/")
    march.refresh_from_db()
    assert march.is_closed
    refused = manager.post(f"/acme/ratings/periods/{march.pk}/recompute/")
    assert refused.status_code == 409

    manager.post(f"/acme/ratings/periods/{march.pk}/reopen/")
    march.refresh_from_db()
    assert not march.is_closed and march.reopened_at is not None

    actions = list(
        AuditEntry.objects.for_tenant(acme)
        .filter(action__startswith="rating_period.")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        ("rating_period.recomputed", acme_manager.user_id),
        ("rating_period.closed", acme_manager.user_id),
        ("rating_period.reopened", acme_manager.user_id),
    ]


def test_a_period_that_has_not_ended_cannot_be_closed(client_of, acme, acme_manager):
    current = period_for(acme, "month", date.today().replace(day=1))

    refused = client_of(acme_manager).post(f"/acme/ratings/periods/{current.pk}/close/")

    assert refused.status_code == 409
    current.refresh_from_db()
    assert not current.is_closed


def test_the_nightly_run_leaves_a_reopened_period_for_the_manager_to_close(
    acme, acme_manager, board
):
    from ratings.services import rating_period_reopen

    # 12 April 2026: March ended more than 10 days ago, so the night closes it
    night = datetime(2026, 4, 12, 1, 0, tzinfo=UTC)
    ratings_refresh(now=night)
    march = RatingPeriod.objects.for_tenant(acme).get(kind="month", start=date(2026, 3, 1))
    assert march.is_closed

    rating_period_reopen(actor=acme_manager, period=march)
    ratings_refresh(now=datetime(2026, 4, 13, 1, 0, tzinfo=UTC))

    march.refresh_from_db()
    assert not march.is_closed  # recomputed, but closing it again is the manager's call
    assert march.computed_at == datetime(2026, 4, 13, 1, 0, tzinfo=UTC)
