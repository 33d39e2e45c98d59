"""Forms of the complaint settings pages. They check shapes and offer only the tenant's own
rows as choices (another tenant's id is "not a valid choice", like one that does not exist);
the services check the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Priority, RoutingRule, Severity
from complaints.setup_services import SETTINGS_FIELDS, priority_matrix_of
from customers.models import Segment
from tenants.filters import DepartmentChoiceField
from tenants.models import Brand, Department, Tenant, Touchpoint
from tenants.trees import tree_depth

ANY = _("Any")
SEVERITY_OR_ANY = [("", _("Any severity")), *Severity.choices]


class CategoryChoiceField(forms.ModelChoiceField):
    """A category, indented by its depth in the tree; an inactive one says so."""

    def label_from_instance(self, obj: Category) -> str:
        label = "\u00a0\u00a0" * tree_depth(obj.path) + obj.name
        return label if obj.is_active else f"{label} ({_('inactive')})"


def _categories(tenant_id: int, *, active_only: bool = False):
    categories = Category.objects.for_tenant(tenant_id).order_by("path")
    return categories.filter(is_active=True) if active_only else categories


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        help_text=_("Unique, never changes: lower-case letters, digits, hyphens (home-claims)."),
    )
    parent = CategoryChoiceField(
        queryset=Category.objects.none(),
        required=False,
        label=_("Under"),
        empty_label=_("At the top"),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _categories(tenant.pk, active_only=True)


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class RootCauseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        help_text=_("Unique, never changes: lower-case letters, digits, hyphens (slow-handling)."),
    )


class ActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(
        choices=[("yes", _("Active")), ("no", _("Inactive"))], coerce=lambda value: value == "yes"
    )


class ComplaintSettingsForm(forms.Form):
    reopen_window_days = forms.IntegerField(
        label=_("Reopen window (days)"),
        help_text=_("How long after closing a complaint can be reopened."),
    )
    repeat_threshold = forms.IntegerField(
        label=_("Repeat complainant: complaints"),
        help_text=_("A customer with this many complaints in the window is flagged."),
    )
    repeat_window_days = forms.IntegerField(label=_("Repeat complainant: window (days)"))
    acknowledgement_hours = forms.IntegerField(
        label=_("Acknowledge within (working hours)"),
        help_text=_("The default targets, where no SLA policy matches."),
    )
    first_response_hours = forms.IntegerField(label=_("First response within (working hours)"))
    resolution_days = forms.IntegerField(label=_("Resolve within (working days)"))
    warning_percent = forms.IntegerField(
        label=_("Warn at (percent of the time)"),
        help_text=_("The handler is warned when this share of a clock's time has passed."),
    )
    escalation_hours = forms.IntegerField(
        label=_("Escalate every (working hours) after a breach"),
        help_text=_("Each time to the managers one level further up the department tree."),
    )
    max_attachment_mb = forms.IntegerField(label=_("Largest attachment (MB)"))
    transfer_sideways = forms.BooleanField(
        label=_("Transfers sideways"),
        required=False,
        help_text=_(
            "Members may hand a complaint to any department, not only to their own, those "
            "above it and those below it."
        ),
    )
    internal_review = forms.CharField(
        label=_("Internal review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Told to the customer with every decision: how to ask for a review."),
    )
    external_body = forms.CharField(
        label=_("External dispute-resolution body"),
        max_length=300,
        help_text=_("Where the customer may go if the review does not satisfy them."),
    )

    @staticmethod
    def initial_for(row) -> dict:
        return {field: getattr(row, field) for field in SETTINGS_FIELDS}


class PriorityMatrixForm(forms.Form):
    """One choice of priority per severity (rows) and customer segment (columns)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for severity, severity_label in Severity.choices:
            for segment, segment_label in Segment.choices:
                self.fields[self.field_name(severity, segment)] = forms.TypedChoiceField(
                    label=_("%(severity)s severity, %(segment)s customer")
                    % {"severity": severity_label, "segment": segment_label},
                    choices=Priority.choices,
                    coerce=int,
                )

    @staticmethod
    def field_name(severity: str, segment: str) -> str:
        return f"{severity}__{segment}"

    @classmethod
    def initial_for(cls, row) -> dict:
        return {
            cls.field_name(severity, segment): priority
            for severity, cells in priority_matrix_of(row).items()
            for segment, priority in cells.items()
        }

    def segments(self) -> list[str]:
        return [label for _value, label in Segment.choices]

    def rows(self) -> list[tuple[str, list]]:
        """(severity label, its cells' bound fields), most severe first."""
        return [
            (label, [self[self.field_name(severity, segment)] for segment in Segment.values])
            for severity, label in reversed(Severity.choices)
        ]

    def matrix(self) -> dict[str, dict[str, int]]:
        return {
            severity: {
                segment: self.cleaned_data[self.field_name(severity, segment)]
                for segment in Segment.values
            }
            for severity in Severity.values
        }


