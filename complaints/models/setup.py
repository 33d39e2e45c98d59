"""How a tenant handles complaints: its settings, category and root-cause lists, routing rules
and SLA policies, and the choices complaints are classified by."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Segment
from tenants.models import Brand, Department, TenantOwned, Touchpoint


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 – urgent")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – normal")
    P4 = 4, _("P4 – low")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    AGENT = "agent", _("Agent")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    API = "api", _("API")


# severity × segment → priority; a tenant may override any cell in its settings.
DEFAULT_PRIORITY_MATRIX = {
    Severity.CRITICAL: {Segment.STANDARD: 1, Segment.VIP: 1, Segment.WATCHLIST: 1},
    Severity.HIGH: {Segment.STANDARD: 2, Segment.VIP: 1, Segment.WATCHLIST: 1},
    Severity.MEDIUM: {Segment.STANDARD: 3, Segment.VIP: 2, Segment.WATCHLIST: 2},
    Severity.LOW: {Segment.STANDARD: 4, Segment.VIP: 3, Segment.WATCHLIST: 3},
}


class ComplaintSettings(TenantOwned):
    """How a tenant handles complaints: windows, thresholds, recourse and intake limits."""

    reopen_window_days = models.PositiveSmallIntegerField(_("reopen window (days)"), default=30)
    repeat_threshold = models.PositiveSmallIntegerField(
        _("repeat complainant: complaints"),
        default=3,
        help_text=_("A customer with this many complaints in the window is flagged."),
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("repeat complainant: window (days)"), default=90
    )
    # The default SLA, when no policy matches: in working time of the business calendar.
    acknowledgement_hours = models.PositiveSmallIntegerField(
        _("acknowledge within (working hours)"), default=8
    )
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response within (working hours)"), default=24
    )
    resolution_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), default=15
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time)"), default=75
    )
    escalation_hours = models.PositiveSmallIntegerField(
        _("escalate up the tree every (working hours) after a breach"), default=8
    )
    internal_review = models.TextField(
        _("internal review"),
        default="If you disagree with our decision, reply to ask for a review by our "
        "complaints review panel, independent of the team that handled your case.",
    )
    external_body = models.CharField(
        _("external dispute-resolution body"), max_length=300, default="The Financial Ombudsman"
    )
    priority_matrix = models.JSONField(_("priority matrix"), default=dict, blank=True)
    max_attachment_mb = models.PositiveSmallIntegerField(_("largest attachment (MB)"), default=10)
    # Where a member may hand a complaint (``complaints.transfers``): always to their own
    # department, those below it and those above it; with this, to any other department too.
    transfer_sideways = models.BooleanField(
        _("transfers sideways"),
        default=True,
        help_text=_(
            "Members may hand a complaint to any department, not only to their own, those "
            "above it and those below it."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="complaint_settings_one_per_tenant")
        ]
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self) -> str:
        return f"Complaint settings of tenant {self.tenant_id}"

    def priority_for(self, severity: str, segment: str) -> int:
        row = self.priority_matrix.get(severity) or DEFAULT_PRIORITY_MATRIX[severity]
        return int(row.get(segment) or DEFAULT_PRIORITY_MATRIX[severity][segment])


class SlaPolicy(TenantOwned):
    """Targets for complaints that match; the most specific matching policy wins."""

    name = models.CharField(_("name"), max_length=200)
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Matches this category and those below it."),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    acknowledgement_hours = models.PositiveSmallIntegerField(
        _("acknowledge within (working hours)")
    )
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response within (working hours)")
    )
    resolution_hours = models.PositiveSmallIntegerField(_("resolve within (working hours)"))
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time)"),
        null=True,
        blank=True,
        help_text=_("Empty: the organisation's default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "is_active"], name="sla_policy_tenant")]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field in ("brand", "category"):
            related = getattr(self, field)
            if related is not None and related.tenant_id != self.tenant_id:
                raise ValidationError({field: _("Choose one of the same tenant.")})


class Category(TenantOwned):
    """A node of the tenant's complaint category tree (``path`` as in Department)."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="category_unique_code"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "path"],
                name="category_tenant_path",
                # PostgreSQL: serve "path LIKE '/0000000001/%'" whatever the database collation.
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class RootCause(TenantOwned):
    """The tenant's list of root causes a resolution picks from (for the monthly analysis)."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="root_cause_unique_code"),
        ]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.name


class RoutingRule(TenantOwned):
    """Picks the owning department of a new complaint; the first matching rule wins."""

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Fewest open complaints")
        NONE = "none", _("Leave unassigned")

    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Matches this category and those below it."),
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    keywords = models.CharField(
        _("words in the text"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; any one of them in the subject or text matches."),
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    strategy = models.CharField(
        max_length=12, choices=Strategy.choices, default=Strategy.LEAST_OPEN
    )

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["tenant", "order"], name="routing_rule_tenant_order")]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field in ("brand", "touchpoint", "category", "department"):
            related = getattr(self, field)
            if related is not None and related.tenant_id != self.tenant_id:
                raise ValidationError({field: _("Choose one of the same tenant.")})
