"""The complaint categories (a tree) and root causes (a list) on the settings pages: admins
add, rename and deactivate them (audited), managers read, other roles see nothing."""

import pytest

from complaints.models import Category, RootCause
from complaints.selectors import categories, root_causes
from complaints.services import category_create
from tenants.models import AuditEntry

CATEGORIES = "/acme/settings/complaints/categories/"
CAUSES = "/acme/settings/complaints/root-causes/"


def _audit(tenant, prefix: str) -> list[tuple[str, dict]]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", "changes")
    )


@pytest.fixture
def claims(acme):
    return category_create(tenant=acme, actor=None, code="claims", name="Claims")


def test_an_admin_adds_a_category_under_another_and_it_is_offered_in_tree_order(
    acme, acme_admin, claims, client_of
):
    client = client_of(acme_admin)

    response = client.post(CATEGORIES, {"name": "Windscreen", "code": "glass", "parent": claims.pk})
    client.post(CATEGORIES, {"name": "Billing", "code": "billing", "parent": ""})
    page = client.get(CATEGORIES).content.decode()

    assert response.status_code == 302
    glass = Category.objects.for_tenant(acme).get(code="glass")
    assert (glass.parent_id, glass.path.startswith(claims.path)) == (claims.pk, True)
    assert [c.code for c in categories(acme.pk)] == ["claims", "glass", "billing"]
    assert "\u2003Windscreen" in page  # indented under Claims
    entry = AuditEntry.objects.for_tenant(acme).get(action="category.created", target_id=glass.pk)
    assert entry.actor == acme_admin.user
    assert entry.changes == {"code": [None, "glass"], "parent": [None, "claims"]}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "Again", "code": "claims"}, "claims is already taken: codes are unique."),
        ({"name": "Spaces", "code": "home claims"}, "Lower-case letters, digits and single"),
        ({"name": "   ", "code": "empty"}, "This field is required."),
        ({"name": "Orphan", "code": "orphan", "parent": 987654321}, "Select a valid choice."),
    ],
)
def test_a_bad_category_is_refused_with_a_message_and_nothing_added(
    acme, acme_admin, claims, client_of, form, message
):
    response = client_of(acme_admin).post(CATEGORIES, form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Category.objects.for_tenant(acme).values_list("code", flat=True)) == ["claims"]
    assert [action for action, _changes in _audit(acme, "category.")] == ["category.created"]


def test_a_category_is_renamed_and_its_code_stays(acme, acme_admin, claims, client_of):
    url = f"{CATEGORIES}{claims.pk}/"

    refused = client_of(acme_admin).post(url, {"name": ""})
    renamed = client_of(acme_admin).post(url, {"name": "Motor claims"})

    assert refused.status_code == 400
    assert renamed.status_code == 302
    claims.refresh_from_db()
    assert (claims.code, claims.name) == ("claims", "Motor claims")
    assert _audit(acme, "category.renamed") == [
        ("category.renamed", {"name": ["Claims", "Motor claims"]})
    ]


def test_deactivating_a_category_takes_its_subtree_off_the_forms(
    acme, acme_admin, claims, client_of
):
    glass = category_create(tenant=acme, actor=None, code="glass", name="Glass", parent=claims)
    category_create(tenant=acme, actor=None, code="billing", name="Billing")
    client = client_of(acme_admin)

    off = client.post(f"{CATEGORIES}{claims.pk}/active/", {"is_active": "no"})
    child_first = client.post(f"{CATEGORIES}{glass.pk}/active/", {"is_active": "yes"})

    assert off.status_code == 302
    assert [c.code for c in categories(acme.pk)] == ["billing"]
    assert child_first.status_code == 400
    assert "Activate the category above it first." in child_first.content.decode()
    assert _audit(acme, "category.deactivated") == [
        (
            "category.deactivated",
            {"is_active": [True, False], "categories": [None, ["claims", "glass"]]},
        )
    ]

    on = client.post(f"{CATEGORIES}{claims.pk}/active/", {"is_active": "yes"})

    assert on.status_code == 302
    assert [c.code for c in categories(acme.pk)] == ["claims", "billing"]  # glass stays off


