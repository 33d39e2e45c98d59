"""The public survey page behind the emailed links, the thank-you, expiry and unsubscribe pages.

Maria (Italian) and Nikos (Greek) answer Acme Motor's survey with no account. Opening a link —
as a mail scanner does — must record nothing; only pressing the button does.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import delivery_send
from surveys import metrics
from surveys.invitations.sending import invitations_remind
from surveys.models import (
    Answer,
    FollowUp,
    Invitation,
    InvitationToken,
    Question,
    Response,
    localized,
)
from surveys.programme.services import survey_settings_update
from surveys.public.views import HOLDS_PER_WINDOW, SUBMISSIONS_PER_WINDOW
from surveys.responses.submitting import response_submit, score_hold
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import AuditEntry, Department, Tenant
from tests.factories import TouchpointFactory
from tests.surveys.survey_fixtures import (
    add_rule,
    as_sent,
    make_customer,
    publish_survey,
    record,
    score_links,
    token_in,
)

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
ALREADY = "You have already answered this survey"
REQUIRED = "Please answer this question."


pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture
def survey(acme):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    return version


@pytest.fixture
def maria(acme):
    return make_customer(acme, "Maria Rossi", "maria@example.com", language="en")


@pytest.fixture
def invite(acme, acme_brand, survey):
    """``invite(customer)``: an invitation sent to the customer just now; its email's links."""
    serial = iter(range(1, 1000))

    def make(customer, *, now=None, **fields):
        now = now or timezone.now()
        record(
            acme_brand,
            customer,
            occurred_at=now - 2 * HOUR,
            now=now,
            reference=f"visit-{next(serial)}",
            **fields,
        )
        invitations_run(now=now)
        delivery = Delivery.objects.for_tenant(acme).filter(recipient=customer.email).latest("pk")
        invitation = Invitation.objects.for_tenant(acme).get(customer=customer)
        return invitation, score_links(as_sent(delivery).body), token_in(delivery)

    return make


def questions(version) -> dict[str, Question]:
    return {q.kind: q for q in version.questions.all()}


def form_data(version, *, nps=None, csat=None, choice="", comment="") -> dict:
    q = questions(version)
    data = {f"q{q['choice'].pk}": choice, f"q{q['text'].pk}": comment}
    if nps is not None:
        data[f"q{q['nps'].pk}"] = str(nps)
    if csat is not None:
        data[f"q{q['csat'].pk}"] = str(csat)
    return data


def checked(html: str, question: Question) -> list[str]:
    """Values of the question's radios that the page shows chosen."""
    return re.findall(
        rf'<input type="radio" name="q{question.pk}" value="([^"]+)"[^>]*checked', html
    )


def survey_url(token: str) -> str:
    return f"/s/{token}/"


# --- opening a link records nothing ---------------------------------------------------------


def test_opening_a_score_link_chooses_the_score_and_records_nothing(
    client, acme, survey, maria, invite
):
    invitation, links, token = invite(maria)

    for _scanner_and_person in range(3):
        page = client.get(links[9])
        assert page.status_code == 200
        assert checked(page.content.decode(), questions(survey)["nps"]) == ["9"]
        assert "You chose 9. It is not sent yet" in page.content.decode()

    assert Response.objects.for_tenant(acme).count() == 0
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_at) == (Invitation.Status.SENT, None)
    assert InvitationToken.objects.for_tenant(acme).get().used_at is None
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert invitation.held_score is None
    # The link still works for the person.
    posted = client.post(survey_url(token), form_data(survey, nps=9))
    assert posted.status_code == 302
    assert Response.objects.for_tenant(acme).get().primary_score == 9


# --- the person's page records the clicked score ---------------------------------------------


def hold_url(token: str) -> str:
    return f"/s/{token}/score/"


