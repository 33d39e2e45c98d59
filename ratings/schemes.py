"""The one writer of rating schemes: a change is a new version (a period's ratings say which
version they used, so an old rating stays explainable), checked whole before it is stored, and
audited. Performers confirm they have read a version's norms here too."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.messages import message_register
from notifications.services import notification_create
from ratings import formula
from ratings.models import (
    CustomerScoreKind,
    LeaderboardVisibility,
    NormsAcknowledgement,
    RatingScheme,
)
from ratings.services import DEFAULT_CUSTOMER_NORMS, scheme_current
from tenants.audit import audit_record
from tenants.errors import ApplicationError
from tenants.models import Membership
from tenants.permissions import Action, rated_among, require

NORMS_CHANGED = "rating_norms.changed"


def register_messages() -> None:
    message_register(
        NORMS_CHANGED, gettext_lazy("The rating norms changed (version %(version)s): read them.")
    )


# What a scheme may be changed in; ``weights`` and ``norms`` are keyed by component.
FIELDS = (
    "customer_score_kind",
    "smoothing",
    "min_answers",
    "min_cases",
    "weights",
    "norms",
    "close_after_days",
    "leaderboard",
)
# The values a norm may take, by unit (the customer score's by the kind of score).
RANGES = {
    CustomerScoreKind.CSAT: (1, 5),
    CustomerScoreKind.NPS: (-100, 100),
    "%": (0, 100),
    "h": (0, 10_000),
}
LIMITS = {"smoothing": (0, 1000), "min_answers": (1, 1000), "min_cases": (1, 1000)}
CLOSE_AFTER_DAYS = (0, 90)


def _norm_range(kind: formula.ComponentKind, customer_score_kind: str) -> tuple[float, float]:
    return RANGES[customer_score_kind if kind.unit == "score" else kind.unit]


def scheme_errors(values: dict) -> dict[str, str]:
    """What is wrong with a whole scheme: field, ``weights`` or ``norms.<component>`` → one
    message."""
    errors: dict[str, str] = {}
    if values["customer_score_kind"] not in CustomerScoreKind.values:
        errors["customer_score_kind"] = _("Choose CSAT or NPS.")
    if values["leaderboard"] not in LeaderboardVisibility.values:
        errors["leaderboard"] = _("Choose who sees the leaderboard.")
    for name, (low, high) in {**LIMITS, "close_after_days": CLOSE_AFTER_DAYS}.items():
        if not low <= values[name] <= high:
            errors[name] = _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
    weights = values["weights"]
    if any(weights.get(kind.key, 0) < 0 for kind in formula.COMPONENTS):
        errors["weights"] = _("A weight cannot be negative.")
    elif not any(weights.get(kind.key, 0) > 0 for kind in formula.COMPONENTS):
        errors["weights"] = _("At least one component needs a weight above 0.")
    if errors.get("customer_score_kind"):
        return errors
    for kind in formula.COMPONENTS:
        floor, target = values["norms"][kind.key]
        low, high = _norm_range(kind, values["customer_score_kind"])
        if not (low <= floor <= high and low <= target <= high):
            message = _("Floor and target lie between %(low)s and %(high)s.")
            errors[f"norms.{kind.key}"] = message % {"low": low, "high": high}
        elif kind.is_lower_better and not floor > target:
            errors[f"norms.{kind.key}"] = _(
                "Lower is better here: the floor (0 %) must be above the target (100 %)."
            )
        elif not kind.is_lower_better and not floor < target:
            errors[f"norms.{kind.key}"] = _("The floor (0 %) must be below the target (100 %).")
    return errors


def scheme_values(scheme: RatingScheme) -> dict:
    return {name: getattr(scheme, name) for name in FIELDS}


@transaction.atomic
def scheme_version_add(*, actor: Membership, **changes) -> RatingScheme:
    """Store the tenant's current scheme with ``changes`` as its next version (audited, with
    what changed) and return it; nothing changed: the current one. A change of the customer
    score's kind without a norm for it takes that kind's default norm. Raises
    ApplicationError with ``fields`` when the result would be wrong."""
    require(actor, Action.MANAGE_TENANT)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not scheme settings: {sorted(unknown)}")
    current = scheme_current(actor.tenant_id)
    before = scheme_values(current)
    after = {**before, **changes}
    after["weights"] = {**before["weights"], **changes.get("weights", {})}
    after["norms"] = {**before["norms"], **changes.get("norms", {})}
    kind_changed = after["customer_score_kind"] != before["customer_score_kind"]
    if kind_changed and formula.CUSTOMER_SCORE not in changes.get("norms", {}):
        after["norms"][formula.CUSTOMER_SCORE] = DEFAULT_CUSTOMER_NORMS.get(
            after["customer_score_kind"], before["norms"][formula.CUSTOMER_SCORE]
        )
    errors = scheme_errors(after)
    if errors:
        raise ApplicationError(
            _("The rating settings were not saved."),
            fields={name: [message] for name, message in errors.items()},
        )
    changed = {name: [before[name], after[name]] for name in FIELDS if before[name] != after[name]}
    if not changed:
        return current
    scheme = RatingScheme.objects.for_tenant(actor.tenant_id).create(
        tenant_id=actor.tenant_id, version=current.version + 1, created_by=actor, **after
    )
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="rating_scheme.changed",
        target=scheme,
        changes=changed,
    )
    _tell_rated_members(scheme)
    return scheme


def _tell_rated_members(scheme: RatingScheme) -> None:
    """Every active rated member is asked in the app to read the new version."""
    link = reverse("rating-norms", kwargs={"tenant_slug": scheme.tenant.slug})
    readers = rated_among(Membership.objects.for_tenant(scheme.tenant_id))
    for reader in readers:
        notification_create(
            recipient=reader,
            message=NORMS_CHANGED,
            params={"version": scheme.version},
            link=link,
            dedupe_key=f"rating-norms:{scheme.pk}:to:{reader.pk}",
        )


def norms_acknowledge(*, performer: Membership, scheme: RatingScheme) -> bool:
    """The performer has read this version's norms (once; audited). False if they had."""
    require(performer, Action.VIEW_OWN_RATING)
    try:
        with transaction.atomic():
            NormsAcknowledgement.objects.for_tenant(performer.tenant_id).create(
                tenant_id=performer.tenant_id,
                scheme=scheme,
                performer=performer,
                acknowledged_at=timezone.now(),
            )
            audit_record(
                tenant=performer.tenant,
                actor=performer.user,
                action="rating_norms.acknowledged",
                target=scheme,
            )
    except IntegrityError:
        return False
    return True
