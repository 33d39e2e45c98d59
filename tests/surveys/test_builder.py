"""The managers' survey builder: surveys, draft questions, publishing, preview and rules."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from surveys.builder.publishing import draft_open, survey_create, survey_update, version_publish
from surveys.builder.questions import question_add, question_delete, question_move, question_update
from surveys.builder.rules import rule_create, rule_delete, rule_update
from surveys.models import Survey, SurveyRule, SurveyVersion
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import AuditEntry, Role
from tests.factories import TouchpointFactory, make_member

NPS = {
    "kind": "nps",
    "text": {"en": "How likely are you to recommend us?", "el": "Πόσο πιθανό να μας προτείνετε;"},
    "is_primary": True,
}
CSAT = {"kind": "csat", "text": {"en": "How satisfied are you with the service?"}}
CES = {"kind": "ces", "text": {"en": "How easy was it to get help?"}, "is_primary": True}
SCALE = {"kind": "scale", "text": {"en": "How fast was the answer?"}, "scale_min": 1,
         "scale_max": 10}  # fmt: skip
CHOICE = {
    "kind": "choice",
    "text": {"en": "What mattered most?"},
    "choices": [
        {"value": "price", "label": {"en": "Price", "el": "Τιμή"}},
        {"value": "speed", "label": {"en": "Speed"}},
    ],
}
TEXT = {"kind": "text", "text": {"en": "Anything else?", "it": "Altro?"}}


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "acme", **kwargs})


def versions(survey):
    return list(
        SurveyVersion.objects.for_tenant(survey.tenant_id)
        .filter(survey=survey)
        .order_by("number")
        .values_list("number", "status")
    )


def version(survey, number):
    return SurveyVersion.objects.for_tenant(survey.tenant_id).get(survey=survey, number=number)


def questions(survey, number):
    return list(
        version(survey, number)
        .questions.order_by("position")
        .values_list("position", "kind", "is_primary", "text__en")
    )


def audit_actions(tenant):
    """The survey builder's audit entries (setting up the personas writes its own)."""
    entries = AuditEntry.objects.for_tenant(tenant).filter(target_type__startswith="surveys.")
    return list(entries.order_by("id").values_list("action", flat=True))


def draft_with(actor, *specs, name="After a claim"):
    survey = survey_create(actor=actor, name=name)
    draft = version(survey, 1)
    for spec in specs:
        question_add(actor=actor, version=draft, **spec)
    return survey


def published(actor, *specs, name="After a claim"):
    survey = draft_with(actor, *specs, name=name)
    version_publish(actor=actor, version=version(survey, 1))
    return survey


@pytest.fixture
def globex_admin(globex):
    return make_member(globex, "gina", Role.ADMIN, None)


# --- surveys and questions ----------------------------------------------------------------


def test_a_new_survey_has_version_1_as_an_empty_draft(acme_manager):
    survey = survey_create(actor=acme_manager, name="  After a claim ")

    assert survey.name == "After a claim"
    assert versions(survey) == [(1, "draft")]
    assert questions(survey, 1) == []


def test_a_draft_takes_a_question_of_each_kind(acme_admin):
    survey = draft_with(acme_admin, NPS, CSAT, SCALE, CHOICE, TEXT)
    other = draft_with(acme_admin, CES, name="Road assistance")

    rows = list(
        version(survey, 1)
        .questions.order_by("position")
        .values_list("position", "kind", "is_primary", "is_required", "scale_min", "scale_max")
    )
    assert rows == [
        (1, "nps", True, True, 0, 10),
        (2, "csat", False, False, 1, 5),
        (3, "scale", False, False, 1, 10),
        (4, "choice", False, False, None, None),
        (5, "text", False, False, None, None),
    ]
    choice = version(survey, 1).questions.get(kind="choice")
    assert choice.choices == CHOICE["choices"]
    assert version(survey, 1).questions.get(kind="nps").text == NPS["text"]
    assert questions(other, 1) == [(1, "ces", True, "How easy was it to get help?")]