def test_the_persons_page_records_the_clicked_score_and_the_link_stays_open(
    acme, survey, maria, invite
):
    invitation, links, token = invite(maria)
    browser = Client(enforce_csrf_checks=True)  # as a real browser: the page's CSRF cookie
    browser.get(links[9])

    held = browser.post(hold_url(token), {"score": "9", "csrfmiddlewaretoken": csrf(browser)})

    assert (held.status_code, held.json()) == (200, {"held": True})
    invitation.refresh_from_db()
    assert (invitation.status, invitation.held_score) == (Invitation.Status.SENT, 9)
    assert InvitationToken.objects.for_tenant(acme).get().used_at is None
    assert Response.objects.for_tenant(acme).count() == 0
    # Back on the page later through the plain link: the score is there, and said recorded.
    page = browser.get(survey_url(token)).content.decode()
    assert checked(page, questions(survey)["nps"]) == ["9"]
    assert "your score is recorded" in page
    # Sending the survey records what the form says: the person changed their mind.
    sent = browser.post(
        survey_url(token), {**form_data(survey, nps=10), "csrfmiddlewaretoken": csrf(browser)}
    )
    assert sent.status_code == 302
    assert Response.objects.for_tenant(acme).get().primary_score == 10


def csrf(client: Client) -> str:
    return client.cookies["csrftoken"].value


def test_recording_a_score_needs_the_pages_csrf_token(acme, survey, maria, invite):
    invitation, _links, token = invite(maria)

    refused = Client(enforce_csrf_checks=True).post(hold_url(token), {"score": "9"})

    assert refused.status_code == 403
    invitation.refresh_from_db()
    assert invitation.held_score is None


@pytest.mark.parametrize("score", ["11", "-1", "nine", ""])
def test_a_score_off_the_scale_is_not_recorded(client, survey, maria, invite, score):
    invitation, _links, token = invite(maria)

    refused = client.post(hold_url(token), {"score": score})

    assert (refused.status_code, refused.json()) == (400, {"error": "off_scale"})
    invitation.refresh_from_db()
    assert invitation.held_score is None


def test_an_answered_or_expired_survey_records_no_score(client, acme, survey, maria, invite):
    _answered, _links, answered_token = invite(maria)
    client.post(survey_url(answered_token), form_data(survey, nps=9))
    nikos = make_customer(acme, "Nikos", "nikos@example.com", language="el")
    expired, _links, expired_token = invite(nikos)
    invitations_run(now=expired.expires_at)

    refusals = [
        client.post(hold_url(token), {"score": "2"})
        for token in (answered_token, expired_token, "not-a-token")
    ]
    assert [(refused.status_code, refused.json()) for refused in refusals] == [
        (409, {"error": "closed"}),
        (409, {"error": "closed"}),
        (404, {"error": "not_found"}),
    ]
    assert list(Response.objects.for_tenant(acme).values_list("primary_score", flat=True)) == [9]


def test_a_person_who_leaves_without_sending_has_answered_with_the_clicked_score(
    client, acme, survey, maria, invite
):
    invitation, _links, token = invite(maria)
    satisfaction = questions(survey)["csat"]
    Question.objects.for_tenant(acme).filter(pk=satisfaction.pk).update(is_required=True)
    client.post(hold_url(token), {"score": "3"})
    invitation.refresh_from_db()
    clicked_at = invitation.held_at

    assert invitations_run(now=clicked_at + 50 * MINUTE)["settled"] == 0
    assert invitations_run(now=clicked_at + 61 * MINUTE)["settled"] == 1

    response = Response.objects.for_tenant(acme).get()
    # The required satisfaction question they never reached is not demanded.
    assert (response.primary_score, response.submitted_at) == (3, clicked_at)
    assert list(Answer.objects.for_tenant(acme).values_list("question", "score")) == [
        (questions(survey)["nps"].pk, 3)
    ]
    assert FollowUp.objects.for_tenant(acme).get().response == response  # a critic is called
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert invitations_run(now=clicked_at + 2 * HOUR)["settled"] == 0  # once


def test_a_score_clicked_just_before_expiry_is_kept(client, acme, survey, maria, invite):
    invitation, _links, _token = invite(maria)
    with_a_minute_left = invitation.expires_at - MINUTE
    score_hold(invitation=invitation, score=8, now=with_a_minute_left)

    ran = invitations_run(now=invitation.expires_at)

    assert (ran["settled"], ran["expired"]) == (1, 0)
    assert Response.objects.for_tenant(acme).get().primary_score == 8


