"""The cross-tenant matrix: every address of the browser app, every verb, every role.

Acme is the tenant under test, with its personas (tests/factories.py ``PERSONAS``); Globex is
the other tenant. Both get one of everything an address can name (a complaint with a file, a
message and a corrective action, a survey with questions and a rule, a response with its
follow-up, an import, a notification per member) once per module.

The addresses are read from the URL resolver, so a new one is covered the day it is added: an
address whose parameters the ``FILL`` table cannot fill makes ``test_every_address_is_covered``
fail until the table (or the short, reasoned ``NOT_CROSS_TENANT`` list) says how.

For each address that names an object, each role (and an anonymous visitor, and a customer whose
browser follows a complaint of each tenant) and each verb, these are asked:

* **foreign object** — Acme's address with Globex's object (``/acme/complaints/GRO-…/``);
* **foreign child** — Acme's own parent with Globex's child (Acme's complaint, Globex's file);
* **foreign workspace** — Globex's address and object to a member of Acme only
  (``/globex/complaints/GRO-…/``), for every staff address, lists included.

Each answer must equal the answer for an object that does not exist (status, ``Location``,
body; the CSRF token, the CSP nonce and the forms' submission tokens aside), must change
nothing (no row of any table different afterwards: PostgreSQL's per-transaction counters,
``pg_stat_xact_user_tables``, name the tables written to, whose rows are then compared), and
must be the address's "not found" (404; the status page's is the lookup page) or a 405 for a
verb the view does not take — unless the answer does not depend on the object at all (the
same for Acme's own object: a role refused before any lookup, the login page). PUT, PATCH and
DELETE are sent where the view takes them (Acme's admin is not answered 405).

The same rule holds for the ids a page takes in its form or query string (``FIELD_PROBES``:
a step's department or root cause, a merge's or a link's reference, a rule's survey, a
queue's filters, the public form's lists, the status lookup's reference): Globex's object
there answers as a missing one does, and changes nothing.

Not in the matrix: the Django admin (superusers, who cross tenants on purpose), the public
survey pages (their token alone names the tenant, so no other tenant's object can be put in
their address), the password-reset link (a user account, not a tenant's object), and the
addresses that name no object outside a workspace (login, language, the API's schema and docs;
the app has no other /api/ address today).
"""

import copy
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlencode

import pytest
from django.contrib.admin import site as admin_site
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from complaints.public import ACCESS_SESSION_KEY
from dashboards.models import MonthlyReport
from surveys.interactions.importing import ImportRun, run_keep
from tenants import rls
from tenants.models import Department, Membership
from tests.tenants.cross_tenant_worlds import ACME_ROLES, World, Worlds, build_worlds

pytestmark = pytest.mark.postgres  # the "nothing changed" check reads PostgreSQL's counters

