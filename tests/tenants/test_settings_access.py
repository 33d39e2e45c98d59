"""Who may read and write every settings page (``tenants.settings_pages``).

The pages are read from the URL resolver (every address under ``/<tenant>/settings/`` or named
``settings…``), so a page added later is covered: a parameter ``FILL`` cannot fill, or a page
taking POST that neither ``WRITES`` (a valid form) nor ``NO_WRITE`` (and why) names, fails
``test_every_settings_page_is_covered``. For each page and each verb it takes (GET, POST; a verb
it does not take is a 405 for everyone, which shows and changes nothing):

* Acme's manager reads it as the admin does; a write is a 403 that changes nothing (no row of
  any table differs afterwards, no audit entry);
* Acme's agent, performer and analyst get 403; Globex's agent and admin 404 (not their
  workspace); an anonymous visitor is sent to log in; none of them changes anything;
* Acme's admin naming Globex's object (brand, department, member, rule…) gets a 404 and changes
  nothing;
* Acme's admin's valid write is audited, with the admin as the actor.

"Changes nothing": PostgreSQL's per-transaction counters (``pg_stat_xact_user_tables``) name the
tables a request wrote to, whose rows are compared with how they were. Each request is undone.
"""

import copy
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from complaints.models import RootCause, Severity
from complaints.policies import sla_policy_save
from complaints.routing_rules import routing_rule_save
from complaints.services import category_create
from customers.models import Segment
from tenants import rls
from tenants.members import member_invite, membership_deactivate
from tenants.models import AuditEntry, Department, Membership, Role, Tenant
from tenants.services import closure_set
from tenants.structure import department_close
from tests import factories
from tests.factories import BrandFactory, TouchpointFactory, make_member, make_persona

pytestmark = pytest.mark.postgres  # "changes nothing" reads PostgreSQL's counters

# --- one of everything a settings address can name, in each tenant -------------------------------


@dataclass
class Side:
    tenant: Tenant
    admin: Membership
    members: dict[str, Membership]
    brand: object
    touchpoint: object
    department: Department  # a leaf with nothing in it: it can be renamed, moved and closed
    elsewhere: Department  # where it can move to
    member: Membership  # an agent the admin can change, deactivate and reactivate
    invitation: object
    category: object
    cause: RootCause
    sla_policy: object
    routing_rule: object  # the first of two, so it can move down
    closure: object


SLA_HOURS = {"acknowledgement_hours": 2, "first_response_hours": 4, "resolution_hours": 16}


def _side(tenant: Tenant, admin: Membership, members: dict, *, parent: str, other: str) -> Side:
    slug = tenant.slug
    departments = Department.objects.for_tenant(tenant)
    above = departments.get(code=parent)
    department = factories.make_department(tenant, f"{slug}-desk", "Desk", above)
    category = category_create(tenant=tenant, actor=None, code="claims", name="Claims")
    rule = routing_rule_save(actor=admin, name="Glass", keywords="glass", department=above)
    routing_rule_save(actor=admin, name="Theft", keywords="theft", department=above)
    return Side(
        tenant=tenant,
        admin=admin,
        members=members,
        brand=BrandFactory(tenant=tenant, slug=f"{slug}-motor", reference_prefix=slug[:3].upper()),
        touchpoint=TouchpointFactory(tenant=tenant, code="claims-desk", name="Claims desk"),
        department=department,
        elsewhere=departments.get(code=other),
        member=make_member(tenant, "casey", Role.AGENT, parent),
        invitation=member_invite(
            actor=admin, email=f"newcomer@{slug}.example", role=Role.ANALYST, department=None
        ),
        category=category,
        cause=RootCause.objects.create(tenant=tenant, code="slow-handling", name="Slow"),
        sla_policy=sla_policy_save(actor=admin, name="Fast", category=category, **SLA_HOURS),
        routing_rule=rule,
        # On a day of its own: Globex's day in Acme's address names nothing of Acme's.
        closure=closure_set(tenant=tenant, actor=None, day=date(2027, 1, len(slug)), name="Stock"),
    )