def test_coming_back_after_the_score_was_kept_completes_the_same_response(
    client, acme, survey, maria, invite
):
    invitation, _links, token = invite(maria)
    client.post(hold_url(token), {"score": "9"})
    invitation.refresh_from_db()
    invitations_run(now=invitation.held_at + 2 * HOUR)
    kept = Response.objects.for_tenant(acme).get()
    assert (kept.primary_score, kept.is_partial, kept.is_critic) == (9, True, False)

    page = client.get(survey_url(token)).content.decode()
    assert checked(page, questions(survey)["nps"]) == ["9"]
    sent = client.post(survey_url(token), form_data(survey, nps=9, comment="Also, thanks"))

    assert sent.status_code == 302
    response = Response.objects.for_tenant(acme).get()  # the same one, completed
    assert response.pk == kept.pk
    assert (response.comment, response.is_partial, response.submitted_at) == (
        "Also, thanks",
        False,
        kept.submitted_at,
    )
    assert Answer.objects.for_tenant(acme).filter(response=response).count() == 2  # score, comment
    assert not FollowUp.objects.for_tenant(acme).exists()  # praise with a comment: no call
    again = client.post(survey_url(token), form_data(survey, nps=2))
    assert again.status_code == 409
    assert Response.objects.for_tenant(acme).get().primary_score == 9


@pytest.mark.parametrize("score", ["11", "-1", "nine", ""])
def test_a_score_off_the_scale_chooses_nothing(client, survey, maria, invite, score):
    _invitation, _links, token = invite(maria)

    page = client.get(f"{survey_url(token)}?score={score}")

    assert page.status_code == 200
    assert checked(page.content.decode(), questions(survey)["nps"]) == []
    assert "You chose" not in page.content.decode()


# --- answering ---------------------------------------------------------------------------------


def test_submitting_records_the_response_and_its_answers(client, acme, survey, maria, invite):
    invitation, links, token = invite(maria)
    q = questions(survey)

    response = client.post(links[9], form_data(survey, nps=9, csat=4, choice="speed"))

    assert response.status_code == 302
    assert response["Location"] == f"/s/{token}/thanks/"
    saved = Response.objects.for_tenant(acme).get()
    assert (saved.primary_kind, saved.primary_score, saved.comment, saved.is_critic) == (
        QuestionKind.NPS,
        9,
        "",
        False,
    )
    assert (saved.invitation, saved.version, saved.interaction_id) == (
        invitation,
        survey,
        invitation.interaction_id,
    )
    answers = Answer.objects.for_tenant(acme).order_by("question__position")
    assert list(answers.values_list("question", "score", "choice", "text")) == [
        (q["nps"].pk, 9, "", ""),
        (q["csat"].pk, 4, "", ""),
        (q["choice"].pk, None, "speed", ""),
    ]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert invitation.answered_at == saved.submitted_at
    assert InvitationToken.objects.for_tenant(acme).filter(used_at__isnull=True).count() == 0
    assert FollowUp.objects.for_tenant(acme).count() == 0
    thanks = client.get(response["Location"])
    assert "Thank you for your answers" in thanks.content.decode()
    assert "get in touch" not in thanks.content.decode()


def test_an_answered_survey_says_so_and_takes_nothing_more(client, acme, survey, maria, invite):
    invitation, links, token = invite(maria)
    client.post(survey_url(token), form_data(survey, nps=9))
    # The reminder's new link is used up by the answer too.
    invitations_remind(now=invitation.sent_at + timedelta(days=3))
    reminder_token = token_in(Delivery.objects.for_tenant(acme).latest("pk"))

    again = client.get(links[3])
    second = client.post(survey_url(token), form_data(survey, nps=3))
    reminder = client.post(survey_url(reminder_token), form_data(survey, nps=2))

    assert again.status_code == 200
    assert ALREADY in again.content.decode()
    assert (second.status_code, reminder.status_code) == (409, 409)
    assert ALREADY in second.content.decode()
    assert list(Response.objects.for_tenant(acme).values_list("primary_score", flat=True)) == [9]


def test_an_expired_link_takes_no_answer(client, acme, survey, maria, invite):
    invitation, links, token = invite(maria)
    invitations_run(now=invitation.expires_at)

    page = client.get(links[9])
    posted = client.post(survey_url(token), form_data(survey, nps=9))

    assert (page.status_code, posted.status_code) == (410, 410)
    assert "This survey has closed" in page.content.decode()
    assert Response.objects.for_tenant(acme).count() == 0
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED


def test_a_link_past_its_time_is_closed_before_the_scan_runs(client, acme, survey, maria, invite):
    invitation, links, _token = invite(maria, now=timezone.now() - timedelta(days=15))

    assert invitation.status == Invitation.Status.SENT
    assert client.get(links[9]).status_code == 410


