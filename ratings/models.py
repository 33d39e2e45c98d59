"""Performer and department ratings: the tenant's scheme (versioned), the periods, and the
stored ratings with their components. ``ratings.formula`` is the formula, ``ratings.inputs``
reads the raw values in SQL, ``ratings.services`` computes and stores (the one writer)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Department, Membership, TenantOwned


class CustomerScoreKind(models.TextChoices):
    CSAT = "csat", _("CSAT mean (1–5)")
    NPS = "nps", _("NPS (−100 to 100)")


class LeaderboardVisibility(models.TextChoices):
    NAMED = "named", _("Performers see the leaderboard with names")
    ANONYMOUS = "anonymous", _("Performers see the leaderboard without names")
    HIDDEN = "hidden", _("Performers do not see the leaderboard")


class RatingScheme(TenantOwned):
    """One version of a tenant's rating settings. Never changed: an edit is a new version, and
    each stored rating says which version it used. ``weights`` and ``norms`` are keyed by the
    components of ``ratings.formula`` (norms as ``[floor, target]``)."""

    version = models.PositiveIntegerField(_("version"))
    customer_score_kind = models.CharField(
        _("customer score"),
        max_length=4,
        choices=CustomerScoreKind.choices,
        default=CustomerScoreKind.CSAT,
    )
    smoothing = models.PositiveSmallIntegerField(
        _("smoothing (m)"),
        default=10,
        help_text=_("How many answers at the organisation's mean are added to each score."),
    )
    min_answers = models.PositiveSmallIntegerField(_("minimum answers"), default=5)
    min_cases = models.PositiveSmallIntegerField(_("minimum cases"), default=3)
    weights = models.JSONField(_("weights"), default=dict)
    norms = models.JSONField(_("norms"), default=dict)
    close_after_days = models.PositiveSmallIntegerField(
        _("close a period after (days)"),
        default=10,
        help_text=_("A period's ratings are recomputed until this many days after it ends."),
    )
    leaderboard = models.CharField(
        _("leaderboard for performers"),
        max_length=10,
        choices=LeaderboardVisibility.choices,
        default=LeaderboardVisibility.HIDDEN,
    )
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="rating_scheme_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class RatingPeriod(TenantOwned):
    """A month, quarter or year in the tenant's time zone (``start`` ≤ day < ``end``). Open
    until ``closed_at``; a closed period's ratings never change unless a manager reopens it."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    kind = models.CharField(max_length=7, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when a manager reopens the period: the nightly run then leaves closing it to them.
    reopened_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "start"], name="rating_period_unique"
            ),
        ]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class NormsAcknowledgement(TenantOwned):
    """A performer confirmed they have read a version of the norms (shown to managers)."""

    scheme = models.ForeignKey(RatingScheme, on_delete=models.CASCADE, related_name="+")
    performer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scheme", "performer"], name="norms_acknowledged_once"
            ),
        ]


class Rating(TenantOwned):
    """A performer's or a department's (its subtree's) rating for a period: ``value`` 0–100, or
    None when no component had enough data; ``components`` holds each component's raw value,
    count, normalised score, weight and whether it counted, ``inputs`` what the raw values were
    computed from."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.CASCADE, related_name="ratings")
    performer = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    scheme = models.ForeignKey(RatingScheme, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(null=True, blank=True)
    components = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(performer__isnull=True) ^ models.Q(department__isnull=True),
                name="rating_of_a_performer_or_a_department",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period", "performer"],
                condition=models.Q(performer__isnull=False),
                name="rating_unique_performer",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period", "department"],
                condition=models.Q(department__isnull=False),
                name="rating_unique_department",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "performer", "period"], name="rating_tenant_performer"),
        ]


class Dispute(TenantOwned):
    """A performer's objection to a response behind their rating, decided by a manager: an
    accepted dispute takes the response out of the performer's (and their departments')
    customer score. Its status has one writer, ``ratings.disputes``."""

    class Reason(models.TextChoices):
        NOT_MY_WORK = "not_my_work", _("Not about my work")
        OUTSIDE_MY_CONTROL = (
            "outside_control",
            _("The customer complained about something outside my control"),
        )
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="dispute"
    )
    performer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="dispute_tenant_status"),
            models.Index(fields=["tenant", "performer"], name="dispute_tenant_performer"),
        ]


class DisputeComment(TenantOwned):
    """One message of a dispute's thread: the performer's opening text, then performer and
    manager in turn."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "dispute", "created_at"], name="dispute_comment_thread"),
        ]
