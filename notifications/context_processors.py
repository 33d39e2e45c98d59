import functools

from notifications.selectors import unread_count


def bell(request) -> dict:
    """The member's unread count for the bell in the top bar.

    A callable, which templates call: counted only on a page that shows the bell, once
    (cached), and a real int ({% blocktranslate count %} refuses a lazy object).
    """
    member = getattr(request, "member", None)
    if member is None:
        return {}
    return {"unread_notifications": functools.cache(lambda: unread_count(member))}