MISSING_ID = 987654321
NO_SUCH_TENANT = "no-such-tenant"


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end."""
    media_root = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        with rls.all_tenants():  # the setup writes both tenants' rows, as the factories do
            built = build_worlds(media_root)
        yield built
        transaction.set_rollback(True)


# --- what fills each parameter of an address -------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """How to fill one parameter: the value in a world (for the member asking, or None), and a
    value naming nothing. ``is_object``: False for a coordinate inside its parent (a version's
    number within its survey, a step's name), kept from the parent's world."""

    value: Callable[[World, Membership | None], object]
    missing: object = MISSING_ID
    is_object: bool = True


def _import_token(world: World, member: Membership | None) -> str:
    """An import under way (kept in the cache, per member): the asker's own in their world,
    else one of the tenant's admin."""
    owner = world.membership_of(member) or world.admin
    token = secrets.token_urlsafe(18)  # 24 characters, like importing's tokens
    run_keep(
        actor=owner,
        run=ImportRun(
            token=token,
            file_name="visits.csv",
            row_count=0,
            rows=[],
            already_imported=0,
            skipped=[],
        ),
    )
    return token


def _notification(world: World, member: Membership | None) -> int:
    own = world.membership_of(member)
    return world.notifications[(own or world.admin).pk].pk


def _monthly_report(world: World, member: Membership | None) -> int:
    """The tenant's report of January 2026 (stored once, as the monthly task stores one)."""
    report, _created = MonthlyReport.objects.get_or_create(
        tenant=world.tenant,
        month=date(2026, 1, 1),
        defaults={"language": "en", "html": "<p>January</p>", "pdf": b"%PDF-1.7\n"},
    )
    return report.pk


FILL: dict[str, Fill] = {
    "report_id": Fill(_monthly_report),
    "reference": Fill(lambda w, m: w.complaint.reference, missing="ZZZ-2099-999999"),
    "attachment_id": Fill(lambda w, m: w.attachment.pk),
    "action_id": Fill(lambda w, m: w.action.pk),
    "survey_id": Fill(lambda w, m: w.survey.pk),
    "question_id": Fill(lambda w, m: w.question.pk),
    "rule_id": Fill(lambda w, m: w.rule.pk),
    "follow_up_id": Fill(lambda w, m: w.follow_up.pk),
    "dispute_id": Fill(lambda w, m: w.dispute.pk),
    "period_id": Fill(lambda w, m: w.rating_period.pk),
    "response_id": Fill(lambda w, m: w.response.pk),
    "entry_id": Fill(lambda w, m: w.import_entry.pk),
    "notification_id": Fill(_notification),
    "token": Fill(_import_token, missing="Z" * 24),
    "brand_slug": Fill(lambda w, m: w.brand.slug, missing="no-such-brand"),
    "number": Fill(lambda w, m: 1, is_object=False),  # a version's number within its survey
    "name": Fill(lambda w, m: "acknowledge", is_object=False),  # a step's name
    "day": Fill(lambda w, m: w.closure.day.isoformat(), missing="2099-01-01"),  # a closed day
    "membership_id": Fill(lambda w, m: w.handler.pk),
    "invitation_id": Fill(lambda w, m: w.member_invitation.pk),
    # The settings pages' brands, touchpoints and departments.
    "brand_id": Fill(lambda w, m: w.brand.pk),
    "touchpoint_id": Fill(lambda w, m: w.touchpoint.pk),
    "department_id": Fill(lambda w, m: w.department.pk),
    "category_id": Fill(lambda w, m: w.category.pk),
    "cause_id": Fill(lambda w, m: w.cause.pk),
    "policy_id": Fill(lambda w, m: w.sla_policy.pk),
    "routing_rule_id": Fill(lambda w, m: w.routing_rule.pk),
}

# Addresses with parameters that name no tenant's object, and why they are not in the matrix.
NOT_CROSS_TENANT = {
    # The token alone finds the tenant (no tenant in the address): there is no other tenant's
    # object to put in an address of this one; guessed tokens are the survey tokens' own tests.
    "public-survey": "the token names the tenant",
    "public-survey-score": "the token names the tenant",
    "public-survey-thanks": "the token names the tenant",
    "public-survey-unsubscribe": "the token names the tenant",
    # A user account's reset link, checked by Django's token generator; no tenant's object.
    "password_reset_confirm": "a user account, not a tenant's object",
    # A member's invitation: its token alone finds the tenant, like a survey's.
    "invitation-link": "the token names the tenant",
}
# The Django admin (/admin/) is for superusers, who see every tenant on purpose.
EXCLUDED_NAMESPACES = {admin_site.name: "superusers only, across tenants by design"}

# What an address answers for an object that is not there (else 404).
NOT_FOUND = {
    # Without proof, a complaint that exists looks like one that does not: the lookup page.
    "public-complaint-status": 302,
}

# --- every address ---------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def parameters(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.route)]

    @property
    def objects(self) -> list[str]:
        return [p for p in self.parameters if p in FILL and FILL[p].is_object]

    @property
    def is_staff(self) -> bool:
        return self.route.startswith("<slug:tenant_slug>/")

    @property
    def is_public(self) -> bool:
        return self.route.startswith("c/<slug:tenant_slug>/")

    def url(self, values: dict) -> str:
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.route)


