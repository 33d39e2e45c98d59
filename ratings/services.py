"""The one writer of ratings: a period's ratings are recomputed from scratch (``inputs`` →
``formula``) and stored with ``update_or_create``, so a rerun stores the same rows; a closed
period is left alone until a manager reopens it (audited)."""

from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ratings import formula
from ratings.inputs import Inputs, period_inputs
from ratings.models import CustomerScoreKind, Rating, RatingPeriod, RatingScheme
from ratings.periods import local_day, period_bounds, period_instants, previous_start
from tenants import rls
from tenants.audit import audit_record
from tenants.calendar import calendar_for
from tenants.errors import Conflict
from tenants.models import Membership, Tenant
from tenants.permissions import Action, require
from tenants.trees import tree_path_ids

DEFAULT_WEIGHTS = {
    formula.CUSTOMER_SCORE: 40,
    formula.SLA_COMPLIANCE: 20,
    formula.RESOLUTION_HOURS: 15,
    formula.REOPEN_RATE: 10,
    formula.FOLLOW_UPS_IN_TIME: 15,
}
# [floor (0 %), target (100 %)]; where lower is better the floor is the larger number.
DEFAULT_NORMS = {
    formula.SLA_COMPLIANCE: [50, 95],
    formula.RESOLUTION_HOURS: [120, 24],
    formula.REOPEN_RATE: [20, 0],
    formula.FOLLOW_UPS_IN_TIME: [50, 100],
}
DEFAULT_CUSTOMER_NORMS = {CustomerScoreKind.CSAT: [3.0, 4.5], CustomerScoreKind.NPS: [-20, 60]}


def scheme_current(tenant_id: int) -> RatingScheme:
    """The tenant's newest rating scheme; its first (the defaults) is written when a rating is
    first computed."""
    scheme = RatingScheme.objects.for_tenant(tenant_id).order_by("-version").first()
    if scheme is not None:
        return scheme
    kind = CustomerScoreKind.CSAT
    scheme, _created = RatingScheme.objects.for_tenant(tenant_id).get_or_create(
        tenant_id=tenant_id,
        version=1,
        defaults={
            "customer_score_kind": kind,
            "weights": DEFAULT_WEIGHTS,
            "norms": {formula.CUSTOMER_SCORE: DEFAULT_CUSTOMER_NORMS[kind], **DEFAULT_NORMS},
        },
    )
    return scheme


def formula_scheme(scheme: RatingScheme) -> formula.Scheme:
    return formula.Scheme(
        weights=scheme.weights,
        norms={key: formula.Norm(*value) for key, value in scheme.norms.items()},
        smoothing=scheme.smoothing,
        min_answers=scheme.min_answers,
        min_cases=scheme.min_cases,
    )


def period_for(tenant: Tenant, kind: str, day: date) -> RatingPeriod:
    """The tenant's period of ``kind`` holding ``day`` (made the first time it is asked for)."""
    start, end = period_bounds(kind, day)
    period, _created = RatingPeriod.objects.for_tenant(tenant).get_or_create(
        tenant=tenant, kind=kind, start=start, defaults={"end": end}
    )
    return period


def _scored(inputs: Inputs, tenant_mean: float | None, scheme: RatingScheme):
    raw = formula.raw_components(
        **asdict(inputs),
        tenant_mean=tenant_mean,
        smoothing=scheme.smoothing,
    )
    components = formula.components_scored(raw, formula_scheme(scheme))
    return formula.rating_of(components), [asdict(each) for each in components]


def _department_inputs(tenant_id: int, members: dict[int, Inputs]) -> dict[int, Inputs]:
    """Each department's inputs: those of every member of it and of the departments below
    (summed, the resolution times pooled), for departments whose subtree has any."""
    departments: dict[int, Inputs] = {}
    places = Membership.objects.for_tenant(tenant_id).filter(
        pk__in=members, department__isnull=False
    )
    for member_id, path in places.values_list("pk", "department__path"):
        for department_id in tree_path_ids(path):
            departments.setdefault(department_id, Inputs()).add(members[member_id])
    return departments


