"""Public complaint pages (no login): the form per brand, how to complain, the status page.

The tenant comes from the URL's slug, the brand from its slug within that tenant. A complaint
is reached by reference within the tenant and shown only to a browser session that proved it
belongs to the complainant: by filing it here, or by following a single-use link sent to the
contact given with it (in our emails, or on request from the lookup page: see
``complaints.access``). A session is granted each complaint on its own: never another through
a merge or through the customer a complaint was filed under, since anyone can file under
someone else's email address. Without that proof a complaint that exists looks exactly like
one that does not: both lead to the lookup page.

Every step the customer takes goes through ``complaints.workflow`` / ``complaints.services``
with ``actor=None`` (the complainant); these views only parse, call and render.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from complaints import access, services, workflow
from complaints.lifecycle import OPEN_STATES, State
from complaints.models import Attachment, Channel, Complaint, Message
from complaints.public_forms import STATUS_FORMS, ComplaintForm, LookupForm
from complaints.public_wording import DONE, state_sentence, transition_sentence
from complaints.selectors import complaint_by_reference_or_404, complaint_settings, customer_history
from tenants import ratelimit, rls
from tenants.branding import render_public_page
from tenants.errors import ApplicationError
from tenants.idempotency import new_token, once
from tenants.limits import DiscardUploads
from tenants.models import Brand, Tenant
from tenants.selectors import brand_how_to_complain

# The session remembers which complaints this browser has proved it may see.
ACCESS_SESSION_KEY = "complaint_access"
MAX_REMEMBERED = 50

RATE_WINDOW_SECONDS = 10 * 60
FORM_SUBMISSIONS_PER_WINDOW = 5  # accepted complaints per IP and tenant
LOOKUPS_PER_WINDOW = 10  # per IP and tenant: enough for typos, too few to guess references

# --- helpers ------------------------------------------------------------------------------------


def _tenant_or_404(slug: str) -> Tenant:
    return rls.public_tenant_or_404(slug)  # the request acts for it (row-level security)


def _brand_or_404(tenant: Tenant, slug: str) -> Brand:
    try:
        brand = Brand.objects.for_tenant(tenant).get(slug=slug, is_active=True)
    except Brand.DoesNotExist as missing:
        raise Http404("No brand matches the given query.") from missing
    brand.tenant = tenant
    return brand


def _complaint_or_none(tenant: Tenant, reference: str) -> Complaint | None:
    try:
        return complaint_by_reference_or_404(tenant, reference)
    except Http404:
        return None


def _grant_access(request, complaint: Complaint) -> None:
    remembered = request.session.get(ACCESS_SESSION_KEY, [])
    if complaint.pk in remembered:
        return
    # A new session id whenever access widens, as login() does: a session id planted
    # beforehand (session fixation) does not gain the complaint.
    request.session.cycle_key()
    request.session[ACCESS_SESSION_KEY] = [*remembered, complaint.pk][-MAX_REMEMBERED:]


def _has_access(request, complaint: Complaint) -> bool:
    return complaint.pk in request.session.get(ACCESS_SESSION_KEY, [])


def _status_path(tenant: Tenant, complaint: Complaint) -> str:
    return reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": tenant.slug, "reference": complaint.reference},
    )


def _to_lookup(tenant: Tenant, reference: str = ""):
    url = reverse("public-complaint-lookup", kwargs={"tenant_slug": tenant.slug})
    if reference:
        url = f"{url}?{urlencode({'reference': reference[:24]})}"
    return redirect(url)


def _too_many(response, window_seconds: int):
    response["Retry-After"] = str(ratelimit.seconds_until_next_window(window_seconds))
    return response


# --- the complaint form -------------------------------------------------------------------------


@csrf_exempt  # checked below, once the upload handlers are chosen (Django's documented way)
@require_http_methods(["GET", "POST"])
def complaint_form(request, tenant_slug, brand_slug):
    """The brand's complaint form; on success the browser may follow the new complaint."""
    # The CSRF check reads ``request.POST``, which writes a large upload to disk. A rate-limited
    # address must not make the server store its files, so the limit is looked at first.
    key = f"complaint-form:{tenant_slug}:{ratelimit.client_ip(request)}"
    limited = request.method == "POST" and not ratelimit.allows(
        key, FORM_SUBMISSIONS_PER_WINDOW, RATE_WINDOW_SECONDS
    )
    if limited:
        request.upload_handlers = [DiscardUploads()]
    return _complaint_form(request, tenant_slug, brand_slug, key=key, limited=limited)