def test_a_sixth_question_is_refused(acme_admin):
    survey = draft_with(acme_admin, NPS, CSAT, SCALE, CHOICE, TEXT)

    with pytest.raises(ApplicationError) as refused:
        question_add(actor=acme_admin, version=version(survey, 1), **TEXT)

    assert refused.value.code == "too_many_questions"
    assert refused.value.message == "A survey has at most 5 questions: remove one first."
    assert version(survey, 1).questions.count() == 5


def test_a_second_primary_question_is_refused(acme_admin):
    survey = draft_with(acme_admin, NPS)

    with pytest.raises(ApplicationError) as refused:
        question_add(actor=acme_admin, version=version(survey, 1), **CES)

    assert refused.value.fields == {
        "is_primary": ["Question 1 is already the primary one; untick it there first."]
    }
    assert questions(survey, 1) == [(1, "nps", True, "How likely are you to recommend us?")]


def test_a_text_question_cannot_be_the_primary_one(acme_admin):
    survey = draft_with(acme_admin)

    with pytest.raises(ApplicationError) as refused:
        question_add(actor=acme_admin, version=version(survey, 1), **{**TEXT, "is_primary": True})

    assert list(refused.value.fields) == ["is_primary"]
    assert questions(survey, 1) == []


def test_an_edit_cannot_make_a_second_primary_or_a_primary_text(acme_admin):
    survey = draft_with(acme_admin, NPS, CSAT)
    csat = version(survey, 1).questions.get(position=2)

    with pytest.raises(ApplicationError):
        question_update(actor=acme_admin, question=csat, **{**CSAT, "is_primary": True})
    nps = version(survey, 1).questions.get(position=1)
    with pytest.raises(ApplicationError):
        question_update(actor=acme_admin, question=nps, **{**TEXT, "is_primary": True})

    assert [q[:3] for q in questions(survey, 1)] == [(1, "nps", True), (2, "csat", False)]


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        ({"kind": "csat", "text": {"el": "Πόσο ικανοποιημένοι;"}}, ["text_en"]),
        ({**SCALE, "scale_min": 5, "scale_max": 5}, ["scale_max"]),
        ({**SCALE, "scale_min": None, "scale_max": 20}, ["scale_min", "scale_max"]),
        ({**CHOICE, "choices": [{"value": "price", "label": {"en": "Price"}}]}, ["choices"]),
        (
            {
                **CHOICE,
                "choices": [{"value": "a", "label": {"en": "A"}}, {"value": "a", "label": {}}],
            },
            ["choices"],
        ),
        ({"kind": "stars", "text": {"en": "Stars?"}}, ["kind"]),
    ],
)
def test_an_incomplete_question_is_refused_with_its_fields(acme_admin, spec, fields):
    survey = draft_with(acme_admin)

    with pytest.raises(ApplicationError) as refused:
        question_add(actor=acme_admin, version=version(survey, 1), **spec)

    assert list(refused.value.fields) == fields
    assert questions(survey, 1) == []


def test_fields_a_kind_does_not_use_are_dropped(acme_admin):
    survey = draft_with(
        acme_admin, {**NPS, "scale_min": 3, "scale_max": 4, "choices": CHOICE["choices"]}
    )

    nps = version(survey, 1).questions.get()
    assert (nps.scale_min, nps.scale_max, nps.choices) == (0, 10, [])


def test_moving_and_deleting_keep_positions_in_a_row(acme_admin):
    survey = draft_with(acme_admin, NPS, CSAT, TEXT)
    draft = version(survey, 1)
    text = draft.questions.get(kind="text")

    question_move(actor=acme_admin, question=text, offset=-1)
    question_move(actor=acme_admin, question=text, offset=-1)
    question_move(actor=acme_admin, question=text, offset=-1)  # already first

    assert [q[1] for q in questions(survey, 1)] == ["text", "nps", "csat"]
    question_delete(actor=acme_admin, question=draft.questions.get(kind="nps"))
    assert [q[:2] for q in questions(survey, 1)] == [(1, "text"), (2, "csat")]


