"""The rating settings page and the norms page: a change is a new version (audited), a wrong
norm is refused on its field with nothing stored, and performers confirm the norms they read;
managers see who has."""

import pytest

from notifications.models import Notification
from ratings import formula
from ratings.models import NormsAcknowledgement, RatingScheme
from ratings.services import scheme_current
from tenants.models import AuditEntry, Role
from tests.factories import make_member

SETTINGS = "/acme/settings/ratings/"
NORMS = "/acme/ratings/norms/"


def form_of(scheme: RatingScheme, **changes) -> dict:
    """The settings form as the page fills it for ``scheme``, with ``changes``."""
    data = {
        "customer_score_kind": scheme.customer_score_kind,
        "smoothing": scheme.smoothing,
        "min_answers": scheme.min_answers,
        "min_cases": scheme.min_cases,
        "close_after_days": scheme.close_after_days,
        "leaderboard": scheme.leaderboard,
    }
    for kind in formula.COMPONENTS:
        data[f"weight_{kind.key}"] = scheme.weights[kind.key]
        data[f"floor_{kind.key}"], data[f"target_{kind.key}"] = scheme.norms[kind.key]
    return {**data, **changes}


def versions(tenant) -> list[int]:
    return list(
        RatingScheme.objects.for_tenant(tenant)
        .order_by("version")
        .values_list("version", flat=True)
    )


def test_an_admin_saves_new_norms_as_the_next_version_and_the_old_one_stays(
    client_of, acme, acme_admin
):
    first = scheme_current(acme.pk)

    page = client_of(acme_admin).post(
        SETTINGS,
        form_of(first, floor_resolution_hours=80, target_resolution_hours=16, smoothing=20),
        follow=True,
    )

    assert page.status_code == 200
    assert "The rating settings are saved as version 2." in page.content.decode()
    assert versions(acme) == [1, 2]
    second = scheme_current(acme.pk)
    assert second.norms["resolution_hours"] == [80, 16]
    assert second.smoothing == 20
    assert second.created_by == acme_admin
    first.refresh_from_db()
    assert first.norms["resolution_hours"] == [120, 24]  # ratings that used it stay explainable
    entry = AuditEntry.objects.for_tenant(acme).get(action="rating_scheme.changed")
    assert entry.actor == acme_admin.user
    assert entry.changes == {
        "smoothing": [10, 20],
        "norms": [first.norms, second.norms],
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"floor_resolution_hours": 24, "target_resolution_hours": 120},
            "floor_resolution_hours",
            "Lower is better here: the floor (0 %) must be above the target (100 %).",
        ),
        (
            {"floor_sla_compliance": 95, "target_sla_compliance": 95},
            "floor_sla_compliance",
            "The floor (0 %) must be below the target (100 %).",
        ),
        (
            {"floor_customer_score": 0, "target_customer_score": 4.5},
            "floor_customer_score",
            "Floor and target lie between 1 and 5.",
        ),
        ({"close_after_days": 400}, "close_after_days", "Between 0 and 90."),
    ],
)
def test_a_wrong_setting_is_shown_on_its_field_and_nothing_is_stored(
    client_of, acme, acme_admin, changes, field, message
):
    first = scheme_current(acme.pk)

    page = client_of(acme_admin).post(SETTINGS, form_of(first, **changes))

    assert page.status_code == 400
    assert page.context["form"].errors[field] == [message]
    assert page.context["form"][field].value() in {str(value) for value in changes.values()}
    assert versions(acme) == [1]
    assert not AuditEntry.objects.for_tenant(acme).filter(action="rating_scheme.changed")


def test_all_weights_at_zero_is_refused(client_of, acme, acme_admin):
    first = scheme_current(acme.pk)
    zero = {f"weight_{kind.key}": 0 for kind in formula.COMPONENTS}

    page = client_of(acme_admin).post(SETTINGS, form_of(first, **zero))

    assert page.status_code == 400
    assert (
        "At least one component needs a weight above 0." in page.context["form"].non_field_errors()
    )
    assert versions(acme) == [1]