@dataclass
class World:
    acme: Side
    globex: Side
    clients: dict[str, Client]  # persona → logged in once, for the module
    accepts: dict = field(default_factory=dict)  # route name → verbs the view takes


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with rls.all_tenants():
            acme = factories.make_acme()
            members = {p: make_persona(p, acme) for p in factories.PERSONAS if "acme_" in p}
            globex = factories.make_globex()
            gina = make_member(globex, "gina", Role.ADMIN, None)
            others = {"globex_agent": make_persona("globex_agent", globex), "globex_admin": gina}
            built = World(
                acme=_side(acme, members["acme_admin"], members, parent="north", other="south"),
                globex=_side(globex, gina, others, parent="hq", other="hq"),
                clients={"anonymous": Client(raise_request_exception=False)},
            )
            for persona, member in [*members.items(), *others.items()]:
                built.clients[persona] = Client(raise_request_exception=False)
                built.clients[persona].force_login(member.user)
        yield built
        transaction.set_rollback(True)


# What fills each parameter of a settings address, from one tenant's side.
FILL: dict[str, Callable[[Side], object]] = {
    "day": lambda s: s.closure.day.isoformat(),
    "brand_id": lambda s: s.brand.pk,
    "touchpoint_id": lambda s: s.touchpoint.pk,
    "department_id": lambda s: s.department.pk,
    "membership_id": lambda s: s.member.pk,
    "invitation_id": lambda s: s.invitation.pk,
    "category_id": lambda s: s.category.pk,
    "cause_id": lambda s: s.cause.pk,
    "policy_id": lambda s: s.sla_policy.pk,
    "routing_rule_id": lambda s: s.routing_rule.pk,
}

# --- every settings address ----------------------------------------------------------------------

SETTINGS_ROOT = "<slug:tenant_slug>/settings/"
PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def parameters(self) -> list[str]:
        return [p for p in PARAMETER.findall(self.route) if p != "tenant_slug"]

    def url(self, side: Side, tenant_slug: str = "acme") -> str:
        values = {"tenant_slug": tenant_slug} | {p: FILL[p](side) for p in self.parameters}
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.route)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.name or "")


def _is_settings(route: Route) -> bool:
    named = route.name == "settings" or route.name.startswith("settings-")
    return named or route.route.startswith(SETTINGS_ROOT)


ROUTES = sorted(
    {route for route in _walk(get_resolver().url_patterns) if _is_settings(route)},
    key=lambda route: route.name,
)
NAMES = [route.name for route in ROUTES]
BY_NAME = {route.name: route for route in ROUTES}
WITH_OBJECTS = [route for route in ROUTES if route.parameters]

# --- what an admin's valid write sends ------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    data: dict | Callable[[Side], dict] = field(default_factory=dict)  # the form, or its maker
    prepare: Callable[[Side], object] = lambda s: None  # a state the write needs, made first

    def form(self, side: Side) -> dict:
        return self.data(side) if callable(self.data) else self.data


def _sent(query: str) -> dict:
    """A form as the browser sends it."""
    return dict(parse_qsl(query))


