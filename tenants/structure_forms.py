"""Forms of the brands, touchpoints and departments settings pages. They check shapes; the
services (``tenants.brand_services``, ``tenants.structure``) check the rules."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.brand_services import BRAND_FIELDS
from tenants.models import Brand, BrandText, Department, Tenant, Touchpoint


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments in tree order, each indented by its depth."""

    def label_from_instance(self, department: Department) -> str:
        closed = "" if department.is_active else f" ({_('closed')})"
        return f"{'— ' * department.depth}{department.name}{closed}"


def departments_of(tenant: Tenant, *, open_only: bool = True):
    departments = Department.objects.for_tenant(tenant).order_by("path")
    return departments.filter(is_active=True) if open_only else departments


class BrandForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=50,
        help_text=_("In the addresses of the brand's public pages: /c/<organisation>/<slug>/."),
    )
    reference_prefix = forms.CharField(
        label=_("Reference prefix"),
        max_length=6,
        help_text=_("Two to six capital letters; starts the brand's references (AIN-2026-000123)."),
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Buttons on the public pages; white or dark text on it must read (4.5:1)."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}),
        help_text=_("PNG or JPEG, up to 512 KB."),  # LOGO_MAX_BYTES
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    sender_name = forms.CharField(label=_("Sender name"), max_length=200)
    sender_email = forms.EmailField(label=_("Sender address"))
    reply_to_email = forms.EmailField(
        label=_("Reply-to address"),
        required=False,
        help_text=_("Where customers' replies go; empty: the sender address."),
    )
    phone = forms.CharField(label=_("Customer phone line"), max_length=32, required=False)
    contact_email = forms.EmailField(
        label=_("Public contact address"),
        required=False,
        help_text=_("Shown on how to complain; empty: the sender address."),
    )
    postal_address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive brand's public pages answer “not found”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"how_to_complain_{code}"] = forms.CharField(
                label=_("How to complain (%(language)s)") % {"language": _(name)},
                required=False,
                max_length=BrandText._meta.get_field("how_to_complain").max_length,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=(
                    _("Opens the brand's how-to-complain page in this language; empty: our text.")
                    if code == settings.LANGUAGES[0][0]
                    else ""
                ),
            )

    @classmethod
    def initial_for(cls, brand: Brand | None) -> dict:
        if brand is None:
            return {"colour": "#1f5fa8", "is_active": True}
        initial = {name: getattr(brand, name) for name in BRAND_FIELDS}
        for text in BrandText.objects.for_tenant(brand.tenant_id).filter(brand=brand):
            initial[f"how_to_complain_{text.language}"] = text.how_to_complain
        return initial

    def values(self) -> dict:
        """The cleaned form as ``brand_save`` takes it."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in BRAND_FIELDS},
            "texts": {code: data[f"how_to_complain_{code}"] for code, _name in settings.LANGUAGES},
            "logo": data["logo"] or None,
            "remove_logo": data["remove_logo"],
        }


class TouchpointForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Touchpoint.Kind.choices)
    owner_department = DepartmentChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Its managers call back the touchpoint's critics."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, tenant: Tenant, touchpoint: Touchpoint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments_of(tenant, open_only=False)
        if touchpoint is None or touchpoint.owner_department_id is None:
            departments = departments.filter(is_active=True)
        else:  # the closed department it already has stays choosable
            departments = departments.filter(is_active=True) | departments.filter(
                pk=touchpoint.owner_department_id
            )
        self.fields["owner_department"].queryset = departments

    @staticmethod
    def initial_for(touchpoint: Touchpoint | None) -> dict:
        if touchpoint is None:
            return {"is_active": True}
        return {
            "code": touchpoint.code,
            "name": touchpoint.name,
            "kind": touchpoint.kind,
            "owner_department": touchpoint.owner_department_id,
            "is_active": touchpoint.is_active,
        }


class DepartmentAddForm(forms.Form):
    # Left empty only for a tenant's first department, the top of the tree: the service asks
    # for a parent once there is one.
    parent = DepartmentChoiceField(
        label=_("Under"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("At the top (the first department only)"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Letters, digits and hyphens; how integrators name it."),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = departments_of(tenant)


class DepartmentRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class DepartmentMoveForm(forms.Form):
    parent = DepartmentChoiceField(label=_("Move under"), queryset=Department.objects.none())

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = departments_of(tenant)
