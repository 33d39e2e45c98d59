"""Disputes: Pete (performer, north branch) disputes a customer's answer about his visit; Mario
(manager, north region) discusses and decides it; an accepted dispute takes the answer out of
Pete's score at once. Who sees what: Pete his own, managers above him theirs, analysts read,
Sara (agent, south branch) and Globex see nothing (404)."""

import pytest

from notifications.models import Notification
from ratings import disputes, services
from ratings.models import Dispute, Rating, RatingScheme
from ratings.selectors import today_of
from tenants.errors import ApplicationError, Conflict, NotAllowed
from tenants.models import AuditEntry
from tests.surveys.test_followups import critic, survey  # noqa: F401 (fixtures)

REASON = Dispute.Reason.OUTSIDE_MY_CONTROL
TEXT = "The customer was angry about the price list, which I do not set."


@pytest.fixture
def answer(critic):  # noqa: F811
    """A customer's NPS 2 about Pete's visit an hour or two ago."""
    return critic().response


@pytest.fixture
def nps_scheme(acme):
    services.scheme_current(acme.pk)  # version 1, the defaults
    return RatingScheme.objects.create(
        tenant=acme,
        version=2,
        customer_score_kind="nps",
        weights=services.DEFAULT_WEIGHTS,
        norms={"customer_score": [-20, 60], **services.DEFAULT_NORMS},
    )


def url(dispute=None, suffix="", response=None) -> str:
    if response is not None:
        return f"/acme/ratings/responses/{response.pk}/dispute/"
    return f"/acme/ratings/disputes/{dispute.pk}/{suffix}"


def bell(member) -> list[str]:
    rows = Notification.objects.for_tenant(member.tenant_id).filter(recipient=member)
    return [row.text for row in rows.order_by("pk")]


def actions(tenant) -> list[str]:
    entries = AuditEntry.objects.for_tenant(tenant).filter(action__startswith="dispute.")
    return list(entries.order_by("pk").values_list("action", flat=True))


def test_a_performer_disputes_an_answer_and_the_managers_above_hear_of_it(
    client_of, acme, acme_performer, acme_manager, answer
):
    page = client_of(acme_performer).get(url(response=answer))
    sent = client_of(acme_performer).post(url(response=answer), {"reason": REASON, "text": TEXT})

    dispute = Dispute.objects.for_tenant(acme).get()
    assert page.status_code == 200
    assert sent["Location"] == url(dispute)
    assert (dispute.response_id, dispute.performer_id, dispute.status) == (
        answer.pk,
        acme_performer.pk,
        "open",
    )
    assert [comment.body for comment in dispute.comments.all()] == [TEXT]
    assert actions(acme) == ["dispute.opened"]
    assert bell(acme_manager) == [
        f"{acme_performer.user.get_full_name()} disputes a customer's answer: decide it."
    ]


def test_a_thread_then_an_accepted_dispute_takes_the_answer_out_of_the_score(
    acme, acme_performer, acme_manager, answer, nps_scheme
):
    month = services.period_for(acme, "month", today_of(acme))
    services.ratings_compute(period=month)
    before = Rating.objects.for_tenant(acme).get(performer=acme_performer, period=month)
    dispute = disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)
    disputes.dispute_comment(actor=acme_manager, dispute=dispute, body="Which price list?")
    disputes.dispute_comment(actor=acme_performer, dispute=dispute, body="The 2026 one.")

    disputes.dispute_decide(actor=acme_manager, dispute=dispute, is_accepted=True)

    after = Rating.objects.for_tenant(acme).filter(performer=acme_performer, period=month)
    assert before.inputs["answers"] == 1
    assert before.inputs["score_total"] == -100  # one detractor
    assert not after.exists()  # his only input is gone: no rating row at all, never 0 %
    dispute.refresh_from_db()
    assert (dispute.status, dispute.decided_by) == ("accepted", acme_manager)
    assert actions(acme) == [
        "dispute.opened",
        "dispute.commented",
        "dispute.commented",
        "dispute.accepted",
    ]
    assert bell(acme_performer) == [
        f"{acme_manager.user.get_full_name()} wrote on a dispute.",
        "Your dispute is accepted: the answer leaves your score.",
    ]