BRAND = _sent(
    "sender_name=Acme+Care&sender_email=care@acme-home.example&colour=%231F5FA8&is_active=on"
)
SLA_POLICY = _sent("acknowledgement_hours=3&first_response_hours=8&resolution_hours=24")
RULE = _sent("order=5&keywords=windscreen&strategy=least_open&is_active=on")
ORGANISATION = _sent(
    "name=Acme+Group&time_zone=Europe/Rome&country=it&default_language=it"
    "&hours_0=08:30-12:30,+13:30-17:30"
)
HANDLING = _sent(
    "reopen_window_days=14&repeat_threshold=2&repeat_window_days=60&acknowledgement_hours=4"
    "&first_response_hours=16&resolution_days=10&warning_percent=80&escalation_hours=4"
    "&max_attachment_mb=5&internal_review=Ask+our+panel.&external_body=The+Ombudsman"
)
PROGRAMME = _sent(
    "throttle_days=14&max_event_age_hours=48&response_rate_low_percent=8"
    "&response_rate_high_percent=20&csat_target_percent=75"
)
# The default scheme with a smaller m and the leaderboard shown: a new version.
RATINGS = _sent(
    "customer_score_kind=csat&smoothing=5&min_answers=5&min_cases=3&close_after_days=10"
    "&leaderboard=anonymous"
    "&weight_customer_score=40&floor_customer_score=3&target_customer_score=4.5"
    "&weight_sla_compliance=20&floor_sla_compliance=50&target_sla_compliance=95"
    "&weight_resolution_hours=15&floor_resolution_hours=120&target_resolution_hours=24"
    "&weight_reopen_rate=10&floor_reopen_rate=20&target_reopen_rate=0"
    "&weight_follow_ups_in_time=15&floor_follow_ups_in_time=50&target_follow_ups_in_time=100"
)
# The calibration page adopts the default norms with the customer score's floor moved.
CALIBRATION = {
    name: value for name, value in RATINGS.items() if name.startswith(("floor_", "target_"))
} | {"floor_customer_score": "3.2"}
WRITES: dict[str, Write] = {
    "settings-organisation": Write(ORGANISATION),
    "settings-closure-add": Write({"day": "2027-03-15", "name": "Inventory"}),
    "settings-closure-remove": Write(),
    "settings-brand-add": Write(
        BRAND | _sent("name=Acme+Home&slug=acme-home&reference_prefix=AHM")
    ),
    "settings-brand-edit": Write(
        lambda s: BRAND | {"name": "Renamed", "slug": s.brand.slug, "reference_prefix": "AMO"}
    ),
    "settings-touchpoint-add": Write(
        _sent("code=road&name=Road&kind=road_assistance&is_active=on")
    ),
    "settings-touchpoint-edit": Write(
        lambda s: {"code": s.touchpoint.code, "name": "Renamed", "kind": s.touchpoint.kind}
    ),
    "settings-department-add": Write(
        lambda s: {"parent": s.elsewhere.pk, "name": "South desk", "code": "south-desk"}
    ),
    "settings-department-edit": Write({"name": "Renamed desk"}),
    "settings-department-move": Write(lambda s: {"parent": s.elsewhere.pk}),
    "settings-department-close": Write(),
    "settings-department-reopen": Write(
        prepare=lambda s: department_close(actor=s.admin, department=s.department)
    ),
    "settings-member-invite": Write(_sent("email=nora@example.com&role=analyst&department=")),
    "settings-member": Write({"role": "analyst", "department": ""}),
    "settings-member-deactivate": Write(),
    "settings-member-reactivate": Write(
        prepare=lambda s: membership_deactivate(actor=s.admin, membership=s.member)
    ),
    "settings-invitation-resend": Write(),
    "settings-invitation-withdraw": Write(),
    "settings-complaint-categories": Write({"name": "Home", "code": "home"}),
    "settings-complaint-category": Write({"name": "Renamed"}),
    "settings-complaint-category-active": Write({"is_active": "no"}),
    "settings-root-causes": Write({"name": "Rude staff", "code": "rude-staff"}),
    "settings-root-cause": Write({"name": "Renamed"}),
    "settings-root-cause-active": Write({"is_active": "no"}),
    "settings-complaint-handling": Write(HANDLING),
    # Every cell urgent: unlike the default matrix, so it is a change.
    "settings-priority-matrix": Write(
        {f"{sev}__{seg}": 1 for sev in Severity.values for seg in Segment.values}
    ),
    "settings-sla-policy-new": Write(SLA_POLICY | {"name": "Home, fast"}),
    "settings-sla-policy": Write(SLA_POLICY | {"name": "Renamed"}),
    "settings-routing-rule-new": Write(
        lambda s: RULE | {"name": "Windscreens", "department": s.department.pk}
    ),
    "settings-routing-rule": Write(
        lambda s: RULE | {"name": "Renamed", "department": s.department.pk}
    ),
    "settings-routing-rule-move": Write({"direction": "down"}),
    "settings-surveys": Write(PROGRAMME),
    "settings-ratings": Write(RATINGS),
    "settings-ratings-calibration": Write(CALIBRATION),
}
# Pages that take a POST and write nothing, and why.
NO_WRITE = {
    "settings": "the index only redirects to the first section, whatever the verb",
    "settings-members": "the list takes any verb and only shows the list again",
}

