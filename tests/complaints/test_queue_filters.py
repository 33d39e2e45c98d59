"""The complaint queue's FilterSet (``complaints.filters.QueueFilterSet``): the page and an API
list filter the same way, choices are the tenant's, bad input is shown and costs nothing else,
and paging answers like every other list."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.filters import QueueFilterSet
from complaints.lifecycle import State
from complaints.models import Complaint
from complaints.selectors import visible_complaints
from tests.filtering import api_list, as_member

BANNER = "Some filters could not be used"
INVALID_CHOICE = "Select a valid choice."


def queue(client, **params):
    url = reverse("complaint-queue", kwargs={"tenant_slug": "acme"})
    return client.get(f"{url}?{urlencode(params)}")


def references(response) -> list[str]:
    return [row.reference for row in response.context["page"].rows]


@pytest.fixture
def three(complaint_in):
    """Three open complaints received a day apart: "Hail" (oldest), "Late callback", "Rude"."""
    now = timezone.now()
    made = []
    for days_ago, subject in ((3, "Hail damage"), (2, "Late callback"), (1, "Rude staff")):
        complaint = complaint_in(State.ACKNOWLEDGED, subject=subject)
        Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(
            received_at=now - timedelta(days=days_ago)
        )
        made.append(complaint.reference)
    return made


def test_the_queue_sorts_and_searches_through_its_filterset(client_of, acme_admin, three):
    client = client_of(acme_admin)
    hail, late, rude = three

    assert references(queue(client, queue="all")) == [rude, late, hail]
    assert references(queue(client, queue="all", sort="oldest")) == [hail, late, rude]
    assert references(queue(client, queue="all", q="callback")) == [late]


def test_another_tenants_brand_is_refused_and_the_other_filters_still_apply(
    client_of, acme_admin, globex_brand, three
):
    page = queue(client_of(acme_admin), queue="all", brand=globex_brand.pk, q="callback")

    html = page.content.decode()
    assert page.status_code == 200
    assert BANNER in html and INVALID_CHOICE in html
    assert references(page) == [three[1]]  # the search still narrows the list
    assert globex_brand.name not in html  # Globex's brand is offered nowhere


def test_a_wrong_queue_name_shows_the_department_queue(client_of, acme_admin, three):
    page = queue(client_of(acme_admin), queue="everything")

    assert page.status_code == 200
    assert 'href="?queue=department" aria-current="page"' in page.content.decode()


def test_paging_keeps_the_filters_and_refuses_what_is_not_a_page(
    client_of, acme_admin, three, monkeypatch
):
    monkeypatch.setattr("complaints.selectors.PAGE_SIZE", 2)
    client = client_of(acme_admin)

    first = queue(client, queue="all", sort="oldest")

    assert references(first) == three[:2]
    assert 'href="?queue=all&amp;sort=oldest&amp;page=2" rel="next"' in first.content.decode()
    assert references(queue(client, queue="all", sort="oldest", page=2)) == three[2:]
    assert queue(client, queue="all", page="two").status_code == 400
    assert queue(client, queue="all", page=3).status_code == 404


# --- the same FilterSet behind an API list ------------------------------------------------------


api_get = api_list(QueueFilterSet, visible_complaints, ["reference", "subject"])


def test_the_queue_filterset_filters_an_api_list(acme_admin, three):
    oldest_first = api_get(acme_admin, queue="all", sort="oldest")
    searched = api_get(acme_admin, queue="all", q="callback")

    assert oldest_first.status_code == searched.status_code == 200
    assert [row["reference"] for row in oldest_first.data] == three
    assert [row["reference"] for row in searched.data] == [three[1]]


def test_the_api_answers_another_tenants_brand_with_400(acme_admin, globex_brand, three):
    response = api_get(acme_admin, brand=str(globex_brand.pk))

    assert response.status_code == 400
    assert list(response.data) == ["brand"]
    assert str(response.data["brand"][0]).startswith(INVALID_CHOICE)


def test_mine_without_a_member_is_nothing(acme, acme_admin, three):
    request = as_member(acme_admin, queue="mine")
    request.member = None  # a tenant's API key acts for no member

    filterset = QueueFilterSet(
        request.GET, queryset=visible_complaints(acme_admin), request=request
    )

    assert list(filterset.qs) == []


def test_two_filtersets_at_once_each_filter_for_their_own_member(
    complaint_in, acme_admin, acme_agent
):
    # the queue's filters are copied cheaply per FilterSet: each copy must call its own
    mine = complaint_in(State.ASSIGNED)  # the fixture assigns to Bob, the agent

    def queue_of(member):
        request = as_member(member, queue="mine")
        return QueueFilterSet(request.GET, queryset=visible_complaints(member), request=request)

    bobs, alices = queue_of(acme_agent), queue_of(acme_admin)

    assert [c.reference for c in bobs.qs] == [mine.reference]
    assert list(alices.qs) == []
