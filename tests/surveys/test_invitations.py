"""Who is invited to a survey, when, and how the invitation's emails go out.

Maria (Italian) and Nikos (Greek) are Acme's customers; every decision is taken by
``interaction_record`` at a fixed ``NOW``, and the sender runs as the beat would, at given times.
"""

import hashlib
import importlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from complaints.lifecycle import State
from notifications.models import Delivery
from notifications.services import delivery_send
from surveys import metrics
from surveys.interactions.decision import sample_bucket
from surveys.invitations.opt_out import customer_opt_out_of_surveys
from surveys.invitations.scheduling import last_invited_at
from surveys.models import Interaction, Invitation, InvitationToken, SurveyVersion
from surveys.programme.services import survey_settings_update
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants import rls
from tests.factories import BrandFactory, TouchpointFactory
from tests.surveys.survey_fixtures import (
    add_rule,
    as_sent,
    make_customer,
    publish_survey,
    record,
    score_links,
    token_in,
)

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Athens
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
D = Interaction.Decision


@pytest.fixture
def survey(acme):
    return publish_survey(acme)


@pytest.fixture
def rule(acme, survey):
    return add_rule(acme, survey.survey, delay_minutes=60)


@pytest.fixture
def maria(acme):
    return make_customer(acme, "Maria Rossi", "maria@example.com", language="en")


serial = iter(range(1, 10_000))


def event(brand, customer, *, ago=HOUR, now=NOW, **fields):
    return record(
        brand, customer, occurred_at=now - ago, now=now, reference=f"ev-{next(serial)}", **fields
    )


def invitations(tenant):
    return Invitation.objects.for_tenant(tenant)


def deliveries(tenant):
    return Delivery.objects.for_tenant(tenant).order_by("pk")


# --- the decision ----------------------------------------------------------------------------


def test_a_matching_rule_schedules_an_invitation_after_its_delay(
    acme, acme_brand, rule, survey, maria
):
    interaction = event(acme_brand, maria, ago=10 * timedelta(minutes=1))

    assert interaction.decision == D.INVITED
    invitation = invitations(acme).get()
    occurred = NOW - timedelta(minutes=10)
    assert (invitation.status, invitation.send_at, invitation.expires_at) == (
        Invitation.Status.SCHEDULED,
        occurred + HOUR,
        occurred + HOUR + timedelta(days=14),
    )
    assert (invitation.version, invitation.language, invitation.customer) == (survey, "en", maria)
    assert invitation.interaction == interaction
    assert Interaction.objects.for_tenant(acme).get().decision == "invited"


def test_a_long_delay_still_sends_within_a_day_of_the_event(acme, acme_brand, survey, maria):
    add_rule(acme, survey.survey, delay_minutes=3 * 24 * 60)

    interaction = event(acme_brand, maria, ago=2 * HOUR)

    assert invitations(acme).get().send_at == interaction.occurred_at + DAY


def test_the_first_matching_rule_in_order_with_a_published_survey_wins(acme, acme_brand, maria):
    other_brand = BrandFactory(tenant=acme, slug="acme-home", reference_prefix="AHO")
    desk = TouchpointFactory(tenant=acme, code="desk")
    chosen = publish_survey(acme, name="Desk survey")
    never = publish_survey(acme, name="Never")
    draft_only = publish_survey(acme, name="Draft only")
    SurveyVersion.objects.for_tenant(acme).filter(pk=draft_only.pk).update(status="draft")
    add_rule(acme, never.survey, order=1, brand=other_brand)  # another brand
    add_rule(acme, never.survey, order=2, source="import")  # another source
    add_rule(acme, never.survey, order=3, is_active=False)  # switched off
    add_rule(acme, draft_only.survey, order=4)  # nothing published to send
    add_rule(acme, chosen.survey, order=5, touchpoint=desk, source="api")
    add_rule(acme, never.survey, order=6)  # matches too, but later

    event(acme_brand, maria, touchpoint=desk)

    assert invitations(acme).get().version == chosen


