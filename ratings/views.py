"""The performer's "My rating" page and the disputes (queue, thread, decision). Thin: parse,
call ``ratings.disputes``/``ratings.selectors``, render."""

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ratings import disputes, formula, schemes, selectors, services
from ratings.models import Dispute, LeaderboardVisibility, RatingPeriod
from ratings.selectors import today_of
from ratings.services import scheme_current
from tenants.decorators import member_required
from tenants.errors import ApplicationError, NotAllowed
from tenants.forms import show_application_error
from tenants.models import Department
from tenants.permissions import Action, is_rated, member_can, visible_subtree, visible_to


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
    scheme = scheme_current(member.tenant_id)
    context = {
        "kind": kind,
        "kinds": RatingPeriod.Kind.choices,
        "period": period,
        "rating": rating,
        "trend": selectors.trend_of(member, kind),
        "norms_unread": is_rated(member) and not selectors.norms_acknowledged(member, scheme),
        "shows_leaderboard": member_can(member, Action.VIEW_RATINGS)
        or scheme.leaderboard != LeaderboardVisibility.HIDDEN,
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
    response = selectors.response_of(request.member, response_id)
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


# --- norms ----------------------------------------------------------------------------------


def _may_read_norms(member) -> bool:
    return member_can(member, Action.VIEW_OWN_RATING) or member_can(member, Action.VIEW_RATINGS)


@member_required()
def norms(request):
    """The current norms as performers read them; a rated member confirms having read them, a
    manager sees who has."""
    member = request.member
    if not _may_read_norms(member):
        raise NotAllowed(_("Your role does not allow this."))
    scheme = scheme_current(member.tenant_id)
    rated = is_rated(member)
    if request.method == "POST":
        if not rated:
            raise NotAllowed(_("Only rated members confirm the norms."))
        schemes.norms_acknowledge(performer=member, scheme=scheme)
        messages.success(request, _("Thank you: you have read these norms."))
        return redirect("rating-norms", tenant_slug=request.tenant.slug)
    norms_of = scheme.norms
    context = {
        "scheme": scheme,
        "lines": [
            (kind, scheme.weights.get(kind.key, 0), *norms_of[kind.key])
            for kind in formula.COMPONENTS
        ],
        "is_rated": rated,
        "is_acknowledged": rated and selectors.norms_acknowledged(member, scheme),
        "readers": (
            selectors.norms_readers(member.tenant_id, scheme)
            if member_can(member, Action.VIEW_RATINGS)
            else None
        ),
    }
    return render(request, "ratings/norms.html", context)


# --- the leaderboard ------------------------------------------------------------------------


def _department_asked(request, departments) -> Department | None:
    asked = request.GET.get("department")
    if not asked:
        return None
    department = next((each for each in departments if str(each.pk) == asked), None)
    if department is None:
        raise ApplicationError(_("Choose one of the departments listed."))
    return department


@member_required()
def leaderboard(request):
    """Performers ranked per period and department subtree, with department ratings. Admins
    and analysts see everyone, a manager their department's subtree; a rated member sees their
    own department's board as the tenant's setting says (named, anonymous, or not at all)."""
    member = request.member
    scheme = scheme_current(member.tenant_id)
    may_read_all = member_can(member, Action.VIEW_RATINGS)
    if not may_read_all and (
        not member_can(member, Action.VIEW_OWN_RATING)
        or scheme.leaderboard == LeaderboardVisibility.HIDDEN
    ):
        raise NotAllowed(_("Your organisation does not show the leaderboard to performers."))
    kind, start = _period_asked(request)
    period = selectors.period_chosen(member, kind, start)
    if may_read_all:  # admins and analysts: every department; a manager: their subtree
        departments = list(
            visible_to(
                Department.objects.for_tenant(member.tenant_id), member, department_field=""
            ).order_by("path")
        )
        department = _department_asked(request, departments)
        if department is None and visible_subtree(member) is not None:
            department = member.department
    else:  # a rated member always has a department (``tenants.members``)
        departments, department = [], member.department
    ranked, unranked = (
        selectors.leaderboard(member.tenant_id, period, department) if period else ([], [])
    )
    context = {
        "kind": kind,
        "kinds": RatingPeriod.Kind.choices,
        "period": period,
        "periods": selectors.periods_of(member.tenant_id, kind),
        "departments": departments,
        "department": department,
        "ranked": ranked,
        "unranked": unranked,
        "department_ratings": (
            selectors.department_ratings(member.tenant_id, period, department) if period else []
        ),
        "is_named": may_read_all or scheme.leaderboard == LeaderboardVisibility.NAMED,
        "shows_components": may_read_all,
        "components": formula.COMPONENTS,
        "may_manage": member_can(member, Action.MANAGE_RATINGS),
        "has_ended": period is not None and today_of(member.tenant) >= period.end,
    }
    return render(request, "ratings/leaderboard.html", context)


def _period_or_404(request, period_id: int) -> RatingPeriod:
    period = RatingPeriod.objects.for_tenant(request.tenant).filter(pk=period_id).first()
    if period is None:
        raise Http404(_("No such period."))
    return period


def _to_board(request, period: RatingPeriod):
    query = urlencode({"kind": period.kind, "start": period.start.isoformat()})
    return redirect(f"{reverse('rating-leaderboard', args=[request.tenant.slug])}?{query}")


@require_POST
@member_required(Action.MANAGE_RATINGS)
def period_recompute(request, period_id: int):
    period = _period_or_404(request, period_id)
    stored = services.rating_period_recompute(actor=request.member, period=period)
    message = ngettext(
        "%(count)s rating is recomputed.", "%(count)s ratings are recomputed.", stored
    )
    messages.success(request, message % {"count": stored})
    return _to_board(request, period)


@require_POST
@member_required(Action.MANAGE_RATINGS)
def period_reopen(request, period_id: int):
    period = services.rating_period_reopen(
        actor=request.member, period=_period_or_404(request, period_id)
    )
    messages.success(request, _("The period is open again: recompute it, then close it."))
    return _to_board(request, period)


@require_POST
@member_required(Action.MANAGE_RATINGS)
def period_close(request, period_id: int):
    period = services.rating_period_close(
        actor=request.member, period=_period_or_404(request, period_id)
    )
    messages.success(request, _("The period is closed: its ratings will not change."))
    return _to_board(request, period)
