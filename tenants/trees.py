"""Trees of a tenant (departments, complaint categories) stored with materialised paths.

A node's ``path`` is the chain of ids from the root, ``/1/4/9/``: a subtree is one indexed
prefix query (``path__startswith``). Nodes are only added through :func:`tree_node_create`;
moving a node would have to rewrite its subtree and is not offered.
"""

from django.db import models

from tenants.models import Tenant


def tree_node_create(model: type[models.Model], *, tenant: Tenant, parent, **fields):
    """Insert a node under ``parent`` (or as a root) and store its path. Call in a transaction."""
    node = model.objects.create(tenant=tenant, parent=parent, path="", **fields)
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    model.objects.for_tenant(tenant).filter(pk=node.pk).update(path=node.path)
    return node
