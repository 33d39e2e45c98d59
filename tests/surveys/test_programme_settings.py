"""The survey programme's settings page: admins change it (audited), managers read it, other
roles see nothing; the decision taken for each service event follows what was saved."""

from datetime import UTC, datetime, timedelta

import pytest

from surveys.builder.rules import rule_create
from surveys.models import Interaction, Invitation, SurveySettings, survey_settings_for
from surveys.programme.services import survey_settings_update
from tenants.errors import ApplicationError
from tenants.models import AuditEntry, Role
from tests.factories import make_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

URL = "/acme/settings/surveys/"
NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
D = Interaction.Decision
DEFAULTS = {
    "throttle_days": 30,
    "max_event_age_hours": 24,
    "follow_up_critics_without_comment": True,
    "response_rate_low_percent": 5,
    "response_rate_high_percent": 15,
    "csat_target_percent": 60,
}


def _form(**overrides) -> dict:
    data = {
        "throttle_days": "14",
        "max_event_age_hours": "48",
        "follow_up_critics_without_comment": "",
        "response_rate_low_percent": "8",
        "response_rate_high_percent": "20",
        "csat_target_percent": "75",
    }
    data.update(overrides)
    return data


def _saved(tenant) -> dict:
    programme = survey_settings_for(tenant)
    return {name: getattr(programme, name) for name in DEFAULTS}


def _audited(tenant) -> list:
    return list(AuditEntry.objects.for_tenant(tenant).filter(action="survey_settings.changed"))


# --- the page ---------------------------------------------------------------------------------


def test_a_new_tenant_reads_the_defaults(acme_admin, client_of):
    page = client_of(acme_admin).get(URL).content.decode()

    assert _saved(acme_admin.tenant) == DEFAULTS
    assert not SurveySettings.objects.for_tenant(acme_admin.tenant).exists()  # reading writes none
    assert 'name="throttle_days" value="30"' in page
    assert 'name="max_event_age_hours" value="24"' in page
    assert 'name="response_rate_low_percent" value="5"' in page
    assert 'name="response_rate_high_percent" value="15"' in page
    assert 'name="csat_target_percent" value="60"' in page
    assert 'href="/acme/settings/surveys/" aria-current="page">Survey programme</a>' in page


def test_an_admin_changes_the_programme_and_it_is_audited(acme_admin, client_of):
    response = client_of(acme_admin).post(URL, _form())

    assert response.status_code == 302
    assert _saved(acme_admin.tenant) == {
        "throttle_days": 14,
        "max_event_age_hours": 48,
        "follow_up_critics_without_comment": False,
        "response_rate_low_percent": 8,
        "response_rate_high_percent": 20,
        "csat_target_percent": 75,
    }
    [entry] = _audited(acme_admin.tenant)
    assert entry.actor == acme_admin.user
    assert entry.changes == {
        "throttle_days": [30, 14],
        "max_event_age_hours": [24, 48],
        "follow_up_critics_without_comment": [True, False],
        "response_rate_low_percent": [5, 8],
        "response_rate_high_percent": [15, 20],
        "csat_target_percent": [60, 75],
    }


