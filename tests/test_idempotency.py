"""A double-click or a retried POST creates one record: each rendered form's token is used once.

Maria double-clicks "Send" on Acme's public form, Bob (an agent) on "File" and on a step of a
case, and a survey answer is sent twice; each time one record is written and the second POST
is shown the first one's result. A page without a token (an old page, a script) still works.
"""

import re
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import State
from complaints.models import Complaint, Message, Transition
from notifications.models import Delivery
from surveys.models import Invitation, Response
from surveys.sender import invitations_run
from tenants import rls
from tenants.idempotency import once
from tenants.models import SubmissionToken
from tenants.tasks import purge_submission_tokens_task
from tests.complaint_fixtures import file_complaint
from tests.surveys.survey_fixtures import (
    add_rule,
    make_customer,
    publish_survey,
    record,
    token_in,
)

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def token_of(response, number: int = 0) -> str:
    """The ``number``-th form's submission token on the rendered page."""
    tokens = re.findall(r'name="submission" value="([^"]+)"', response.content.decode())
    return tokens[number]


def form_url(brand) -> str:
    return reverse(
        "public-complaint-form",
        kwargs={"tenant_slug": brand.tenant.slug, "brand_slug": brand.slug},
    )


def status_url(complaint) -> str:
    return reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": complaint.tenant.slug, "reference": complaint.reference},
    )


def detail_url(complaint) -> str:
    return reverse(
        "complaint-detail", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )


def maria_form(**overrides) -> dict:
    return {
        "name": "Maria Rossi",
        "email": "maria.rossi@example.com",
        "language": "en",
        "subject": "Windscreen claim not paid",
        "description": "I claimed for a broken windscreen on 3 March; nobody has paid.",
        "website": "",
        **overrides,
    }


# --- the public form ------------------------------------------------------------------------


def test_the_public_form_sent_twice_files_one_complaint_and_shows_it_both_times(
    client, acme_setup, acme_brand
):
    token = token_of(client.get(form_url(acme_brand)))

    first = client.post(form_url(acme_brand), maria_form(submission=token))
    second = client.post(form_url(acme_brand), maria_form(submission=token))

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == status_url(complaint)
    receipts = Delivery.objects.for_tenant(acme_setup).filter(recipient="maria.rossi@example.com")
    assert receipts.count() == 1


def test_a_retry_whose_first_answer_was_lost_still_opens_the_complaint(acme_setup, acme_brand):
    """The first answer (and the session cookie it set) never reached the browser."""
    token = token_of(Client().get(form_url(acme_brand)))
    Client().post(form_url(acme_brand), maria_form(submission=token))
    browser = Client()

    retried = browser.post(form_url(acme_brand), maria_form(submission=token), follow=True)

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert retried.redirect_chain == [(status_url(complaint), 302)]
    assert complaint.reference in retried.content.decode()


def test_two_rendered_forms_file_two_complaints(client, acme_setup, acme_brand):
    for subject in ("Claim not paid", "Rude staff on the phone"):
        token = token_of(client.get(form_url(acme_brand)))
        client.post(form_url(acme_brand), maria_form(submission=token, subject=subject))

    assert Complaint.objects.for_tenant(acme_setup).count() == 2


def test_a_post_without_a_token_is_filed_as_before(client, acme_setup, acme_brand):
    client.post(form_url(acme_brand), maria_form())
    client.post(form_url(acme_brand), maria_form())

    assert Complaint.objects.for_tenant(acme_setup).count() == 2
    assert not SubmissionToken.objects.for_tenant(acme_setup).exists()


def test_the_same_token_at_another_tenant_does_not_collide(
    client, acme_setup, acme_brand, globex_brand
):
    token = token_of(client.get(form_url(acme_brand)))

    client.post(form_url(acme_brand), maria_form(submission=token))
    at_globex = client.post(form_url(globex_brand), maria_form(submission=token))

    filed = Complaint.objects.for_tenant(globex_brand.tenant).get()
    assert at_globex["Location"] == status_url(filed)
    assert Complaint.objects.for_tenant(acme_setup).count() == 1


def test_a_refused_post_does_not_use_up_its_token(client, acme_setup, acme_brand):
    token = token_of(client.get(form_url(acme_brand)))

    refused = client.post(form_url(acme_brand), maria_form(submission=token, description=""))
    fixed = client.post(form_url(acme_brand), maria_form(submission=token))

    assert refused.status_code == 200
    assert fixed["Location"] == status_url(Complaint.objects.for_tenant(acme_setup).get())


# --- the workspace --------------------------------------------------------------------------


def test_the_agents_form_sent_twice_files_one_complaint(
    client_of, acme_setup, acme_brand, acme_agent
):
    client = client_of(acme_agent)
    url = reverse("complaint-new", kwargs={"tenant_slug": "acme"})
    data = {
        "brand": acme_brand.pk,
        "channel": "phone",
        "name": "Nikos Pappas",
        "phone": "+30 210 555 0101",
        "language": "el",
        "severity": "high",
        "subject": "Tow truck never came",
        "description": "Waited four hours on the motorway.",
        "submission": token_of(client.get(url)),
    }

    first = client.post(url, data)
    second = client.post(url, data)

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert first["Location"] == second["Location"] == detail_url(complaint)


