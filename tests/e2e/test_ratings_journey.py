"""The acceptance test of performer ratings (#12), in Chromium: Pete (performer, north branch)
opens "My rating", disputes a customer's very low answer; Mario (manager, north region)
accepts the dispute; Pete's score on "My rating" goes up at once, to the value the README's
formula gives by hand."""

import re
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from ratings import services
from ratings.models import Dispute
from ratings.periods import period_bounds, period_instants
from ratings.selectors import today_of
from surveys.models import Invitation
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tests.e2e.test_agent_journey import log_in
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

REASON = "The customer complained about something outside my control"
TEXT = "The customer was angry about the price list, which I do not set."
# Pete's customers' CSAT answers this month; Carla's 1 is the one he disputes.
PETES = [
    ("Anna Alpha", 4),
    ("Bruno Beta", 4),
    ("Dario Delta", 4),
    ("Elena Epsilon", 5),
    ("Fabio Phi", 5),
    ("Carla Critic", 1),
]
# Walk-in customers nobody in particular served: in the tenant's mean, in nobody's score.
WALK_INS = [("Walk-in One", 3), ("Walk-in Two", 3), ("Walk-in Three", 3), ("Walk-in Four", 3)]


def answered(brand, version, name, score, *, performer, occurred_at):
    """``name``'s CSAT answer about a visit at ``occurred_at`` (through the real services)."""
    now = timezone.now()
    customer = make_customer(brand.tenant, name, f"{name.replace(' ', '.').lower()}@example.com")
    interaction = record(
        brand, customer, occurred_at=occurred_at, now=now, reference=name, performer=performer
    )
    invitations_run(now=now)
    invitation = Invitation.objects.for_tenant(brand.tenant).get(interaction=interaction)
    csat = version.questions.get(kind=QuestionKind.CSAT)
    return response_submit(invitation=invitation, answers={csat.pk: score}, now=now)


def log_out(page):
    page.locator("details.account summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def open_my_rating(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My rating")


@override_settings(DEBUG=True)  # serve static files from the live server
def test_an_accepted_dispute_takes_the_low_answer_out_of_the_performers_score(
    live_server, page, acme, acme_brand, acme_performer, acme_manager
):
    # Given a CSAT survey (the default scheme rates on CSAT: norm 3.0 → 4.5, m = 10, at least
    # 5 answers) and this month's answers, at visits in this month whatever the day and hour.
    version = publish_survey(acme, primary=QuestionKind.CSAT)
    add_rule(acme, version.survey, delay_minutes=0)
    now = timezone.now()
    month_start, month_end = period_bounds("month", today_of(acme))
    first_instant, _end = period_instants(month_start, month_end, acme.time_zone)
    visit = max(now - timedelta(hours=2), first_instant)
    for name, score in PETES:
        answered(acme_brand, version, name, score, performer=acme_performer, occurred_at=visit)
    for name, score in WALK_INS:
        answered(acme_brand, version, name, score, performer=None, occurred_at=visit)
    services.ratings_compute(period=services.period_for(acme, "month", today_of(acme)))
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Pete reads his score. By hand (README "Figures" → "Ratings"), before the dispute:
    #   the tenant's answers: 4+4+4+5+5+1 (Pete) + 3+3+3+3 (walk-ins) = 35 over 10 → mean 3.5
    #   Pete: sum 23 over n = 6, smoothed (23 + 10 × 3.5) / (6 + 10) = 58 / 16 = 3.625
    #   normalised (3.625 − 3.0) / (4.5 − 3.0) = 41.67 %
    #   no complaints, no follow-ups of his: the customer score alone counts (40 of 40) → 41.7 %
    log_in(page, live_server, acme_performer)
    open_my_rating(page)
    score = page.locator("[data-rating]")
    expect(score).to_have_text("41.7 %")
    before = float(score.inner_text().removesuffix(" %"))
    customer_line = page.get_by_role("row").filter(has_text="Customer score")
    # yours (3.625 shown to 2 places), counted on, norm, score, team median (Pete is his
    # branch's only rated member), weight
    expect(customer_line.get_by_role("cell")).to_have_text(
        ["3.63", "6", "3.00 → 4.50", "42 %", "42 %", "40"]
    )

    # He disputes Carla's 1.
    answers = page.get_by_role("row").filter(has_text="Carla Critic")
    expect(answers.get_by_role("cell")).to_have_text(
        ["Carla Critic", re.compile(r"\d"), "1", "—", "Dispute Carla Critic"]
    )
    answers.get_by_role("link", name="Dispute Carla Critic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispute an answer")
    form = page.get_by_role("main")
    expect(form.locator("section.card dl")).to_contain_text("Carla Critic")
    form.get_by_label(REASON).check()
    form.get_by_label("What happened").fill(TEXT)
    form.get_by_role("button", name="Send the dispute").click()
    name = acme_performer.user.get_full_name()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dispute by {name}")
    expect(page.get_by_role("status")).to_have_text("Your dispute is sent to your manager.")
    expect(page.locator(".page-head .state")).to_have_text("Open")
    log_out(page)

    # Mario finds it among the open disputes and accepts it.
    log_in(page, live_server, acme_manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Disputes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open disputes")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    expect(row.get_by_role("cell").nth(1)).to_have_text(REASON)
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")
    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dispute by {name}")
    expect(page.locator("ol.thread")).to_contain_text(TEXT)
    page.get_by_role("button", name="Accept: the answer leaves the score").click()
    expect(page.get_by_role("status")).to_have_text(
        "The dispute is decided; the performer is told."
    )
    expect(page.get_by_role("main").get_by_role("cell")).to_have_text(["No open disputes."])
    log_out(page)

    # Pete's score is up at once (no nightly run in between). By hand, after:
    #   Carla's 1 is out: the tenant's answers 34 over 9 → mean 34 / 9 = 3.7778
    #   Pete: sum 22 over n = 5 (still ≥ 5), smoothed (22 + 10 × 34 / 9) / (5 + 10)
    #         = (538 / 9) / 15 = 3.9852
    #   normalised (3.9852 − 3.0) / 1.5 = 65.68 % → 65.7 %
    log_in(page, live_server, acme_performer)
    open_my_rating(page)
    expect(score).to_have_text("65.7 %")
    after = float(score.inner_text().removesuffix(" %"))
    assert after > before
    expect(customer_line.get_by_role("cell")).to_have_text(
        ["3.99", "5", "3.00 → 4.50", "66 %", "66 %", "40"]
    )
    answers = page.get_by_role("row").filter(has_text="Carla Critic")
    expect(answers.get_by_role("cell").last).to_have_text("Accepted")
    expect(answers.get_by_role("link", name="Accepted")).to_be_visible()
    assert Dispute.objects.for_tenant(acme).get().status == Dispute.Status.ACCEPTED
    assert problems == []