def test_saving_the_same_values_again_records_nothing(acme_admin, client_of):
    client = client_of(acme_admin)
    client.post(URL, _form())

    again = client.post(URL, _form())

    assert again.status_code == 302
    assert len(_audited(acme_admin.tenant)) == 1
    assert SurveySettings.objects.for_tenant(acme_admin.tenant).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("response_rate_high_percent", "8", "must be above the lowest"),
        ("response_rate_high_percent", "3", "must be above the lowest"),
        ("response_rate_high_percent", "101", "Between 0 and 100 %."),
        ("csat_target_percent", "-1", "Between 0 and 100 %."),
        ("throttle_days", "-1", "Between 0 and 365 days."),
        ("throttle_days", "366", "Between 0 and 365 days."),
        ("max_event_age_hours", "0", "Between 1 hour and 168 hours (a week)."),
        ("max_event_age_hours", "169", "Between 1 hour and 168 hours (a week)."),
        ("max_event_age_hours", "a day", "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    acme_admin, client_of, field, value, message
):
    response = client_of(acme_admin).post(URL, _form(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _saved(acme_admin.tenant) == DEFAULTS
    assert not SurveySettings.objects.for_tenant(acme_admin.tenant).exists()
    assert _audited(acme_admin.tenant) == []


def test_a_manager_reads_the_page_but_cannot_change_it(acme_manager, client_of):
    client = client_of(acme_manager)

    page = client.get(URL)
    refused = client.post(URL, _form())

    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert refused.status_code == 403
    assert _saved(acme_manager.tenant) == DEFAULTS
    assert not SurveySettings.objects.for_tenant(acme_manager.tenant).exists()
    assert _audited(acme_manager.tenant) == []


def test_the_service_refuses_a_manager_too(acme_manager):
    with pytest.raises(ApplicationError) as refused:
        survey_settings_update(actor=acme_manager, throttle_days=7)

    assert refused.value.status == 403
    assert _saved(acme_manager.tenant) == DEFAULTS


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_page(persona, request, client_of):
    member = request.getfixturevalue(persona)
    client = client_of(member)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert _saved(member.tenant) == DEFAULTS


def test_another_tenants_admin_gets_not_found(globex, acme, client_of):
    # An admin of its own workspace: every settings page is open to it there.
    globex_admin = make_member(globex, "gina", Role.ADMIN, None)
    client = client_of(globex_admin)

    assert client.get(URL).status_code == 404
    assert client.post(URL, _form()).status_code == 404
    assert _saved(acme) == DEFAULTS
    assert _saved(globex_admin.tenant) == DEFAULTS


def test_sampling_is_each_rules_and_the_page_lists_it(acme_admin, acme_brand, client_of):
    acme = acme_admin.tenant
    add_rule(acme, publish_survey(acme, name="After roadside help").survey, sample_percent=25)
    add_rule(acme, publish_survey(acme, name="After a claim").survey, brand=acme_brand, order=1)

    page = client_of(acme_admin).get(URL).content.decode()

    claim, roadside = page.index("After a claim"), page.index("After roadside help")
    assert claim < roadside  # in the order they are tried
    assert "<td>100 %</td>" in page[claim:roadside]
    assert "<td>25 %</td>" in page[roadside:]


# --- the decision follows the programme ------------------------------------------------------


@pytest.fixture
def maria(acme):
    return make_customer(acme, "Maria Rossi", "maria@example.com", language="en")


serial = iter(range(1, 10_000))


def event(brand, customer, *, ago, now=NOW):
    return record(brand, customer, occurred_at=now - ago, now=now, reference=f"ev-{next(serial)}")


@pytest.mark.parametrize(
    ("hours", "ago", "decision"),
    [
        (24, 7 * HOUR, D.INVITED),
        (6, 7 * HOUR, D.TOO_OLD),
        (6, 6 * HOUR, D.INVITED),
        (48, 30 * HOUR, D.INVITED),
        (48, 49 * HOUR, D.TOO_OLD),
    ],
)
def test_the_decision_honours_the_maximum_age_of_an_event(
    acme, acme_admin, acme_brand, maria, hours, ago, decision
):
    add_rule(acme, publish_survey(acme).survey, delay_minutes=0)
    survey_settings_update(actor=acme_admin, max_event_age_hours=hours)

    assert event(acme_brand, maria, ago=ago).decision == decision
    assert Invitation.objects.for_tenant(acme).count() == (decision == D.INVITED)


def test_a_rule_delay_longer_than_the_maximum_age_is_cut_to_it(acme, acme_admin, acme_brand, maria):
    add_rule(acme, publish_survey(acme).survey, delay_minutes=600)  # ten hours
    survey_settings_update(actor=acme_admin, max_event_age_hours=6)

    interaction = event(acme_brand, maria, ago=HOUR)

    assert Invitation.objects.for_tenant(acme).get().send_at == interaction.occurred_at + 6 * HOUR


@pytest.mark.parametrize(
    ("throttle_days", "decision"), [(30, D.THROTTLED), (10, D.INVITED), (0, D.INVITED)]
)
def test_the_decision_honours_a_changed_throttle(
    acme, acme_admin, acme_brand, maria, throttle_days, decision
):
    add_rule(acme, publish_survey(acme).survey, delay_minutes=0)
    assert event(acme_brand, maria, ago=HOUR, now=NOW - timedelta(days=12)).decision == D.INVITED

    survey_settings_update(actor=acme_admin, throttle_days=throttle_days)

    assert event(acme_brand, maria, ago=HOUR).decision == decision


def test_a_rules_delay_may_be_as_long_as_the_maximum_age(acme, acme_admin, acme_manager):
    survey = publish_survey(acme).survey
    with pytest.raises(ApplicationError) as refused:
        rule_create(actor=acme_manager, survey=survey, delay_minutes=48 * 60)
    assert refused.value.fields["delay_minutes"][1] == (
        "Surveys go out no later than 24 hours (1440 minutes) after the event: the survey "
        "programme's maximum age of an event."
    )

    survey_settings_update(actor=acme_admin, max_event_age_hours=48)
    rule = rule_create(actor=acme_manager, survey=survey, delay_minutes=48 * 60)

    assert rule.delay_minutes == 2880
