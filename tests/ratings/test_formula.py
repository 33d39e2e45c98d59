"""The rating formula against hand-computed tables (no database): smoothing, clamping, an
inverted component, renormalised weights, no data; and the periods' bounds."""

from datetime import UTC, date, datetime

import pytest

from ratings import formula
from ratings.formula import Norm, Scheme
from ratings.periods import period_bounds, period_instants, previous_start

SCHEME = Scheme(
    weights={
        formula.CUSTOMER_SCORE: 40,
        formula.SLA_COMPLIANCE: 20,
        formula.RESOLUTION_HOURS: 15,
        formula.REOPEN_RATE: 10,
        formula.FOLLOW_UPS_IN_TIME: 15,
    },
    norms={
        formula.CUSTOMER_SCORE: Norm(3.0, 4.5),
        formula.SLA_COMPLIANCE: Norm(50, 95),
        formula.RESOLUTION_HOURS: Norm(120, 24),
        formula.REOPEN_RATE: Norm(20, 0),
        formula.FOLLOW_UPS_IN_TIME: Norm(50, 100),
    },
    smoothing=10,
    min_answers=5,
    min_cases=3,
)


@pytest.mark.parametrize(
    ("total", "count", "mean", "expected"),
    [
        # few answers stay near the tenant's mean: (10 + 10 × 4) / (2 + 10) = 50 / 12
        (10, 2, 4.0, 50 / 12),
        # many answers near their own: (900 + 10 × 4) / (200 + 10) = 940 / 210
        (900, 200, 4.0, 940 / 210),
        # m = 10 answers at the mean weigh as much as ten of one's own: (30 + 40) / 20 = 3.5
        (30, 10, 4.0, 3.5),
        # no answers: nothing to say about this performer
        (0, 0, 4.0, None),
        # no tenant mean (nobody answered): the raw mean
        (9, 2, None, 4.5),
    ],
)
def test_the_customer_score_is_drawn_towards_the_mean_while_answers_are_few(
    total, count, mean, expected
):
    assert formula.smoothed(total=total, count=count, tenant_mean=mean, m=10) == (
        pytest.approx(expected) if expected is not None else None
    )


@pytest.mark.parametrize(
    ("value", "norm", "expected"),
    [
        (3.75, Norm(3.0, 4.5), 50.0),  # halfway
        (2.0, Norm(3.0, 4.5), 0.0),  # under the floor: clamped to 0
        (5.0, Norm(3.0, 4.5), 100.0),  # over the target: clamped to 100
        # lower is better: the floor is the larger number, the same line inverts it
        (48, Norm(120, 24), 75.0),  # (48 − 120) / (24 − 120) = 0.75
        (150, Norm(120, 24), 0.0),
        (10, Norm(120, 24), 100.0),
        (5, Norm(20, 0), 75.0),  # 5 % reopened against floor 20 %, target 0 %
    ],
)
def test_a_component_maps_from_floor_to_target_clamped_and_inverted_where_lower_is_better(
    value, norm, expected
):
    assert formula.normalised(value, norm) == pytest.approx(expected)


def raw(**overrides):
    values = {
        "score_total": 0,
        "answers": 0,
        "tenant_mean": 4.0,
        "smoothing": 10,
        "resolved": 0,
        "resolved_in_time": 0,
        "reopened": 0,
        "resolution_hours": [],
        "follow_ups_due": 0,
        "follow_ups_in_time": 0,
    }
    values.update(overrides)
    return formula.raw_components(**values)


