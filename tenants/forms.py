"""Form helpers shared by every app's pages."""

from django import forms

from tenants.errors import ApplicationError


def show_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a domain error on a bound form: its per-field messages on the (visible) fields,
    its message on top unless a field already says it."""
    shown = set()
    for name, field_messages in error.fields.items():
        target = name if name in form.fields and not form[name].is_hidden else None
        for message in field_messages:
            form.add_error(target, str(message))
            shown.add(str(message))
    if error.message not in shown:
        form.add_error(None, error.message)