class _ConditionsForm(forms.Form):
    """Brand, category and severity choices of the tenant (empty: any)."""

    brand = forms.ModelChoiceField(
        queryset=Brand.objects.none(), required=False, label=_("Brand"), empty_label=ANY
    )
    category = CategoryChoiceField(
        queryset=Category.objects.none(),
        required=False,
        label=_("Category"),
        empty_label=ANY,
        help_text=_("Matches this category and those below it."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=SEVERITY_OR_ANY, required=False)

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.for_tenant(tenant).order_by("name", "pk")
        self.fields["category"].queryset = _categories(tenant.pk)


class SlaPolicyForm(_ConditionsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    acknowledgement_hours = forms.IntegerField(label=_("Acknowledge within (working hours)"))
    first_response_hours = forms.IntegerField(label=_("First response within (working hours)"))
    resolution_hours = forms.IntegerField(label=_("Resolve within (working hours)"))
    warning_percent = forms.IntegerField(
        label=_("Warn at (percent of the time)"),
        required=False,
        help_text=_("Empty: the organisation's default."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_order = [
        "name",
        "brand",
        "category",
        "severity",
        "acknowledgement_hours",
        "first_response_hours",
        "resolution_hours",
        "warning_percent",
        "is_active",
    ]

    @staticmethod
    def initial_for(policy) -> dict:
        return {
            "name": policy.name,
            "brand": policy.brand_id,
            "category": policy.category_id,
            "severity": policy.severity,
            "acknowledgement_hours": policy.acknowledgement_hours,
            "first_response_hours": policy.first_response_hours,
            "resolution_hours": policy.resolution_hours,
            "warning_percent": policy.warning_percent,
            "is_active": policy.is_active,
        }


class RoutingRuleForm(_ConditionsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    order = forms.IntegerField(
        label=_("Order"),
        initial=100,
        help_text=_("Rules are tried from the lowest order; the first that matches decides."),
    )
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.none(), required=False, label=_("Touchpoint"), empty_label=ANY
    )
    keywords = forms.CharField(
        label=_("Words in the text"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated; any one of them in the subject or text matches."),
    )
    department = DepartmentChoiceField(queryset=Department.objects.none(), label=_("Department"))
    strategy = forms.ChoiceField(
        label=_("Handler"),
        choices=RoutingRule.Strategy.choices,
        initial=RoutingRule.Strategy.LEAST_OPEN,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_order = [
        "name",
        "order",
        "brand",
        "touchpoint",
        "category",
        "severity",
        "keywords",
        "department",
        "strategy",
        "is_active",
    ]

    def __init__(self, *args, tenant: Tenant, rule=None, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_tenant(tenant).order_by(
            "name", "pk"
        )
        # A closed department receives nothing: it is offered only to the rule that has it.
        current = rule.department_id if rule is not None else None
        self.fields["department"].queryset = (
            Department.objects.for_tenant(tenant)
            .filter(Q(is_active=True) | Q(pk=current))
            .order_by("path")
        )

    @staticmethod
    def initial_for(rule) -> dict:
        return {
            "name": rule.name,
            "order": rule.order,
            "brand": rule.brand_id,
            "touchpoint": rule.touchpoint_id,
            "category": rule.category_id,
            "severity": rule.severity,
            "keywords": rule.keywords,
            "department": rule.department_id,
            "strategy": rule.strategy,
            "is_active": rule.is_active,
        }


class RouteTrialForm(_ConditionsForm):
    """The tester: the details of a complaint that is not filed."""

    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.none(), required=False, label=_("Touchpoint"), empty_label=ANY
    )
    text = forms.CharField(
        label=_("Subject and text"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["brand", "touchpoint", "category", "severity", "text"]

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.fields["brand"].required = True
        self.fields["brand"].empty_label = None
        self.fields["category"].empty_label = _("None")
        self.fields["category"].help_text = ""
        self.fields["severity"].choices = Severity.choices
        self.fields["severity"].required = True
        self.fields["severity"].initial = Severity.MEDIUM
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_tenant(tenant).order_by(
            "name", "pk"
        )
        self.fields["touchpoint"].empty_label = _("None")


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