# --- publishing and versions --------------------------------------------------------------


def test_an_empty_draft_is_not_published(acme_admin):
    survey = draft_with(acme_admin)

    with pytest.raises(ApplicationError) as refused:
        version_publish(actor=acme_admin, version=version(survey, 1))

    assert refused.value.code == "not_publishable"
    assert refused.value.fields == {"__all__": ["Add at least one question."]}
    assert versions(survey) == [(1, "draft")]
    assert "survey_version.published" not in audit_actions(survey.tenant)


def test_a_draft_without_a_primary_question_is_not_published(acme_admin):
    survey = draft_with(acme_admin, CSAT, TEXT)

    with pytest.raises(ApplicationError) as refused:
        version_publish(actor=acme_admin, version=version(survey, 1))

    assert refused.value.fields == {
        "__all__": [
            "Mark one NPS, CSAT or CES question as the primary one (the overall impression)."
        ]
    }
    assert versions(survey) == [(1, "draft")]


def test_publishing_makes_version_1_published(acme_manager):
    survey = draft_with(acme_manager, NPS, TEXT)

    published_version = version_publish(actor=acme_manager, version=version(survey, 1))

    assert versions(survey) == [(1, "published")]
    assert version(survey, 1).published_at == published_version.published_at
    assert published_version.published_at is not None


def test_editing_after_publishing_starts_version_2_with_a_copy(acme_admin):
    survey = published(acme_admin, NPS, CHOICE)
    v1_before = list(version(survey, 1).questions.values_list("pk", "text", "choices"))

    draft = draft_open(actor=acme_admin, survey=survey)
    question_add(actor=acme_admin, version=draft, **TEXT)

    assert (draft.number, draft.status) == (2, "draft")
    assert versions(survey) == [(1, "published"), (2, "draft")]
    assert questions(survey, 2) == [
        (1, "nps", True, "How likely are you to recommend us?"),
        (2, "choice", False, "What mattered most?"),
        (3, "text", False, "Anything else?"),
    ]
    assert version(survey, 2).questions.get(kind="choice").choices == CHOICE["choices"]
    assert list(version(survey, 1).questions.values_list("pk", "text", "choices")) == v1_before


def test_a_published_version_is_never_edited(acme_admin):
    survey = published(acme_admin, NPS)
    v1 = version(survey, 1)
    nps = v1.questions.get()

    for attempt in (
        lambda: question_add(actor=acme_admin, version=v1, **TEXT),
        lambda: question_update(actor=acme_admin, question=nps, **CES),
        lambda: question_delete(actor=acme_admin, question=nps),
        lambda: version_publish(actor=acme_admin, version=v1),
    ):
        with pytest.raises(Conflict):
            attempt()

    assert questions(survey, 1) == [(1, "nps", True, "How likely are you to recommend us?")]
    assert versions(survey) == [(1, "published")]


def test_a_survey_has_one_draft_at_a_time(acme_admin):
    survey = published(acme_admin, NPS)

    first = draft_open(actor=acme_admin, survey=survey)
    again = draft_open(actor=acme_admin, survey=survey)

    assert first.pk == again.pk
    assert versions(survey) == [(1, "published"), (2, "draft")]


def test_publishing_version_2_retires_version_1(acme_admin):
    survey = published(acme_admin, NPS)
    draft = draft_open(actor=acme_admin, survey=survey)

    version_publish(actor=acme_admin, version=draft)

    assert versions(survey) == [(1, "retired"), (2, "published")]
    assert questions(survey, 1) == [(1, "nps", True, "How likely are you to recommend us?")]


# --- preview ------------------------------------------------------------------------------