def _walk(patterns, prefix="") -> list[Route]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            routes += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(Route(prefix + str(pattern.pattern), pattern.name or ""))
    return routes


ROUTES = _walk(get_resolver().url_patterns)
# Every address that names an object of a tenant, or lives in a tenant's workspace.
MATRIX = [
    route
    for route in ROUTES
    if route.name not in NOT_CROSS_TENANT and (route.objects or route.is_staff)
]


def test_every_address_is_covered():
    """A new address with a parameter nobody said how to fill fails here, not in production."""
    unfilled = {
        route.name or route.route: [
            p for p in route.parameters if p not in FILL and p != "tenant_slug"
        ]
        for route in ROUTES
        if route.name not in NOT_CROSS_TENANT
    }
    assert {name: params for name, params in unfilled.items() if params} == {}
    assert all(route.route.isascii() and "(?P" not in route.route for route in ROUTES), (
        "a regex address: teach _walk to fill it"
    )
    named = {route.name for route in MATRIX}
    # The ones that matter most are in, so a broken walk cannot pass by covering nothing.
    assert {
        "complaint-detail",
        "complaint-step",
        "complaint-file",
        "corrective-action-update",
        "survey-question-delete",
        "follow-up-complete",
        "response-detail",
        "interaction-import-continue",
        "notification-open",
        "public-complaint-status",
        "public-complaint-file",
        "public-complaint-form",
        "complaint-queue",
    } <= named


# --- asking ----------------------------------------------------------------------------------


def _post_data(name: str, world: World) -> dict:
    """What the address's form would send, about ``world``'s objects."""
    complaint = world.complaint
    common = {"submission": secrets.token_urlsafe(24)}
    return common | {
        "complaint-step": {"acknowledge-version": complaint.version, "acknowledge-note": "Seen."},
        "complaint-transfer": {
            "transfer-version": complaint.version,
            "transfer-department": complaint.department_id,
            "transfer-assignee": "",
            "transfer-note": "Yours now.",
        },
        "complaint-message": {"kind": "internal", "body": "A note."},
        "complaint-link": {"other": complaint.reference},
        "complaint-action-open": {
            "description": "Train the desk.",
            "owner": world.admin.pk,
            "due_date": (date.today() + timedelta(days=9)).isoformat(),
        },
        "corrective-action-update": {"status": "done", "outcome": "Trained."},
        "survey-update": {"name": "Renamed", "is_active": "on"},
        "survey-question-new": {"kind": "nps", "text_en": "Recommend us?", "is_required": "on"},
        "survey-question-edit": {"kind": "nps", "text_en": "Recommend us?", "is_required": "on"},
        "survey-question-move": {"direction": "down"},
        "survey-rule-edit": {
            "survey": world.survey.pk,
            "delay_minutes": 5,
            "sample_percent": 50,
            "order": 1,
            "source": "api",
            "is_active": "on",
        },
        "follow-up-complete": {"outcome": "Called her.", "invite_rerate": "on"},
        "public-complaint-status": {
            "action": "withdraw",
            "reason": "Sorted.",
            "expected_version": complaint.version,
        },
        "public-complaint-form": {
            "name": "Maria Rossi",
            "email": "maria@example.com",
            "language": "en",
            "subject": "Claim",
            "description": "Unpaid.",
        },
    }.get(name, {"note": "x", "body": "x", "reason": "x"})


@dataclass
class Answer:
    status: int
    location: str
    body: str
    # What else could tell the two apart: the type, a download's file name, caching, and the
    # cookies set (a new session id is how a public page grants access to a complaint).
    headers: tuple = ()
    cookies: tuple = ()

    def normalised(self, replacements: list[tuple[str, str]]) -> "Answer":
        location, body = self.location, self.body
        for old, new in replacements:
            location, body = location.replace(old, new), body.replace(old, new)
        return Answer(self.status, location, body, self.headers, self.cookies)


COMPARED_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "Retry-After")