def test_a_rejection_needs_a_reason_and_keeps_the_answer(
    client_of, acme, acme_performer, acme_manager, answer
):
    dispute = disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)
    client = client_of(acme_manager)

    bare = client.post(url(dispute, "decide/"), {"decision": "reject", "note": ""})
    reasoned = client.post(
        url(dispute, "decide/"), {"decision": "reject", "note": "The score is about the visit."}
    )

    assert bare.status_code == 400
    assert "Say why the dispute is rejected." in bare.content.decode()
    assert reasoned.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.decision_note) == ("rejected", "The score is about the visit.")
    assert actions(acme) == ["dispute.opened", "dispute.rejected"]


def test_one_dispute_per_answer_and_a_decided_one_takes_no_more(
    acme, acme_performer, acme_manager, answer
):
    dispute = disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)
    with pytest.raises(Conflict):
        disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)
    disputes.dispute_decide(actor=acme_manager, dispute=dispute, is_accepted=False, note="No.")

    with pytest.raises(Conflict):
        disputes.dispute_comment(actor=acme_performer, dispute=dispute, body="But…")
    with pytest.raises(Conflict):
        disputes.dispute_decide(actor=acme_manager, dispute=dispute, is_accepted=True)
    assert Dispute.objects.for_tenant(acme).count() == 1


@pytest.mark.parametrize(
    ("reason", "text", "field"),
    [("", TEXT, "reason"), ("bribery", TEXT, "reason"), (REASON, "   ", "text")],
)
def test_a_bad_dispute_is_refused_on_its_field(acme, acme_performer, answer, reason, text, field):
    with pytest.raises(ApplicationError) as refused:
        disputes.dispute_open(actor=acme_performer, response=answer, reason=reason, text=text)

    assert list(refused.value.fields) == [field]
    assert not Dispute.objects.for_tenant(acme).exists()


def test_only_the_performer_disputes_their_own_answers(
    client_of, acme, acme_agent, acme_performer, answer
):
    # Bob (agent, same branch) did not serve this customer: the answer is not his to dispute.
    page = client_of(acme_agent).get(url(response=answer))
    sent = client_of(acme_agent).post(url(response=answer), {"reason": REASON, "text": TEXT})

    assert (page.status_code, sent.status_code) == (404, 404)
    assert not Dispute.objects.for_tenant(acme).exists()


@pytest.mark.parametrize(
    ("persona", "read", "comment", "decide"),
    [
        ("acme_performer", 200, 302, 403),
        ("acme_manager", 200, 302, 302),
        ("acme_admin", 200, 302, 302),
        ("acme_analyst", 200, 403, 403),
        ("acme_agent", 404, 404, 403),  # Bob may not read ratings: not his dispute
        ("acme_south_agent", 404, 404, 403),
        ("globex_agent", 404, 404, 404),
    ],
)
def test_who_reads_writes_and_decides(
    request, client_of, acme, acme_performer, answer, persona, read, comment, decide
):
    dispute = disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)
    client = client_of(request.getfixturevalue(persona))

    answers = [
        client.get(url(dispute)).status_code,
        client.post(url(dispute, "comment/"), {"body": "A word."}).status_code,
        client.post(url(dispute, "decide/"), {"decision": "accept"}).status_code,
    ]

    assert answers == [read, comment, decide]
    dispute.refresh_from_db()
    assert dispute.status == ("accepted" if decide == 302 else "open")
    expected_comments = 2 if comment == 302 else 1
    assert dispute.comments.count() == expected_comments


def test_the_queue_lists_the_open_disputes_a_manager_sees(
    client_of, acme, acme_performer, acme_manager, acme_south_agent, answer
):
    disputes.dispute_open(actor=acme_performer, response=answer, reason=REASON, text=TEXT)

    managers = client_of(acme_manager).get("/acme/ratings/disputes/").content.decode()
    souths = client_of(acme_south_agent).get("/acme/ratings/disputes/").content.decode()

    assert acme_performer.user.get_full_name() in managers
    assert "No open disputes." in souths


def test_a_manager_may_not_decide_their_own_dispute(acme, acme_manager, answer):
    dispute = Dispute.objects.create(
        tenant=acme, response=answer, performer=acme_manager, reason=REASON
    )

    with pytest.raises(NotAllowed):
        disputes.dispute_decide(actor=acme_manager, dispute=dispute, is_accepted=True)