def test_the_preview_shows_the_greek_text_and_falls_back_to_english(client_of, acme_manager):
    survey = draft_with(acme_manager, NPS, CHOICE)
    client = client_of(acme_manager)
    preview = url("survey-preview", survey_id=survey.pk, number=1)

    greek = client.get(preview, {"lang": "el"})

    assert greek.status_code == 200
    assert [(q.text, q.is_fallback) for q in greek.context["questions"]] == [
        ("Πόσο πιθανό να μας προτείνετε;", False),
        ("What mattered most?", True),
    ]
    assert greek.context["questions"][1].choices == [
        ("price", "Τιμή", False),
        ("speed", "Speed", True),
    ]
    page = greek.content.decode()
    assert "Πόσο πιθανό να μας προτείνετε;" in page
    assert "No Greek text: customers see this instead" in page
    english = client.get(preview, {"lang": "en"})
    assert [q.text for q in english.context["questions"]] == [
        "How likely are you to recommend us?",
        "What mattered most?",
    ]
    assert "customers see this instead" not in english.content.decode()


def test_the_preview_of_an_unknown_language_is_the_tenants_language(client_of, acme_manager):
    survey = draft_with(acme_manager, NPS)

    response = client_of(acme_manager).get(
        url("survey-preview", survey_id=survey.pk, number=1), {"lang": "xx"}
    )

    assert response.context["language"] == "en"


# --- rules --------------------------------------------------------------------------------


def rule_rows(tenant):
    return list(
        SurveyRule.objects.for_tenant(tenant).values_list(
            "survey__name", "brand__slug", "touchpoint__code", "source", "delay_minutes",
            "sample_percent", "order", "is_active",
        )
    )  # fmt: skip


def test_a_rule_is_created_and_edited(acme_manager, acme_brand):
    survey = published(acme_manager, NPS)
    desk = TouchpointFactory(tenant=acme_manager.tenant, code="desk", name="Desk")

    rule = rule_create(
        actor=acme_manager, survey=survey, brand=acme_brand, delay_minutes=30, sample_percent=10
    )
    rule_update(
        actor=acme_manager,
        rule=rule,
        survey=survey,
        brand=acme_brand,
        touchpoint=desk,
        source="complaint",
        delay_minutes=120,
        sample_percent=0,
        order=5,
        is_active=False,
    )

    assert rule_rows(acme_manager.tenant) == [
        ("After a claim", "acme-motor", "desk", "complaint", 120, 0, 5, False)
    ]
    changed = AuditEntry.objects.for_tenant(acme_manager.tenant).get(action="survey_rule.changed")
    assert changed.changes == {
        "touchpoint": [None, desk.pk],
        "source": ["", "complaint"],
        "delay_minutes": [30, 120],
        "sample_percent": [10, 0],
        "order": [100, 5],
        "is_active": [True, False],
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sample_percent": 101}, "sample_percent"),
        ({"sample_percent": -1}, "sample_percent"),
        ({"delay_minutes": 1441}, "delay_minutes"),
        ({"source": "fax"}, "source"),
    ],
)
def test_a_rule_out_of_range_is_refused(acme_manager, values, field):
    survey = draft_with(acme_manager)

    with pytest.raises(ApplicationError) as refused:
        rule_create(actor=acme_manager, survey=survey, **values)

    assert list(refused.value.fields) == [field]
    assert rule_rows(acme_manager.tenant) == []


def test_a_rule_with_another_tenants_brand_or_survey_is_refused(
    acme_manager, globex_admin, globex_brand
):
    survey = draft_with(acme_manager)
    globex_survey = survey_create(actor=globex_admin, name="Globex survey")

    with pytest.raises(ApplicationError) as refused:
        rule_create(actor=acme_manager, survey=globex_survey, brand=globex_brand)
    assert refused.value.fields == {
        "survey": ["Choose a survey of this organisation."],
        "brand": ["Choose a brand of this organisation."],
    }
    rule = rule_create(actor=acme_manager, survey=survey)
    with pytest.raises(ApplicationError):
        rule_update(
            actor=acme_manager, rule=rule, survey=survey, brand=globex_brand, touchpoint=None,
            source="", delay_minutes=60, sample_percent=100, order=100, is_active=True,
        )  # fmt: skip

    assert rule_rows(acme_manager.tenant) == [("After a claim", None, None, "", 60, 100, 100, True)]