TOKENS = [
    (re.compile(r'nonce="[^"]*"'), 'nonce="…"'),  # CSP, fresh per response
    (re.compile(r"\b[A-Za-z0-9]{64}\b"), "<csrf>"),  # the masked CSRF token
    (re.compile(r'(name="submission"[^>]*value=")[^"]*"'), r'\1…"'),  # idempotency tokens
]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode(errors="replace")
    for pattern, replacement in TOKENS:
        text = pattern.sub(replacement, text)
    return text


TOUCHED = """
    SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
    WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND relname <> 'django_session'
"""


def _touched() -> dict[str, int]:
    """Rows written per table in this transaction so far, rolled-back savepoints included
    (PostgreSQL's per-transaction counters: one cheap query for every table)."""
    with connection.cursor() as cursor:
        cursor.execute(TOUCHED)
        return dict(cursor.fetchall())


def _contents(tables: list[str]) -> dict[str, str]:
    """A digest of every row of ``tables``."""
    if not tables:
        return {}
    quote_name = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
        f" FROM {quote_name(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query, tables)
        return dict(cursor.fetchall())


def ask(
    client: Client, verb: str, url: str, data: dict, *, count_writes: bool = False
) -> tuple[Answer, list[str]]:
    """One request, undone afterwards (rows and cookies: a message or a new session of one
    answer must not show in the next); the answer, and (``count_writes``) the tables whose
    rows it changed.

    The counters name the tables the request wrote to, even in a savepoint it rolled back
    itself (a refused form's idempotency token); their rows are compared after the request and
    after this function's rollback (which is how they were before), so only a change that
    stayed counts."""
    before = touched = after = {}
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if count_writes:
            before = _touched()
        if verb == "GET":
            response = client.get(url)
        elif verb == "POST":
            response = client.post(url, data)
        else:
            response = client.generic(
                verb, url, urlencode(data), content_type="application/x-www-form-urlencoded"
            )
        if count_writes:
            touched = [t for t, n in _touched().items() if n != before.get(t, 0)]
            after = _contents(touched)
        transaction.set_rollback(True)
    client.cookies = cookies
    changed = [table for table, digest in _contents(list(after)).items() if after[table] != digest]
    answer = Answer(
        response.status_code,
        response.get("Location", ""),
        _body(response),
        headers=tuple(response.get(name, "") for name in COMPARED_HEADERS),
        cookies=tuple(sorted(response.cookies)),
    )
    return answer, changed


def _replacements(values_from: dict, values_to: dict, route: Route) -> list[tuple[str, str]]:
    """Turn an answer about ``values_from`` into one about ``values_to``: their addresses, and
    values distinctive enough to replace anywhere (references, slugs, tokens)."""
    path_from, path_to = route.url(values_from), route.url(values_to)
    pairs = [(path_from, path_to), (quote(path_from), quote(path_to))]
    for name, value in values_from.items():
        if isinstance(value, str) and len(value) > 6 and value != values_to[name]:
            pairs.append((value, str(values_to[name])))
    return pairs


@dataclass
class Case:
    variant: str
    foreign: dict
    missing: dict
    own: dict
    data_world: World
    own_world: World


def cases(route: Route, worlds: Worlds, member: Membership | None) -> list[Case]:
    acme, globex = worlds.acme, worlds.globex

    def values(world_of: Callable[[str], World], slug: str, missing: set[str] = frozenset()):
        filled = {"tenant_slug": slug}
        for name in route.parameters:
            if name == "tenant_slug":
                continue
            fill = FILL[name]
            filled[name] = fill.missing if name in missing else fill.value(world_of(name), member)
        return filled

    objects = route.objects
    found = []
    if objects:
        found.append(
            Case(
                "foreign object",
                foreign=values(lambda _: globex, "acme"),
                missing=values(lambda _: globex, "acme", missing=set(objects)),
                own=values(lambda _: acme, "acme"),
                data_world=globex,
                own_world=acme,
            )
        )
    if len(objects) > 1:
        # Acme's own parent, Globex's children; a coordinate follows its parent.
        parent = objects[0]

        def child_world(name):
            return globex if name in objects[1:] else acme

        found.append(
            Case(
                "foreign child",
                foreign=values(child_world, "acme"),
                missing=values(child_world, "acme", missing=set(objects[1:])),
                own=values(lambda _: acme, "acme"),
                data_world=acme,
                own_world=acme,
            )
        )
        assert parent  # the first object is the parent in every address of the app
    if route.is_staff and not globex.membership_of(member):  # else Globex is theirs
        found.append(
            Case(
                "foreign workspace",
                foreign=values(lambda _: globex, "globex"),
                missing=values(lambda _: globex, NO_SUCH_TENANT),
                own=values(lambda _: acme, "acme"),
                data_world=globex,
                own_world=acme,
            )
        )
    return found


