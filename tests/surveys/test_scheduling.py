"""When a customer was last invited: the throttle's one rule, for one customer (what
``interaction_record`` asks) and for many at once (what the demo's year of history asks).

Maria was sent an invitation 40 days ago; a later one was cancelled when she opted out, and a
re-rate went out yesterday: neither of those counts. Nikos's invitation was due 10 days ago.
Eleni was never invited. Globex's Maria is another tenant's customer, invited 2 days ago.
"""

from datetime import UTC, datetime, timedelta

import pytest

from surveys.invitations.opt_out import customer_opt_out_of_surveys
from surveys.invitations.scheduling import last_invited_at, last_invited_at_by_customer
from surveys.models import Invitation
from surveys.sender import invitations_run
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

serial = iter(range(1, 10_000))


def invite(brand, customer, *, at):
    """An API event an hour before ``at``, whose invitation (rule delay 60 minutes) is due at
    ``at``."""
    return record(brand, customer, occurred_at=at - HOUR, now=at, reference=f"sched-{next(serial)}")


@pytest.fixture
def history(acme, acme_brand, globex, globex_brand):
    for tenant in (acme, globex):
        add_rule(tenant, publish_survey(tenant).survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com")
    nikos = make_customer(acme, "Nikos Pappas", "nikos@example.com")
    eleni = make_customer(acme, "Eleni Georgiou", "eleni@example.com")
    globex_maria = make_customer(globex, "Maria Rossi", "maria@example.com")

    first = invite(acme_brand, maria, at=NOW - 40 * DAY)
    invitations_run(now=NOW - 40 * DAY)  # sent
    invite(acme_brand, maria, at=NOW - DAY)
    customer_opt_out_of_surveys(customer=maria)  # cancels the one still scheduled
    version = Invitation.objects.for_tenant(acme).get(interaction=first).version
    Invitation.objects.create(  # a re-rate asked for on the phone yesterday
        tenant=acme,
        interaction=first,
        purpose=Invitation.Purpose.RERATE,
        version=version,
        customer=maria,
        send_at=NOW - DAY,
        expires_at=NOW + DAY,
    )
    invite(acme_brand, nikos, at=NOW - 10 * DAY)
    invite(globex_brand, globex_maria, at=NOW - 2 * DAY)
    return {"maria": maria, "nikos": nikos, "eleni": eleni, "globex_maria": globex_maria}


def test_the_latest_first_invitation_counts_neither_a_cancelled_one_nor_a_rerate(acme, history):
    maria, nikos, eleni = history["maria"], history["nikos"], history["eleni"]

    assert last_invited_at(customer=maria) == NOW - 40 * DAY
    assert last_invited_at(customer=nikos) == NOW - 10 * DAY
    assert last_invited_at(customer=eleni) is None


def test_many_customers_are_answered_in_one_query_by_the_same_rule(
    acme, history, django_assert_num_queries
):
    customers = [history["maria"], history["nikos"], history["eleni"]]

    with django_assert_num_queries(1):
        by_customer = last_invited_at_by_customer(
            tenant_id=acme.pk, customer_ids=[customer.pk for customer in customers]
        )

    assert by_customer == {history["maria"].pk: NOW - 40 * DAY, history["nikos"].pk: NOW - 10 * DAY}
    assert {c.pk: last_invited_at(customer=c) for c in customers if c.pk in by_customer} == (
        by_customer
    )


def test_another_tenants_customer_is_not_answered(acme, globex, history):
    globex_maria = history["globex_maria"]

    assert last_invited_at_by_customer(tenant_id=acme.pk, customer_ids=[globex_maria.pk]) == {}
    assert last_invited_at_by_customer(
        tenant_id=globex.pk, customer_ids=[globex_maria.pk, history["maria"].pk]
    ) == {globex_maria.pk: NOW - 2 * DAY}