@transaction.atomic
def ratings_compute(*, period: RatingPeriod, now: datetime | None = None) -> int:
    """Recompute and store every rating of the (open) period with the tenant's current scheme:
    one row per member with any input, one per department whose subtree has any; rows of
    members or departments that have none any more are removed. Returns how many are stored.
    Raises Conflict for a closed period."""
    period = RatingPeriod.objects.for_tenant(period.tenant_id).select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise Conflict(_("This period is closed: reopen it to recompute it."), code="closed")
    now = now or timezone.now()
    tenant = Tenant.objects.get(pk=period.tenant_id)
    scheme = scheme_current(tenant.pk)
    start, end = period_instants(period.start, period.end, tenant.time_zone)
    members, (tenant_total, tenant_count) = period_inputs(
        tenant.pk, scheme.customer_score_kind, start, end, calendar_for(tenant)
    )
    tenant_mean = tenant_total / tenant_count if tenant_count else None
    subjects = [("performer", key, inputs) for key, inputs in members.items()]
    subjects += [
        ("department", key, inputs)
        for key, inputs in _department_inputs(tenant.pk, members).items()
    ]
    rows = Rating.objects.for_tenant(tenant).filter(period=period)
    kept = {"performer": [], "department": []}
    for subject, key, inputs in subjects:
        value, components = _scored(inputs, tenant_mean, scheme)
        rows.update_or_create(
            tenant=tenant,
            period=period,
            **{f"{subject}_id": key},
            defaults={
                "scheme": scheme,
                "value": value,
                "components": components,
                "inputs": {**inputs.as_dict(), "tenant_mean": tenant_mean},
                "computed_at": now,
            },
        )
        kept[subject].append(key)
    rows.filter(performer__isnull=False).exclude(performer_id__in=kept["performer"]).delete()
    rows.filter(department__isnull=False).exclude(department_id__in=kept["department"]).delete()
    period.computed_at = now
    period.save(update_fields=["computed_at"])
    return len(subjects)


@transaction.atomic
def rating_period_recompute(*, actor: Membership, period: RatingPeriod) -> int:
    """A manager recomputes an open period now (audited)."""
    require(actor, Action.MANAGE_RATINGS)
    stored = ratings_compute(period=period)
    audit_record(
        tenant=actor.tenant, actor=actor.user, action="rating_period.recomputed", target=period
    )
    return stored


@transaction.atomic
def rating_period_reopen(*, actor: Membership, period: RatingPeriod) -> RatingPeriod:
    """A manager reopens a closed period (audited). It stays open, recomputed on demand (and
    nightly while it is the current or previous one), until a manager closes it again: the
    nightly run closes only periods nobody reopened."""
    require(actor, Action.MANAGE_RATINGS)
    period = RatingPeriod.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=period.pk)
    if not period.is_closed:
        return period
    closed_at = period.closed_at
    period.closed_at = None
    period.reopened_at = timezone.now()
    period.save(update_fields=["closed_at", "reopened_at"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="rating_period.reopened",
        target=period,
        changes={"closed_at": [closed_at.isoformat(), None]},
    )
    return period


@transaction.atomic
def rating_period_close(*, actor: Membership, period: RatingPeriod) -> RatingPeriod:
    """A manager closes a period that has ended, after computing it a last time (audited).
    Raises Conflict for a period that has not ended yet."""
    require(actor, Action.MANAGE_RATINGS)
    period = RatingPeriod.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=period.pk)
    if period.is_closed:
        return period
    tenant = actor.tenant
    now = timezone.now()
    if local_day(now, tenant.time_zone) < period.end:
        raise Conflict(_("This period has not ended yet."), code="not_ended")
    ratings_compute(period=period, now=now)
    _close(tenant, period, now, actor=actor)
    period.refresh_from_db()
    return period


def _close_due(period: RatingPeriod, close_after_days: int, today: date) -> bool:
    """Whether the nightly run closes the period: it ended ``close_after_days`` ago and no
    manager reopened it (a reopened period is theirs to close)."""
    return period.reopened_at is None and today >= period.end + timedelta(days=close_after_days)


def ratings_refresh(*, now: datetime | None = None) -> int:
    """The nightly run, for every tenant and kind of period: recompute the current period and
    the previous one while it is open; once the previous one is ``close_after_days`` past its
    end, compute it a last time and close it. Returns how many periods were computed."""
    now = now or timezone.now()
    computed = 0
    for tenant in Tenant.objects.order_by("pk"):
        with rls.tenant(tenant):
            computed += _refresh_tenant(tenant, now)
    return computed


def _refresh_tenant(tenant: Tenant, now: datetime) -> int:
    today = local_day(now, tenant.time_zone)
    computed = 0
    for kind in RatingPeriod.Kind.values:
        current = period_for(tenant, kind, today)
        previous = period_for(tenant, kind, previous_start(kind, current.start))
        for period in (previous, current):
            if not period.is_closed:
                rating_period_settle(period=period, now=now)
                computed += 1
    return computed


@transaction.atomic
def rating_period_settle(*, period: RatingPeriod, now: datetime) -> bool:
    """The nightly step for one open period, as of ``now``: recompute it, and close it (audited,
    by nobody) once it ended ``close_after_days`` ago unless a manager reopened it. Returns
    whether it closed."""
    tenant = Tenant.objects.get(pk=period.tenant_id)
    ratings_compute(period=period, now=now)
    period.refresh_from_db()
    today = local_day(now, tenant.time_zone)
    if not _close_due(period, scheme_current(tenant.pk).close_after_days, today):
        return False
    _close(tenant, period, now)
    return True


def _close(
    tenant: Tenant, period: RatingPeriod, now: datetime, *, actor: Membership | None = None
) -> None:
    RatingPeriod.objects.for_tenant(tenant).filter(pk=period.pk).update(closed_at=now)
    audit_record(
        tenant=tenant,
        actor=actor.user if actor else None,
        action="rating_period.closed",
        target=period,
        changes={"closed_at": [None, now.isoformat()]},
    )