# --- asking ---------------------------------------------------------------------------------------

TOUCHED = """
    SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
    WHERE relname <> 'django_session'
"""


def _counters() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(TOUCHED)
        return dict(cursor.fetchall())


def _contents(tables: list[str]) -> dict[str, str]:
    """A digest of every row of ``tables``."""
    if not tables:
        return {}
    name = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {name(t)} t"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query, tables)
        return dict(cursor.fetchall())


@dataclass
class Answer:
    status: int
    location: str
    changed: list[str]  # tables whose rows the request left different
    audits: list[tuple]  # (tenant id, actor id, action) of the audit entries it left
    body: str = ""


def ask(client: Client, verb: str, url: str, data: dict | None = None, prepare=None) -> Answer:
    """One request, undone afterwards (its rows, and its cookies: a message of one answer must
    not show in the next), after ``prepare`` (undone too, but not counted as the request's)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if prepare:
            prepare()
        last_audit = AuditEntry.objects.unscoped().order_by("-pk").values_list("pk", flat=True)
        last_audit = last_audit.first() or 0
        with transaction.atomic():
            before = _counters()
            response = client.get(url) if verb == "GET" else client.post(url, data or {})
            touched = [table for table, n in _counters().items() if n != before.get(table, 0)]
            after = _contents(touched)
            audits = list(
                AuditEntry.objects.unscoped()
                .filter(pk__gt=last_audit)
                .order_by("pk")
                .values_list("tenant_id", "actor_id", "action")
            )
            transaction.set_rollback(True)
        changed = [table for table, digest in _contents(touched).items() if after[table] != digest]
        transaction.set_rollback(True)
    client.cookies = cookies
    status, location = response.status_code, response.get("Location", "")
    return Answer(status, location, changed, audits, response.content.decode(errors="replace"))


def _alerts(body: str) -> list[str]:
    """What a page says went wrong (a form's errors, a message), for a failure's report."""
    found = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div|li)>', body, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found]


def accepts(route: Route, world: World) -> list[str]:
    """The verbs of GET and POST the view takes: those not answered 405 to Acme's admin."""
    if route.name not in world.accepts:
        client = world.clients["acme_admin"]
        world.accepts[route.name] = [
            verb
            for verb in ("GET", "POST")
            if ask(client, verb, route.url(world.acme)).status != 405
        ]
    return world.accepts[route.name]


def send(client: Client, verb: str, url: str, name: str, world: World, state: Side) -> Answer:
    """``verb`` to ``url``; a POST sends Acme's admin's valid form of the page (so a page that
    forgot its guard would really write), after making the state it needs in ``state``'s
    objects (a closed department to reopen)."""
    if verb == "GET":
        return ask(client, "GET", url)
    write = WRITES.get(name, Write())
    return ask(client, "POST", url, write.form(world.acme), prepare=lambda: write.prepare(state))


# A case that fails today because of a bug in the app: (test, route name[, persona]) → "BUG: what
# is wrong". Marked xfail(strict=True), so it stays visible and the mark must go once it is
# fixed. Empty: every settings page obeys today.
KNOWN_BUGS: dict[tuple[str, ...], str] = {}


def cases(test: str, *axes: list[str]) -> list:
    """The parameters of ``test``: every combination of ``axes``, the known bugs marked."""
    return [
        pytest.param(*combo, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key]))
        if (key := (test, *combo)) in KNOWN_BUGS
        else pytest.param(*combo)
        for combo in itertools.product(*axes)
    ]


# --- the enumeration covers every page ----------------------------------------------------------


def test_every_settings_page_is_covered(db, world):
    # A walk that finds too little cannot pass: the sections of every app are in.
    assert len(ROUTES) >= 30
    assert {"settings-organisation", "settings-complaint-handling", "settings-surveys"} <= {*NAMES}
    assert all(route.name for route in ROUTES), "a settings address without a name"
    unfilled = {route.name: set(route.parameters) - set(FILL) for route in ROUTES}
    assert {name: params for name, params in unfilled.items() if params} == {}
    # Every page that takes a POST says what a valid one is, or why it writes nothing.
    posting = {route.name for route in ROUTES if "POST" in accepts(route, world)}
    assert posting - set(WRITES) - set(NO_WRITE) == set()
    assert set(WRITES) | set(NO_WRITE) <= posting, "a stale entry, or a page that lost its POST"
    assert all(accepts(route, world) for route in ROUTES), "a page that takes neither verb"