@csrf_protect
def _complaint_form(request, tenant_slug, brand_slug, *, key: str, limited: bool):
    tenant = _tenant_or_404(tenant_slug)
    brand = _brand_or_404(tenant, brand_slug)
    max_mb = complaint_settings(tenant.pk).max_attachment_mb

    def page(form, status=200, **extra):
        form.files_lost = bool(request.FILES) or any(
            getattr(handler, "dropped", 0) for handler in request.upload_handlers
        )
        context = {"form": form, "submission_token": new_token, **extra}
        return render_public_page(
            request,
            "complaints/public/form.html",
            tenant=tenant,
            brand=brand,
            context=context,
            status=status,
        )

    if request.method == "GET":
        return page(ComplaintForm(tenant=tenant, max_mb=max_mb))

    # Accepted complaints are counted, not tries: a customer whose file was too big or who
    # missed a field may correct it and send again at once (the body cap bounds each try).
    if limited:
        # Nothing typed is lost: the form comes back filled in (unvalidated) to send later.
        form = ComplaintForm(tenant=tenant, max_mb=max_mb, initial=request.POST.dict())
        return _too_many(page(form, status=429, rate_limited=True), RATE_WINDOW_SECONDS)

    form = ComplaintForm(request.POST, request.FILES, tenant=tenant, max_mb=max_mb)
    if form.is_honeypot_filled:
        # A robot filled the field people cannot see: thank it as a person, keep nothing.
        ratelimit.count(key, RATE_WINDOW_SECONDS)  # a robot's "success" counts like one
        messages.success(request, _("Thank you. We have received your complaint."))
        return redirect(request.path)
    if form.is_valid():

        def file() -> dict:
            complaint = services.complaint_file(
                intake=form.intake(brand, Channel.WEB_FORM), actor=None
            )
            return {"pk": complaint.pk, "reference": complaint.reference}

        try:
            # A second POST of the same rendered form (a double-click, a retry after a lost
            # answer) files nothing: it is shown the complaint the first one filed.
            filed, is_new = once(request, tenant, "public_complaint", file)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if is_new:
                ratelimit.count(key, RATE_WINDOW_SECONDS)  # a retry is not a second complaint
            # Granted again on a retry: the first answer (and its new session cookie) may
            # never have reached the browser. The token is the same proof as the first POST.
            complaint = Complaint(pk=filed["pk"], reference=filed["reference"])
            _grant_access(request, complaint)
            messages.success(
                request,
                _(
                    "Thank you, we have received your complaint. Your reference is "
                    "%(reference)s: keep it to follow your complaint on this page."
                )
                % {"reference": complaint.reference},
            )
            return redirect(_status_path(tenant, complaint))
    return page(form)


@require_GET
def how_to_complain(request, tenant_slug, brand_slug):
    """How to complain to the brand: channels, what to include, times, steps and recourse."""
    tenant = _tenant_or_404(tenant_slug)
    brand = _brand_or_404(tenant, brand_slug)
    return render_public_page(
        request,
        "complaints/public/how_to.html",
        tenant=tenant,
        brand=brand,
        context={
            "settings": complaint_settings(tenant.pk),
            "brand_text": brand_how_to_complain(brand, translation.get_language()),
        },
        is_private=False,  # how to complain is public information (ISO 10002: accessible)
    )


