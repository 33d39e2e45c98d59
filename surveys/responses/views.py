"""The managers' response browser and one response's page. Thin: parse (``ResponseFilterSet``,
the page number), read, render."""

from django.shortcuts import render

from complaints.selectors import complaint_if_visible
from surveys.followups.selectors import response_answers
from surveys.responses import selectors
from surveys.responses.filters import ResponseFilterSet
from tenants.decorators import member_required
from tenants.paging import page_number
from tenants.permissions import Action


@member_required(Action.VIEW_SURVEYS)
def response_list(request):
    filterset = ResponseFilterSet(
        request.GET, queryset=selectors.visible_responses(request.member), request=request
    )
    return render(
        request,
        "surveys/responses/list.html",
        {
            "filterset": filterset,
            "page": selectors.response_page(filterset.qs, number=page_number(request)),
            "figures": selectors.figures(request.member, filterset.qs),
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