# --- a manager reads and may not write ----------------------------------------------------------


@pytest.mark.parametrize("name", cases("manager", NAMES))
def test_a_manager_reads_like_the_admin_and_is_refused_every_write(db, world, name):
    route = BY_NAME[name]
    url = route.url(world.acme)
    manager = world.clients["acme_manager"]
    verbs = accepts(route, world)

    if "GET" in verbs:
        admin_read = ask(world.clients["acme_admin"], "GET", url)
        read = ask(manager, "GET", url)
        assert (read.status, read.location) == (admin_read.status, admin_read.location)
        assert read.status in (200, 302)
    if "POST" in verbs:
        refused = send(manager, "POST", url, name, world, world.acme)
        assert (refused.status, refused.changed, refused.audits) == (403, [], [])


# --- other roles, other tenants, nobody ---------------------------------------------------------

REFUSED = {
    "acme_agent": 403,
    "acme_performer": 403,
    "acme_analyst": 403,
    "globex_agent": 404,  # Acme is not their workspace: as if it did not exist
    "globex_admin": 404,  # an admin of its own workspace is nobody in Acme's
    "anonymous": 302,  # to log in
}


@pytest.mark.parametrize(("name", "persona"), cases("refused", NAMES, list(REFUSED)))
def test_every_other_role_and_tenant_is_refused_and_changes_nothing(db, world, name, persona):
    route = BY_NAME[name]
    url = route.url(world.acme)
    client = world.clients[persona]
    verbs = accepts(route, world)

    answers = {verb: send(client, verb, url, name, world, world.acme) for verb in ("GET", "POST")}

    expected = {v: REFUSED[persona] if v in verbs else 405 for v in ("GET", "POST")}
    assert {verb: answer.status for verb, answer in answers.items()} == expected
    assert {verb: answer.changed for verb, answer in answers.items()} == {"GET": [], "POST": []}
    if persona == "anonymous":
        login = reverse("login") + "?next="
        assert all(answers[verb].location.startswith(login) for verb in verbs)


# --- another tenant's object in Acme's address ---------------------------------------------------


@pytest.mark.parametrize("name", cases("foreign object", [r.name for r in WITH_OBJECTS]))
def test_the_admin_naming_another_tenants_object_gets_a_404_and_changes_nothing(db, world, name):
    route = BY_NAME[name]
    url = route.url(world.globex, tenant_slug="acme")  # Acme's address, Globex's object
    client = world.clients["acme_admin"]
    verbs = accepts(route, world)

    # The form is Acme's; the state a write needs (a closed department) is Globex's object's.
    answers = {verb: send(client, verb, url, name, world, world.globex) for verb in ("GET", "POST")}

    expected = {v: 404 if v in verbs else 405 for v in ("GET", "POST")}
    assert {verb: answer.status for verb, answer in answers.items()} == expected
    assert {verb: answer.changed for verb, answer in answers.items()} == {"GET": [], "POST": []}
    assert "Globex" not in answers["GET"].body + answers["POST"].body


# --- the admin's writes are audited ---------------------------------------------------------------


@pytest.mark.parametrize("name", cases("audited", sorted(WRITES)))
def test_the_admins_valid_write_is_saved_and_audited_with_the_admin_as_actor(db, world, name):
    admin, url = world.acme.admin, BY_NAME[name].url(world.acme)

    answer = send(world.clients["acme_admin"], "POST", url, name, world, world.acme)

    assert answer.status == 302, _alerts(answer.body)  # a refused form: 400 with its errors
    assert answer.audits, "saved without an audit entry"
    # Every entry is Acme's, by its admin (AuditEntry.objects.for_tenant(acme), actor = admin).
    assert {entry[:2] for entry in answer.audits} == {(admin.tenant_id, admin.user_id)}
    assert set(answer.changed) - {"tenants_auditentry"}, "audited, but nothing else changed"