# --- finding a complaint ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request, tenant_slug):
    """Reference + email or phone → a single-use link to the contact on file for it.

    The page never opens the complaint itself, and answers the same whether or not the
    reference and the contact match one (so it tells no one which references exist or whose
    they are); lookups are rate-limited against guessing, and each complaint's contact gets a
    few links per window at most.
    """
    tenant = _tenant_or_404(tenant_slug)

    def page(form, status=200, **extra):
        return render_public_page(
            request,
            "complaints/public/lookup.html",
            tenant=tenant,
            context={"form": form, **extra},
            status=status,
        )

    if request.method == "GET":
        return page(LookupForm(initial={"reference": request.GET.get("reference", "")[:24]}))

    key = f"complaint-lookup:{tenant.pk}:{ratelimit.client_ip(request)}"
    if not ratelimit.hit(key, LOOKUPS_PER_WINDOW, RATE_WINDOW_SECONDS):
        form = LookupForm(initial=request.POST.dict())
        return _too_many(page(form, status=429, rate_limited=True), RATE_WINDOW_SECONDS)

    form = LookupForm(request.POST)
    if form.is_valid():
        access.access_link_send(
            tenant=tenant,
            reference=form.cleaned_data["reference"],
            contact=form.cleaned_data["contact"],
        )
        return page(
            LookupForm(initial={"reference": form.cleaned_data["reference"]}),
            sent=True,
            minutes=settings.LOOPDESK_STATUS_LOOKUP_MINUTES,
        )
    return page(form)


# --- the status page ----------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of the complaint's history as the customer reads it."""

    at: datetime
    kind: str  # "step", "ours" (a reply from us) or "yours" (the customer's message)
    text: str
    files: list[Attachment] = field(default_factory=list)


def _history(complaint: Complaint) -> tuple[list[Entry], list[Attachment], str]:
    """The timeline, the files sent with the complaint itself, and the open question."""
    transitions, notes, attachments = customer_history(complaint)
    files_of: dict[int, list[Attachment]] = defaultdict(list)
    loose_files = []
    for attachment in attachments:
        if attachment.message_id:
            files_of[attachment.message_id].append(attachment)
        else:
            loose_files.append(attachment)
    # Filing writes no Transition row: the first line is the receipt.
    entries = [Entry(complaint.received_at, "step", _("We received your complaint."))]
    entries += [
        Entry(transition.created_at, "step", transition_sentence(transition))
        for transition in transitions
    ]
    entries += [
        Entry(
            note.created_at,
            "yours" if note.kind == Message.Kind.CUSTOMER else "ours",
            note.body,
            files_of[note.pk],
        )
        for note in notes
    ]
    entries.sort(key=lambda entry: entry.at)
    question = next((t.note for t in reversed(transitions) if t.name == "request_information"), "")
    return entries, loose_files, question


# The status page's form for each step the transition table lets the complainant take
# (``permission`` allows ``None``, the customer): which steps are offered, and from which
# state, is the table's to say.
CUSTOMER_STEP_FORMS = {
    "receive_information": "answer",
    "accept_decision": "accept",
    "request_review": "review",
    "withdraw": "withdraw",
}


def available_actions(complaint: Complaint) -> set[str]:
    """The status page's forms: the steps the table allows the complainant now, and adding
    documents to an open complaint that is not waiting for their answer (not a step)."""
    actions = {
        CUSTOMER_STEP_FORMS[name]
        for name in workflow.available_transitions(complaint, None)
        if name in CUSTOMER_STEP_FORMS
    }
    if complaint.state in OPEN_STATES and "answer" not in actions:
        actions.add("add")
    return actions


def _act(action: str, complaint: Complaint, data: dict) -> None:
    version = data.get("expected_version")
    if action == "answer":
        workflow.complaint_receive_information(
            complaint=complaint,
            actor=None,
            body=data["body"],
            files=data["files"],
            expected_version=version,
        )
    elif action == "add":
        services.complaint_add_customer_files(
            complaint=complaint, files=data["files"], body=data["body"]
        )
    elif action == "accept":
        workflow.complaint_accept_decision(
            complaint=complaint, actor=None, expected_version=version
        )
    elif action == "review":
        workflow.complaint_request_review(
            complaint=complaint, actor=None, reason=data["reason"], expected_version=version
        )
    elif action == "withdraw":
        workflow.complaint_withdraw(
            complaint=complaint, actor=None, reason=data["reason"], expected_version=version
        )