def test_the_rating_is_the_weighted_mean_of_every_component_with_enough_data():
    components = formula.components_scored(
        raw(
            score_total=40,  # 10 answers averaging 4.0 → smoothed (40 + 40) / 20 = 4.0
            answers=10,
            resolved=4,
            resolved_in_time=3,  # 75 %
            reopened=1,  # 25 %
            resolution_hours=[8, 16, 40, 72],  # median 28 h
            follow_ups_due=4,
            follow_ups_in_time=4,  # 100 %
        ),
        SCHEME,
    )

    table = {each.key: (each.raw, each.count, each.normalised) for each in components}
    assert table == {
        "customer_score": (pytest.approx(4.0), 10, pytest.approx(100 / 1.5)),  # 66.67
        "sla_compliance": (75.0, 4, pytest.approx(25 / 45 * 100)),  # 55.56
        "resolution_hours": (28.0, 4, pytest.approx(92 / 96 * 100)),  # 95.83
        "reopen_rate": (25.0, 4, 0.0),  # worse than the floor
        "follow_ups_in_time": (100.0, 4, 100.0),
    }
    # (66.667 × 40 + 55.556 × 20 + 95.833 × 15 + 0 × 10 + 100 × 15) / 100
    expected = (100 / 1.5 * 40 + 25 / 45 * 100 * 20 + 92 / 96 * 100 * 15 + 100 * 15) / 100
    assert formula.rating_of(components) == pytest.approx(expected)  # 67.15


def test_weights_are_renormalised_over_the_components_that_have_enough_data():
    # Only two complaints (fewer than 3 cases) and no follow-ups: the customer score alone.
    components = formula.components_scored(
        raw(score_total=90, answers=20, resolved=2, resolved_in_time=2, resolution_hours=[4, 6]),
        SCHEME,
    )

    counted = [each.key for each in components if each.has_enough]
    assert counted == ["customer_score"]
    # smoothed (90 + 40) / 30 = 4.333…; (4.333 − 3) / 1.5 = 88.89 % — its weight 40 of 40
    assert formula.rating_of(components) == pytest.approx((130 / 30 - 3) / 1.5 * 100)


def test_no_component_with_enough_data_is_no_rating_never_zero():
    components = formula.components_scored(raw(score_total=4, answers=1, resolved=1), SCHEME)

    assert [each.has_enough for each in components] == [False] * 5
    assert formula.rating_of(components) is None
    assert formula.rating_of([]) is None


def test_a_zero_weight_leaves_a_component_out_of_the_mean():
    scheme = Scheme(**{**SCHEME.__dict__, "weights": {**SCHEME.weights, "reopen_rate": 0}})
    components = formula.components_scored(
        raw(resolved=4, resolved_in_time=4, reopened=4, resolution_hours=[24, 24, 24, 24]),
        scheme,
    )

    # sla 100 % (w 20), resolution 24 h = target 100 % (w 15); the reopen rate's 0 % weighs 0
    assert formula.rating_of(components) == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("kind", "day", "bounds"),
    [
        ("month", date(2026, 3, 31), (date(2026, 3, 1), date(2026, 4, 1))),
        ("month", date(2026, 12, 5), (date(2026, 12, 1), date(2027, 1, 1))),
        ("quarter", date(2026, 5, 20), (date(2026, 4, 1), date(2026, 7, 1))),
        ("quarter", date(2026, 12, 31), (date(2026, 10, 1), date(2027, 1, 1))),
        ("year", date(2026, 7, 1), (date(2026, 1, 1), date(2027, 1, 1))),
    ],
)
def test_periods_are_calendar_months_quarters_and_years(kind, day, bounds):
    assert period_bounds(kind, day) == bounds


def test_the_previous_period_crosses_the_year():
    assert previous_start("month", date(2026, 1, 1)) == date(2025, 12, 1)
    assert previous_start("quarter", date(2026, 1, 1)) == date(2025, 10, 1)


def test_a_month_starts_at_local_midnight_in_the_tenants_time_zone():
    start, end = period_instants(date(2026, 3, 1), date(2026, 4, 1), "Europe/Athens")

    # Athens is UTC+2 in winter and UTC+3 from 29 March 2026.
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 22, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 31, 21, 0, tzinfo=UTC)