def test_the_rule_form_refuses_another_tenants_brand(client_of, acme_manager, globex_brand):
    survey = draft_with(acme_manager)
    data = {"survey": survey.pk, "brand": globex_brand.pk, "delay_minutes": 60,
            "sample_percent": 50, "order": 1, "is_active": "on"}  # fmt: skip

    response = client_of(acme_manager).post(url("survey-rule-new"), data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["brand"]
    assert response.context["form"]["sample_percent"].value() == "50"  # nothing typed is lost
    assert rule_rows(acme_manager.tenant) == []


def test_a_rule_is_created_and_deleted_through_the_pages(client_of, acme_manager, acme_brand):
    survey = published(acme_manager, NPS)
    client = client_of(acme_manager)
    data = {"survey": survey.pk, "brand": acme_brand.pk, "source": "api", "delay_minutes": 15,
            "sample_percent": 25, "order": 3, "is_active": "on"}  # fmt: skip

    created = client.post(url("survey-rule-new"), data)
    rule = SurveyRule.objects.for_tenant(acme_manager.tenant).get()
    listing = client.get(url("survey-rule-list"))
    deleted = client.post(url("survey-rule-delete", rule_id=rule.pk))

    assert created.status_code == 302
    assert list(listing.context["rules"]) == [rule]
    assert listing.context["rules"][0].published_number == 1
    assert deleted.status_code == 302
    assert rule_rows(acme_manager.tenant) == []
    assert audit_actions(acme_manager.tenant)[-2:] == ["survey_rule.created", "survey_rule.deleted"]


# --- pages --------------------------------------------------------------------------------


def test_a_manager_builds_and_publishes_through_the_pages(client_of, acme_manager):
    client = client_of(acme_manager)

    created = client.post(url("survey-new"), {"name": "After a call"})
    survey = Survey.objects.for_tenant(acme_manager.tenant).get()
    added = client.post(
        url("survey-question-new", survey_id=survey.pk),
        {"kind": "nps", "text_en": "Recommend us?", "text_el": "Θα μας προτείνατε;",
         "is_primary": "on"},
    )  # fmt: skip
    text = client.post(
        url("survey-question-new", survey_id=survey.pk), {"kind": "text", "text_en": "Why?"}
    )
    question = version(survey, 1).questions.get(kind="text")
    moved = client.post(
        url("survey-question-move", survey_id=survey.pk, question_id=question.pk),
        {"direction": "up"},
    )
    published_page = client.post(url("survey-publish", survey_id=survey.pk))
    detail = client.get(url("survey-detail", survey_id=survey.pk))

    assert [r.status_code for r in (created, added, text, moved, published_page)] == [302] * 5
    assert versions(survey) == [(1, "published")]
    assert questions(survey, 1) == [(1, "text", False, "Why?"), (2, "nps", True, "Recommend us?")]
    assert detail.context["published"].number == 1
    assert detail.context["draft"] is None
    assert "Edit in a new draft" in detail.content.decode()


def test_a_refused_question_keeps_what_was_typed(client_of, acme_manager):
    survey = draft_with(acme_manager)
    typed = {"kind": "text", "text_en": "Anything else?", "text_ru": "Что-нибудь ещё?",
             "is_primary": "on"}  # fmt: skip

    response = client_of(acme_manager).post(url("survey-question-new", survey_id=survey.pk), typed)

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["is_primary"]
    assert (form["text_en"].value(), form["text_ru"].value()) == (
        typed["text_en"],
        typed["text_ru"],
    )
    assert "Что-нибудь ещё?" in response.content.decode()
    assert questions(survey, 1) == []


def test_choices_are_typed_one_per_line(client_of, acme_manager):
    survey = draft_with(acme_manager)

    response = client_of(acme_manager).post(
        url("survey-question-new", survey_id=survey.pk),
        {"kind": "choice", "text_en": "What mattered most?",
         "choices": "Price|Τιμή\n\n Speed ||Velocità\nFriendly, competent staff\n"},
    )  # fmt: skip

    assert response.status_code == 302
    assert version(survey, 1).questions.get().choices == [
        {"value": "price", "label": {"en": "Price", "el": "Τιμή"}},
        {"value": "speed", "label": {"en": "Speed", "it": "Velocità"}},
        {"value": "friendly-competent-staff", "label": {"en": "Friendly, competent staff"}},
    ]


def test_a_question_is_edited_on_its_page_and_a_published_one_is_not(client_of, acme_manager):
    survey = draft_with(acme_manager, NPS, CHOICE)
    choice = version(survey, 1).questions.get(kind="choice")
    client = client_of(acme_manager)
    edit = url("survey-question-edit", survey_id=survey.pk, question_id=choice.pk)

    shown = client.get(edit)
    saved = client.post(
        edit,
        {"kind": "choice", "text_en": "What mattered most?", "text_es": "¿Qué importó más?",
         "choices": shown.context["form"]["choices"].value() + "\nStaff"},
    )  # fmt: skip
    version_publish(actor=acme_manager, version=version(survey, 1))
    refused = client.post(edit, {"kind": "text", "text_en": "Changed?"})

    assert shown.context["form"]["choices"].value() == "Price | Τιμή\nSpeed"
    assert saved.status_code == 302
    choice.refresh_from_db()
    assert choice.text == {"en": "What mattered most?", "es": "¿Qué importó más?"}
    assert [c["value"] for c in choice.choices] == ["price", "speed", "staff"]
    assert refused.status_code == 302
    choice.refresh_from_db()
    assert choice.kind == "choice"


def test_publishing_an_empty_draft_on_the_page_says_why(client_of, acme_manager):
    survey = draft_with(acme_manager)

    response = client_of(acme_manager).post(url("survey-publish", survey_id=survey.pk))

    assert response.status_code == 400
    assert "Version 1 cannot be published yet." in response.content.decode()
    assert versions(survey) == [(1, "draft")]


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("acme_admin", 200, 302),
        ("acme_manager", 200, 302),
        ("acme_analyst", 200, 403),
        ("acme_agent", 200, 403),
        ("acme_performer", 403, 403),
    ],
)
def test_each_role_reaches_what_its_role_allows(
    request, client_of, acme_admin, persona, read, write
):
    survey = draft_with(acme_admin, NPS)
    member = request.getfixturevalue(persona)
    client = client_of(member)

    reads = [
        client.get(url("survey-list")).status_code,
        client.get(url("survey-detail", survey_id=survey.pk)).status_code,
        client.get(url("survey-preview", survey_id=survey.pk, number=1)).status_code,
        client.get(url("survey-rule-list")).status_code,
    ]
    writes = [
        client.post(url("survey-new"), {"name": "Another"}).status_code,
        client.post(url("survey-publish", survey_id=survey.pk)).status_code,
    ]

    assert reads == [read] * 4
    assert writes == [write] * 2
    if write == 403:
        assert versions(survey) == [(1, "draft")]
        assert Survey.objects.for_tenant(survey.tenant).count() == 1


