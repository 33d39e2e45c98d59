"""The acceptance test of "Run a tenant without a superuser", in Chromium: the operator's command
creates Initech and its admin; the admin joins through the invitation's link and sets the
workspace up on the settings pages alone (departments, a brand, a member, a category, an SLA
policy, a routing rule); the invited agent joins; a customer's complaint is routed by that rule
to that agent, with that policy's due times, and the admin finds it in the queue."""

import re
import time
from datetime import timedelta

from django.test import override_settings
from playwright.sync_api import expect

from complaints.models import Category, Complaint, RoutingRule, SlaPolicy
from complaints.selectors import complaint_settings
from complaints.sla import targets_for
from tenants.business_time import add_business_time
from tenants.calendar import calendar_for
from tenants.models import (
    AuditEntry,
    Brand,
    Department,
    MemberInvitation,
    Membership,
    Tenant,
)
from tests.tenants.invitation_links import (
    create_tenant,
    invitation_link_in_email,
    invitation_path,
)

BOSS = "boss@initech.example"
AGENT = "agent@initech.example"
# Long, mixed and in no dictionary: the password validators take it.
PASSWORD = "Stapler-Basement-1999-red"


def due(received, hours, calendar) -> tuple:
    return tuple(add_business_time(received, timedelta(hours=each), calendar) for each in hours)


def emailed_link(sink, email: str, timeout: float = 30) -> str:
    """The invitation link in the email the worker sent to ``email``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(sink.messages):
            if message["To"] == email:
                return invitation_link_in_email(message)
        time.sleep(0.1)
    raise AssertionError(f"No invitation to {email}: {[m['To'] for m in sink.messages]}")


def join(page, base: str, link: str, *, first_name: str, last_name: str) -> None:
    """Open the invitation's link, give a name and a password, join."""
    page.goto(base + invitation_path(link))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Initech")
    form = page.get_by_role("main")
    form.get_by_label("First name").fill(first_name)
    form.get_by_label("Last name").fill(last_name)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password again").fill(PASSWORD)
    form.get_by_role("button", name="Join").click()
    expect(page).to_have_url(f"{base}/initech/")


def open_section(page, label: str) -> None:
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def saved(page, message: str) -> None:
    expect(page.get_by_role("status")).to_have_text(message)


def set_up_the_workspace(page) -> None:
    """Everything through the settings pages' side menu, forms and buttons."""
    main = page.get_by_role("main")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()

    open_section(page, "Departments")
    # The tree is empty: its first department is its top, under nothing.
    main.get_by_label("Name", exact=True).fill("Head office")
    main.get_by_label("Code", exact=True).fill("head-office")
    main.get_by_role("button", name="Add the department").click()
    saved(page, "The department Head office is added.")
    main.get_by_label("Under").select_option(label="Head office")
    main.get_by_label("Name", exact=True).fill("Claims")
    main.get_by_label("Code", exact=True).fill("claims")
    main.get_by_role("button", name="Add the department").click()
    saved(page, "The department Claims is added.")
    expect(main.locator("ul.tree").get_by_role("link")).to_have_text(["Head office", "Claims"])

    open_section(page, "Brands")
    main.get_by_role("link", name="Add a brand").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a brand")
    main.get_by_label("Name", exact=True).fill("Initech Motor")
    main.get_by_label("Slug", exact=True).fill("initech-motor")
    main.get_by_label("Reference prefix").fill("IMO")
    main.get_by_label("Sender name").fill("Initech Motor")
    main.get_by_label("Sender address").fill("care@initech.example")
    main.get_by_role("button", name="Save the brand").click()
    saved(page, "The brand Initech Motor is saved.")
    expect(
        main.get_by_role("row", name=re.compile("^Initech Motor initech-motor IMO"))
    ).to_be_visible()

    open_section(page, "Members")
    main.get_by_label("Email", exact=True).fill(AGENT)
    main.get_by_label("Role").select_option(label="Agent")
    main.get_by_label("Department").select_option(label="Claims")
    main.get_by_role("button", name="Send the invitation").click()
    saved(page, f"An invitation is on its way to {AGENT}.")
    expect(main.get_by_role("row", name=f"{AGENT} Agent Claims", exact=False)).to_be_visible()

    open_section(page, "Complaint categories")
    main.get_by_label("Name", exact=True).fill("Windscreens")
    main.get_by_label("Code", exact=True).fill("windscreens")
    main.get_by_role("button", name="Add the category").click()
    saved(page, "The category is added.")
    expect(main.get_by_role("cell", name="Windscreens", exact=True)).to_be_visible()

    open_section(page, "SLA policies")
    main.get_by_role("link", name="New policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New SLA policy")
    main.get_by_label("Name", exact=True).fill("Motor windscreens")
    main.get_by_label("Brand").select_option(label="Initech Motor")
    main.get_by_label("Category").select_option(label="Windscreens")
    main.get_by_label("Acknowledge within (working hours)").fill("2")
    main.get_by_label("First response within (working hours)").fill("6")
    main.get_by_label("Resolve within (working hours)").fill("20")
    main.get_by_role("button", name="Save the policy").click()
    saved(page, "The SLA policy is saved.")
    expect(
        main.get_by_role("row", name=re.compile("^Motor windscreens Initech Motor Windscreens"))
    ).to_contain_text("2 hours")

    open_section(page, "Routing rules")
    main.get_by_role("link", name="New rule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New routing rule")
    main.get_by_label("Name", exact=True).fill("Windscreens to Claims")
    main.get_by_label("Category").select_option(label="Windscreens")
    under_head_office = "\u00a0\u00a0Claims"  # the rule form indents by depth
    main.get_by_label("Department").select_option(label=under_head_office)
    main.get_by_label("Handler").select_option(label="Round robin")
    main.get_by_role("button", name="Save the rule").click()
    saved(page, "The routing rule is saved.")
    expect(main.get_by_role("row", name=re.compile("Windscreens to Claims"))).to_contain_text(
        "Round robin"
    )