def test_answers_are_kept_when_something_needs_fixing(client, acme, survey, maria, invite):
    _invitation, _links, token = invite(maria)
    q = questions(survey)

    missing = client.post(
        survey_url(token), form_data(survey, csat=2, choice="outcome", comment="Too slow.")
    )
    off_scale = client.post(survey_url(token), form_data(survey, nps=11, csat=2))

    assert missing.status_code == 200
    html = missing.content.decode()
    assert REQUIRED in html
    assert checked(html, q["csat"]) == ["2"]
    assert checked(html, q["choice"]) == ["outcome"]
    assert ">\nToo slow.</textarea>" in html
    assert f'aria-describedby="id_q{q["nps"].pk}_ends id_q{q["nps"].pk}_error"' in html
    assert "Choose a number from 0 to 10." in off_scale.content.decode()
    assert checked(off_scale.content.decode(), q["csat"]) == ["2"]
    assert Response.objects.for_tenant(acme).count() == 0


def test_too_many_submissions_from_one_address_wait_with_answers_kept(
    client, acme, survey, maria, invite
):
    _invitation, _links, token = invite(maria)
    for _ in range(SUBMISSIONS_PER_WINDOW):
        client.post(survey_url(token), form_data(survey, csat=2))  # refused: NPS missing

    limited = client.post(survey_url(token), form_data(survey, nps=6, csat=2))

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert checked(limited.content.decode(), questions(survey)["nps"]) == ["6"]
    assert Response.objects.for_tenant(acme).count() == 0


def test_too_many_held_scores_from_one_address_are_refused_as_json(
    client, acme, survey, maria, invite
):
    invitation, _links, token = invite(maria)
    for _ in range(HOLDS_PER_WINDOW):
        client.post(hold_url(token), {"score": "7"})

    limited = client.post(hold_url(token), {"score": "2"})

    assert (limited.status_code, limited.json()) == (429, {"error": "rate_limited"})
    invitation.refresh_from_db()
    assert invitation.held_score == 7


# --- private pages -----------------------------------------------------------------------------


def test_every_survey_page_and_its_script_answers_are_private(client, acme, survey, maria, invite):
    """The survey link is a secret: no page it opens (nor the JSON its script gets) may be
    kept by a browser or proxy, listed by a search engine or named in a Referer."""
    _invitation, links, token = invite(maria)

    answers = {
        "survey": client.get(links[9]),
        "held": client.post(hold_url(token), {"score": "9"}),
        "unsubscribe": client.get(f"/s/unsubscribe/{token}/"),
        "unknown": client.get("/s/" + "A" * 43 + "/"),
        "unknown-hold": client.post(hold_url("A" * 43), {"score": "9"}),
    }
    client.post(survey_url(token), form_data(survey, nps=9))
    answers["thanks"] = client.get(f"/s/{token}/thanks/")
    answers["answered"] = client.post(survey_url(token), form_data(survey, nps=9))

    assert {
        name: (
            answer.status_code,
            answer["Cache-Control"],
            answer["Referrer-Policy"],
            answer["X-Robots-Tag"],
        )
        for name, answer in answers.items()
    } == {
        "survey": (200, "no-store", "same-origin", "noindex"),
        "held": (200, "no-store", "same-origin", "noindex"),
        "unsubscribe": (200, "no-store", "same-origin", "noindex"),
        "unknown": (404, "no-store", "same-origin", "noindex"),
        "unknown-hold": (404, "no-store", "same-origin", "noindex"),
        "thanks": (200, "no-store", "same-origin", "noindex"),
        "answered": (409, "no-store", "same-origin", "noindex"),
    }
    assert answers["unknown-hold"].json() == {"error": "not_found"}


# --- language ----------------------------------------------------------------------------------


def test_question_text_falls_back_to_the_tenant_language_then_english_then_any():
    texts = {"en": "English", "it": "Italiano"}

    assert localized(texts, "it", "en") == "Italiano"
    assert localized(texts, "el", "it") == "Italiano"
    assert localized(texts, "el", "es") == "English"
    assert localized({"ru": "Русский"}, "el", "es") == "Русский"
    assert localized({}, "el", "es") == ""