@pytest.mark.parametrize("persona", ["acme_analyst", "acme_agent", "acme_performer"])
def test_the_services_refuse_who_may_not_manage_surveys(request, acme_admin, persona):
    member = request.getfixturevalue(persona)
    survey = draft_with(acme_admin, NPS)

    for attempt in (
        lambda: survey_create(actor=member, name="Mine"),
        lambda: question_add(actor=member, version=version(survey, 1), **TEXT),
        lambda: version_publish(actor=member, version=version(survey, 1)),
        lambda: rule_create(actor=member, survey=survey),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    assert versions(survey) == [(1, "draft")]
    assert [q[1] for q in questions(survey, 1)] == ["nps"]
    assert SurveyRule.objects.for_tenant(survey.tenant).count() == 0


def test_another_tenants_survey_and_rule_are_a_404_and_stay_as_they_were(
    client, acme_admin, globex_admin
):
    survey = draft_with(acme_admin, NPS, TEXT)
    question = version(survey, 1).questions.get(kind="text")
    rule = rule_create(actor=acme_admin, survey=survey, sample_percent=40)
    entries = AuditEntry.objects.for_tenant(survey.tenant).count()
    client.force_login(globex_admin.user)

    def globex(name, **kwargs):
        return reverse(name, kwargs={"tenant_slug": "globex", **kwargs})

    answers = [
        client.get(globex("survey-detail", survey_id=survey.pk)),
        client.get(globex("survey-preview", survey_id=survey.pk, number=1)),
        client.get(globex("survey-question-edit", survey_id=survey.pk, question_id=question.pk)),
        client.post(globex("survey-publish", survey_id=survey.pk)),
        client.post(globex("survey-draft", survey_id=survey.pk)),
        client.post(globex("survey-update", survey_id=survey.pk), {"name": "Taken"}),
        client.post(globex("survey-question-new", survey_id=survey.pk), TEXT),
        client.post(globex("survey-question-delete", survey_id=survey.pk, question_id=question.pk)),
        client.post(
            globex("survey-question-move", survey_id=survey.pk, question_id=question.pk),
            {"direction": "up"},
        ),
        client.get(globex("survey-rule-edit", rule_id=rule.pk)),
        client.post(globex("survey-rule-edit", rule_id=rule.pk), {"sample_percent": 1}),
        client.post(globex("survey-rule-delete", rule_id=rule.pk)),
        # Acme's own URLs: Globex's admin is no member there.
        client.get(url("survey-detail", survey_id=survey.pk)),
        client.post(url("survey-publish", survey_id=survey.pk)),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert Survey.objects.for_tenant(survey.tenant).get().name == "After a claim"
    assert versions(survey) == [(1, "draft")]
    assert [q[1] for q in questions(survey, 1)] == ["nps", "text"]
    assert rule_rows(survey.tenant) == [("After a claim", None, None, "", 60, 40, 100, True)]
    assert AuditEntry.objects.for_tenant(survey.tenant).count() == entries


def test_the_services_refuse_another_tenants_rows(acme_admin, globex_admin):
    survey = draft_with(acme_admin, NPS)
    rule = rule_create(actor=acme_admin, survey=survey)

    for attempt in (
        lambda: question_add(actor=globex_admin, version=version(survey, 1), **TEXT),
        lambda: version_publish(actor=globex_admin, version=version(survey, 1)),
        lambda: draft_open(actor=globex_admin, survey=survey),
        lambda: rule_delete(actor=globex_admin, rule=rule),
    ):
        with pytest.raises(NotFound):
            attempt()

    assert versions(survey) == [(1, "draft")]
    assert SurveyRule.objects.for_tenant(survey.tenant).count() == 1


def test_every_change_is_audited(acme_admin, acme_brand):
    survey = draft_with(acme_admin, NPS, TEXT)
    draft = version(survey, 1)
    text = draft.questions.get(kind="text")
    question_update(actor=acme_admin, question=text, **{**TEXT, "is_required": True})
    question_move(actor=acme_admin, question=text, offset=-1)
    question_delete(actor=acme_admin, question=text)
    version_publish(actor=acme_admin, version=draft)
    draft_open(actor=acme_admin, survey=survey)
    version_publish(actor=acme_admin, version=version(survey, 2))
    survey_update(actor=acme_admin, survey=survey, name="After a claim", is_active=False)
    rule = rule_create(actor=acme_admin, survey=survey, brand=acme_brand)
    rule_delete(actor=acme_admin, rule=rule)

    assert audit_actions(acme_admin.tenant) == [
        "survey.created",
        "question.added",
        "question.added",
        "question.changed",
        "question.moved",
        "question.deleted",
        "survey_version.published",
        "survey_version.drafted",
        "survey_version.retired",
        "survey_version.published",
        "survey.changed",
        "survey_rule.created",
        "survey_rule.deleted",
    ]
    entries = AuditEntry.objects.for_tenant(acme_admin.tenant).filter(
        target_type__startswith="surveys."
    )
    assert {entry.actor_id for entry in entries} == {acme_admin.user_id}
    assert entries.get(action="question.changed").changes == {"is_required": [False, True]}
    assert entries.get(action="survey.changed").changes == {"is_active": [True, False]}
    assert entries.get(action="survey_version.retired").target_id == str(version(survey, 1).pk)


def test_the_survey_list_runs_the_same_queries_for_1_or_5_surveys(
    client_of, acme_admin, acme_brand, django_assert_num_queries
):
    def make_survey(number):
        survey = published(acme_admin, NPS, TEXT, name=f"Survey {number}")
        draft_open(actor=acme_admin, survey=survey)
        rule_create(actor=acme_admin, survey=survey, brand=acme_brand, order=number)

    client = client_of(acme_admin)
    make_survey(0)
    client.get(url("survey-list"))  # warm the session

    with django_assert_num_queries(7) as few:
        client.get(url("survey-list"))
    for number in range(1, 5):
        make_survey(number)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url("survey-list"))

    surveys = response.context["surveys"]
    assert [
        (s.name, s.published.number, s.draft.number, s.draft.question_count) for s in surveys
    ] == [(f"Survey {number}", 1, 2, 2) for number in range(5)]
    assert [len(s.rule_list) for s in surveys] == [1] * 5


def test_the_navigation_shows_surveys_to_who_may_see_them(client_of, acme_agent, acme_performer):
    agent_links = [
        item["label"] for item in client_of(acme_agent).get(url("home")).context["navigation"]
    ]

    assert "Surveys" in agent_links
    performer_page = client_of(acme_performer).get(url("home"))
    assert "Surveys" not in [item["label"] for item in performer_page.context["navigation"]]


def test_editing_choice_labels_keeps_their_values(client_of, acme_manager):
    # Given the choices "Price" and "Speed" (values price, speed)
    survey = draft_with(acme_manager, NPS, CHOICE)
    choice = version(survey, 1).questions.get(kind="choice")
    edit = url("survey-question-edit", survey_id=survey.pk, question_id=choice.pk)

    # When a manager moves "Speed" first, moves "Price" last and adds two labels, one of them
    # in Greek letters only (it has no ASCII slug)
    client_of(acme_manager).post(
        edit,
        {"kind": "choice", "text_en": "What mattered most?",
         "choices": "Speed | Ταχύτητα\nThe price we paid\nΤίποτα\nPrice"},
    )  # fmt: skip

    # Then the reworded and moved labels keep their values (answers stay counted), and the new
    # ones get their own, never one the question used before
    choice.refresh_from_db()
    assert [(c["value"], c["label"]["en"]) for c in choice.choices] == [
        ("speed", "Speed"),
        ("the-price-we-paid", "The price we paid"),
        ("choice-3", "Τίποτα"),
        ("price", "Price"),
    ]


def test_a_label_typed_over_another_in_place_keeps_its_value(acme_manager):
    survey = draft_with(acme_manager, NPS, CHOICE)
    choice = version(survey, 1).questions.get(kind="choice")

    question_update(
        actor=acme_manager,
        question=choice,
        kind="choice",
        text={"en": "What mattered most?"},
        choices=[{"label": {"en": "Cost"}}, {"label": {"en": "Speed"}}],
    )

    choice.refresh_from_db()
    assert [c["value"] for c in choice.choices] == ["price", "speed"]


def test_two_choices_with_one_label_are_refused(acme_manager):
    survey = draft_with(acme_manager)

    with pytest.raises(ApplicationError) as refused:
        question_add(
            actor=acme_manager,
            version=version(survey, 1),
            kind="choice",
            text={"en": "What mattered most?"},
            choices=[{"label": {"en": "Price"}}, {"label": {"en": "price"}}],
        )

    assert refused.value.fields == {"choices": ["Choice 2: the label “price” is used twice."]}
    assert version(survey, 1).questions.count() == 0