def test_a_step_sent_twice_is_taken_once_and_the_second_shows_the_case(
    client_of, complaint_in, acme_admin
):
    complaint = complaint_in(State.RECEIVED)
    client = client_of(acme_admin)
    token = token_of(client.get(detail_url(complaint)))  # the first step's form: acknowledge
    url = reverse(
        "complaint-step",
        kwargs={"tenant_slug": "acme", "reference": complaint.reference, "name": "acknowledge"},
    )
    data = {"acknowledge-version": complaint.version, "acknowledge-note": "Called her back."}

    first = client.post(url, {**data, "submission": token})
    second = client.post(url, {**data, "submission": token})  # stale version: 409 without token

    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == detail_url(complaint)
    transitions = Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
    assert list(transitions.values_list("name", flat=True)) == ["acknowledge"]


def test_each_form_of_the_case_page_has_its_own_token(client_of, complaint_in, acme_admin):
    complaint = complaint_in(State.RECEIVED)
    page = client_of(acme_admin).get(detail_url(complaint))

    tokens = re.findall(r'name="submission" value="([^"]+)"', page.content.decode())

    assert len(tokens) > 2 and len(set(tokens)) == len(tokens)


def test_a_message_sent_twice_is_saved_once(client_of, complaint_in, acme_admin):
    complaint = complaint_in(State.ACKNOWLEDGED)
    client = client_of(acme_admin)
    url = reverse(
        "complaint-message", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    page = client.get(detail_url(complaint)).content.decode()
    token = re.search(
        rf'action="{re.escape(url)}".*?name="submission" value="([^"]+)"', page, re.DOTALL
    ).group(1)
    data = {"kind": "internal", "body": "Garage invoice looks forged.", "submission": token}

    first = client.post(url, data)
    second = client.post(url, data)

    assert first["Location"] == second["Location"] == detail_url(complaint)
    notes = Message.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
    assert list(notes.values_list("body", flat=True)) == ["Garage invoice looks forged."]


# --- the survey -----------------------------------------------------------------------------


@pytest.fixture
def invitation_token(acme, acme_brand):
    """Maria's survey link, sent just now."""
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(hours=2), now=now, reference="visit-1")
    invitations_run(now=now)
    delivery = Delivery.objects.for_tenant(acme).filter(recipient=maria.email).latest("pk")
    nps = version.questions.get(kind="nps")
    return token_in(delivery), {f"q{nps.pk}": "9"}


def test_a_survey_answer_sent_twice_is_recorded_once_and_both_see_the_thanks(
    client, acme, invitation_token
):
    token, answers = invitation_token
    url = f"/s/{token}/"
    submission = token_of(client.get(url))

    first = client.post(url, {**answers, "submission": submission})
    second = client.post(url, {**answers, "submission": submission})  # 409 "already" without

    thanks = reverse("public-survey-thanks", kwargs={"token": token})
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == thanks
    assert Response.objects.for_tenant(acme).count() == 1
    assert Invitation.objects.for_tenant(acme).get().status == Invitation.Status.ANSWERED
    # The stored result holds no survey token (no secret at rest).
    stored = SubmissionToken.objects.for_tenant(acme).get()
    assert token not in str(stored.result)


def test_another_page_of_an_answered_survey_is_still_refused(client, acme, invitation_token):
    token, answers = invitation_token
    url = f"/s/{token}/"
    client.post(url, {**answers, "submission": token_of(client.get(url))})

    other_tab = client.post(url, {**answers, "submission": "a-token-never-used"})

    assert other_tab.status_code == 409
    assert Response.objects.for_tenant(acme).count() == 1


# --- concurrency and purging ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_write_one_complaint(acme, acme_brand):
    """The second POST's insert of the token waits for the first's transaction, then is
    shown its result: ``do`` runs once although both started before either finished."""
    request = SimpleNamespace(POST={"submission": "same-rendered-form"})
    first_inside = threading.Event()
    calls, results = [], {}

    def first():
        def do():
            complaint = file_complaint(acme_brand, subject="Filed once")
            calls.append("first")
            first_inside.set()
            time.sleep(0.5)  # the second POST arrives meanwhile and must wait
            return {"pk": complaint.pk}

        try:
            with rls.tenant(acme):  # each thread is a request of Acme's public form
                results["first"] = once(request, acme, "public_complaint", do)
        finally:
            connection.close()

    def second():
        def do():
            calls.append("second")
            return {"pk": file_complaint(acme_brand, subject="Filed twice").pk}

        first_inside.wait(5)
        try:
            with rls.tenant(acme):
                results["second"] = once(request, acme, "public_complaint", do)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert calls == ["first"]
    assert results["second"] == (results["first"][0], False)
    assert list(Complaint.objects.for_tenant(acme).values_list("subject", flat=True)) == [
        "Filed once"
    ]


def test_beat_purges_tokens_older_than_a_week(acme):
    SubmissionToken.objects.create(tenant=acme, token="old", kind="message")
    SubmissionToken.objects.create(tenant=acme, token="new", kind="message")
    SubmissionToken.objects.for_tenant(acme).filter(token="old").update(
        created_at=timezone.now() - timedelta(days=30)
    )

    assert purge_submission_tokens_task.apply().get() == 1
    assert list(SubmissionToken.objects.for_tenant(acme).values_list("token", flat=True)) == ["new"]