def test_no_rule_no_invitation(acme, acme_brand, survey, maria):
    add_rule(acme, survey.survey, touchpoint=TouchpointFactory(tenant=acme, code="branch"))

    interaction = event(acme_brand, maria)  # no touchpoint: the rule does not match

    assert interaction.decision == D.NO_RULE
    assert invitations(acme).count() == 0


@pytest.mark.parametrize(
    ("customer_fields", "decision"),
    [
        ({"email": "nikos@example.com", "survey_opt_out": True}, D.OPTED_OUT),
        ({"email": "nikos@example.com", "consent_email": False}, D.OPTED_OUT),
        ({"phone": "+30 210 000 1000"}, D.NO_EMAIL),
        ({"email": "nikos@example.com"}, D.INVITED),
    ],
)
def test_who_may_be_written_to(acme, acme_brand, rule, customer_fields, decision):
    nikos = make_customer(acme, "Nikos", **customer_fields)

    interaction = event(acme_brand, nikos)

    assert interaction.decision == decision
    assert invitations(acme).count() == (1 if decision == D.INVITED else 0)


@pytest.mark.parametrize(
    ("age", "decision"),
    [(DAY, D.INVITED), (DAY + timedelta(seconds=1), D.TOO_OLD), (30 * DAY, D.TOO_OLD)],
)
def test_an_event_older_than_a_day_is_not_surveyed(acme, acme_brand, rule, maria, age, decision):
    assert event(acme_brand, maria, ago=age).decision == decision


@pytest.mark.parametrize(
    ("throttle_days", "days_since", "decision"),
    [(30, 29, D.THROTTLED), (30, 31, D.INVITED), (7, 6, D.THROTTLED), (7, 8, D.INVITED)],
)
def test_one_survey_per_customer_in_the_throttle_window(
    acme, acme_admin, acme_brand, rule, maria, throttle_days, days_since, decision
):
    survey_settings_update(actor=acme_admin, throttle_days=throttle_days)
    earlier = NOW - days_since * DAY
    assert event(acme_brand, maria, now=earlier).decision == D.INVITED

    assert event(acme_brand, maria).decision == decision
    assert invitations(acme).count() == (2 if decision == D.INVITED else 1)


def test_a_cancelled_invitation_does_not_throttle(acme, acme_brand, rule, maria):
    event(acme_brand, maria, now=NOW - 2 * DAY)
    customer_opt_out_of_surveys(customer=maria)  # cancels the scheduled one
    type(maria).objects.for_tenant(acme).filter(pk=maria.pk).update(survey_opt_out=False)

    assert event(acme_brand, maria).decision == D.INVITED


def test_last_invited_at_is_the_latest_first_invitation_neither_cancelled_nor_a_rerate(
    acme, acme_brand, rule, survey, maria
):
    first = event(acme_brand, maria, now=NOW - 40 * DAY)
    invitations_run(now=NOW - 40 * DAY)  # sent
    event(acme_brand, maria, now=NOW - 2 * DAY)
    customer_opt_out_of_surveys(customer=maria)  # cancels the one still scheduled
    Invitation.objects.create(  # a re-rate asked for on the phone yesterday
        tenant=acme,
        interaction=first,
        purpose=Invitation.Purpose.RERATE,
        version=survey,
        customer=maria,
        send_at=NOW - DAY,
        expires_at=NOW + DAY,
    )

    assert last_invited_at(customer=maria) == NOW - 40 * DAY
    assert last_invited_at(customer=make_customer(acme, "Nikos", "nikos@example.com")) is None


@pytest.mark.parametrize(("percent", "decision"), [(0, D.NOT_SAMPLED), (100, D.INVITED)])
def test_sampling(acme, acme_brand, survey, maria, percent, decision):
    add_rule(acme, survey.survey, sample_percent=percent)

    assert event(acme_brand, maria).decision == decision