def test_an_admin_adds_renames_and_deactivates_a_root_cause(acme, acme_admin, client_of):
    client = client_of(acme_admin)

    added = client.post(CAUSES, {"name": "Slow claim handling", "code": "slow-handling"})
    duplicate = client.post(CAUSES, {"name": "Slow again", "code": "slow-handling"})
    cause = RootCause.objects.for_tenant(acme).get()
    renamed = client.post(f"{CAUSES}{cause.pk}/", {"name": "Slow handling"})
    off = client.post(f"{CAUSES}{cause.pk}/active/", {"is_active": "no"})

    assert [added.status_code, duplicate.status_code, renamed.status_code, off.status_code] == [
        302,
        400,
        302,
        302,
    ]
    assert "slow-handling is already taken: codes are unique." in duplicate.content.decode()
    cause.refresh_from_db()
    assert (cause.code, cause.name, cause.is_active) == ("slow-handling", "Slow handling", False)
    assert list(root_causes(acme.pk)) == []  # no longer offered on the resolution form
    assert [action for action, _changes in _audit(acme, "root_cause.")] == [
        "root_cause.created",
        "root_cause.renamed",
        "root_cause.deactivated",
    ]


@pytest.mark.parametrize("url", [CATEGORIES, CAUSES])
def test_a_manager_reads_but_cannot_add(acme, acme_manager, claims, client_of, url):
    client = client_of(acme_manager)

    page = client.get(url)
    refused = client.post(url, {"name": "Sneaky", "code": "sneaky"})

    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert "Deactivate" not in page.content.decode()
    assert refused.status_code == 403
    assert not Category.objects.for_tenant(acme).filter(code="sneaky").exists()
    assert not RootCause.objects.for_tenant(acme).exists()
    assert AuditEntry.objects.for_tenant(acme).filter(actor=acme_manager.user).count() == 0


def test_a_manager_cannot_rename_or_deactivate(acme, acme_manager, claims, client_of):
    client = client_of(acme_manager)

    renamed = client.post(f"{CATEGORIES}{claims.pk}/", {"name": "Mine"})
    off = client.post(f"{CATEGORIES}{claims.pk}/active/", {"is_active": "no"})

    assert (renamed.status_code, off.status_code) == (403, 403)
    claims.refresh_from_db()
    assert (claims.name, claims.is_active) == ("Claims", True)


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
@pytest.mark.parametrize("url", [CATEGORIES, CAUSES])
def test_other_roles_get_forbidden(persona, url, request, client_of):
    member = request.getfixturevalue(persona)

    assert client_of(member).get(url).status_code == 403
    assert client_of(member).post(url, {"name": "X", "code": "x"}).status_code == 403


def test_another_tenants_category_is_not_found_and_unchanged(acme, acme_admin, globex, client_of):
    theirs = category_create(tenant=globex, actor=None, code="claims", name="Sinistri")
    client = client_of(acme_admin)

    answers = [
        client.get(f"{CATEGORIES}{theirs.pk}/").status_code,
        client.post(f"{CATEGORIES}{theirs.pk}/", {"name": "Ours"}).status_code,
        client.post(f"{CATEGORIES}{theirs.pk}/active/", {"is_active": "no"}).status_code,
        client.post(
            CATEGORIES, {"name": "Child", "code": "child", "parent": theirs.pk}
        ).status_code,
    ]

    assert answers == [404, 404, 404, 400]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.is_active) == ("Sinistri", True)
    assert not Category.objects.for_tenant(acme).exists()


def test_the_lists_read_a_fixed_number_of_queries(
    acme, acme_admin, claims, client_of, django_assert_num_queries
):
    client = client_of(acme_admin)
    client.get(CATEGORIES)
    client.get(CAUSES)
    # the workspace's 4 (session, user, memberships, bell) and the list; for categories also
    # the add form's parents
    with django_assert_num_queries(6):
        client.get(CATEGORIES)
    with django_assert_num_queries(5):
        client.get(CAUSES)

    for number in range(30):
        category_create(
            tenant=acme, actor=None, code=f"c{number}", name=f"C {number}", parent=claims
        )
        RootCause.objects.create(tenant=acme, code=f"r{number}", name=f"R {number}")

    with django_assert_num_queries(6):
        assert "C 29" in client.get(CATEGORIES).content.decode()
    with django_assert_num_queries(5):
        assert "R 29" in client.get(CAUSES).content.decode()
