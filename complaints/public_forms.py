"""Forms of the public complaint pages: the complaint form, the lookup and the status actions.

They check shapes only; the rules (who may do what, which files we take) are the services'
and the workflow's, whose :class:`~tenants.errors.ApplicationError` is shown on the form with
:meth:`PublicForm.add_application_error`.
"""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from complaints.attachments import MAX_ATTACHMENTS
from complaints.forms import MultipleFileField
from complaints.models import Category
from complaints.services import TEXT_MAX_LENGTH, Intake, text_too_long_message
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.models import Brand, Tenant, Touchpoint


def attachments_help(max_mb: int) -> str:
    return _(
        "Up to %(count)s files: PDF, images, text or Word documents, at most %(mb)s MB each."
    ) % {"count": MAX_ATTACHMENTS, "mb": max_mb}


class PublicForm(forms.Form):
    """Django puts aria-invalid and aria-describedby ("<id>_error", "<id>_helptext") on the
    widgets; templates/complaints/public/_field.html gives the messages those ids."""

    # Set when the form comes back after files were sent: browsers cannot keep them.
    files_lost = False

    def __init__(self, *args, max_mb: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_mb is not None and "files" in self.fields:
            self.fields["files"].help_text = attachments_help(max_mb)

    def add_application_error(self, error: ApplicationError) -> None:
        show_application_error(self, error)

    def top_errors(self) -> list[str]:
        """Errors that belong to no visible field (including hidden fields')."""
        errors = list(self.non_field_errors())
        for field in self.hidden_fields():
            errors.extend(field.errors)
        return errors


class ComplaintForm(PublicForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Give an email address, a phone number or both, so we can answer you."),
    )
    language = forms.ChoiceField(label=_("Language for our answers"), choices=settings.LANGUAGES)
    touchpoint = forms.ModelChoiceField(
        label=_("Where were you served?"),
        queryset=Touchpoint.objects.none(),
        required=False,
        empty_label=_("I don't know / not listed"),
    )
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("I don't know / something else"),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("A short title, e.g. “Claim not paid after six weeks”."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": lazy(text_too_long_message, str)()},
        help_text=_(
            "When and where it happened, who you dealt with, and any policy or claim number."
        ),
    )
    remedy_requested = forms.CharField(
        label=_("What would put it right?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": lazy(text_too_long_message, str)()},
    )
    files = MultipleFileField(label=_("Documents or photos"), required=False)
    # The honeypot: hidden from people by CSS and from screen readers; robots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, tenant: Tenant, max_mb: int, **kwargs):
        super().__init__(*args, max_mb=max_mb, **kwargs)
        self.fields["touchpoint"].queryset = (
            Touchpoint.objects.for_tenant(tenant).filter(is_active=True).order_by("name")
        )
        self.fields["category"].queryset = (
            Category.objects.for_tenant(tenant).filter(is_active=True).order_by("path")
        )
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = current_language()

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors:
            # The same rule (and words) as customer_match_or_create, shown with the rest.
            self.add_error("email", _("An email address or a phone number is needed."))
        return cleaned

    def intake(self, brand: Brand, channel: str) -> Intake:
        data = self.cleaned_data
        return Intake(
            brand=brand,
            channel=channel,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            language=data["language"],
            touchpoint=data["touchpoint"],
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            remedy_requested=data["remedy_requested"],
            files=data["files"],
        )


def current_language() -> str:
    """The page's language as one of settings.LANGUAGES (``en-gb`` → ``en``)."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language in codes:
        return language
    base = language.split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


class LookupForm(PublicForm):
    reference = forms.CharField(
        label=_("Complaint reference"),
        max_length=24,
        help_text=_("It is in the email we sent you, e.g. ABC-2026-000123."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("The email address or phone number you gave us"),
        max_length=254,
    )

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class VersionedForm(PublicForm):
    """A step on the status page: carries the version the customer was looking at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AnswerForm(VersionedForm):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("Documents or photos"), required=False)


class AddInformationForm(PublicForm):
    body = forms.CharField(
        label=_("What would you like to add?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Documents or photos"), required=False)

    def clean(self):
        cleaned = super().clean()
        is_empty = not (cleaned.get("body") or "").strip() and not cleaned.get("files")
        if is_empty and "files" not in self.errors:
            self.add_error("body", _("Write something or attach a file."))
        return cleaned


class AcceptForm(VersionedForm):
    pass


class ReviewForm(VersionedForm):
    reason = forms.CharField(
        label=_("What do you disagree with?"), widget=forms.Textarea(attrs={"rows": 5})
    )


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why are you withdrawing it?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, I want to withdraw my complaint. I understand we will stop handling it."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


STATUS_FORMS: dict[str, type[PublicForm]] = {
    "answer": AnswerForm,
    "add": AddInformationForm,
    "accept": AcceptForm,
    "review": ReviewForm,
    "withdraw": WithdrawForm,
}
