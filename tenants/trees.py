"""Trees of a tenant (departments, complaint categories) stored with materialised paths.

A node's ``path`` is the chain of ids from the root, each id zero-padded to
:data:`PATH_SEGMENT_WIDTH` digits: ``/0000000001/0000000004/0000000009/``. The padding is what
makes ``ORDER BY path`` the tree order with siblings in id (creation) order: unpadded, ``/1/100/``
sorts before ``/1/99/`` as text, and the order a user saw changed with the id sequence. A subtree
is one indexed prefix query (``path__startswith``). Every path is built by :func:`tree_path`;
read its ids with :func:`tree_path_ids` and its depth with :func:`tree_depth` rather than
splitting it (a count of slashes stays right, as the padding adds none). Nodes are added
through :func:`tree_node_create` and moved, with their whole subtree, by
:func:`tree_node_move` (one UPDATE rewrites every path below).
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

# Ten digits: ids up to 9 999 999 999; a 255-character path then holds 23 levels.
PATH_SEGMENT_WIDTH = 10


def tree_path(ids: Iterable[int], *, width: int = PATH_SEGMENT_WIDTH) -> str:
    """The path of the node whose chain of ids from the root is ``ids`` (the node's own last).

    ``width`` is for the data migrations only: 0 writes the old unpadded form (their reverse).
    """
    segments = [str(int(pk)).zfill(width) for pk in ids]
    if width and any(len(segment) > width for segment in segments):
        raise ValueError(f"A tree id has more than {width} digits; paths would mis-sort.")
    return "/" + "".join(f"{segment}/" for segment in segments)


def tree_path_ids(path: str) -> list[int]:
    """The ids of a path, root first (the node itself last); padded or not."""
    return [int(segment) for segment in path.strip("/").split("/") if segment]


def tree_depth(path: str) -> int:
    """0 for a root, 1 for its children, …"""
    return len(tree_path_ids(path)) - 1


def tree_node_create(model: type[models.Model], *, tenant: models.Model, parent, **fields):
    """Insert a node under ``parent`` (or as a root) and store its path. Call in a transaction.

    ``tenant`` is a ``tenants.models.Tenant``; not imported, as that module reads depths here.
    """
    node = model.objects.create(tenant=tenant, parent=parent, path="", **fields)
    node.path = tree_path([*(tree_path_ids(parent.path) if parent else []), node.pk])
    model.objects.for_tenant(tenant).filter(pk=node.pk).update(path=node.path)
    return node


def tree_node_move(model: type[models.Model], *, tenant: models.Model, node, parent) -> int:
    """Move ``node`` and its subtree under ``parent``; the number of paths rewritten.

    Call in a transaction that has locked the tree against other moves. The node's parent link
    changes and every path of its subtree gets the new prefix in one UPDATE (in SQL, so a
    subtree of thousands is one statement). Refuses (``ValueError``) a parent inside the
    subtree, which would make a cycle, and a path longer than the column.
    """
    old_prefix = node.path
    if parent is not None and parent.path.startswith(old_prefix):
        raise ValueError("A node cannot move under itself or one of its own descendants.")
    new_prefix = tree_path([*(tree_path_ids(parent.path) if parent else []), node.pk])
    nodes = model.objects.for_tenant(tenant)
    subtree = nodes.filter(path__startswith=old_prefix)
    longest = max(len(path) for path in subtree.values_list("path", flat=True))
    if longest - len(old_prefix) + len(new_prefix) > model._meta.get_field("path").max_length:
        raise ValueError("The tree would be deeper than its paths can hold.")
    nodes.filter(pk=node.pk).update(parent=parent)
    moved = subtree.update(
        path=Concat(
            Value(new_prefix), Substr("path", len(old_prefix) + 1), output_field=CharField()
        )
    )
    node.parent, node.path = parent, new_prefix
    return moved


def tree_paths_rebuild(model: type[models.Model], *, width: int = PATH_SEGMENT_WIDTH) -> int:
    """Recompute every stored path of ``model`` from the parent links; the count rewritten.

    For data migrations (``model`` may be a historical model, hence the base manager and no
    tenant scoping): the chains come from ``parent_id``, not from the old paths, so a path
    that was wrong is mended too.
    """
    manager = model._base_manager
    parents = dict(manager.values_list("pk", "parent_id"))
    chains: dict[int, list[int]] = {}

    def chain(pk: int) -> list[int]:
        # Walk up to the nearest known chain without recursion (a deep tree is no risk).
        pending, at = [], pk
        while at is not None and at not in chains:
            pending.append(at)
            at = parents[at]
        ids = chains[at] if at is not None else []
        for node in reversed(pending):
            ids = chains[node] = [*ids, node]
        return chains[pk]

    changed = []
    for node in manager.only("pk", "path").order_by("pk").iterator():
        path = tree_path(chain(node.pk), width=width)
        if node.path != path:
            node.path = path
            changed.append(node)
    manager.bulk_update(changed, ["path"], batch_size=1000)
    return len(changed)
