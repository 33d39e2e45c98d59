"""Forms of the agents' workspace. They parse and validate shapes; the workflow decides."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from complaints import selectors
from complaints.attachments import ALLOWED_ATTACHMENT_TYPES
from complaints.models import Channel, Level, Severity
from complaints.services import TEXT_MAX_LENGTH, text_too_long_message
from complaints.transfers import transfer_departments
from tenants.models import Brand, Department, Membership, Touchpoint

ACCEPTED_EXTENSIONS = ",".join(sorted(set().union(*ALLOWED_ATTACHMENT_TYPES.values())))


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the browser pick several files (Django docs: multiple uploads)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, cleaned to a list; the services check type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        uploads = data if isinstance(data, list | tuple) else [data]
        return [single(upload, initial) for upload in uploads if upload]


class ComplaintCreateForm(forms.Form):
    """An agent files a complaint received by phone, email or in person."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("Brand"))
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[
            (c, label)
            for c, label in Channel.choices
            if c in (Channel.AGENT, Channel.PHONE, Channel.EMAIL)
        ],
        initial=Channel.PHONE,
    )
    name = forms.CharField(label=_("Complainant's name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Complainant's language"), choices=settings.LANGUAGES)
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.none(), required=False, label=_("Touchpoint")
    )
    category = forms.ModelChoiceField(
        queryset=selectors.Category.objects.none(), required=False, label=_("Category")
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": lazy(text_too_long_message, str)()},
    )
    remedy_requested = forms.CharField(
        label=_("What the complainant asks for"),
        widget=forms.Textarea,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": lazy(text_too_long_message, str)()},
    )
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.for_tenant(tenant).filter(is_active=True)
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_tenant(tenant).filter(
            is_active=True
        )
        self.fields["category"].queryset = selectors.categories(tenant.pk)
        self.fields["language"].initial = tenant.default_language


class StepForm(forms.Form):
    """Every workflow form carries the version the page showed (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AssessForm(StepForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Level.choices)
    is_in_scope = forms.TypedChoiceField(
        label=_("Is it a complaint we handle?"),
        choices=[("yes", _("Yes, in scope")), ("no", _("No, out of scope"))],
        coerce=lambda value: value == "yes",
        initial="yes",
    )
    category = forms.ModelChoiceField(
        queryset=selectors.Category.objects.none(), required=False, label=_("Category")
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories(member.tenant_id)


class AssignForm(StepForm):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("Department"))
    assignee = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label=_("Handler")
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.routable_departments(member)
        self.fields["assignee"].queryset = selectors.handlers(member)
        self.fields["assignee"].label_from_instance = lambda m: (
            f"{m.user.get_full_name() or m.user.get_username()} · {m.department.name}"
        )


class QuestionForm(StepForm):
    question = forms.CharField(
        label=_("What do you need from the complainant?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(StepForm):
    body = forms.CharField(
        label=_("The complainant's answer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(StepForm):
    root_cause = forms.ModelChoiceField(
        queryset=selectors.RootCause.objects.none(), label=_("Root cause")
    )
    resolution = forms.CharField(
        label=_("Response to the complainant"), widget=forms.Textarea(attrs={"rows": 5})
    )
    note = forms.CharField(
        label=_("Investigation notes (internal)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].queryset = selectors.root_causes(member.tenant_id)


class ResponseForm(StepForm):
    recourse = forms.CharField(
        label=_("Recourse offered"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Leave empty for the organisation's standard text."),
    )


class ReviewForm(StepForm):
    resolution = forms.CharField(
        label=_("Reviewed decision"), widget=forms.Textarea(attrs={"rows": 5})
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(StepForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MergeForm(StepForm):
    into = forms.CharField(label=_("Duplicate of (reference)"), max_length=24)


class TransferForm(AssignForm):
    """Hand an open complaint to a department (``complaints.transfers``) and maybe a handler
    of it. Changing the department reloads the handler list (htmx, from ``handlers_url``)."""

    offers = "transfer"  # ``case_file.CaseLists`` fills its lists for a transfer

    def __init__(self, *args, member, handlers_url: str = "", **kwargs):
        super().__init__(*args, member=member, **kwargs)
        self.fields["department"].queryset = transfer_departments(member)
        self.fields["assignee"].help_text = _(
            "Only handlers of the department chosen; none to hand it over unassigned."
        )
        if handlers_url:
            self.fields["department"].widget.attrs.update(
                {
                    "hx-get": handlers_url,
                    "hx-trigger": "change",
                    "hx-target": "#transfer-handlers",
                    "hx-swap": "outerHTML",
                }
            )


class MessageForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("internal", _("Internal note")), ("reply", _("Reply to the complainant"))],
        widget=forms.RadioSelect,
        initial="internal",
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Attachments"))


class LinkForm(forms.Form):
    other = forms.CharField(label=_("Related complaint (reference)"), max_length=24)


class CorrectiveActionForm(forms.Form):
    description = forms.CharField(
        label=_("What will change"), widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.handlers(member)
        self.fields["owner"].label_from_instance = lambda m: (
            m.user.get_full_name() or m.user.get_username()
        )


class CorrectiveActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=selectors.CorrectiveAction.Status.choices)
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
