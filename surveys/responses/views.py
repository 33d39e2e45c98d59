"""The managers' response browser and one response's page. Thin: parse, read, render."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from complaints.selectors import complaint_if_visible
from surveys.followups.selectors import response_answers
from surveys.responses import selectors
from tenants.decorators import member_required
from tenants.models import Brand, Membership, Touchpoint
from tenants.permissions import Action


class ResponseFilterForm(forms.Form):
    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int, required=False, empty_value=None)
    touchpoint = forms.TypedChoiceField(
        label=_("Touchpoint"), coerce=int, required=False, empty_value=None
    )
    performer = forms.TypedChoiceField(
        label=_("Handled by"), coerce=int, required=False, empty_value=None
    )
    band = forms.ChoiceField(
        label=_("Score"), choices=[("", "—"), *selectors.BANDS], required=False
    )
    submitted_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    with_comment = forms.BooleanField(label=_("With a comment"), required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].choices = [("", "—")] + [
            (b.pk, b.name) for b in Brand.objects.for_tenant(tenant).order_by("name")
        ]
        self.fields["touchpoint"].choices = [("", "—")] + [
            (t.pk, t.name) for t in Touchpoint.objects.for_tenant(tenant).order_by("name")
        ]
        members = (
            Membership.objects.for_tenant(tenant)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "pk")
        )
        self.fields["performer"].choices = [("", "—")] + [
            (m.pk, m.user.get_full_name() or m.user.get_username()) for m in members
        ]

    def to_filters(self) -> selectors.ResponseFilters:
        if not self.is_bound:
            return selectors.ResponseFilters()
        self.is_valid()  # keeps the valid fields in cleaned_data: a bad date drops only itself
        data = self.cleaned_data
        return selectors.ResponseFilters(
            brand=data.get("brand"),
            touchpoint=data.get("touchpoint"),
            performer=data.get("performer"),
            band=data.get("band") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            with_comment=bool(data.get("with_comment")),
            page=data.get("page") or 1,
            errors=self.errors,
        )


@member_required(Action.VIEW_SURVEYS)
def response_list(request):
    form = ResponseFilterForm(request.GET or None, tenant=request.tenant)
    filters = form.to_filters()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/responses/list.html",
        {
            "form": form,
            "page": selectors.response_page(request.member, filters),
            "figures": selectors.figures(request.member, filters),
            "query": query.urlencode(),
        },
    )


@member_required(Action.VIEW_SURVEYS)
def response_detail(request, response_id):
    member = request.member
    response = selectors.response_for_member_or_404(member, response_id)
    follow_up = selectors.follow_up_of(response)
    rerate_of = selectors.rerate_of(response)
    return render(
        request,
        "surveys/responses/detail.html",
        {
            "response": response,
            "band": selectors.band_of(response.primary_kind, response.primary_score),
            "interaction": response.interaction,
            "complaint": complaint_if_visible(member, response.interaction.complaint),
            "answers": response_answers(response, default_language=request.tenant.default_language),
            "follow_up": follow_up,
            # This response is a re-rate: the follow-up it answers, and the score before.
            "rerate_of": rerate_of,
        },
    )
