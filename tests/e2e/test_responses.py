"""A manager reads what customers answered, finds the angry comment and calls the customer back."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from surveys.models import FollowUp, Invitation
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tests.e2e.test_agent_journey import log_in
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record


def answered(brand, version, name, nps, comment=""):
    now = timezone.now()
    customer = make_customer(brand.tenant, name, f"{name.split()[0].lower()}@example.com")
    interaction = record(
        brand, customer, occurred_at=now - timedelta(hours=1), now=now, reference=name
    )
    invitations_run(now=now)
    invitation = Invitation.objects.for_tenant(brand.tenant).get(interaction=interaction)
    questions = {q.kind: q for q in version.questions.all()}
    answers = {questions[QuestionKind.NPS].pk: nps}
    if comment:
        answers[questions[QuestionKind.TEXT].pk] = comment
    return response_submit(invitation=invitation, answers=answers)


@override_settings(DEBUG=True)  # serve static files from the live server
def test_a_manager_finds_a_detractors_comment_and_completes_the_follow_up(
    live_server, page, acme, acme_brand, acme_manager
):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    answered(acme_brand, version, "Paola Promoter", 10, "Lovely people.")
    answered(acme_brand, version, "Pino Passive", 8)
    answered(acme_brand, version, "Dora Detractor", 2, "Nobody told me the car was ready.")
    log_in(page, live_server, acme_manager)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Responses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Responses")
    figures = page.get_by_label("Figures of these responses")
    expect(figures).to_contain_text("NPS")
    expect(figures.locator("dd").first).to_contain_text("0")  # 1 promoter, 1 detractor of 3
    expect(page.locator("table.responses tbody tr")).to_have_count(3)

    page.get_by_label("Score").select_option(value="low")
    page.get_by_label("With a comment").check()
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.responses tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Dora Detractor")
    expect(rows.first).to_contain_text("Nobody told me the car was ready.")

    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Response of Dora Detractor")
    expect(page.get_by_text("Nobody told me the car was ready.")).to_be_visible()
    page.get_by_role("link", name="Open").click()  # the follow-up's status

    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up: Dora Detractor")
    page.get_by_label("Outcome").fill("Called Dora; we now text when a car is ready.")
    page.get_by_label("Ask the customer to rate the service again").check()
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_text("The customer will be asked to rate us again.")).to_be_visible()
    follow_up = FollowUp.objects.for_tenant(acme).get(response__comment__startswith="Nobody")
    assert (follow_up.status, follow_up.outcome) == (
        FollowUp.Status.DONE,
        "Called Dora; we now text when a car is ready.",
    )