@require_http_methods(["GET", "POST"])
def status(request, tenant_slug, reference):
    """Where the complaint stands, its history, and the customer's next steps."""
    tenant = _tenant_or_404(tenant_slug)
    complaint = _complaint_or_none(tenant, reference)
    if "key" in request.GET:
        if complaint is not None and (
            _has_access(request, complaint)  # followed again in the browser it opened
            or access.access_key_redeem(complaint=complaint, key=request.GET["key"])
        ):
            _grant_access(request, complaint)
            return redirect(request.path)  # the key leaves the address bar (and history)
        messages.error(
            request,
            _(
                "This link does not work any more: each link works once, for a limited time. "
                "Enter your complaint reference and the email address or phone number you "
                "gave us, and we will send you a new one."
            ),
        )
        return _to_lookup(tenant, reference)
    if complaint is None or not _has_access(request, complaint):
        return _to_lookup(tenant, reference)

    max_mb = complaint_settings(tenant.pk).max_attachment_mb
    bound_forms = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in STATUS_FORMS:
            # Only a hand-made POST names another: no form of the page can.
            raise ApplicationError("Unknown action.", code="unknown_action")
        form = STATUS_FORMS[action](
            request.POST, request.FILES, max_mb=max_mb, auto_id=f"{action}-%s"
        )
        if form.is_valid():
            try:
                _act(action, complaint, form.cleaned_data)
            except workflow.TransitionNotAvailable:
                form.add_error(
                    None,
                    _(
                        "This is no longer possible: your complaint has moved on since you "
                        "opened this page. The page now shows where it stands."
                    ),
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, DONE[action])
                return redirect(request.path)
            # A refused step may have changed the instance in memory: show what is stored.
            complaint = complaint_by_reference_or_404(tenant, complaint.reference)
        form.files_lost = bool(request.FILES)
        bound_forms[action] = form

    actions = available_actions(complaint)
    forms = {
        # Several forms share field names: each gets its own ids.
        name: bound_forms.get(name) or STATUS_FORMS[name](max_mb=max_mb, auto_id=f"{name}-%s")
        for name in sorted(actions | set(bound_forms))
    }
    entries, loose_files, question = _history(complaint)
    context = {
        "complaint": complaint,
        "state_sentence": state_sentence(complaint),
        "show_due": complaint.state in OPEN_STATES
        and complaint.state not in (State.RESPONSE_SENT, State.UNDER_REVIEW),
        "show_decision": bool(complaint.resolution)
        and complaint.state in (State.RESPONSE_SENT, State.UNDER_REVIEW, State.CLOSED),
        "entries": entries,
        "loose_files": loose_files,
        "question": question,
        "actions": actions,
        "forms": forms,
        # A refused step whose form the page no longer shows: its message goes on top.
        "refused_form": next(
            (form for name, form in bound_forms.items() if name not in actions), None
        ),
        # The case it went into is never named nor opened: being filed under the same
        # customer proves nothing (anyone can type someone's email). Its own complainant
        # follows it through the links sent to them.
        "is_merged": complaint.state == State.MERGED,
    }
    return render_public_page(
        request,
        "complaints/public/status.html",
        tenant=tenant,
        brand=complaint.brand,
        context=context,
    )


@require_GET
def attachment(request, tenant_slug, reference, attachment_id):
    """A file of the complaint that is not internal, to a browser that may see the complaint."""
    tenant = _tenant_or_404(tenant_slug)
    complaint = _complaint_or_none(tenant, reference)
    if complaint is None or not _has_access(request, complaint):
        raise Http404("No attachment matches the given query.")
    try:
        item = Attachment.objects.for_tenant(tenant).get(
            pk=attachment_id, complaint=complaint, is_internal=False
        )
    except Attachment.DoesNotExist as missing:
        raise Http404("No attachment matches the given query.") from missing
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
