"""The follow-up list and the page where a follow-up is completed.

Thin: parse (``FollowUpFilterSet``, the page number), call ``surveys.followups``, render.
Members with ``VIEW_SURVEYS`` read both pages; completing needs ``HANDLE_COMPLAINTS`` or
``MANAGE_SURVEYS``, giving one to someone ``SUPERVISE_COMPLAINTS``, claiming one
``TAKE_ASSIGNMENTS`` (checked by the services, ``assigning``).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints.selectors import complaint_if_visible
from surveys.followups import assigning, selectors, services
from surveys.followups.filters import FollowUpFilterSet
from surveys.models import FollowUp
from tenants.decorators import member_required
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.models import Membership
from tenants.paging import page_number
from tenants.permissions import Action, member_can


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What you told the customer and what was done."),
        # Blank is refused by the service, with its message, so the rule lives in one place.
        required=False,
    )
    invite_rerate = forms.BooleanField(
        label=gettext_lazy("Ask the customer to rate the service again"), required=False
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=Membership.objects.none(), label=gettext_lazy("Give it to")
    )

    def __init__(self, *args, tenant_id: int, candidates: list[Membership], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        # Validation picks among the candidates; the service checks them again.
        field.queryset = Membership.objects.for_tenant(tenant_id).filter(
            pk__in=[candidate.pk for candidate in candidates]
        )
        field.choices = [("", "---------")] + [
            (candidate.pk, f"{_name(candidate)} · {candidate.department.name}")
            for candidate in candidates
        ]


def _name(member: Membership) -> str:
    return member.user.get_full_name() or member.user.get_username()


@member_required(Action.VIEW_SURVEYS)
def follow_up_list(request):
    filterset = FollowUpFilterSet(
        request.GET, queryset=selectors.visible_follow_ups(request.member), request=request
    )
    return render(
        request,
        "surveys/followups/list.html",
        {
            "filterset": filterset,
            "page": selectors.follow_up_page(filterset.qs, number=page_number(request)),
        },
    )


def _detail(request, follow_up, form, *, status=200, assign_form=None):
    tenant = request.tenant
    member = request.member
    is_open = follow_up.status == FollowUp.Status.OPEN
    can_assign = is_open and member_can(member, Action.SUPERVISE_COMPLAINTS)
    if can_assign and assign_form is None:
        assign_form = AssignForm(
            tenant_id=tenant.pk, candidates=assigning.follow_up_assignees(member, follow_up)
        )
    return render(
        request,
        "surveys/followups/detail.html",
        {
            "follow_up": follow_up,
            "response": follow_up.response,
            "interaction": follow_up.response.interaction,
            "complaint": complaint_if_visible(
                request.member, follow_up.response.interaction.complaint
            ),
            "answers": selectors.response_answers(
                follow_up.response, default_language=tenant.default_language
            ),
            "rerate_invitation": selectors.rerate_invitation_of(follow_up),
            "can_complete": selectors.may_complete(request.member),
            "can_claim": is_open
            and follow_up.assignee_id is None
            and assigning.may_take(member, follow_up),
            "assign_form": assign_form if can_assign else None,
            "form": form,
            "now": timezone.now(),
        },
        status=status,
    )


@member_required(Action.VIEW_SURVEYS)
def follow_up_detail(request, follow_up_id):
    follow_up = selectors.follow_up_for_member_or_404(request.member, follow_up_id)
    return _detail(request, follow_up, CompleteForm())


@require_POST
@member_required(Action.VIEW_SURVEYS)
def follow_up_complete(request, follow_up_id):
    follow_up = selectors.follow_up_for_member_or_404(request.member, follow_up_id)
    form = CompleteForm(request.POST)
    form.is_valid()  # both fields are optional: the service decides
    try:
        invitation = services.follow_up_complete(
            actor=request.member,
            follow_up=follow_up,
            outcome=form.cleaned_data.get("outcome", ""),
            invite_rerate=form.cleaned_data.get("invite_rerate", False),
        )
    except ApplicationError as error:
        show_application_error(form, error)
        messages.error(request, error.message)
        follow_up = selectors.follow_up_for_member_or_404(request.member, follow_up_id)
        return _detail(request, follow_up, form, status=error.status)
    if invitation is not None:
        messages.success(
            request, _("Follow-up completed. The customer will be asked to rate us again.")
        )
    else:
        messages.success(request, _("Follow-up completed."))
    return redirect("follow-up-detail", tenant_slug=request.tenant.slug, follow_up_id=follow_up.pk)


@require_POST
@member_required(Action.VIEW_SURVEYS)
def follow_up_assign(request, follow_up_id):
    """A manager gives the follow-up to a member of their team (or to another one)."""
    member = request.member
    follow_up = selectors.follow_up_for_member_or_404(member, follow_up_id)
    form = AssignForm(
        request.POST,
        tenant_id=request.tenant.pk,
        candidates=assigning.follow_up_assignees(member, follow_up),
    )
    try:
        if not form.is_valid():
            message = _("Choose someone of your team who handles follow-ups of this department.")
            raise ApplicationError(message, fields={"assignee": [message]})
        follow_up = assigning.follow_up_assign(
            actor=member, follow_up=follow_up, assignee=form.cleaned_data["assignee"]
        )
    except ApplicationError as error:
        show_application_error(form, error)
        messages.error(request, error.message)
        follow_up = selectors.follow_up_for_member_or_404(member, follow_up_id)
        return _detail(request, follow_up, CompleteForm(), status=error.status, assign_form=form)
    messages.success(
        request, _("The follow-up is now %(name)s's.") % {"name": _name(follow_up.assignee)}
    )
    return redirect("follow-up-detail", tenant_slug=request.tenant.slug, follow_up_id=follow_up.pk)


@require_POST
@member_required(Action.VIEW_SURVEYS)
def follow_up_claim(request, follow_up_id):
    """A member takes an unassigned follow-up for themself."""
    follow_up = selectors.follow_up_for_member_or_404(request.member, follow_up_id)
    assigning.follow_up_claim(actor=request.member, follow_up=follow_up)
    messages.success(request, _("The follow-up is yours."))
    return redirect("follow-up-detail", tenant_slug=request.tenant.slug, follow_up_id=follow_up.pk)
