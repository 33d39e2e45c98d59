"""An agent files a phoned-in complaint and walks it through every step to "Closed", in Chromium."""

import re

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from complaints.lifecycle import State
from complaints.models import Transition
from tests.factories import PASSWORD


def log_in(page, live_server, member):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/acme/")


def take_step(page, label, fill=lambda step: None):
    """Open the step's <details> by its summary, fill its form, submit it."""
    step = page.locator("details.step").filter(
        has=page.locator("summary").get_by_text(label, exact=True)
    )
    step.locator("summary").click()
    fill(step)
    step.get_by_role("button", name=label, exact=True).click()


@pytest.mark.usefixtures("acme_setup")
@override_settings(DEBUG=True)  # serve static files from the live server
def test_an_admin_files_a_phoned_in_complaint_and_takes_it_to_closed(
    live_server, page, settings, acme_admin, acme_agent
):
    bob = acme_agent.user.get_full_name()
    log_in(page, live_server, acme_admin)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    page.get_by_role("link", name="New complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New complaint")
    form = page.get_by_role("main")  # the top bar has a "Language" switcher of its own
    form.get_by_label("Brand").select_option(label="Acme Motor")
    form.get_by_label("Received by").select_option(label="Phone")
    form.get_by_label("Complainant's name").fill("Maria Rossi")
    form.get_by_label("Email").fill("maria.rossi@example.com")
    form.get_by_label("Language").select_option(label="Italian")
    form.get_by_label("Category").select_option(label="Claims")
    form.get_by_label("Severity").select_option(label="Medium")
    form.get_by_label("Subject").fill("Windscreen claim not paid")
    form.get_by_label("What happened").fill("I claimed for a broken windscreen six weeks ago.")
    form.get_by_label("What the complainant asks for").fill("Pay the invoice.")
    form.get_by_role("button", name="File the complaint").click()

    year = timezone.localdate().year
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(
        re.compile(rf"^AMO-({year}|{year + 1})-000001 · Windscreen claim not paid$")
    )
    reference = heading.inner_text().split(" · ")[0]
    expect(page).to_have_url(f"{live_server.url}/acme/complaints/{reference}/")
    state = page.locator(".page-head .state")
    status = page.get_by_role("status")
    expect(state).to_have_text("Received")
    expect(status).to_have_text(f"Complaint {reference} is filed.")
    # Routing took it to the north branch, to bob (the only agent there).
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("DepartmentNorth branch")
    expect(facts).to_contain_text(f"Handler{bob}")

    def assess(step):
        step.get_by_label("Severity").select_option(label="High")
        step.get_by_label("Impact").select_option(label="Medium")
        step.get_by_label("Complexity").select_option(label="Low")
        step.get_by_label("Is it a complaint we handle?").select_option(label="Yes, in scope")

    def assign(step):
        step.get_by_label("Department").select_option(label="North branch")
        step.get_by_label("Handler").select_option(label=f"{bob} · North branch")

    def resolve(step):
        step.get_by_label("Root cause").select_option(label="Slow claim handling")
        step.get_by_label("Response to the complainant").fill(
            "We are sorry for the delay; the invoice is paid today."
        )

    journey = [
        ("Acknowledge", None, "Acknowledged"),
        ("Assess", assess, "Assessed"),
        ("Route and assign", assign, "Assigned"),
        ("Start investigation", None, "Investigating"),
        ("Resolve", resolve, "Resolved"),
        ("Send the decision", None, "Response sent"),
        ("Decision accepted", None, "Closed"),
    ]
    for label, fill, reached in journey:
        take_step(page, label, fill or (lambda step: None))
        expect(state).to_have_text(reached)
        expect(status).to_have_text(f"{reference} is now {reached.lower()}.")

    expect(page.locator("ol.timeline > li")).to_have_count(1 + len(journey))
    expect(page.locator("ol.timeline > li").first).to_contain_text("Received by Phone")
    expect(page.locator("ol.timeline li strong")).to_have_text([step[0] for step in journey])
    expect(facts).to_contain_text("Root causeSlow claim handling")
    expect(page.locator("details.step summary")).to_have_text(["Reopen"])
    page.screenshot(path=str(settings.VAR_DIR / "e2e-agent-journey.png"), full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    page.get_by_role("navigation", name="Queues").get_by_role("link", name="All").click()
    expect(page).to_have_url(f"{live_server.url}/acme/complaints/?queue=all")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row.get_by_role("cell")).to_have_text(
        [reference, "Windscreen claim not paid", "Maria Rossi", "Acme Motor", "Closed"]
        + [re.compile(".*")] * 4
    )


@override_settings(DEBUG=True)
def test_a_step_taken_from_a_stale_page_is_refused_and_changes_nothing(
    live_server, page, complaint_in, acme_agent
):
    # Given a received complaint routed to bob, open in two tabs of his browser
    complaint = complaint_in(State.RECEIVED)
    log_in(page, live_server, acme_agent)
    case_url = f"{live_server.url}/acme/complaints/{complaint.reference}/"
    page.goto(case_url)
    stale = page.context.new_page()
    stale.goto(case_url)

    # When he acknowledges it in one tab, then withdraws it from the other
    take_step(page, "Acknowledge")
    expect(page.locator(".page-head .state")).to_have_text("Acknowledged")
    take_step(stale, "Withdraw", lambda step: step.get_by_label("Reason").fill("Sorted out."))

    # Then the second tab says why, shows the current state, and nothing was withdrawn
    expect(stale.get_by_role("status")).to_have_text(
        "Someone changed this complaint while you were looking at it. "
        "Reload the page to see their change, then try again."
    )
    expect(stale.locator(".page-head .state")).to_have_text("Acknowledged")
    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED
    steps = Transition.objects.for_tenant(complaint.tenant_id).values_list("name", flat=True)
    assert list(steps) == ["acknowledge"]