def _client(worlds: Worlds, persona: str) -> tuple[Client, Membership | None]:
    client = Client(raise_request_exception=False)
    if persona == "anonymous":
        return client, None
    if persona == "complainant":
        # A customer whose browser follows a complaint at each tenant (filed both).
        session = client.session
        session[ACCESS_SESSION_KEY] = [worlds.acme.complaint.pk, worlds.globex.complaint.pk]
        session.save()
        return client, None
    member = worlds.acme.members[persona]
    client.force_login(member.user)
    return client, member


def roles(route: Route) -> list[str]:
    """Acme's personas and an anonymous visitor; on public pages also a customer whose browser
    follows a complaint (staff pages see no difference between that one and the anonymous);
    and Dana, a member of both tenants, asking in her Acme workspace for her Globex objects
    (her own notification and import there included)."""
    return [
        "anonymous",
        *(["complainant"] if route.is_public else []),
        *ACME_ROLES,
        "two_workspaces",
    ]


def accepted_verbs(route: Route, worlds: Worlds) -> list[str]:
    """GET and POST, and PUT, PATCH and DELETE where the view takes them: where Acme's admin
    asking for Acme's own object is not answered 405."""
    client, member = _client(worlds, "acme_admin")
    case = cases(route, worlds, member)[0]
    data = _post_data(route.name, case.own_world)
    return ["GET", "POST"] + [
        verb
        for verb in ("PUT", "PATCH", "DELETE")
        if ask(client, verb, route.url(case.own), data)[0].status != 405
    ]


def check(route: Route, worlds: Worlds, persona: str, verbs: list[str]) -> list[str]:
    """Every verb and variant of ``route`` for ``persona``: what went wrong, if anything."""
    client, member = _client(worlds, persona)
    problems = []
    for case in cases(route, worlds, member):
        foreign_url, missing_url = route.url(case.foreign), route.url(case.missing)
        data = _post_data(route.name, case.data_world)
        # Another workspace is refused before the view reads the verb: GET and POST suffice.
        for verb in verbs if case.variant != "foreign workspace" else ("GET", "POST"):
            where = f"{persona} {verb} {foreign_url} ({case.variant})"
            foreign, wrote = ask(client, verb, foreign_url, data, count_writes=True)
            missing, _ = ask(client, verb, missing_url, data)
            if wrote:
                problems.append(f"{where}: wrote {wrote}")
            expected = missing.normalised(_replacements(case.missing, case.foreign, route))
            if foreign != expected:
                problems.append(
                    f"{where}: answered {foreign.status} {foreign.location!r}, unlike a missing "
                    f"one ({missing.status} {missing.location!r}); differing: "
                    + ", ".join(
                        name
                        for name in ("body", "headers", "cookies")
                        if getattr(foreign, name) != getattr(expected, name)
                    )
                )
                continue
            # 405: the view does not take the verb, whatever the object (GET on a POST-only
            # step); the answer is already the missing object's.
            if foreign.status in (NOT_FOUND.get(route.name, 404), 405):
                continue
            # Not a "not found": fine only when the object does not matter at all.
            own, _ = ask(client, verb, route.url(case.own), _post_data(route.name, case.own_world))
            if own.normalised(_replacements(case.own, case.foreign, route)) != foreign:
                problems.append(
                    f"{where}: answered {foreign.status}, not a 404, and Acme's own object "
                    f"answers {own.status}: the answer depends on the object"
                )
    return problems


