"""``surveys.metrics.funnel`` and ``share_difference`` against tables worked out by hand.

Rows are built directly, as in ``tests/surveys/test_metrics.py`` (whose fixtures these reuse):
this tests the reads.
"""

import pytest

from surveys import metrics
from surveys.models import Interaction, Invitation

# The row makers of the metrics module's own tests (fixtures, looked up by name below).
from tests.surveys.test_metrics import after_service, brand, invite, respond  # noqa: F401


def test_the_funnel_of_every_decision_each_stage_part_of_the_one_before(acme, request):
    invited = request.getfixturevalue("invite")
    answered = request.getfixturevalue("respond")
    answered(nps=9)  # invited, accepted, answered
    answered(nps=3)  # invited, accepted, answered
    invited(email="sent")  # invited, accepted, not answered
    invited(email="pending")  # invited, queued, not accepted yet
    invited(email="failed")  # invited, refused for good
    invited(email=None)  # invited, not sent yet
    for decision in ("throttled", "throttled", "opted_out", "no_email", "too_old", "not_sampled"):
        invited(decision=decision, email=None)
    for decision in ("no_rule", "no_rule", "not_eligible", "pending"):
        invited(decision=decision, email=None)
    events = Interaction.objects.for_tenant(acme)
    invitations = Invitation.objects.for_tenant(acme).filter(interaction__in=events)

    funnel = metrics.funnel(events, invitations)

    # 16 events; 4 outside the sample; 12 in it: 6 invited, 6 skipped.
    assert funnel.interactions == 16
    assert funnel.outside == {"no_rule": 2, "not_eligible": 1, "pending": 1}
    assert (funnel.sample, funnel.invited, funnel.accepted, funnel.answered) == (12, 6, 3, 2)
    assert funnel.coverage.skipped == {
        "opted_out": 1,
        "no_email": 1,
        "too_old": 1,
        "throttled": 2,
        "not_sampled": 1,
    }
    assert funnel.coverage.percent == 50.0  # 6 of 12
    assert round(funnel.response_rate.percent, 2) == 66.67  # 2 of 3 accepted
    assert (funnel.response_rate.queued, funnel.response_rate.failed) == (5, 1)
    # The same figures as coverage and response_rate, and every event in one stage or reason.
    assert funnel.coverage == metrics.coverage(events)
    assert funnel.response_rate == metrics.response_rate(invitations)
    assert funnel.interactions == funnel.sample + sum(funnel.outside.values())


def test_the_funnel_of_nothing_is_zeros(acme):
    events = Interaction.objects.for_tenant(acme)

    funnel = metrics.funnel(events, Invitation.objects.for_tenant(acme))

    assert (funnel.interactions, funnel.sample, funnel.invited, funnel.accepted) == (0, 0, 0, 0)
    assert (funnel.coverage.percent, funnel.response_rate.percent) == (None, None)


@pytest.mark.parametrize(
    ("a", "b", "points"),
    [
        ((7, 8), (2, 3), 87.5 - 200 / 3),  # 87.5 % against 66.7 %: +20.8 points
        ((1, 4), (1, 2), -25.0),  # 25 % against 50 %
        ((0, 5), (0, 9), 0.0),
        ((1, 2), (0, 0), None),  # nothing before: no change
        ((0, 0), (1, 2), None),
    ],
)
def test_the_change_of_a_share_is_in_points(a, b, points):
    change = metrics.share_difference(metrics.Share(*a), metrics.Share(*b))

    assert change == points
