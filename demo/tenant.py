"""The demo tenant: a multi-brand insurer group, safe to build again and again."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tenants.models import Brand, Department, Membership, Role, Tenant, Touchpoint
from tenants.permissions import Action, role_can, roles_allowed
from tenants.services import department_ensure, membership_grant

DEMO_TENANT_SLUG = "aegean"
DEMO_PASSWORD = "loopdesk-demo"

BRANDS = [
    # slug, name, reference prefix, phone, sender name, sender address, colour
    ("aegean-insurance", "Aegean Insurance", "AIN", "+30 210 000 1000",
     "Aegean Insurance Care", "care@aegean-insurance.example", "#1f5fa8"),
    ("aegean-direct", "Aegean Direct", "ADI", "+30 210 000 2000",
     "Aegean Direct", "hello@aegean-direct.example", "#0b7a61"),
    ("aegean-road", "Aegean Road Assist", "ARA", "+30 210 000 3000",
     "Aegean Road Assist", "help@aegean-road.example", "#d9731a"),
]  # fmt: skip

# code, name, parent code
DEPARTMENTS = [
    ("head-office", "Head office", None),
    ("attica", "Attica region", "head-office"),
    ("north", "Northern Greece region", "head-office"),
    ("athens-centre", "Athens Centre branch", "attica"),
    ("piraeus", "Piraeus branch", "attica"),
    ("thessaloniki", "Thessaloniki branch", "north"),
    ("larissa", "Larissa branch", "north"),
]

# code, name, kind, owning department
TOUCHPOINTS = [
    ("call-centre", "Customer call centre", Touchpoint.Kind.CALL_CENTRE, "head-office"),
    ("branches", "Branch network", Touchpoint.Kind.BRANCH, "head-office"),
    ("claims-desk", "Motor & property claims desk", Touchpoint.Kind.CLAIMS_DESK, "attica"),
    ("road-assistance", "Roadside assistance dispatch", Touchpoint.Kind.ROAD_ASSISTANCE, "north"),
    ("mobile-app", "Aegean mobile app", Touchpoint.Kind.MOBILE_APP, "head-office"),
    ("web-portal", "Online customer portal", Touchpoint.Kind.WEB, "head-office"),
]

# email, first name, last name, role, department code, external code
PEOPLE = [
    ("admin@aegean.example", "Ελένη", "Παπαδοπούλου", Role.ADMIN, "head-office", ""),
    ("nikos.georgiou@aegean.example", "Νίκος", "Γεωργίου", Role.MANAGER, "attica", "EMP-0201"),
    ("giulia.rossi@aegean.example", "Giulia", "Rossi", Role.MANAGER, "north", "EMP-0202"),
    (
        "maria.konstantinou@aegean.example",
        "Μαρία",
        "Κωνσταντίνου",
        Role.AGENT,
        "athens-centre",
        "EMP-1001",
    ),
    ("dimitris.alexiou@aegean.example", "Δημήτρης", "Αλεξίου", Role.AGENT, "piraeus", "EMP-1002"),
    ("carmen.lopez@aegean.example", "Carmen", "López García", Role.AGENT, "attica", "EMP-1003"),
    ("alexei.smirnov@aegean.example", "Алексей", "Смирнов", Role.AGENT, "thessaloniki", "EMP-1004"),
    ("francesca.bianchi@aegean.example", "Francesca", "Bianchi", Role.AGENT, "larissa", "EMP-1005"),
    (
        "giorgos.nikolaou@aegean.example",
        "Γιώργος",
        "Νικολάου",
        Role.PERFORMER,
        "thessaloniki",
        "RA-2001",
    ),
    (
        "jose.martinez@aegean.example",
        "José",
        "Martínez Ruiz",
        Role.PERFORMER,
        "athens-centre",
        "CL-2002",
    ),
    ("olga.petrova@aegean.example", "Ольга", "Петрова", Role.PERFORMER, "larissa", "RA-2003"),
]


@dataclass
class DemoTenant:
    tenant: Tenant
    admin_email: str
    password: str


@transaction.atomic
def seed_demo_tenant() -> DemoTenant:
    """Create or bring back the demo tenant; running it twice leaves the same rows."""
    tenant, _ = Tenant.objects.update_or_create(
        slug=DEMO_TENANT_SLUG,
        defaults={
            "name": "Aegean Mutual Group",
            "country": "GR",
            "time_zone": "Europe/Athens",
            "default_language": "el",
            "is_active": True,
        },
    )
    for slug, name, prefix, phone, sender_name, sender_email, colour in BRANDS:
        Brand.objects.update_or_create(
            tenant=tenant,
            slug=slug,
            defaults={
                "name": name,
                "reference_prefix": prefix,
                "phone": phone,
                "sender_name": sender_name,
                "sender_email": sender_email,
                "colour": colour,
                "is_active": True,
            },
        )

    departments: dict[str, Department] = {}
    for code, name, parent_code in DEPARTMENTS:
        departments[code] = department_ensure(
            tenant=tenant, actor=None, code=code, name=name, parent=departments.get(parent_code)
        )

    for code, name, kind, department_code in TOUCHPOINTS:
        Touchpoint.objects.update_or_create(
            tenant=tenant,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "owner_department": departments[department_code],
                "is_active": True,
            },
        )

    User = get_user_model()
    for email, first_name, last_name, role, department_code, external_code in PEOPLE:
        user, _ = User.objects.update_or_create(
            username=email,
            defaults={
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "is_active": True,
                "is_staff": role_can(role, Action.MANAGE_TENANT),
                "is_superuser": role_can(role, Action.MANAGE_TENANT),
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        membership_grant(
            tenant=tenant,
            actor=None,
            user=user,
            role=role,
            department=departments[department_code],
            external_code=external_code,
        )
    return DemoTenant(tenant=tenant, admin_email=PEOPLE[0][0], password=DEMO_PASSWORD)


def demo_actor(tenant: Tenant) -> Membership | None:
    """Who the demo acts as when it files, steps and surveys: the tenant's first active member
    who may manage it (its administrator: sees every department, may take every step)."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role__in=roles_allowed(Action.MANAGE_TENANT))
        .select_related("tenant", "user", "department")
        .order_by("pk")
        .first()
    )