@pytest.mark.parametrize("route", MATRIX, ids=lambda route: route.name or route.route)
def test_another_tenants_object_is_a_404_like_a_missing_one_and_changes_nothing(db, worlds, route):
    with override_settings(MEDIA_ROOT=worlds.media_root):
        verbs = accepted_verbs(route, worlds)
        problems = [
            problem for persona in roles(route) for problem in check(route, worlds, persona, verbs)
        ]

    assert problems == []


# --- another tenant's object named in a form or a filter ---------------------------------------
#
# The same rule for the ids a page takes in its form or its query string: Acme's page, with the
# rest of a valid form, naming Globex's object answers as if it named nothing, and writes
# nothing. Each POST is also sent naming Acme's own object, which must be taken (written, or
# redirected): so the refusal is the foreign id's, not an incomplete form's.


@dataclass(frozen=True)
class FieldProbe:
    route: str
    field: str
    value: Callable[[World], object]  # the object as the field names it
    form: Callable[[World], dict] = lambda w: {}  # the rest of a valid form, in Acme's world
    target: Callable[[World], dict] = lambda w: {}  # the address's parameters, Acme's
    verb: str = "POST"
    missing: object = MISSING_ID
    persona: str = "acme_admin"

    @property
    def id(self) -> str:
        return f"{self.route}:{self.verb}:{self.field}"


def _step(name: str, state: str, **fields) -> dict:
    """A step's form on Acme's complaint in ``state``."""

    def form(world: World) -> dict:
        complaint = world.complaints_in[state]
        return {
            f"{name}-version": complaint.version,
            **{f"{name}-{k}": v for k, v in fields.items()},
        }

    return form


def _on(state: str) -> Callable[[World], dict]:
    return lambda w: {"reference": (w.complaints_in.get(state) or w.complaint).reference}


NEW_COMPLAINT = {
    "channel": "phone",
    "name": "Maria Rossi",
    "email": "maria@example.com",
    "language": "en",
    "severity": "medium",
    "subject": "Claim not paid",
    "description": "Six weeks.",
}
RULE = {"delay_minutes": 5, "sample_percent": 50, "order": 1, "source": "api", "is_active": "on"}


def _routing_rule(world: World) -> dict:
    return {
        "name": "Glass",
        "order": 5,
        "keywords": "glass",
        "department": world.department.pk,
        "strategy": "least_open",
        "is_active": "on",
    }


SLA_POLICY = {
    "name": "Fast",
    "acknowledgement_hours": 1,
    "first_response_hours": 2,
    "resolution_hours": 8,
    "is_active": "on",
}
PUBLIC_FORM = {
    "name": "Maria Rossi",
    "email": "maria@example.com",
    "language": "en",
    "subject": "Claim not paid",
    "description": "Six weeks.",
}

