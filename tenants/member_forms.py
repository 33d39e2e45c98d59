"""Forms of the members' settings page and of the invitation's page. They check shapes; the
services (``tenants.members``) check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Department, Role


class _PlaceForm(forms.Form):
    """A role, and a department of the tenant (given as ``departments``)."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Admins and analysts see the whole workspace and need none."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class InviteForm(_PlaceForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    field_order = ["email", "role", "department"]


class MemberForm(_PlaceForm):
    pass


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    new_password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data