def test_the_sample_is_a_fixed_function_of_the_interaction(acme, acme_brand, rule, maria):
    interaction = event(acme_brand, maria)

    digest = hashlib.sha256(f"{acme.pk}:{interaction.pk}".encode()).digest()
    assert sample_bucket(interaction) == int.from_bytes(digest[:8], "big") % 100
    assert sample_bucket(interaction) == sample_bucket(interaction)


@pytest.mark.parametrize(
    "state",
    [State.RECEIVED, State.INVESTIGATING, State.RESOLVED, State.REJECTED, State.WITHDRAWN],
)
def test_a_complaint_that_is_not_closed_is_not_eligible(
    acme, acme_brand, rule, complaint_in, state
):
    complaint = complaint_in(state)

    interaction = event(acme_brand, complaint.customer, complaint=complaint)

    assert interaction.decision == D.NOT_ELIGIBLE
    assert invitations(acme).count() == 0


def test_closing_a_complaint_invites_its_customer_in_the_same_transaction(acme, rule, complaint_in):
    complaint = complaint_in(State.CLOSED, language="el")

    interaction = Interaction.objects.for_tenant(acme).get()
    invitation = invitations(acme).get()
    assert (interaction.decision, interaction.complaint_id) == (D.INVITED, complaint.pk)
    assert invitation.send_at == complaint.closed_at + HOUR
    assert invitation.language == "el"