FIELD_PROBES = [
    FieldProbe("complaint-new", "brand", lambda w: w.brand.pk, lambda w: dict(NEW_COMPLAINT)),
    *[
        FieldProbe(
            "complaint-new",
            name,
            value,
            lambda w: {**NEW_COMPLAINT, "brand": w.brand.pk},
        )
        for name, value in [
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    FieldProbe(
        "complaint-step",
        "assess-category",
        lambda w: w.category.pk,
        _step(
            "assess",
            "acknowledged",
            severity="high",
            impact="medium",
            complexity="low",
            is_in_scope="yes",
        ),
        lambda w: _on("acknowledged")(w) | {"name": "assess"},
    ),
    FieldProbe(
        "complaint-step",
        "assign-department",
        lambda w: w.department.pk,
        _step("assign", "assessed"),
        lambda w: _on("assessed")(w) | {"name": "assign"},
    ),
    FieldProbe(
        "complaint-step",
        "assign-assignee",
        lambda w: w.handler.pk,
        lambda w: _step("assign", "assessed")(w) | {"assign-department": w.department.pk},
        lambda w: _on("assessed")(w) | {"name": "assign"},
    ),
    FieldProbe(
        "complaint-step",
        "resolve-root_cause",
        lambda w: w.cause.pk,
        _step("resolve", "investigating", resolution="We paid."),
        lambda w: _on("investigating")(w) | {"name": "resolve"},
    ),
    FieldProbe(
        "complaint-step",
        "merge-into",
        lambda w: w.complaints_in["acknowledged"].reference,
        _step("merge", "investigating"),
        lambda w: _on("investigating")(w) | {"name": "merge"},
        missing="ZZZ-2099-999999",
    ),
    FieldProbe(
        "complaint-transfer",
        "transfer-department",
        lambda w: w.department.pk,
        lambda w: {"transfer-version": w.complaints_in["investigating"].version},
        _on("investigating"),
    ),
    FieldProbe(
        "complaint-transfer",
        "transfer-assignee",
        lambda w: w.handler.pk,
        lambda w: {
            "transfer-version": w.complaints_in["investigating"].version,
            "transfer-department": w.department.pk,
        },
        _on("investigating"),
    ),
    FieldProbe(
        "complaint-link",
        "other",
        lambda w: w.complaints_in["acknowledged"].reference,
        target=_on("investigating"),
        missing="ZZZ-2099-999999",
    ),
    FieldProbe(
        "complaint-action-open",
        "owner",
        lambda w: w.handler.pk,
        lambda w: {
            "description": "Train the desk.",
            "due_date": (date.today() + timedelta(days=9)).isoformat(),
        },
        _on("resolved"),
    ),
    *[
        FieldProbe("survey-rule-new", name, value, lambda w: {**RULE, "survey": w.survey.pk})
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
        ]
    ],
    FieldProbe("survey-rule-new", "survey", lambda w: w.survey.pk, lambda w: dict(RULE)),
    FieldProbe(
        "survey-rule-edit",
        "survey",
        lambda w: w.survey.pk,
        lambda w: dict(RULE),
        lambda w: {"rule_id": w.rule.pk},
    ),
    FieldProbe("notification-read", "id", lambda w: w.notifications[w.admin.pk].pk),
    # The settings pages' choices.
    FieldProbe(
        "settings-complaint-categories",
        "parent",
        lambda w: w.category.pk,
        lambda w: {"name": "Glass", "code": "glass"},
    ),
    *[
        FieldProbe("settings-routing-rule-new", name, value, _routing_rule)
        for name, value in [
            ("department", lambda w: w.department.pk),
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    FieldProbe(
        "settings-routing-rule",
        "department",
        lambda w: w.department.pk,
        _routing_rule,
        lambda w: {"routing_rule_id": w.routing_rule.pk},
    ),
    *[
        FieldProbe("settings-sla-policy-new", name, value, lambda w: dict(SLA_POLICY))
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    # Filters and pre-filled forms in the query string.
    FieldProbe("survey-rule-new", "survey", lambda w: w.survey.pk, verb="GET"),
    *[
        FieldProbe("complaint-queue", name, value, lambda w: {"queue": "all"}, verb="GET")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("category", lambda w: w.category.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
        ]
    ],
    *[
        FieldProbe("response-list", name, value, verb="GET")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("performer", lambda w: w.handler.pk),
        ]
    ],
    FieldProbe("corrective-action-list", "owner", lambda w: w.handler.pk, verb="GET"),
    *[
        FieldProbe("dashboard-nps", name, value, verb="GET")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("department", lambda w: w.department.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    *[
        FieldProbe("dashboard-complaints", name, value, verb="GET")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("department", lambda w: w.department.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    *[
        FieldProbe("dashboard-csat", name, value, verb="GET")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("department", lambda w: w.department.pk),
            ("category", lambda w: w.category.pk),
            ("survey", lambda w: w.survey.pk),
        ]
    ],
    *[
        FieldProbe(page, name, value, verb="GET")
        for page in ("dashboard-summary", "dashboard-funnel")
        for name, value in [
            ("brand", lambda w: w.brand.pk),
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("department", lambda w: w.department.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    # The settings pages' department choices.
    FieldProbe(
        "settings-touchpoint-add",
        "owner_department",
        lambda w: w.department.pk,
        lambda w: {"code": "new-desk", "name": "New desk", "kind": "branch", "is_active": "on"},
    ),
    FieldProbe(
        "settings-department-add",
        "parent",
        lambda w: w.department.pk,
        lambda w: {"code": "new-desk", "name": "New desk"},
    ),
    FieldProbe(
        "settings-department-move",
        "parent",
        lambda w: w.department.pk,
        target=lambda w: {
            "department_id": Department.objects.for_tenant(w.tenant).get(code="south-branch").pk
        },
    ),
    # The routing tester: brand is required, so the other probes name Acme's brand.
    FieldProbe(
        "settings-routing-rules",
        "brand",
        lambda w: w.brand.pk,
        lambda w: {"severity": "high"},
        verb="GET",
    ),
    *[
        FieldProbe(
            "settings-routing-rules",
            name,
            value,
            lambda w: {"brand": w.brand.pk, "severity": "high"},
            verb="GET",
        )
        for name, value in [
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    FieldProbe("team", "department", lambda w: w.department.pk, verb="GET"),
    # The members' settings: a member's or an invitee's department.
    FieldProbe(
        "settings-member-invite",
        "department",
        lambda w: w.department.pk,
        lambda w: {"email": "probe@example.com", "role": "agent"},
    ),
    FieldProbe(
        "settings-member",
        "department",
        lambda w: w.department.pk,
        lambda w: {"role": "agent"},
        lambda w: {"membership_id": w.handler.pk},
    ),
    # The public pages: the form's lists, and the lookup's reference + contact.
    *[
        FieldProbe(
            "public-complaint-form",
            name,
            value,
            lambda w: dict(PUBLIC_FORM),
            lambda w: {"brand_slug": w.brand.slug},
            persona="anonymous",
        )
        for name, value in [
            ("touchpoint", lambda w: w.touchpoint.pk),
            ("category", lambda w: w.category.pk),
        ]
    ],
    FieldProbe(
        "public-complaint-lookup",
        "reference",
        lambda w: w.complaint.reference,
        lambda w: {"contact": f"maria@{w.tenant.slug}.example"},
        missing="ZZZ-2099-999999",
        persona="anonymous",
    ),
]


def _field_replacements(probe: FieldProbe, foreign) -> list[tuple[str, str]]:
    # The missing values are distinctive (987654321, ZZZ-2099-999999): replaced anywhere, as
    # where a form's error repeats what was sent.
    return [(str(probe.missing), str(foreign))]


def test_every_field_probe_names_a_page_of_the_app():
    assert {probe.route for probe in FIELD_PROBES} <= {route.name for route in ROUTES}


@pytest.mark.parametrize("probe", FIELD_PROBES, ids=lambda probe: probe.id)
def test_another_tenants_object_in_a_form_or_filter_is_like_a_missing_one(db, worlds, probe):
    acme, globex = worlds.acme, worlds.globex
    client, _member = _client(worlds, probe.persona)
    url = reverse(probe.route, kwargs={"tenant_slug": "acme", **probe.target(acme)})

    token = {"submission": secrets.token_urlsafe(24)} if probe.verb == "POST" else {}

    def send(value, *, count_writes=False):
        data = {**token, **probe.form(acme), probe.field: value}
        if probe.verb == "GET":
            return ask(client, "GET", f"{url}?{urlencode(data)}", {}, count_writes=count_writes)
        return ask(client, "POST", url, data, count_writes=count_writes)

    foreign_value = probe.value(globex)
    foreign, wrote = send(foreign_value, count_writes=True)
    missing, _ = send(probe.missing)
    own, own_wrote = send(probe.value(acme), count_writes=True)

    assert wrote == []
    assert foreign == missing.normalised(_field_replacements(probe, foreign_value))
    assert "Globex" not in foreign.body
    if probe.verb == "POST":  # Acme's own object is taken: the form was otherwise valid
        assert own_wrote or own.status == 302, (own.status, own.body[:2000])