def test_the_page_speaks_the_customers_language(client, acme, survey, invite):
    Tenant.objects.filter(pk=acme.pk).update(default_language="it")
    nikos = make_customer(acme, "Nikos", "nikos@example.com", language="el")
    _invitation, links, _token = invite(nikos)

    page = client.get(links[9], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()

    assert page["Content-Language"] == "el"
    assert '<html lang="el">' in html
    assert "Πόσο πιθανό είναι να προτείνετε την Acme Motor σε έναν φίλο;" in html  # Greek
    assert "Τι μετρούσε περισσότερο για εσάς;" in html and "Ταχύτητα" in html
    assert "C&#x27;è altro che vorrebbe dirci?" in html  # no Greek: the tenant's Italian
    assert "How satisfied are you with how we handled your request?" in html  # only English


def test_the_language_switcher_changes_the_page_and_keeps_the_score(client, acme, survey, invite):
    nikos = make_customer(acme, "Nikos", "nikos@example.com", language="el")
    _invitation, links, _token = invite(nikos)

    page = client.post("/i18n/setlang/", {"language": "en", "next": links[9]}, follow=True)

    html = page.content.decode()
    assert page.redirect_chain == [(links[9], 302)]
    assert '<html lang="en">' in html
    assert "How likely are you to recommend Acme Motor to a friend?" in html
    assert checked(html, questions(survey)["nps"]) == ["9"]


# --- unknown links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/s/" + "A" * 43 + "/", "/s/short/", "/s/unsubscribe/" + "B" * 43 + "/", "/s/x/thanks/"],
)
def test_an_unknown_link_is_a_404_in_plain_words(db, client, path):
    page = client.get(path)

    assert page.status_code == 404
    assert "We could not find this survey" in page.content.decode()


# --- unsubscribing -------------------------------------------------------------------------------


def test_unsubscribe_asks_first_then_opts_out(client, acme, survey, maria, invite):
    _invitation, _links, token = invite(maria)
    url = f"/s/unsubscribe/{token}/"

    confirm = client.get(url)

    assert confirm.status_code == 200
    assert "Stop survey emails" in confirm.content.decode()
    maria.refresh_from_db()
    assert maria.survey_opt_out is False

    done = client.post(url)

    assert done.status_code == 200
    assert "You will get no more survey emails" in done.content.decode()
    maria.refresh_from_db()
    assert maria.survey_opt_out is True
    entry = AuditEntry.objects.for_tenant(acme).get(action="customer.survey_opt_out")
    assert (entry.target_id, entry.changes) == (str(maria.pk), {"survey_opt_out": [False, True]})


def test_one_click_unsubscribe_needs_no_csrf_token(acme, survey, maria, invite):
    _invitation, _links, token = invite(maria)
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        f"/s/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    maria.refresh_from_db()
    assert maria.survey_opt_out is True
    # Only that view: the survey itself still needs the CSRF token.
    assert mail_provider.post(f"/s/{token}/", form_data(survey, nps=9)).status_code == 403
    assert Response.objects.for_tenant(acme).count() == 0


def test_unsubscribing_cancels_what_is_scheduled_and_works_after_answering(
    client, acme, acme_brand, survey, maria, invite
):
    _invitation, _links, token = invite(maria)
    client.post(survey_url(token), form_data(survey, nps=9))
    forty_days_on = timezone.now() + timedelta(days=40)
    later = record(
        acme_brand,
        maria,
        occurred_at=forty_days_on - HOUR,
        now=forty_days_on,
        reference="visit-later",
    )
    assert later.decision == "invited"

    client.post(f"/s/unsubscribe/{token}/")

    statuses = sorted(Invitation.objects.for_tenant(acme).values_list("status", flat=True))
    assert statuses == ["answered", "cancelled"]


# --- the closed loop ------------------------------------------------------------------------


@pytest.fixture
def north_desk(acme):
    north = Department.objects.for_tenant(acme).get(code="north")
    return TouchpointFactory(tenant=acme, code="north-desk", owner_department=north)


def test_a_critic_gets_a_follow_up_from_the_touchpoints_manager(
    client, acme, survey, maria, invite, north_desk, acme_manager
):
    _invitation, links, _token = invite(maria, touchpoint=north_desk)

    response = client.post(links[4], form_data(survey, nps=4, csat=2))

    saved = Response.objects.for_tenant(acme).get()
    assert (saved.primary_score, saved.is_critic) == (4, True)
    follow_up = FollowUp.objects.for_tenant(acme).get()
    assert (follow_up.response, follow_up.assignee, follow_up.status) == (
        saved,
        acme_manager,
        FollowUp.Status.OPEN,
    )
    thanks = client.get(response["Location"]).content.decode()
    assert "Someone from our team will get in touch with you within two working days" in thanks


