"""Inserting thousands of rows at once, skipping those whose unique key is taken.

A beat scan writes a tick's alerts and notifications this way: a doubled scan, or one racing
this one, has written some of them already, and their unique keys keep one of each.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import JSONField, Model


def insert_new_rows(
    model: type[Model],
    *,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    same: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (each the values of ``fields``, in order; foreign keys by their column,
    ``tenant_id``), each with the ``same`` values too, skipping a row whose unique key exists.

    On PostgreSQL one ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`` statement,
    without a model instance per row; elsewhere ``bulk_create(ignore_conflicts=True)``. Raw
    SQL: the caller owns the rows' tenants (every row names its ``tenant_id``).
    """
    if not rows:
        return
    same = dict(same or {})
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**same, **dict(zip(fields, row, strict=True))) for row in rows],
            ignore_conflicts=True,
        )
        return
    meta = model._meta
    varying = [meta.get_field(name) for name in fields]
    constant = [meta.get_field(name) for name in same]
    # JSON values go in as text, cast by the column's array type (``jsonb[]``).
    is_json = [isinstance(field, JSONField) for field in varying]
    if any(is_json):
        rows = [
            [
                json.dumps(value, cls=DjangoJSONEncoder) if json_ else value
                for value, json_ in zip(row, is_json, strict=True)
            ]
            for row in rows
        ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*varying, *constant])
    values = ", ".join(["*", *("%s" for _field in constant)])
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in varying)
    # Only names quoted from the model, placeholders and column types are written into the SQL;
    # values are parameters.
    insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {values}"
    with connection.cursor() as cursor:
        cursor.execute(
            insert + f" FROM unnest({arrays}) ON CONFLICT DO NOTHING",
            [*same.values(), *(list(column) for column in zip(*rows, strict=True))],
        )
