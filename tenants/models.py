import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantManager
from tenants.trees import tree_depth
from tenants.validators import (  # noqa: F401 (migrations name them as tenants.models.*)
    RESERVED_BRAND_SLUGS,
    RESERVED_SLUGS,
    default_working_hours,
    known_time_zones,
    time_zone_choices,
    validate_brand_slug,
    validate_tenant_slug,
    validate_time_zone,
)

logger = logging.getLogger(__name__)


class Tenant(models.Model):
    """A customer organisation: one insurer group, one telecom. Owns every other row."""

    slug = models.SlugField(
        _("slug"), max_length=50, unique=True, validators=[validate_tenant_slug]
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 code; picks the public holidays.")
    )
    time_zone = models.CharField(_("time zone"), max_length=63, validators=[validate_time_zone])
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    working_hours = models.JSONField(
        _("working hours"),
        default=default_working_hours,
        help_text=_('Per weekday (0 = Monday), e.g. {"0": ["09:00-13:00", "14:00-18:00"]}.'),
    )
    require_two_factor_for_managers = models.BooleanField(
        _("require two-factor sign-in for admins and managers"),
        default=False,
        help_text=_(
            "Admins and managers without an authenticator app are sent to set one up before "
            "any page of the workspace."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Every write path (services, admin, demo, shell) validates the zone, not only forms."""
        validate_time_zone(self.time_zone)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        """A stored zone this process cannot read is read as UTC, with a warning: one bad value
        (written past validation, or dropped by a tzdata update) must not make every page of
        the tenant fail. PostgreSQL refuses an unknown zone on write (migration 0006)."""
        tenant = super().from_db(db, field_names, values)
        zone = tenant.__dict__.get("time_zone")
        if zone is not None and zone not in known_time_zones():
            logger.warning("Tenant %s has an unknown time zone %r; using UTC.", tenant.pk, zone)
            tenant.time_zone = "UTC"
        return tenant


class TenantOwned(models.Model):
    """Base of every tenant-owned model.

    The manager refuses queries that do not name the tenant (see ``tenants.scoping``). The
    ``tenant`` column has no index of its own: each model declares composite indexes that start
    with ``tenant_id``, which serve the tenant's queries and the foreign key alike.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("tenant")
    )

    objects = TenantManager()

    class Meta:
        abstract = True


class Closure(TenantOwned):
    """A day the tenant does not work, besides weekends and its country's public holidays."""

    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="closure_unique_day")]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.day}: {self.name}"


colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class Brand(TenantOwned):
    """A brand the tenant trades under; customers see its name, colours and sender address."""

    slug = models.SlugField(_("slug"), max_length=50, validators=[validate_brand_slug])
    name = models.CharField(_("name"), max_length=200)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=6,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("Two to six capital letters."))],
        help_text=_("Starts the brand's complaint references, e.g. AIN-2026-000123."),
    )
    phone = models.CharField(_("customer phone line"), max_length=32, blank=True)
    contact_email = models.EmailField(
        _("public contact address"),
        blank=True,
        help_text=_("Shown to customers on how to complain; empty: the sender address."),
    )
    postal_address = models.TextField(_("postal address"), max_length=500, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200)
    sender_email = models.EmailField(_("sender address"))
    reply_to_email = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_("Where customers' replies to the brand's emails go; empty: the sender."),
    )
    colour = models.CharField(
        _("colour"), max_length=7, default="#1f5fa8", validators=[colour_validator]
    )
    logo = models.FileField(
        _("logo"),
        upload_to="brands/",
        blank=True,
        # PNG or JPEG only (checked by content in tenants.brand_services): no SVG, which can
        # carry script.
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="brand_unique_slug"),
            # References (AIN-2026-000123) must not collide between two brands.
            models.UniqueConstraint(
                fields=["tenant", "reference_prefix"], name="brand_unique_reference_prefix"
            ),
        ]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class BrandText(TenantOwned):
    """A brand's own words in one language: what its how-to-complain page says first."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="texts", verbose_name=_("brand")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    how_to_complain = models.TextField(_("how to complain"), max_length=4000)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "brand", "language"], name="brand_text_unique_language"
            )
        ]
        verbose_name = _("brand text")
        verbose_name_plural = _("brand texts")

    def __str__(self) -> str:
        return f"{self.brand_id} ({self.language})"


class Department(TenantOwned):
    """A node of the organisation tree: head office → regions → branches.

    ``path`` is the chain of zero-padded ids from the root (``tenants.trees``), so ordering on
    it is the tree order and a subtree is one indexed prefix query. Only ``tenants.services``
    writes it.
    """

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, editable=False)
    # A closed department receives no routed complaints and no new sub-departments; it is
    # closed only once it owns no open complaint (tenants.structure.department_close).
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="department_unique_code"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "path"],
                name="department_tenant_path",
                # PostgreSQL: serve "path LIKE '/0000000001/%'" whatever the database collation.
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.tenant_id != self.tenant_id:
            raise ValidationError({"parent": _("Choose a department of the same tenant.")})

    @property
    def depth(self) -> int:
        return tree_depth(self.path)

    def contains(self, other: "Department | None") -> bool:
        """True when ``other`` is this department or one below it."""
        return other is not None and other.path.startswith(self.path)


class Touchpoint(TenantOwned):
    """A place where customers are served and can be asked how it went."""

    class Kind(models.TextChoices):
        CALL_CENTRE = "call_centre", _("Call centre")
        BRANCH = "branch", _("Branch")
        CLAIMS_DESK = "claims_desk", _("Claims desk")
        ROAD_ASSISTANCE = "road_assistance", _("Road assistance")
        MOBILE_APP = "mobile_app", _("Mobile app")
        WEB = "web", _("Website")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="touchpoint_unique_code"),
        ]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.owner_department_id and self.owner_department.tenant_id != self.tenant_id:
            raise ValidationError(
                {"owner_department": _("Choose a department of the same tenant.")}
            )


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    PERFORMER = "performer", _("Performer")
    ANALYST = "analyst", _("Analyst (read-only)")


class Membership(TenantOwned):
    """A user's place in one tenant: role, department and the code integrators use for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_(
            "What the member sees: this department and those below it. Admins and analysts "
            "see everything and need none; every other role needs one."
        ),
    )
    external_code = models.CharField(
        _("external code"),
        max_length=64,
        blank=True,
        help_text=_("How integrators name this person as a performer (e.g. an employee number)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user"),
            models.UniqueConstraint(
                fields=["tenant", "external_code"],
                condition=~models.Q(external_code=""),
                name="membership_unique_external_code",
            ),
            # Only admins and analysts work without a department (they see the whole tenant).
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "analyst"])
                | models.Q(department__isnull=False),
                name="membership_department_needed",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "department", "role"], name="membership_tenant_dept"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id} ({self.role})"

    def clean(self) -> None:
        if self.department_id and self.department.tenant_id != self.tenant_id:
            raise ValidationError({"department": _("Choose a department of the same tenant.")})


class AuditEntry(TenantOwned):
    """One recorded change: who did what to which row, and what it was before and after.

    Written by the service that makes the change, in the same transaction. Never updated.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (a scan, an import, the demo seed)."),
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "target_type", "target_id", "created_at"],
                name="audit_tenant_target",
            ),
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_recent"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class SubmissionToken(TenantOwned):
    """A rendered form's idempotency token, stored by the write it guarded (same transaction).

    The unique constraint makes a double-click or a retried POST a no-op: the second finds the
    row and is shown the first one's ``result`` (see ``tenants.idempotency``).
    """

    token = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "token"], name="submission_token_unique")
        ]
        indexes = [models.Index(fields=["tenant", "created_at"], name="submission_token_age")]
        # No translated verbose name: not shown in the admin or anywhere a user reads.

    def __str__(self) -> str:
        return f"{self.kind} {self.token[:8]}…"


class MemberInvitation(TenantOwned):
    """An invitation to join the tenant as ``role`` (in ``department``), sent by email.

    The link's token is the outbox row's link key (``notifications.links``): only its SHA-256
    is kept here, and a resend (``round`` + 1) replaces it, so the older link opens nothing.
    Open until accepted (once), withdrawn or past ``expires_at``. Only ``tenants.members``
    writes rows.
    """

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, blank=True)
    round = models.PositiveSmallIntegerField(default=1)  # 1 + resends: the email's outbox key
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The public page finds the invitation (and so the tenant) by the token alone.
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~models.Q(token_hash=""),
                name="member_invitation_token_all_tenants",
            ),
            # One open invitation per address: a second is a resend.
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="member_invitation_one_open",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="member_invitation_list")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