def test_a_touchpoint_whose_department_has_no_manager_goes_to_the_nearest_one_above(
    client, acme, survey, maria, invite, acme_manager
):
    branch = Department.objects.for_tenant(acme).get(code="north-branch")  # under "north"
    counter = TouchpointFactory(tenant=acme, code="branch-counter", owner_department=branch)
    _invitation, links, _token = invite(maria, touchpoint=counter)

    client.post(links[3], form_data(survey, nps=3))

    assert FollowUp.objects.for_tenant(acme).get().assignee == acme_manager  # north's manager


def test_the_follow_up_is_due_in_two_working_days(acme, survey, maria, invite, north_desk):
    tuesday_10_athens = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    invitation, _links, _token = invite(maria, now=tuesday_10_athens, touchpoint=north_desk)

    response = response_submit(
        invitation=invitation,
        answers={questions(survey)["nps"].pk: 2},
        now=tuesday_10_athens,
    )

    # Tuesday 10–17 and Wednesday 9–17 are 15 working hours; the 16th ends Thursday 10:00.
    assert response.follow_up.due_at == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
    assert response.follow_up.assignee is None  # no manager in the north region yet


def test_the_follow_up_is_due_two_of_the_tenants_working_days_later(
    acme, survey, maria, invite, north_desk
):
    # given a tenant that works 08:00–18:00 (ten-hour days), Monday to Friday
    hours = {str(day): ["08:00-18:00"] for day in range(5)}
    Tenant.objects.filter(pk=acme.pk).update(working_hours=hours)
    tuesday_10_athens = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    invitation, _links, _token = invite(maria, now=tuesday_10_athens, touchpoint=north_desk)
    invitation.tenant.refresh_from_db()

    response = response_submit(
        invitation=invitation, answers={questions(survey)["nps"].pk: 2}, now=tuesday_10_athens
    )

    # two working days: Thursday 10:00 (not 16 working hours, which end Wednesday 16:00)
    assert response.follow_up.due_at == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


def test_without_working_time_the_follow_up_is_due_in_48_hours(
    acme, survey, maria, invite, north_desk
):
    Tenant.objects.filter(pk=acme.pk).update(working_hours={})
    tuesday_10_athens = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    invitation, _links, _token = invite(maria, now=tuesday_10_athens, touchpoint=north_desk)
    invitation.tenant.refresh_from_db()

    response = response_submit(
        invitation=invitation, answers={questions(survey)["nps"].pk: 2}, now=tuesday_10_athens
    )

    assert response.follow_up.due_at == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("nps", "csat_primary", "comment", "critic", "follow_up"),
    [
        (6, None, "", True, True),  # NPS detractor
        (6, None, "Slow.", True, True),
        (7, None, "", False, False),  # passive
        (7, None, "Could be quicker.", False, False),  # a comment alone makes no critic
        (10, None, "Lovely people.", False, False),  # praise is read, not called back
        (None, 3, "", True, True),  # CSAT 1–3
        (None, 4, "", False, False),
    ],
)
def test_who_counts_as_a_critic(
    acme, acme_brand, maria, nps, csat_primary, comment, critic, follow_up
):
    primary = QuestionKind.NPS if nps is not None else QuestionKind.CSAT
    version = publish_survey(acme, primary=primary)
    add_rule(acme, version.survey, delay_minutes=0)
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now, now=now, reference="visit")
    invitations_run(now=now)
    q = questions(version)
    answers = {q["text"].pk: comment}
    answers[q["nps"].pk] = nps
    answers[q["csat"].pk] = csat_primary

    response = response_submit(
        invitation=Invitation.objects.for_tenant(acme).get(), answers=answers
    )

    assert response.primary_kind == primary
    assert response.is_critic is critic
    assert FollowUp.objects.for_tenant(acme).count() == (1 if follow_up else 0)


