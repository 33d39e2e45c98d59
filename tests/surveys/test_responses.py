"""The managers' response browser: filters, the figures of what is shown, one response with
its interaction, complaint, follow-up and re-rate history.

Acme Motor's customers answered through the real services (recorded, sent, submitted). Mario
(manager) browses them; Pete (performer) sees no surveys; Charlie works for Globex.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import State
from surveys.followups.services import follow_up_complete
from surveys.models import Invitation, Question, Response
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import Role
from tests.factories import BrandFactory, TouchpointFactory, make_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def survey(acme):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    return version


@pytest.fixture
def answer(acme, acme_brand, survey):
    """``answer(name, nps, comment=…, brand=…, touchpoint=…, performer=…, days_ago=…)``."""
    questions = {q.kind: q for q in survey.questions.all()}
    serial = iter(range(1, 1000))

    def make(name, nps, *, comment="", days_ago=0, brand=None, **fields) -> Response:
        n = next(serial)
        now = timezone.now() - days_ago * DAY
        customer = make_customer(acme, name, f"customer{n}@example.com")
        interaction = record(
            brand or acme_brand,
            customer,
            occurred_at=now - HOUR,
            now=now,
            reference=f"visit-{n}",
            **fields,
        )
        invitations_run(now=now)
        invitation = Invitation.objects.for_tenant(acme).get(interaction=interaction)
        answers = {questions[QuestionKind.NPS].pk: nps}
        if comment:
            answers[questions[QuestionKind.TEXT].pk] = comment
        return response_submit(invitation=invitation, answers=answers, now=now)

    return make


def list_url(tenant, **query) -> str:
    url = reverse("response-list", kwargs={"tenant_slug": tenant.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(tenant, response) -> str:
    return reverse(
        "response-detail", kwargs={"tenant_slug": tenant.slug, "response_id": response.pk}
    )


def shown(page) -> list[str]:
    """The customers of the listed responses, top to bottom."""
    return [response.interaction.customer.name for response in page.context["page"].rows]


# --- the browser ---------------------------------------------------------------------------


def test_responses_are_listed_latest_first_with_score_comment_and_follow_up(
    client_of, acme, acme_manager, answer
):
    answer("Old Olga", 9, days_ago=3)
    answer("Critic Carla", 2, comment="Nobody called back.", days_ago=1)
    answer("New Nina", 10)

    page = client_of(acme_manager).get(list_url(acme))

    assert page.status_code == 200
    assert shown(page) == ["New Nina", "Critic Carla", "Old Olga"]
    html = page.content.decode()
    assert "Nobody called back." in html
    assert '<span class="band band-low">2</span>' in html
    assert '<span class="band band-high">10</span>' in html
    assert html.count('class="state state-open"') == 1  # Carla's follow-up


@pytest.fixture
def crowd(acme, acme_brand, acme_manager, answer):
    """Six answers over brands, touchpoints, performers, scores, comments and dates."""
    other_brand = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    shop = TouchpointFactory(tenant=acme, name="Shop")
    answer("Ada", 10, touchpoint=phone, performer=acme_manager)
    answer("Ben", 8, touchpoint=shop, comment="Fine, a bit slow.")
    answer("Cleo", 3, touchpoint=phone, comment="Rude on the phone.", days_ago=10)
    answer("Dan", 6, brand=other_brand, touchpoint=shop, performer=acme_manager)
    answer("Eve", 9, brand=other_brand, days_ago=40)
    answer("Finn", 0, touchpoint=phone, days_ago=2)
    return {"rent": other_brand, "phone": phone, "shop": shop}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda c, m: {"brand": c["rent"].pk}, ["Dan", "Eve"]),
        (lambda c, m: {"touchpoint": c["phone"].pk}, ["Ada", "Finn", "Cleo"]),
        (lambda c, m: {"performer": m.pk}, ["Dan", "Ada"]),
        (lambda c, m: {"band": "low"}, ["Dan", "Finn", "Cleo"]),
        (lambda c, m: {"band": "middle"}, ["Ben"]),
        (lambda c, m: {"band": "high"}, ["Ada", "Eve"]),
        (lambda c, m: {"with_comment": "on"}, ["Ben", "Cleo"]),
        (
            lambda c, m: {
                "submitted_from": (timezone.localdate() - 12 * DAY).isoformat(),
                "submitted_to": (timezone.localdate() - DAY).isoformat(),
            },
            ["Finn", "Cleo"],
        ),
        (lambda c, m: {"touchpoint": c["phone"].pk, "band": "low"}, ["Finn", "Cleo"]),
    ],
    ids=[
        "brand",
        "touchpoint",
        "performer",
        "detractors",
        "passives",
        "promoters",
        "with-comment",
        "period",
        "combined",
    ],
)
def test_filters_narrow_the_list(client_of, acme, acme_manager, crowd, query, expected):
    page = client_of(acme_manager).get(list_url(acme, **query(crowd, acme_manager)))

    assert shown(page) == expected


def test_the_figures_are_those_of_the_responses_shown(client_of, acme, acme_manager, answer):
    for name, score in [("A", 0), ("B", 7), ("C", 7), ("D", 9), ("E", 9), ("F", 9)]:
        answer(name, score)
    answer("Old", 0, days_ago=30)

    since = (timezone.localdate() - DAY).isoformat()
    page = client_of(acme_manager).get(list_url(acme, submitted_from=since))

    figures = page.context["figures"]
    # The worked example: NPS 33.3, SE 30.4 points, so ± 59.6 at 95 %.
    assert round(figures.nps.score, 1) == 33.3
    assert round(figures.nps.margin_of_error, 1) == 59.6
    html = page.content.decode()
    assert re.search(r"<dd>33 <small[^>]*>± 60</small></dd>", html)
    assert "<dd>3 / 2 / 1</dd>" in html


def test_a_re_rate_is_shown_apart_as_the_figure_after_a_follow_up(
    client_of, acme, acme_manager, answer
):
    before = answer("Maria", 2, comment="The car came back dirty.")
    answer("Nina", 10)
    follow_up_complete(
        actor=acme_manager, follow_up=before.follow_up, outcome="Cleaned it.", invite_rerate=True
    )
    invitations_run(now=timezone.now() + 2 * DAY)
    rerate = Invitation.objects.for_tenant(acme).get(purpose=Invitation.Purpose.RERATE)
    nps = Question.objects.for_tenant(acme).get(version=rerate.version, kind=QuestionKind.NPS)
    response_submit(invitation=rerate, answers={nps.pk: 9})

    page = client_of(acme_manager).get(list_url(acme))

    assert len(shown(page)) == 3  # the re-rate is listed: history
    figures = page.context["figures"]
    # First answers 2 and 10: one detractor, one promoter → 0; the re-rate's 9 → +100 apart.
    assert (figures.nps.answered, figures.nps.score) == (2, 0.0)
    assert (figures.nps_after_follow_up.answered, figures.nps_after_follow_up.score) == (1, 100.0)
    assert "<dd>100 / —</dd>" in page.content.decode()


def test_the_csat_is_shown_as_a_share_and_a_mean(client_of, acme, acme_brand, acme_manager):
    version = publish_survey(acme, name="Roadside", primary=QuestionKind.CSAT)
    add_rule(acme, version.survey, delay_minutes=0)
    csat = version.questions.get(kind=QuestionKind.CSAT)
    now = timezone.now()
    for n, score in enumerate((5, 4, 2, 1)):
        customer = make_customer(acme, f"C{n}", f"c{n}@example.com")
        record(acme_brand, customer, occurred_at=now - HOUR, now=now, reference=f"tow-{n}")
        invitations_run(now=now)
        invitation = Invitation.objects.for_tenant(acme).get(customer=customer)
        response_submit(invitation=invitation, answers={csat.pk: score}, now=now)

    page = client_of(acme_manager).get(list_url(acme))

    html = page.content.decode()
    assert "<dd>50 %</dd>" in html  # 5 and 4 of four answers
    assert "<dd>3.0</dd>" in html  # (5 + 4 + 2 + 1) / 4


def test_a_bad_date_says_so_and_keeps_the_other_filters(client_of, acme, acme_manager, crowd):
    page = client_of(acme_manager).get(
        list_url(acme, touchpoint=crowd["shop"].pk, submitted_from="31-02-2026")
    )

    assert page.status_code == 200
    assert "Enter a valid date." in page.content.decode()
    assert shown(page) == ["Dan", "Ben"]


def test_pages_go_on_without_counting(client_of, acme, acme_manager, answer, monkeypatch):
    monkeypatch.setattr("surveys.responses.selectors.PAGE_SIZE", 2)
    for name in ["A", "B", "C"]:
        answer(name, 9)

    first = client_of(acme_manager).get(list_url(acme))
    second = client_of(acme_manager).get(list_url(acme, page=2))

    assert (shown(first), first.context["page"].has_next) == (["C", "B"], True)
    assert (shown(second), second.context["page"].has_next) == (["A"], False)


# --- one response --------------------------------------------------------------------------


def test_a_response_shows_its_answers_interaction_complaint_and_follow_up(
    client_of, acme, acme_manager, acme_admin, survey, complaint_in
):
    complaint = complaint_in(State.CLOSED)  # closing it made the interaction; sent at once
    invitations_run()
    invitation = Invitation.objects.for_tenant(acme).get(interaction__complaint=complaint)
    questions = {q.kind: q for q in survey.questions.all()}
    response = response_submit(
        invitation=invitation,
        answers={questions[QuestionKind.NPS].pk: 4, questions[QuestionKind.CHOICE].pk: "speed"},
    )

    page = client_of(acme_manager).get(detail_url(acme, response))

    assert page.status_code == 200
    html = page.content.decode()
    assert "How likely are you to recommend Acme Motor to a friend?" in html
    assert "Speed" in html  # the choice's label, not its value
    complaint_url = reverse(
        "complaint-detail", kwargs={"tenant_slug": acme.slug, "reference": complaint.reference}
    )
    assert f'href="{complaint_url}"' in html
    follow_up_url = reverse(
        "follow-up-detail",
        kwargs={"tenant_slug": acme.slug, "follow_up_id": response.follow_up.pk},
    )
    assert f'href="{follow_up_url}"' in html


def test_a_complaint_the_reader_may_not_open_is_named_but_not_linked(
    client_of, acme, survey, complaint_in
):
    # A manager sees every department's survey data, but only their own subtree's complaints.
    south_manager = make_member(acme, "sam", Role.MANAGER, "south")
    complaint = complaint_in(State.CLOSED)  # handled by the north branch
    invitations_run()
    invitation = Invitation.objects.for_tenant(acme).get(interaction__complaint=complaint)
    nps = Question.objects.for_tenant(acme).get(version=survey, kind=QuestionKind.NPS)
    response = response_submit(invitation=invitation, answers={nps.pk: 9})

    html = client_of(south_manager).get(detail_url(acme, response)).content.decode()

    assert complaint.reference in html
    assert "(another department's)" in html
    assert f"/complaints/{complaint.reference}/" not in html


def test_the_re_rate_after_a_follow_up_is_kept_as_history_on_both_responses(
    client_of, acme, acme_manager, answer
):
    before = answer("Maria", 2, comment="The car came back dirty.")
    follow_up_complete(
        actor=acme_manager,
        follow_up=before.follow_up,
        outcome="Cleaned it again; apologised.",
        invite_rerate=True,
    )
    invitations_run(now=timezone.now() + 2 * DAY)
    rerate = Invitation.objects.for_tenant(acme).get(purpose=Invitation.Purpose.RERATE)
    nps = Question.objects.for_tenant(acme).get(version=rerate.version, kind=QuestionKind.NPS)
    after = response_submit(invitation=rerate, answers={nps.pk: 9})
    client = client_of(acme_manager)

    first = client.get(detail_url(acme, before)).content.decode()
    second = client.get(detail_url(acme, after)).content.decode()

    moved = "The score moved from 2 to 9 after the follow-up."
    assert moved in first and "Cleaned it again; apologised." in first
    assert f'href="{detail_url(acme, after)}"' in first
    assert moved in second
    assert f'href="{detail_url(acme, before)}"' in second


# --- who may read ----------------------------------------------------------------------------


def test_a_performer_may_not_browse_responses(client_of, acme, acme_performer, answer):
    response = answer("Maria", 9)
    client = client_of(acme_performer)

    assert client.get(list_url(acme)).status_code == 403
    assert client.get(detail_url(acme, response)).status_code == 403


def test_another_tenants_response_is_a_404(client_of, acme, globex, globex_agent, answer):
    response = answer("Maria", 9)
    client = client_of(globex_agent)

    assert client.get(detail_url(globex, response)).status_code == 404
    assert shown(client.get(list_url(globex))) == []
