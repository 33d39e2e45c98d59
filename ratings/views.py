"""The performer's "My rating" page and the disputes (queue, thread, decision). Thin: parse,
call ``ratings.disputes``/``ratings.selectors``, render."""

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ratings import disputes, selectors
from ratings.models import Dispute, RatingPeriod
from surveys.models import Response
from tenants.decorators import member_required
from tenants.errors import ApplicationError, NotAllowed
from tenants.forms import show_application_error
from tenants.permissions import Action


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why"), choices=Dispute.Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=disputes.BODY_MAX_LENGTH,
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=disputes.BODY_MAX_LENGTH,
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # needed to reject: the service says so
        help_text=gettext_lazy("Needed to reject; told to the performer."),
    )


def _period_asked(request) -> tuple[str, date | None]:
    kind = request.GET.get("kind") or RatingPeriod.Kind.MONTH
    if kind not in RatingPeriod.Kind.values:
        raise ApplicationError(_("Choose a month, a quarter or a year."))
    start = request.GET.get("start")
    try:
        return kind, date.fromisoformat(start) if start else None
    except ValueError:
        raise ApplicationError(_("The period's start is not a date.")) from None


@member_required(Action.VIEW_OWN_RATING)
def my_rating(request):
    member = request.member
    kind, start = _period_asked(request)
    period = selectors.period_chosen(member, kind, start)
    rating = selectors.rating_of(member, period) if period else None
    context = {
        "kind": kind,
        "kinds": RatingPeriod.Kind.choices,
        "period": period,
        "rating": rating,
        "trend": selectors.trend_of(member, kind),
    }
    if rating is not None:
        context["lines"] = selectors.component_lines(rating, selectors.team_medians(member, period))
        context["responses"] = selectors.responses_behind(
            member, period, rating.scheme.customer_score_kind
        )
        context["complaints"] = selectors.complaints_behind(member, period)
    return render(request, "ratings/my_rating.html", context)


@member_required(Action.VIEW_OWN_RATING)
def dispute_new(request, response_id: int):
    response = (
        Response.objects.for_tenant(request.tenant)
        .select_related("interaction__customer")
        .filter(pk=response_id, interaction__performer=request.member)
        .first()
    )
    if response is None:
        raise Http404(_("No such response behind your rating."))
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = disputes.dispute_open(
                actor=request.member, response=response, **form.cleaned_data
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("Your dispute is sent to your manager."))
            return redirect(
                "dispute-detail", tenant_slug=request.tenant.slug, dispute_id=dispute.pk
            )
    return render(
        request,
        "ratings/dispute_new.html",
        {"response": response, "form": form},
        status=400 if form.errors else 200,
    )


@member_required()
def dispute_list(request):
    rows = selectors.open_disputes(disputes.disputes_visible(request.member))
    return render(request, "ratings/disputes.html", {"disputes": rows})


def _to_dispute(request, dispute: Dispute):
    return redirect("dispute-detail", tenant_slug=request.tenant.slug, dispute_id=dispute.pk)


def _dispute_or_404(request, dispute_id: int) -> Dispute:
    dispute = (
        Dispute.objects.for_tenant(request.tenant)
        .select_related("performer__user", "performer__department", "response__interaction")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None or not disputes.may_see(request.member, dispute):
        raise Http404(_("No such dispute."))
    return dispute


def _dispute_page(request, dispute, *, comment_form=None, decision_form=None, status=200):
    is_open = dispute.status == Dispute.Status.OPEN
    may_decide = is_open and disputes.may_decide(request.member, dispute)
    may_write = is_open and disputes.may_write(request.member, dispute)
    return render(
        request,
        "ratings/dispute.html",
        {
            "dispute": dispute,
            "response": dispute.response,
            "comments": dispute.comments.select_related("author__user").order_by("created_at"),
            "comment_form": (comment_form or CommentForm()) if may_write else None,
            "decision_form": (decision_form or DecisionForm()) if may_decide else None,
        },
        status=status,
    )


@member_required()
def dispute_detail(request, dispute_id: int):
    return _dispute_page(request, _dispute_or_404(request, dispute_id))


@require_POST
@member_required()
def dispute_comment(request, dispute_id: int):
    dispute = _dispute_or_404(request, dispute_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            disputes.dispute_comment(actor=request.member, dispute=dispute, **form.cleaned_data)
        except NotAllowed:
            raise  # a 403, not a form to correct
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            return redirect(
                "dispute-detail", tenant_slug=request.tenant.slug, dispute_id=dispute.pk
            )
    return _dispute_page(request, dispute, comment_form=form, status=400)


@require_POST
@member_required(Action.DECIDE_DISPUTES)
def dispute_decide(request, dispute_id: int):
    dispute = _dispute_or_404(request, dispute_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            disputes.dispute_decide(
                actor=request.member,
                dispute=dispute,
                is_accepted=request.POST.get("decision") == "accept",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The dispute is decided; the performer is told."))
            return redirect("dispute-list", tenant_slug=request.tenant.slug)
    return _dispute_page(request, dispute, decision_form=form, status=400)
