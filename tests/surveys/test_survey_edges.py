"""Edges of the held score, partial responses, the import check and the response browser.

Maria and Nikos answer Acme Motor's survey; Mario (manager) imports and browses responses.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.lifecycle import State
from notifications.models import Delivery
from surveys.followups.services import follow_up_complete
from surveys.interactions.checking import import_check
from surveys.invitations.status import invitations_expire
from surveys.models import FollowUp, Invitation, Response
from surveys.responses.submitting import invitations_settle, score_hold
from surveys.sender import invitations_run
from tenants.models import AuditEntry, Role, Tenant
from tests.factories import make_member
from tests.surveys.survey_fixtures import (
    add_rule,
    make_customer,
    publish_survey,
    record,
    token_in,
)

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture
def survey(acme):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    return version


@pytest.fixture
def invite(acme, acme_brand, survey):
    """``invite(name)``: a customer with an invitation sent just now, and its email's token."""

    def make(name: str):
        now = timezone.now()
        customer = make_customer(acme, name, f"{name}@example.com")
        record(acme_brand, customer, occurred_at=now - 2 * HOUR, now=now, reference=f"v-{name}")
        invitations_run(now=now)
        delivery = Delivery.objects.for_tenant(acme).filter(recipient=customer.email).latest("pk")
        return Invitation.objects.for_tenant(acme).get(customer=customer), token_in(delivery)

    return make


def nps_field(version) -> str:
    return f"q{version.questions.get(kind='nps').pk}"


# --- "nothing a customer sends is dropped" ----------------------------------------------------


def test_a_held_score_the_settle_scan_did_not_reach_is_kept_not_expired(acme, invite):
    # More held scores than one settle scan takes: those left wait for the next minute.
    maria, _token = invite("maria")
    nikos, _token = invite("nikos")
    for invitation, score in ((maria, 9), (nikos, 3)):
        score_hold(invitation=invitation, score=score, now=invitation.expires_at - MINUTE)
    after_expiry = max(maria.expires_at, nikos.expires_at)

    # One minute of the sender whose settle scan is full after one row.
    invitations_settle(now=after_expiry, limit=1)
    invitations_expire(now=after_expiry)
    # The next minutes: the settle scan has room again.
    invitations_run(now=after_expiry + MINUTE)

    kept = Response.objects.for_tenant(acme).order_by("primary_score")
    assert list(kept.values_list("primary_score", flat=True)) == [3, 9]


# --- partial completion ----------------------------------------------------------------------


def test_completing_a_kept_low_score_as_a_promoter_closes_its_follow_up(
    client, acme, survey, invite
):
    invitation, token = invite("maria")
    score_hold(invitation=invitation, score=3)
    invitation.refresh_from_db()
    invitations_run(now=invitation.held_at + 2 * HOUR)
    assert FollowUp.objects.for_tenant(acme).get().status == FollowUp.Status.OPEN

    sent = client.post(f"/s/{token}/", {nps_field(survey): "10"})

    assert sent.status_code == 302
    response = Response.objects.for_tenant(acme).get()
    assert (response.primary_score, response.is_critic, response.is_partial) == (10, False, False)
    follow_up = FollowUp.objects.for_tenant(acme).get(response=response)
    assert (follow_up.status, follow_up.outcome) == (
        FollowUp.Status.DONE,
        "Closed by itself: the customer sent the whole survey, and it is not a critic's.",
    )
    entry = AuditEntry.objects.for_tenant(acme).get(
        action="survey.follow_up_complete", target_id=follow_up.pk
    )
    # No member acted: the entry has no actor and names the customer's re-rate.
    assert (entry.actor, entry.note) == (None, "customer re-rate")
    assert entry.changes == {"status": ["open", "done"], "outcome": ["", follow_up.outcome]}


def test_the_outcome_the_customer_closed_is_in_the_tenants_language(client, acme, survey, invite):
    Tenant.objects.filter(pk=acme.pk).update(default_language="el")
    invitation, token = invite("maria")
    score_hold(invitation=invitation, score=3)
    invitation.refresh_from_db()
    invitations_run(now=invitation.held_at + 2 * HOUR)

    # The customer's page is in English; the outcome is read by the tenant's staff.
    client.post(f"/s/{token}/", {nps_field(survey): "9"}, HTTP_ACCEPT_LANGUAGE="en")

    assert FollowUp.objects.for_tenant(acme).get().outcome == (
        "Έκλεισε αυτόματα: ο πελάτης έστειλε ολόκληρη την έρευνα και δεν είναι επικριτής."
    )


def test_a_kept_score_whose_follow_up_is_done_stays_as_it_was(
    client, acme, survey, invite, acme_manager
):
    invitation, token = invite("maria")
    score_hold(invitation=invitation, score=2)
    invitation.refresh_from_db()
    invitations_run(now=invitation.held_at + 2 * HOUR)
    follow_up = FollowUp.objects.for_tenant(acme).get()
    follow_up_complete(
        actor=acme_manager, follow_up=follow_up, outcome="Called her back.", invite_rerate=False
    )

    page = client.get(f"/s/{token}/")
    sent = client.post(f"/s/{token}/", {nps_field(survey): "10"})

    # The call was about the 2: that history stays true.
    assert "You have already answered this survey" in page.content.decode()
    assert sent.status_code == 409
    assert Response.objects.for_tenant(acme).get().primary_score == 2


# --- the public page and the held score ------------------------------------------------------


def test_a_score_clicked_after_another_was_held_is_held_anew_not_said_recorded(
    client, acme, survey, invite
):
    invitation, token = invite("maria")
    score_hold(invitation=invitation, score=9)

    html = client.get(f"/s/{token}/?score=2").content.decode()

    invitation.refresh_from_db()
    assert f'name="{nps_field(survey)}" value="2"' in html
    assert 'data-clicked="2"' in html  # the page will hold 2 once a person is there
    assert ">Thank you: your score is recorded" not in html  # the note says so only once held
    assert "You chose 2. It is not sent yet" in html


# --- CSV import ------------------------------------------------------------------------------


def test_the_import_check_refuses_an_email_longer_than_a_customer_keeps(
    acme, acme_brand, acme_manager, survey
):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example.com"  # 259 characters
    occurred = (timezone.now() - HOUR).isoformat()
    text = f"external_reference,occurred_at,customer_email\nV-1,{occurred},{email}\n"

    check = import_check(actor=acme_manager, text=text)

    assert check.rows == []
    assert [(error.row, error.column) for error in check.errors] == [(2, "customer_email")]


# --- the interactions page --------------------------------------------------------------------


def test_the_interactions_page_links_only_the_complaints_the_reader_may_open(
    client_of, acme, acme_agent, complaint_in
):
    # A manager sees every department's interactions, but only their own subtree's complaints.
    south_manager = make_member(acme, "sam", Role.MANAGER, "south")
    complaint = complaint_in(State.CLOSED)  # handled by the north branch
    link = f'href="/acme/complaints/{complaint.reference}/"'

    north = client_of(acme_agent).get("/acme/surveys/interactions/").content.decode()
    south = client_of(south_manager).get("/acme/surveys/interactions/").content.decode()

    assert link in north
    assert complaint.reference in south and link not in south
