"""Move a table's id sequence so the next ids cross into one more digit (99 → 100 on a fresh
database): where ids are compared as text, the two sort the wrong way round."""

from django.db import connection


def next_ids_cross_a_digit(model) -> tuple[int, int]:
    """Set ``model``'s id sequence so its next two ids are 10ⁿ - 1 and 10ⁿ; returns them.

    Sequences only move forward (they ignore the test's rollback), so n is the smallest
    power that is still ahead of the sequence: 99 and 100 unless earlier tests went further.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (taken,) = cursor.fetchone()
        power = 10**2
        while power - 2 < taken:
            power *= 10
        cursor.execute("SELECT setval(%s, %s)", [sequence, power - 2])
    return power - 1, power
