"""Form widgets rendered in Python, for forms that are drawn on every request of a busy page.

Django renders each widget, and each ``<option>`` of a select, through a template of its own:
the queue's filter form cost more to draw than its rows. These widgets take the same context
(``get_context``: names, ids, values, which options are selected) and write the same HTML as
Django's templates, every value escaped (the standard library's ``escape``, which Django's
own wraps).
"""

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html``: ``True`` gives a bare name, ``False`` nothing."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f"{escape(str(option['label']))}</option>"
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        )
        # Reviewed for bandit: every name, value and label is escaped.
        return mark_safe(  # nosec B308 B703
            f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>{options}</select>'
        )


class _PlainInput:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        # Reviewed for bandit: every name, value and label is escaped.
        return mark_safe(  # nosec B308 B703
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}'
            f"{_attrs(widget['attrs'])}>"
        )


class PlainTextInput(_PlainInput, forms.TextInput):
    pass


class PlainDateInput(_PlainInput, forms.DateInput):
    pass


def filter_fields_html(form, *, skip: tuple[str, ...] = ()) -> SafeString:
    """The form's fields as a list's filter bar draws them (as ``templates/partials/filters.html``
    does for the other lists): a ``div.filter`` each with its label, widget and errors. Written
    here because the queue draws it on every request; every value is escaped."""
    parts = []
    for field in form:
        if field.name in skip:
            continue
        errors = "".join(
            f'<span class="error">{escape(str(error))}</span>' for error in field.errors
        )
        parts.append(
            f'<div class="filter{" has-error" if field.errors else ""}">'
            f'<label for="{escape(field.id_for_label)}">{escape(str(field.label))}</label>'
            f"{field.as_widget()}{errors}</div>"
        )
    # Reviewed for bandit: labels and errors escaped, widgets render escaped.
    return mark_safe("".join(parts))  # nosec B308 B703