def test_switching_to_nps_takes_the_nps_norm_when_the_csat_one_was_left(
    client_of, acme, acme_admin
):
    first = scheme_current(acme.pk)

    client_of(acme_admin).post(SETTINGS, form_of(first, customer_score_kind="nps"))

    assert scheme_current(acme.pk).norms["customer_score"] == [-20, 60]


def test_saving_the_same_settings_makes_no_version(client_of, acme, acme_admin):
    first = scheme_current(acme.pk)

    page = client_of(acme_admin).post(SETTINGS, form_of(first), follow=True)

    assert "Nothing changed." in page.content.decode()
    assert versions(acme) == [1]


# --- the norms page -------------------------------------------------------------------------


def test_a_performer_reads_the_norms_and_confirms_once_and_the_manager_sees_it(
    client_of, acme, acme_performer, acme_agent, acme_manager
):
    scheme = scheme_current(acme.pk)
    pete = client_of(acme_performer)

    page = pete.get(NORMS)
    assert page.status_code == 200
    assert "I have read these norms" in page.content.decode()
    assert page.context["readers"] is None  # a performer does not see who read them

    pete.post(NORMS)
    again = pete.post(NORMS, follow=True)

    assert "You have confirmed that you read this version." in again.content.decode()
    assert NormsAcknowledgement.objects.for_tenant(acme).filter(scheme=scheme).count() == 1
    assert (
        AuditEntry.objects.for_tenant(acme).filter(action="rating_norms.acknowledged").count() == 1
    )
    readers = client_of(acme_manager).get(NORMS).context["readers"]
    assert [(reader.pk, reader.acknowledged_at is not None) for reader in readers] == [
        (acme_agent.pk, False),  # who has not read them comes first
        (acme_performer.pk, True),
    ]


def test_a_new_version_asks_the_performer_again(client_of, acme, acme_admin, acme_performer):
    from ratings.schemes import norms_acknowledge, scheme_version_add

    norms_acknowledge(performer=acme_performer, scheme=scheme_current(acme.pk))
    scheme_version_add(actor=acme_admin, min_cases=5)

    page = client_of(acme_performer).get("/acme/ratings/me/")

    assert "New norms: please read them." in page.content.decode()
    assert page.context["norms_unread"] is True


def test_the_analyst_reads_the_norms_and_cannot_confirm_or_change_them(
    client_of, acme, acme_analyst
):
    analyst = client_of(acme_analyst)

    assert analyst.get(NORMS).status_code == 200
    assert analyst.post(NORMS).status_code == 403
    assert analyst.post(SETTINGS, form_of(scheme_current(acme.pk), smoothing=3)).status_code == 403
    assert not NormsAcknowledgement.objects.for_tenant(acme).exists()
    assert versions(acme) == [1]


def test_another_tenants_member_gets_a_404(client_of, globex_agent):
    assert client_of(globex_agent).get(NORMS).status_code == 404
    assert client_of(globex_agent).post(NORMS).status_code == 404


def test_a_manager_is_not_asked_to_confirm(client_of, acme, acme_manager):
    page = client_of(acme_manager).get(NORMS)

    assert "I have read these norms" not in page.content.decode()
    assert client_of(acme_manager).post(NORMS).status_code == 403


def test_a_deactivated_or_other_role_member_is_not_listed(client_of, acme, acme_manager):
    make_member(acme, "nina", Role.PERFORMER, "south-branch")

    readers = client_of(acme_manager).get(NORMS).context["readers"]

    assert [reader.user.first_name for reader in readers] == ["Nina"]


def test_a_new_version_is_told_to_each_rated_member_in_the_app(
    client_of, acme, acme_admin, acme_performer, acme_agent, acme_manager
):
    first = scheme_current(acme.pk)

    client_of(acme_admin).post(SETTINGS, form_of(first, min_cases=4))

    told = Notification.objects.for_tenant(acme).filter(message="rating_norms.changed")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [acme_performer.pk, acme_agent.pk]
    )
    assert set(told.values_list("link", flat=True)) == {NORMS}
    assert told.first().params == {"version": 2}
