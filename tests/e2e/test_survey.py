import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Delivery
from surveys.models import Answer, Invitation, Response
from surveys.sender import invitations_run
from tests.factories import BrandFactory
from tests.surveys.survey_fixtures import (
    add_rule,
    as_sent,
    make_customer,
    publish_survey,
    record,
)


@pytest.fixture
def score_link(live_server, settings, acme):
    """The "9" link of the invitation email Maria got a moment ago (the links' site is the
    live server)."""
    settings.SITE_URL = live_server.url
    brand = BrandFactory(tenant=acme, slug="acme-motor", name="Acme Motor", reference_prefix="AMO")
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(brand, maria, occurred_at=now - timedelta(minutes=5), now=now, reference="tow-17")
    invitations_run(now=now)
    body = as_sent(Delivery.objects.for_tenant(acme).get()).body
    return re.search(rf"{re.escape(live_server.url)}/s/\S+\?score=9", body).group(0)


@override_settings(DEBUG=True)  # serve static files from the live server
def test_a_customer_answers_the_survey_from_the_score_link(
    browser, page, settings, own_cache, acme, score_link
):
    page.goto(score_link)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tell Acme Motor how we did")
    recommend = page.get_by_role("group", name=re.compile("How likely are you to recommend"))
    expect(recommend.get_by_role("radio", name="9", exact=True)).to_be_checked()
    expect(page.get_by_role("status")).to_contain_text("You chose 9. It is not sent yet")
    assert held_score(acme) is None  # opening the link recorded nothing

    # A person is there (the pointer moves): the page records the score clicked in the email.
    page.mouse.move(40, 60)
    expect(page.get_by_role("status")).to_contain_text("your score is recorded")
    assert held_score(acme) == 9
    assert Response.objects.for_tenant(acme).count() == 0  # the rest of the survey is open

    # Keyboard: the arrow key moves the choice within the scale, as in any radio group.
    recommend.get_by_role("radio", name="9", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(recommend.get_by_role("radio", name=re.compile(r"^10\b"))).to_be_checked()
    satisfied = page.get_by_role("group", name=re.compile("How satisfied are you"))
    satisfied.get_by_role("radio", name="4", exact=True).check()
    page.get_by_role("group", name="What mattered most to you? (optional)").get_by_label(
        "Speed"
    ).check()
    page.get_by_label("Anything else you would like to tell us?").fill("The driver was kind.")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    # A promoter's comment is read and followed up, without an apology for a bad experience.
    expect(page.get_by_role("status")).to_contain_text("Someone from our team reads every comment")
    expect(page.get_by_role("status")).not_to_contain_text("sorry")
    response = Response.objects.for_tenant(acme).get()
    assert (response.primary_score, response.comment) == (10, "The driver was kind.")
    answers = Answer.objects.for_tenant(acme).order_by("question__position")
    assert list(answers.values_list("score", "choice", "text")) == [
        (10, "", ""),
        (4, "", ""),
        (None, "speed", ""),
        (None, "", "The driver was kind."),
    ]
    page.screenshot(path=str(settings.VAR_DIR / "e2e-survey-thanks.png"), full_page=True)

    page.goto(score_link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have already answered this survey"
    )


@override_settings(DEBUG=True)
def test_a_scanner_that_renders_the_page_records_nothing(
    browser, page, settings, own_cache, acme, score_link
):
    page.goto(score_link)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # what a link scanner's visit looks like: it loads and looks

    assert held_score(acme) is None
    assert Response.objects.for_tenant(acme).count() == 0


def held_score(tenant) -> int | None:
    return Invitation.objects.for_tenant(tenant).get().held_score


@override_settings(DEBUG=True)
def test_the_survey_fits_a_phone(browser, settings, own_cache, score_link):
    phone = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    page = phone.new_page()
    page.goto(score_link)

    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".scale span.score").first.bounding_box()
    assert box["width"] >= 40 and box["height"] >= 40  # a thumb-sized target
    page.screenshot(path=str(settings.VAR_DIR / "e2e-survey-phone.png"), full_page=True)
    phone.close()