def test_the_same_event_twice_is_one_interaction_and_one_invitation(acme, acme_brand, rule, maria):
    first = record(acme_brand, maria, occurred_at=NOW - HOUR, now=NOW, reference="claim-7")
    again = record(acme_brand, maria, occurred_at=NOW - HOUR, now=NOW, reference="claim-7")

    assert again.pk == first.pk
    assert again.decision == D.INVITED
    assert invitations(acme).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_events_of_one_customer_at_once_make_one_invitation(acme, acme_brand, rule, maria):
    barrier = threading.Barrier(2)
    decisions, errors = [], []

    def post(reference):
        try:
            barrier.wait()
            with rls.tenant(acme):  # as a request of Acme's would
                interaction = record(
                    acme_brand, maria, occurred_at=NOW - HOUR, now=NOW, reference=reference
                )
            decisions.append(interaction.decision)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(f"race-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(decisions) == [D.INVITED, D.THROTTLED]
    assert invitations(acme).count() == 1


# --- sending -----------------------------------------------------------------------------------


def test_a_due_invitation_goes_out_through_the_outbox(acme, acme_brand, rule, maria):
    event(acme_brand, maria, ago=2 * HOUR)  # due an hour ago

    assert invitations_run(now=NOW) == {
        "settled": 0,
        "expired": 0,
        "sent": 1,
        "reminded": 0,
    }

    invitation = invitations(acme).get()
    assert (invitation.status, invitation.sent_at) == (Invitation.Status.SENT, NOW)
    delivery = deliveries(acme).get()
    token = token_in(delivery)
    assert (delivery.recipient, delivery.sender, delivery.dedupe_key) == (
        "maria@example.com",
        "Acme Motor <care@acme-motor.example>",
        f"survey-invitation-{invitation.pk}-invitation",
    )
    assert delivery.subject == "How did we do? One question from Acme Motor"
    assert delivery.template == "surveys/email/invitation"
    sent = as_sent(delivery)
    assert sent.headers == {
        "List-Unsubscribe": f"<{settings.SITE_URL}/s/unsubscribe/{token}/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    # The outbox row keeps a slot where the token goes, never the token itself.
    stored = (delivery.body, delivery.html_body, str(delivery.headers))
    assert all(token not in text and "/__loopdesk_link_key__/" in text for text in stored)
    # The primary question (NPS) in the customer's language, one link per score 0…10.
    assert "How likely are you to recommend Acme Motor to a friend?" in sent.body
    assert score_links(sent.body) == {n: f"/s/{token}/?score={n}" for n in range(11)}
    assert score_links(sent.html_body.replace("&amp;", "&")) == score_links(sent.body)
    stored = InvitationToken.objects.for_tenant(acme).get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


def test_a_csat_survey_links_scores_1_to_5(acme, acme_brand, maria):
    version = publish_survey(acme, primary=QuestionKind.CSAT)
    add_rule(acme, version.survey, delay_minutes=0)
    event(acme_brand, maria)

    invitations_run(now=NOW)

    body = as_sent(deliveries(acme).get()).body
    assert sorted(score_links(body)) == [1, 2, 3, 4, 5]
    assert "(1 = Very dissatisfied, 5 = Very satisfied)" in body


def test_nothing_is_sent_before_its_time(acme, acme_brand, rule, maria):
    event(acme_brand, maria, ago=timedelta(minutes=30))  # due in 30 minutes

    assert invitations_run(now=NOW)["sent"] == 0
    assert invitations_run(now=NOW + 30 * timedelta(minutes=1))["sent"] == 1


def test_running_the_sender_twice_sends_once(acme, acme_brand, rule, maria):
    event(acme_brand, maria, ago=2 * HOUR)

    first = invitations_run(now=NOW)
    second = invitations_run(now=NOW + timedelta(minutes=1))

    assert (first["sent"], second["sent"]) == (1, 0)
    assert deliveries(acme).count() == 1
    assert InvitationToken.objects.for_tenant(acme).count() == 1


def test_the_beat_task_sends_what_is_due(acme, acme_brand, rule, maria):
    from surveys.tasks import send_survey_invitations_task

    event(acme_brand, maria, now=datetime.now(UTC), ago=2 * HOUR)

    assert send_survey_invitations_task() == {"settled": 0, "expired": 0, "sent": 1, "reminded": 0}
    assert send_survey_invitations_task() == {"settled": 0, "expired": 0, "sent": 0, "reminded": 0}
    assert deliveries(acme).count() == 1


def test_a_customer_who_opted_out_meanwhile_is_not_written_to(acme, acme_brand, rule, maria):
    event(acme_brand, maria, ago=2 * HOUR)
    type(maria).objects.for_tenant(acme).filter(pk=maria.pk).update(consent_email=False)

    assert invitations_run(now=NOW)["sent"] == 0

    assert invitations(acme).get().status == Invitation.Status.CANCELLED
    assert deliveries(acme).count() == 0


def test_one_reminder_with_a_new_link_three_days_later(acme, acme_brand, rule, maria):
    event(acme_brand, maria, ago=2 * HOUR)
    invitations_run(now=NOW)

    assert invitations_run(now=NOW + 3 * DAY - timedelta(minutes=1))["reminded"] == 0
    assert invitations_run(now=NOW + 3 * DAY)["reminded"] == 1
    assert invitations_run(now=NOW + 4 * DAY)["reminded"] == 0

    first, reminder = deliveries(acme)
    assert reminder.subject == "A reminder from Acme Motor: how did we do?"
    assert reminder.dedupe_key.endswith("-reminder")
    assert token_in(first) != token_in(reminder)
    assert as_sent(reminder).headers["List-Unsubscribe"] == (
        f"<{settings.SITE_URL}/s/unsubscribe/{token_in(reminder)}/>"
    )
    assert invitations(acme).get().reminder_sent_at == NOW + 3 * DAY
    assert InvitationToken.objects.for_tenant(acme).count() == 2


def test_no_reminder_after_an_answer_or_an_opt_out(acme, acme_brand, rule, maria):
    nikos = make_customer(acme, "Nikos", "nikos@example.com", language="el")
    answered = event(acme_brand, maria, ago=2 * HOUR)
    event(acme_brand, nikos, ago=2 * HOUR)
    invitations_run(now=NOW)
    response_submit(
        invitation=invitations(acme).get(interaction=answered),
        answers={invitations(acme).get(interaction=answered).version.questions.first().pk: 9},
        now=NOW + DAY,
    )
    customer_opt_out_of_surveys(customer=nikos)

    assert invitations_run(now=NOW + 3 * DAY)["reminded"] == 0
    assert deliveries(acme).count() == 2


def test_unanswered_invitations_expire_after_14_days(acme, acme_brand, rule, maria):
    nikos = make_customer(acme, "Nikos", "nikos@example.com")
    answered = event(acme_brand, maria, ago=2 * HOUR)
    event(acme_brand, nikos, ago=2 * HOUR)
    invitations_run(now=NOW)
    invitation = invitations(acme).get(interaction=answered)
    response_submit(
        invitation=invitation,
        answers={invitation.version.questions.first().pk: 10},
        now=NOW + DAY,
    )
    expiry = NOW - HOUR + 14 * DAY

    assert invitations_run(now=expiry - timedelta(seconds=1))["expired"] == 0
    assert invitations_run(now=expiry)["expired"] == 1
    assert invitations_run(now=expiry + DAY)["expired"] == 0

    statuses = dict(invitations(acme).values_list("customer__name", "status"))
    assert statuses == {"Maria Rossi": "answered", "Nikos": "expired"}


def test_an_italian_customer_gets_the_invitation_in_italian(acme, acme_brand, rule):
    from django.utils import translation
    from django.utils.translation import gettext

    giulia = make_customer(acme, "Giulia Bianchi", "giulia@example.com", language="it")
    event(acme_brand, giulia, ago=2 * HOUR)

    invitations_run(now=NOW)

    delivery = Delivery.objects.for_tenant(acme).get(recipient="giulia@example.com")
    with translation.override("it"):
        subject = gettext("How did we do? One question from %(brand)s") % {"brand": "Acme Motor"}
    assert subject != "How did we do? One question from Acme Motor"
    assert delivery.subject == subject
    assert "Quanto è probabile che consigli Acme Motor a un amico?" in delivery.body


@pytest.mark.usefixtures("rule")
def test_a_busy_minute_sends_scan_after_scan_until_nothing_is_due(acme, acme_brand, monkeypatch):
    monkeypatch.setattr("surveys.sender.SCAN_LIMIT", 2)
    for n in range(5):
        customer = make_customer(acme, f"Customer {n}", f"customer{n}@example.com")
        record(acme_brand, customer, occurred_at=NOW - 2 * HOUR, now=NOW, reference=f"busy-{n}")

    ran = invitations_run(now=NOW)

    assert ran["sent"] == 5  # three scans of at most two
    assert Delivery.objects.for_tenant(acme).count() == 5


@pytest.mark.usefixtures("rule")
def test_a_minute_stops_scanning_when_its_time_is_up(acme, acme_brand, monkeypatch):
    monkeypatch.setattr("surveys.sender.SCAN_LIMIT", 2)
    for n in range(5):
        customer = make_customer(acme, f"Customer {n}", f"customer{n}@example.com")
        record(acme_brand, customer, occurred_at=NOW - 2 * HOUR, now=NOW, reference=f"busy-{n}")

    first = invitations_run(now=NOW, run_for=0)  # one scan, then the time is up
    second = invitations_run(now=NOW)

    assert (first["sent"], second["sent"]) == (2, 3)


# --- the first email, kept for the response rate ------------------------------------------------


def test_an_invitation_keeps_its_first_emails_outbox_row_not_the_reminders(
    acme, acme_brand, rule, maria
):
    event(acme_brand, maria)
    invitations_run(now=NOW)
    invitations_run(now=NOW + 4 * DAY)  # the reminder

    invitation = invitations(acme).get()
    first, reminder = deliveries(acme)
    assert (first.dedupe_key, reminder.dedupe_key) == (
        f"survey-invitation-{invitation.pk}-invitation",
        f"survey-invitation-{invitation.pk}-reminder",
    )
    assert invitation.delivery == first


def test_the_migration_links_invitations_sent_before_it_to_their_first_email(
    acme, acme_brand, rule, maria
):
    nikos = make_customer(acme, "Nikos", "nikos@example.com")
    event(acme_brand, maria)
    event(acme_brand, nikos, ago=10 * DAY)  # too old: never invited
    invitations_run(now=NOW)
    invitations_run(now=NOW + 4 * DAY)
    invitations(acme).update(delivery=None)  # as the rows were before the migration
    migration = importlib.import_module(
        "surveys.migrations.0006_follow_up_machine_invitation_delivery"
    )
    state = MigrationLoader(connection).project_state(
        ("surveys", "0006_follow_up_machine_invitation_delivery")
    )

    migration.link_first_emails(state.apps, None)

    invitation = invitations(acme).get()
    assert invitation.delivery.dedupe_key == f"survey-invitation-{invitation.pk}-invitation"


def test_the_smtp_server_accepting_the_first_email_stamps_the_invitation(
    acme, acme_brand, rule, maria, smtp_server
):
    # given an invitation whose first email is queued, not yet handed to the server
    event(acme_brand, maria)
    invitations_run(now=NOW)
    invitation = invitations(acme).get()
    queued = metrics.response_rate(invitations(acme))
    assert (invitation.accepted_at, queued.whole, queued.queued) == (None, 0, 1)

    # when the outbox sends it and the SMTP server takes it
    assert delivery_send(delivery_id=invitation.delivery_id) is True

    # then the invitation counts as accepted from the time the outbox row was sent
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "maria@example.com"
    invitation.refresh_from_db()
    assert invitation.accepted_at == invitation.delivery.sent_at is not None
    rate = metrics.response_rate(invitations(acme))
    assert (rate.part, rate.whole, rate.queued) == (0, 1, 1)


def test_an_email_the_smtp_server_did_not_take_leaves_the_invitation_unaccepted(
    acme, acme_brand, rule, maria, smtp_server, settings
):
    event(acme_brand, maria)
    invitations_run(now=NOW)
    invitation = invitations(acme).get()
    settings.EMAIL_PORT = 1  # nothing listens there: connection refused

    assert delivery_send(delivery_id=invitation.delivery_id) is False

    invitation.refresh_from_db()
    assert (invitation.delivery.status, invitation.accepted_at) == (Delivery.Status.PENDING, None)
    assert smtp_server.messages == []
    assert metrics.response_rate(invitations(acme)).whole == 0


def test_the_reminders_email_sent_does_not_stamp_the_invitation(
    acme, acme_brand, rule, maria, smtp_server
):
    event(acme_brand, maria)
    invitations_run(now=NOW)
    invitations_run(now=NOW + 4 * DAY)  # the reminder
    _first, reminder = deliveries(acme)

    assert delivery_send(delivery_id=reminder.pk) is True

    smtp_server.wait_for(1)
    assert invitations(acme).get().accepted_at is None


def test_the_migration_stamps_invitations_whose_first_email_was_sent_before_it(
    acme, acme_brand, rule, maria
):
    nikos = make_customer(acme, "Nikos", "nikos@example.com")
    event(acme_brand, maria)
    event(acme_brand, nikos)
    invitations_run(now=NOW)
    accepted_at = NOW + HOUR
    # Both are due at once: which goes out first is not defined, so each is found by address.
    maria_email = deliveries(acme).get(recipient=maria.email)
    nikos_email = deliveries(acme).get(recipient=nikos.email)
    deliveries(acme).filter(pk=maria_email.pk).update(status="sent", sent_at=accepted_at)
    deliveries(acme).filter(pk=nikos_email.pk).update(status="failed")
    invitations(acme).update(accepted_at=None)  # as the rows were before the migration
    migration = importlib.import_module("surveys.migrations.0007_invitation_accepted_at")
    state = MigrationLoader(connection).project_state(("surveys", "0007_invitation_accepted_at"))

    migration.stamp_accepted(state.apps, None)

    stamped = (
        invitations(acme).order_by("customer__name").values_list("customer__name", "accepted_at")
    )
    assert list(stamped) == [("Maria Rossi", accepted_at), ("Nikos", None)]
