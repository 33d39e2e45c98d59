"""Accessibility (axe-core, WCAG 2.1 A and AA rules) and layout, in Chromium, on every public page
and the main staff pages, in English and Greek, on a phone (390 px) and a laptop (1280 px); the
staff pages' layout in every language.

axe-core is vendored (``tests/e2e/vendor/axe.min.js``, MPL-2.0, test-only) so that the run needs
no network. It is injected as an inline script, which the pages' Content-Security-Policy would
refuse: these contexts bypass the CSP (the policy itself is tested in tests/test_csp.py).

One world is built per test and every page is visited in each language and width in one browser
context per width, to keep the run short.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from complaints.lifecycle import State
from complaints.services import TEXT_MAX_LENGTH, complaint_add_message
from notifications.models import Delivery
from surveys.sender import invitations_run
from tests.complaint_fixtures import status_key
from tests.factories import PASSWORD
from tests.surveys.survey_fixtures import add_rule, as_sent, make_customer, publish_survey, record

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (390, 1280)
LANGUAGES = ("en", "el")
EVERY_LANGUAGE = ("en", "el", "it", "es", "ru")  # the longest words are Greek, Russian, Spanish
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                           resultTypes: ["violations"]});
  return results.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
              v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
# Every element of the header's navigation lies inside the viewport (none overflows to the right).
NAV_OUTSIDE = """() => [...document.querySelectorAll("header nav a")]
  .filter(a => { const r = a.getBoundingClientRect();
                 return r.width === 0 || r.left < 0 || r.right > window.innerWidth; })
  .map(a => a.textContent.trim())"""
# A table's scroller that scrolls at a laptop's width hides columns.
CLIPPED_TABLES = """() => [...document.querySelectorAll(".table-scroll")]
  .filter(e => e.scrollWidth > e.clientWidth + 1).length"""


def contexts(browser, live_server):
    """One browser context per width, each able to load axe."""
    for width in WIDTHS:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield width, context, page
        context.close()


def in_language(context, live_server, language):
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def check(page, url, *, width, language, problems, axe=True):
    """Open ``url`` and note what axe (unless told not to) and the layout checks find."""
    response = page.goto(url)
    where = f"{url} [{language}, {width} px]"
    if response.status != 200:
        problems.append(f"{where}: HTTP {response.status}")
        return
    if axe:
        page.add_script_tag(path=str(AXE))
        problems.extend(f"{where}: {found}" for found in page.evaluate(RUN_AXE, WCAG_21_AA))
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{where}: the page is {scroll_width} px wide")
    outside = page.evaluate(NAV_OUTSIDE)
    if outside:
        problems.append(f"{where}: navigation links out of view: {outside}")
    if width >= 1280 and page.evaluate(CLIPPED_TABLES):
        problems.append(f"{where}: a table's columns are cut off")


@pytest.fixture
def survey_link(live_server, settings, acme, acme_brand):
    """The link of an invitation Maria got a moment ago (its site is the live server)."""
    settings.SITE_URL = live_server.url
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(minutes=5), now=now, reference="t-1")
    invitations_run(now=now)
    body = as_sent(Delivery.objects.for_tenant(acme).get()).body
    return re.search(rf"{re.escape(live_server.url)}/s/[^\s?]+", body).group(0)


@pytest.mark.usefixtures("own_cache")
@override_settings(DEBUG=True)  # serve static files from the live server
def test_public_pages_have_no_serious_violation_and_fit_a_phone(
    live_server, browser, acme, acme_brand, complaint_in, survey_link
):
    complaint = complaint_in(State.INVESTIGATING)
    base = f"{live_server.url}/c/{acme.slug}"
    problems = []
    for width, context, page in contexts(browser, live_server):
        # The status page opens with the single-use key of an email; the session keeps it.
        page.goto(f"{base}/status/{complaint.reference}/?key={status_key(complaint)}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.reference)
        for language in LANGUAGES:
            in_language(context, live_server, language)
            for url in (
                f"{base}/{acme_brand.slug}/",
                f"{base}/{acme_brand.slug}/how-to-complain/",
                f"{base}/status/",
                f"{base}/status/{complaint.reference}/",
                survey_link,
            ):
                check(page, url, width=width, language=language, problems=problems)

    assert problems == []


@pytest.mark.usefixtures("own_cache")
@override_settings(DEBUG=True)  # serve static files from the live server
def test_staff_pages_have_no_serious_violation_and_fit_a_phone_and_a_laptop(
    live_server, browser, acme, acme_admin, complaint_in
):
    # A case whose texts are single unbroken words: the longest description the form takes,
    # and a note of 100,000 characters.
    complaint = complaint_in(
        State.INVESTIGATING, subject="S" * 200, description="D" * TEXT_MAX_LENGTH
    )
    complaint_add_message(
        complaint=complaint, actor=acme_admin, kind="internal", body="N" * 100_000
    )
    staff = f"{live_server.url}/{acme.slug}"
    pages = [
        f"{staff}/",
        f"{staff}/complaints/",
        f"{staff}/complaints/{complaint.reference}/",
        f"{staff}/surveys/responses/",
        f"{staff}/surveys/follow-ups/",
        f"{staff}/settings/organisation/",
        f"{staff}/settings/members/",
        f"{staff}/settings/complaints/handling/",
        f"{staff}/settings/complaints/routing/",
    ]
    problems = []
    for width, context, page in contexts(browser, live_server):
        page.goto(f"{live_server.url}/")
        page.get_by_label("Email").fill(acme_admin.user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{staff}/")
        for language in EVERY_LANGUAGE:
            in_language(context, live_server, language)
            for url in pages:
                axe = language in LANGUAGES
                check(page, url, width=width, language=language, problems=problems, axe=axe)

    assert problems == []
