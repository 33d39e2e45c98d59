"""The agents' workspace: queues, filing, the case page and its steps. Thin: parse, call, render."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import forms, selectors, services, workflow
from complaints.case_file import CaseLists, case_file
from complaints.corrective_actions import (
    corrective_action_cancel,
    corrective_action_complete,
    corrective_action_open,
    corrective_action_reopen,
    corrective_action_start,
)
from complaints.filters import CorrectiveActionFilterSet, QueueFilterSet
from complaints.lifecycle import State, step_label
from complaints.models import Attachment, Complaint, CorrectiveAction
from tenants.decorators import member_required
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.idempotency import new_token, once
from tenants.paging import page_number
from tenants.permissions import Action, get_visible_or_404, member_can


@member_required(Action.VIEW_COMPLAINTS)
def queue(request):
    member = request.member
    lists = selectors.queue_lists(request.tenant.pk)  # the filter's choices, the rows' names
    filterset = QueueFilterSet(
        request.GET, queryset=selectors.visible_complaints(member), request=request, lists=lists
    )
    page = selectors.queue_page(
        filterset.qs, number=page_number(request), tenant=request.tenant, lists=lists
    )
    return render(
        request,
        "complaints/queue.html",
        {
            "can_handle": member_can(member, Action.HANDLE_COMPLAINTS),
            "filterset": filterset,
            "current_queue": filterset.queue_name,
            "page": page,
            "queues": [
                ("mine", _("Mine")),
                ("department", _("My department")),
                ("unassigned", _("Unassigned")),
                ("overdue", _("Overdue")),
                ("watchlist", _("Watchlist")),
                ("all", _("All")),
            ],
        },
    )


@member_required(Action.HANDLE_COMPLAINTS)
def complaint_new(request):
    member = request.member
    form = forms.ComplaintCreateForm(
        request.POST or None, request.FILES or None, tenant=request.tenant
    )
    if request.method == "POST" and form.is_valid():

        def file() -> dict:
            # The form's fields are named like the intake's.
            complaint = services.complaint_file(
                intake=services.Intake(**form.cleaned_data), actor=member
            )
            messages.success(
                request, _("Complaint %(reference)s is filed.") % {"reference": complaint.reference}
            )
            return {"url": _detail_url(request, complaint)}

        try:
            # A second POST of the same rendered form goes to the complaint the first filed.
            return redirect(once(request, request.tenant, "complaint_new", file)[0]["url"])
        except ApplicationError as error:
            show_application_error(form, error)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "complaints/new.html",
        {"form": form, "submission_token": new_token},
        status=status,
    )


def _detail_url(request, complaint: Complaint) -> str:
    return reverse(
        "complaint-detail",
        kwargs={"tenant_slug": request.tenant.slug, "reference": complaint.reference},
    )


# Each step: its form, and the workflow function its cleaned data is passed to (the form's
# fields are named like the function's arguments).
STEPS = {
    "acknowledge": (forms.NoteForm, workflow.complaint_acknowledge),
    "assess": (forms.AssessForm, workflow.complaint_assess),
    "assign": (forms.AssignForm, workflow.complaint_assign),
    "start_investigation": (forms.NoteForm, workflow.complaint_start_investigation),
    "request_information": (forms.QuestionForm, workflow.complaint_request_information),
    "receive_information": (forms.AnswerForm, workflow.complaint_receive_information),
    "resolve": (forms.ResolveForm, workflow.complaint_resolve),
    "send_response": (forms.ResponseForm, workflow.complaint_send_response),
    "accept_decision": (forms.NoteForm, workflow.complaint_accept_decision),
    "request_review": (forms.ReasonForm, workflow.complaint_request_review),
    "complete_review": (forms.ReviewForm, workflow.complaint_complete_review),
    "close": (forms.NoteForm, workflow.complaint_close),
    "reopen": (forms.ReasonForm, workflow.complaint_reopen),
    "reject": (forms.ReasonForm, workflow.complaint_reject),
    "withdraw": (forms.OptionalReasonForm, workflow.complaint_withdraw),
    "merge": (forms.MergeForm, None),  # the reference must become a complaint: see _merge
}

MEMBER_FORMS = (forms.AssessForm, forms.AssignForm, forms.ResolveForm)


def _step_form(name: str, complaint: Complaint, member, data=None):
    form_class = STEPS[name][0]
    initial = {"version": complaint.version}
    if name == "complete_review":
        initial["resolution"] = complaint.resolution
    if name == "assess":
        initial.update(severity=complaint.severity, category=complaint.category_id)
    if name == "assign":
        initial.update(department=complaint.department_id, assignee=complaint.assignee_id)
    kwargs = {"member": member} if form_class in MEMBER_FORMS else {}
    return form_class(data, initial=initial, prefix=name, **kwargs)


def _merge(complaint: Complaint, member, data) -> Complaint:
    try:
        into = selectors.complaint_for_member_or_404(member, data["into"].strip().upper())
    except Http404 as missing:
        raise ApplicationError(
            _("No complaint %(reference)s that you can see.") % {"reference": data["into"]},
            fields={"into": [_("Unknown reference.")]},
        ) from missing
    return workflow.complaint_merge(
        complaint=complaint, actor=member, into=into, expected_version=data["version"]
    )


def _detail_context(request, complaint: Complaint, **bound_forms) -> dict:
    member = request.member
    steps = workflow.available_transitions(complaint, member)
    step_forms = {
        name: bound_forms.get(name) or _step_form(name, complaint, member) for name in steps
    }
    can_handle = member_can(member, Action.HANDLE_COMPLAINTS)
    context = {
        "complaint": complaint,
        "case": case_file(complaint, member),
        # Each step's form with its label from the transition table.
        "steps": [(name, step_label(name), form) for name, form in step_forms.items()],
        "can_handle": can_handle,
        "message_form": bound_forms.get("message") or forms.MessageForm(),
        "link_form": bound_forms.get("link") or forms.LinkForm(),
        "states": State,
        "transfer_label": step_label("transfer"),
        "submission_token": new_token,  # called once per form: each its own token
    }
    if can_handle and complaint.is_open:
        context["transfer_form"] = bound_forms.get("transfer") or _transfer_form(
            request,
            complaint,
            initial={
                "version": complaint.version,
                "department": complaint.department_id,
                # Offered only when a handler of that department (the list is the department's).
                "assignee": complaint.assignee_id,
            },
        )
    if can_handle and complaint.resolved_at:
        context["action_form"] = bound_forms.get("action") or forms.CorrectiveActionForm(
            member=member
        )
    # The forms' lists (categories, root causes, departments, handlers): one query for all.
    lists = CaseLists(member)
    for form in [*step_forms.values(), context.get("transfer_form"), context.get("action_form")]:
        if form is not None:
            lists.fill(form)
    return context


@member_required(Action.VIEW_COMPLAINTS)
def detail(request, reference):
    complaint = selectors.complaint_for_member_or_404(request.member, reference)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _render_refused(request, complaint, error: ApplicationError, **bound_forms):
    messages.error(request, error.message)
    return render(
        request,
        "complaints/detail.html",
        _detail_context(request, complaint, **bound_forms),
        status=error.status,
    )


def _done(request, complaint, text):
    messages.success(request, text)
    return redirect(
        "complaint-detail", tenant_slug=request.tenant.slug, reference=complaint.reference
    )


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def step(request, reference, name):
    member = request.member
    complaint = selectors.complaint_for_member_or_404(member, reference)
    if name not in STEPS:
        raise Http404("No such step.")
    form = _step_form(name, complaint, member, data=request.POST)
    if not form.is_valid():
        error = ApplicationError(_("Please correct the errors below."))
        return _render_refused(request, complaint, error, **{name: form})

    def take() -> dict:
        if name == "merge":
            moved = _merge(complaint, member, form.cleaned_data)
        else:
            data = dict(form.cleaned_data)
            version = data.pop("version")
            moved = STEPS[name][1](
                complaint=complaint, actor=member, expected_version=version, **data
            )
        messages.success(
            request,
            _("%(reference)s is now %(state)s.")
            % {"reference": moved.reference, "state": moved.get_state_display().lower()},
        )
        return {"url": _detail_url(request, moved)}

    try:
        # A second POST of the same form (a double-click) shows the first one's result, not
        # "the complaint has changed since you opened it".
        result, _is_new = once(request, request.tenant, f"step:{name}", take)
    except ApplicationError as error:
        show_application_error(form, error)
        return _render_refused(
            request, selectors.complaint_for_member_or_404(member, reference), error, **{name: form}
        )
    return redirect(result["url"])


def _transfer_form(request, complaint: Complaint, data=None, initial=None) -> forms.TransferForm:
    handlers_url = reverse(
        "complaint-transfer-handlers",
        kwargs={"tenant_slug": request.tenant.slug, "reference": complaint.reference},
    )
    return forms.TransferForm(
        data, initial=initial, prefix="transfer", member=request.member, handlers_url=handlers_url
    )


@member_required(Action.HANDLE_COMPLAINTS)
def transfer_handlers(request, reference):
    """The transfer form's handler list for the department chosen (``?transfer-department=``),
    which the form loads when the department changes (htmx)."""
    complaint = selectors.complaint_for_member_or_404(request.member, reference)
    form = _transfer_form(
        request, complaint, initial={"department": request.GET.get("transfer-department")}
    )
    CaseLists(request.member).fill(form)
    return render(request, "complaints/_transfer_handlers.html", {"field": form["assignee"]})


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def transfer(request, reference):
    member = request.member
    complaint = selectors.complaint_for_member_or_404(member, reference)
    form = _transfer_form(request, complaint, data=request.POST)
    if not form.is_valid():
        error = ApplicationError(_("Please correct the errors below."))
        return _render_refused(request, complaint, error, transfer=form)
    data = form.cleaned_data
    try:
        complaint = workflow.complaint_transfer(
            complaint=complaint,
            actor=member,
            department=data["department"],
            assignee=data["assignee"],
            note=data["note"],
            expected_version=data["version"],
        )
    except ApplicationError as error:
        show_application_error(form, error)
        return _render_refused(request, complaint, error, transfer=form)
    return _done(request, complaint, _("Transferred."))


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def add_message(request, reference):
    member = request.member
    complaint = selectors.complaint_for_member_or_404(member, reference)
    form = forms.MessageForm(request.POST, request.FILES)
    if form.is_valid():

        def add() -> dict:
            services.complaint_add_message(
                complaint=complaint,
                actor=member,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
            sent = form.cleaned_data["kind"] == "reply"
            messages.success(request, _("Reply sent.") if sent else _("Note added."))
            return {"url": _detail_url(request, complaint)}

        try:
            return redirect(once(request, request.tenant, "message", add)[0]["url"])
        except ApplicationError as error:
            show_application_error(form, error)
    error = ApplicationError(_("The message was not saved: see below."))
    return _render_refused(request, complaint, error, message=form)


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def link(request, reference):
    member = request.member
    complaint = selectors.complaint_for_member_or_404(member, reference)
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        try:
            other = selectors.complaint_for_member_or_404(
                member, form.cleaned_data["other"].strip().upper()
            )
            services.complaint_link(complaint=complaint, actor=member, other=other)
        except Http404:
            form.add_error("other", _("No complaint with that reference that you can see."))
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            return _done(
                request, complaint, _("Linked to %(reference)s.") % {"reference": other.reference}
            )
    error = ApplicationError(_("Not linked: see below."))
    return _render_refused(request, complaint, error, link=form)


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def open_action(request, reference):
    member = request.member
    complaint = selectors.complaint_for_member_or_404(member, reference)
    form = forms.CorrectiveActionForm(request.POST, member=member)
    if form.is_valid():
        try:
            corrective_action_open(complaint=complaint, actor=member, **form.cleaned_data)
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            return _done(request, complaint, _("Corrective action opened."))
    error = ApplicationError(_("The action was not opened: see below."))
    return _render_refused(request, complaint, error, action=form)


@member_required(Action.VIEW_COMPLAINTS)
def attachment(request, reference, attachment_id):
    complaint = selectors.complaint_for_member_or_404(request.member, reference)
    try:
        stored = Attachment.objects.for_tenant(complaint.tenant_id).get(
            pk=attachment_id, complaint=complaint
        )
    except Attachment.DoesNotExist as missing:
        raise Http404("No such file.") from missing
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name)


@member_required(Action.VIEW_COMPLAINTS)
def corrective_actions(request):
    filterset = CorrectiveActionFilterSet(
        request.GET, queryset=selectors.visible_corrective_actions(request.member), request=request
    )
    return render(
        request,
        "complaints/corrective_actions.html",
        {
            "filterset": filterset,
            "page": selectors.corrective_action_page(filterset.qs, number=page_number(request)),
            "update_form": forms.CorrectiveActionUpdateForm(),
        },
    )


def _move_action(action: CorrectiveAction, member, status: str, outcome: str):
    """The list page's form names the status to reach; each status is reached by one step."""
    Status = CorrectiveAction.Status
    if status == Status.IN_PROGRESS:
        return corrective_action_start(action=action, actor=member)
    if status == Status.DONE:
        return corrective_action_complete(action=action, actor=member, outcome=outcome)
    if status == Status.CANCELLED:
        return corrective_action_cancel(action=action, actor=member, reason=outcome)
    return corrective_action_reopen(action=action, actor=member)


@require_POST
@member_required(Action.HANDLE_COMPLAINTS)
def corrective_action_update(request, action_id):
    member = request.member
    action = get_visible_or_404(
        CorrectiveAction.objects.select_related("complaint"),
        member,
        department_field="complaint__department",
        pk=action_id,
    )
    form = forms.CorrectiveActionUpdateForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Choose a status."))
        status = form.cleaned_data["status"]
        if status == action.status:
            messages.info(
                request,
                _("Nothing changed: the action is already %(status)s.")
                % {"status": action.get_status_display().lower()},
            )
        else:
            _move_action(action, member, status, form.cleaned_data["outcome"])
            messages.success(request, _("Action updated."))
    except ApplicationError as error:
        messages.error(request, error.message)
    # Back to the list with its filters (they ride on the form's address); not to its page,
    # which the move may have emptied.
    query = request.GET.copy()
    query.pop("page", None)
    back = reverse("corrective-action-list", kwargs={"tenant_slug": request.tenant.slug})
    return redirect(f"{back}?{query.urlencode()}" if query else back)