def file_a_complaint(page, base: str) -> str:
    """A customer on the brand's public form; the reference it answers with."""
    page.goto(f"{base}/c/initech/initech-motor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint to Initech Motor")
    page.get_by_label("Your name").fill("Maria Rossi")
    page.get_by_label("Email address").fill("maria.rossi@example.com")
    page.get_by_label("What is it about?").select_option(label="Windscreens")
    page.get_by_label("Subject").fill("Cracked windscreen not replaced")
    page.get_by_label("What happened?").fill("A stone cracked my windscreen; nobody came.")
    page.get_by_role("button", name="Send my complaint").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Complaint IMO-\d{4}-000001$"))
    return heading.inner_text().removeprefix("Complaint ")


@override_settings(DEBUG=True)  # serve static files from the live server
def test_a_new_tenant_sets_itself_up_and_routes_its_first_complaint(
    live_server, browser, page, own_cache, celery_worker, _smtp_sink
):
    # The invitations go out as they would: through the outbox, a worker and an SMTP server.
    base = live_server.url
    create_tenant(name="Initech", slug="initech", admin_email=BOSS)
    tenant = Tenant.objects.get(slug="initech")

    join(page, base, emailed_link(_smtp_sink, BOSS), first_name="Bill", last_name="Lumbergh")
    set_up_the_workspace(page)

    agent_context = browser.new_context(locale="en-GB")
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(10_000)
    join(
        agent_page, base, emailed_link(_smtp_sink, AGENT), first_name="Milton", last_name="Waddams"
    )
    agent_context.close()

    customer_context = browser.new_context(locale="en-GB")
    customer = customer_context.new_page()
    customer.set_default_timeout(10_000)
    reference = file_a_complaint(customer, base)
    customer_context.close()

    # Routed by the admin's rule to Claims and its only agent, on the admin's policy's targets.
    claims = Department.objects.for_tenant(tenant).get(code="claims")
    agent = Membership.objects.for_tenant(tenant).get(user__email=AGENT)
    rule = RoutingRule.objects.for_tenant(tenant).get()
    policy = SlaPolicy.objects.for_tenant(tenant).get()
    complaint = Complaint.objects.for_tenant(tenant).get()
    assert (complaint.reference, complaint.department, complaint.assignee) == (
        reference,
        claims,
        agent,
    )
    assert (agent.role, agent.department, agent.is_active) == ("agent", claims, True)
    assert (rule.category, rule.department, rule.strategy) == (
        Category.objects.for_tenant(tenant).get(code="windscreens"),
        claims,
        "round_robin",
    )
    filed = AuditEntry.objects.for_tenant(tenant).get(action="complaint.filed")
    assert filed.note == rule.name == "Windscreens to Claims"
    assert complaint.sla_policy == policy
    assert (policy.brand, policy.category, policy.acknowledgement_hours) == (
        Brand.objects.for_tenant(tenant).get(slug="initech-motor"),
        rule.category,
        2,
    )
    # The due times are the policy's targets in the tenant's working time (Athens, Mon-Fri
    # 9-17 and Greek holidays), counted from receipt, whatever day the test runs on.
    calendar = calendar_for(tenant)
    due_times = (
        complaint.acknowledge_due_at,
        complaint.first_response_due_at,
        complaint.resolve_due_at,
    )
    assert due_times == due(complaint.received_at, [2, 6, 20], calendar)
    defaults = targets_for(None, complaint_settings(tenant.pk), calendar)
    default_hours = [
        target / timedelta(hours=1)
        for target in (defaults.acknowledgement, defaults.first_response, defaults.resolution)
    ]
    assert all(
        mine != default
        for mine, default in zip(
            due_times, due(complaint.received_at, default_hours, calendar), strict=True
        )
    )

    # The admin finds it in the queue.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    expect(page.get_by_role("main").get_by_role("link", name=reference)).to_be_visible()

    # Every setup write is in the tenant's trail, by the admin who made it, on what it made.
    boss = Membership.objects.for_tenant(tenant).get(user__email=BOSS).user
    trail = AuditEntry.objects.for_tenant(tenant).filter(actor=boss)
    invitations = MemberInvitation.objects.for_tenant(tenant)
    made = [
        ("invitation.accepted", invitations.get(email=BOSS)),
        ("department.created", Department.objects.for_tenant(tenant).get(code="head-office")),
        ("department.created", claims),
        ("brand.created", policy.brand),
        ("invitation.created", invitations.get(email=AGENT)),
        ("category.created", rule.category),
        ("sla_policy.created", policy),
        ("routing_rule.created", rule),
    ]
    assert list(trail.order_by("pk").values_list("action", "target_id")) == [
        (action, str(row.pk)) for action, row in made
    ]