@pytest.mark.parametrize(
    ("comment", "follow_up", "thanks"),
    [
        ("The tow truck never came.", True, "will get in touch with you within two working days"),
        ("", False, "We are sorry it was not what you hoped for.</p>"),
    ],
)
def test_a_tenant_may_leave_critics_without_a_comment_uncalled(
    client, acme, acme_admin, survey, maria, invite, comment, follow_up, thanks
):
    survey_settings_update(actor=acme_admin, follow_up_critics_without_comment=False)
    _invitation, links, _token = invite(maria)

    sent = client.post(links[2], form_data(survey, nps=2, comment=comment))

    assert Response.objects.for_tenant(acme).get().is_critic is True
    assert FollowUp.objects.for_tenant(acme).exists() is follow_up
    assert thanks in client.get(sent["Location"]).content.decode()


def test_metrics_agree_with_what_customers_answered(client, acme, survey, invite):
    customers = [make_customer(acme, f"Customer {n}", f"customer{n}@example.com") for n in range(5)]
    sent = [invite(customer) for customer in customers]
    for (_invitation, _links, token), nps, csat in zip(
        sent[:4], (10, 9, 8, 3), (5, 4, None, 2), strict=True
    ):
        client.post(survey_url(token), form_data(survey, nps=nps, csat=csat))

    # The SMTP server accepts four of the five emails; one address bounces for good.
    emails = Delivery.objects.for_tenant(acme).order_by("pk")
    for delivery in emails[:4]:
        assert delivery_send(delivery_id=delivery.pk) is True
    emails.filter(pk=emails.last().pk).update(status=Delivery.Status.FAILED)

    answers = Answer.objects.for_tenant(acme)
    nps = metrics.nps(answers)
    assert (nps.answered, nps.promoters, nps.passives, nps.detractors) == (4, 2, 1, 1)
    assert nps.score == 25.0
    # The survey's CSAT is a secondary question: named, 5 and 4 of 5, 4 and 2 answered.
    csat = metrics.csat(answers, question=questions(survey)["csat"])
    assert (csat.percent, csat.mean) == (pytest.approx(200 / 3), pytest.approx(11 / 3))
    assert metrics.csat(answers).whole == 0  # the primary question is NPS
    rate = metrics.response_rate(Invitation.objects.for_tenant(acme))
    assert (rate.part, rate.whole, rate.queued, rate.failed) == (4, 4, 5, 1)


# --- the real journey: worker, SMTP, click, submit ---------------------------------------------


@pytest.mark.worker
def test_the_invitation_email_arrives_and_its_score_link_records_the_answer(
    celery_worker, _smtp_sink, acme, acme_brand, survey, maria
):
    from surveys.tasks import send_survey_invitations_task

    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - 2 * HOUR, now=now, reference="claim-42")

    send_survey_invitations_task.delay()  # what beat does every minute
    [message] = _smtp_sink.wait_for(1, timeout=30)

    assert (message["To"], message["From"]) == (
        "maria@example.com",
        "Acme Motor <care@acme-motor.example>",
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = score_links(body)
    assert sorted(links) == list(range(11))
    token = links[9].split("/")[2]
    assert message["List-Unsubscribe"].endswith(f"/s/unsubscribe/{token}/>")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"/s/{token}/?score=9" in html

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(links[9])  # the customer clicks 9: the page opens with 9 chosen
    assert checked(page.content.decode(), questions(survey)["nps"]) == ["9"]
    assert Response.objects.for_tenant(acme).count() == 0
    # Their page records the click (what static/js/survey.js posts once a person is there).
    browser.post(f"/s/{token}/score/", {"score": "9", "csrfmiddlewaretoken": csrf(browser)})
    assert Invitation.objects.for_tenant(acme).get().held_score == 9
    browser.post(
        links[9],
        {
            **form_data(survey, nps=9, comment="Quick and kind."),
            "csrfmiddlewaretoken": csrf(browser),
        },
    )

    saved = Response.objects.for_tenant(acme).get()
    assert (saved.primary_score, saved.comment) == (9, "Quick and kind.")
    assert Delivery.objects.for_tenant(acme).get().status == Delivery.Status.SENT
    # the worker that handed the email to the SMTP server stamped the invitation accepted
    invitation = Invitation.objects.for_tenant(acme).select_related("delivery").get()
    assert invitation.accepted_at == invitation.delivery.sent_at is not None
    rate = metrics.response_rate(Invitation.objects.for_tenant(acme))
    assert (rate.part, rate.whole, rate.percent) == (1, 1, 100.0)
