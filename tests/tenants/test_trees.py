"""Department trees list in tree order with siblings in creation order, whatever the ids."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from tenants.models import Department
from tenants.trees import tree_depth, tree_path, tree_path_ids
from tests.factories import make_department
from tests.tenants.sequences import next_ids_cross_a_digit


def test_siblings_past_id_99_list_in_creation_order(client_of, acme, acme_admin):
    head_office = Department.objects.for_tenant(acme).get(code="head-office")
    first_id, second_id = next_ids_cross_a_digit(Department)
    east = make_department(acme, "east", "East region", parent=head_office)
    west = make_department(acme, "west", "West region", parent=head_office)
    make_department(acme, "east-branch", "East branch", parent=east)
    assert (east.pk, west.pk) == (first_id, second_id)

    response = client_of(acme_admin).get(reverse("team", kwargs={"tenant_slug": "acme"}))

    assert [department.code for department in response.context["departments"]] == [
        "head-office",
        "north",
        "north-branch",
        "south",
        "south-branch",
        "east",
        "east-branch",
        "west",
    ]
    assert (
        west.depth == 1 and Department.objects.for_tenant(acme).get(code="east-branch").depth == 2
    )
    # The subtree is still one prefix query, and the region does not take in its neighbour.
    assert set(
        Department.objects.for_tenant(acme)
        .filter(path__startswith=east.path)
        .values_list("code", flat=True)
    ) == {"east", "east-branch"}


def test_a_path_is_fixed_width_ids_and_reads_back():
    path = tree_path([1, 99, 100])

    assert path == "/0000000001/0000000099/0000000100/"
    assert tree_path_ids(path) == [1, 99, 100]
    assert tree_depth(path) == 2
    assert tree_path_ids("/1/99/") == [1, 99]  # the old form still parses (the migration)
    assert tree_path([1, 99], width=0) == "/1/99/"
    with pytest.raises(ValueError, match="more than 10 digits"):
        tree_path([10**10])


def test_the_migration_pads_old_paths_and_its_reverse_restores_them(acme):
    departments = {d.code: d for d in Department.objects.for_tenant(acme)}
    head, north, branch = (departments[c].pk for c in ("head-office", "north", "north-branch"))
    old = {
        "head-office": f"/{head}/",
        "north": f"/{head}/{north}/",
        "north-branch": f"/{head}/{north}/{branch}/",
    }
    for code, path in old.items():
        Department.objects.for_tenant(acme).filter(pk=departments[code].pk).update(path=path)
    migration = importlib.import_module("tenants.migrations.0005_department_padded_paths")
    state = MigrationLoader(connection).project_state(("tenants", "0005_department_padded_paths"))

    migration.pad_paths(state.apps, None)

    paths = dict(Department.objects.for_tenant(acme).values_list("code", "path"))
    assert paths["north-branch"] == f"/{head:010d}/{north:010d}/{branch:010d}/"
    assert paths["head-office"] == f"/{head:010d}/"
    assert list(Department.objects.for_tenant(acme).values_list("code", flat=True)) == [
        "head-office",
        "north",
        "north-branch",
        "south",
        "south-branch",
    ]

    migration.unpad_paths(state.apps, None)

    paths = dict(Department.objects.for_tenant(acme).values_list("code", "path"))
    assert {code: paths[code] for code in old} == old


def test_a_move_rewrites_only_its_own_subtree_and_refuses_a_cycle_or_a_path_too_long(acme):
    from django.db import transaction

    from tenants.trees import tree_node_move

    nodes = Department.objects.for_tenant(acme)
    head, north, south = (nodes.get(code=code) for code in ("head-office", "north", "south"))
    before = dict(nodes.values_list("code", "path"))

    with transaction.atomic():
        moved = tree_node_move(Department, tenant=acme, node=south, parent=north)

    after = dict(nodes.values_list("code", "path"))
    assert moved == 2  # south and its branch
    assert after == {
        **before,
        "south": tree_path([head.pk, north.pk, south.pk]),
        "south-branch": tree_path([head.pk, north.pk, south.pk, nodes.get(code="south-branch").pk]),
    }
    with pytest.raises(ValueError, match="under itself"):
        tree_node_move(Department, tenant=acme, node=north, parent=nodes.get(code="south-branch"))
    # 20 levels below the north branch (23 from the top, as deep as paths go): under the
    # south branch, 4 from the top, it would not fit.
    parent = nodes.get(code="north-branch")
    for level in range(20):
        parent = make_department(acme, f"level-{level}", f"Level {level}", parent=parent)
    deep_before = dict(nodes.values_list("code", "path"))
    with pytest.raises(ValueError, match="deeper"):
        tree_node_move(
            Department,
            tenant=acme,
            node=nodes.get(code="north-branch"),
            parent=nodes.get(code="south-branch"),
        )
    assert dict(nodes.values_list("code", "path")) == deep_before
