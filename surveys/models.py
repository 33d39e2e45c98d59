"""Service interactions, the surveys sent after them, the answers and the closed loop."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from complaints.models import Complaint
from customers.models import Customer
from notifications.models import Delivery
from surveys.scoring import SCALES, QuestionKind
from tenants.models import Brand, Membership, TenantOwned, Touchpoint
from tenants.permissions import Action, member_can


class Interaction(TenantOwned):
    """One service event: a complaint closed, a claim settled, a tow truck that came.

    Every interaction records whether it was surveyed, and if not, why — so coverage can be
    explained, not just counted.
    """

    class Source(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided yet")
        INVITED = "invited", _("Invited")
        NO_RULE = "no_rule", _("No survey rule matches")
        NOT_SAMPLED = "not_sampled", _("Not in the sample")
        THROTTLED = "throttled", _("Surveyed recently")
        OPTED_OUT = "opted_out", _("Customer opted out")
        NO_EMAIL = "no_email", _("No email address")
        TOO_OLD = "too_old", _("Event older than the maximum age")
        NOT_ELIGIBLE = "not_eligible", _("Complaint rejected, withdrawn or merged")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    performer = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred"))
    source = models.CharField(max_length=10, choices=Source.choices)
    external_reference = models.CharField(_("external reference"), max_length=100)
    decision = models.CharField(max_length=14, choices=Decision.choices, default=Decision.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # An integrator posting the same event twice gets one interaction.
            models.UniqueConstraint(
                fields=["tenant", "source", "external_reference"], name="interaction_once"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-occurred_at"], name="interaction_tenant_recent"),
            models.Index(
                fields=["tenant", "customer", "-occurred_at"], name="interaction_tenant_customer"
            ),
            # The interactions page filtered by decision ("why was this not surveyed?").
            models.Index(
                fields=["tenant", "decision", "-occurred_at"], name="interaction_tenant_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_reference}"


MAX_QUESTIONS = 5


class Survey(TenantOwned):
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "name"], name="survey_tenant_name")]

    def __str__(self) -> str:
        return self.name


class SurveyVersion(TenantOwned):
    """What customers answer: publishing freezes a version; edits make a new draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "survey", "number"], name="survey_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


def localized(texts: dict, language: str, default_language: str = "en") -> str:
    """The text in ``language``, else the tenant's default language, else English, else any."""
    for code in (language, default_language, "en"):
        if texts.get(code):
            return texts[code]
    return next((text for text in texts.values() if text), "")


class Question(TenantOwned):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    is_primary = models.BooleanField(
        _("primary"), default=False, help_text=_("The overall impression of the service.")
    )
    is_required = models.BooleanField(_("required"), default=False)
    # {"en": "How likely…", "el": "Πόσο πιθανό…", …}
    text = models.JSONField(default=dict)
    # For CHOICE: [{"value": "price", "label": {"en": "Price", …}}, …]
    choices = models.JSONField(default=list, blank=True)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "version", "position"], name="question_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text.get("en") or next(iter(self.text.values()), "")

    def text_in(self, language: str, default_language: str = "en") -> str:
        return localized(self.text, language, default_language)

    @property
    def scale(self) -> tuple[int, int] | None:
        """(lowest, highest) score of a scored question; None for choices and free text."""
        if self.kind in SCALES:
            return SCALES[self.kind]
        if self.kind == QuestionKind.SCALE and self.scale_min is not None and self.scale_max:
            return self.scale_min, self.scale_max
        return None


class SurveySettings(TenantOwned):
    """The tenant's survey programme: how often a customer may be asked, how old an event may
    be, whether a critic without a comment is called back, and the norms the dashboards compare
    the figures with. One row per tenant, written only by ``surveys.programme.services``; until
    an admin first saves the page there is none and the defaults hold
    (:func:`survey_settings_for`, the one reader)."""

    # DESIGN: at most one survey a month, sent within a day of the event, response rate 5–15 %.
    throttle_days = models.PositiveSmallIntegerField(
        _("survey throttle (days)"),
        default=30,
        help_text=_("A customer gets at most one survey in this many days; 0: no limit."),
    )
    max_event_age_hours = models.PositiveSmallIntegerField(
        _("maximum age of an event (hours)"),
        default=24,
        help_text=_(
            "An older event is not surveyed, and a survey goes out at the latest this long "
            "after its event (a rule's delay is at most this long)."
        ),
    )
    follow_up_critics_without_comment = models.BooleanField(
        _("follow up critics without a comment"),
        default=True,
        help_text=_(
            "A critic who left a comment is always called back; this decides for a critic "
            "who only gave a low score."
        ),
    )
    response_rate_low_percent = models.PositiveSmallIntegerField(
        _("response rate norm: lowest (%)"), default=5
    )
    response_rate_high_percent = models.PositiveSmallIntegerField(
        _("response rate norm: highest (%)"), default=15
    )
    csat_target_percent = models.PositiveSmallIntegerField(_("CSAT target (%)"), default=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="survey_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(max_event_age_hours__gte=1),
                name="survey_settings_event_age_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    response_rate_low_percent__lt=models.F("response_rate_high_percent"),
                    response_rate_high_percent__lte=100,
                    csat_target_percent__lte=100,
                ),
                name="survey_settings_percentages",
            ),
        ]
        verbose_name = _("survey programme settings")
        verbose_name_plural = _("survey programme settings")

    def __str__(self) -> str:
        return f"survey settings of tenant {self.tenant_id}"

    @property
    def max_event_age(self) -> timedelta:
        return timedelta(hours=self.max_event_age_hours)


def survey_settings_for(tenant) -> SurveySettings:
    """The survey programme of ``tenant`` (a Tenant or its id): its saved row, or the defaults
    (unsaved) while it has none. Every rule of the programme reads it here."""
    tenant_id = getattr(tenant, "pk", tenant)
    saved = SurveySettings.objects.for_tenant(tenant_id).first()
    return saved if saved is not None else SurveySettings(tenant_id=tenant_id)


class SurveyRule(TenantOwned):
    """Which interactions get which survey, after what delay, with what sampling share."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(default=100)
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Interaction.Source.choices, blank=True)
    delay_minutes = models.PositiveIntegerField(_("send after (minutes)"), default=60)
    sample_percent = models.PositiveSmallIntegerField(_("sample (%)"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["tenant", "order"], name="survey_rule_tenant_order")]


class Invitation(TenantOwned):
    """An emailed link to one survey, for one interaction (or a re-rate after a follow-up).

    Its links carry random single-use tokens (:class:`InvitationToken`), one per email sent.
    """

    class Purpose(models.TextChoices):
        FIRST = "first", _("After the interaction")
        RERATE = "rerate", _("Re-rate after a follow-up")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled (the customer opted out before it went out)")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.FIRST)
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # The score the person clicked in the email, recorded by their page once it showed (never
    # by opening the link): it becomes the response when they send the survey, or on its own
    # when they leave without sending (``responses.submitting.invitations_settle``).
    held_score = models.SmallIntegerField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # The outbox row of the first email, and when the SMTP server accepted it: the response
    # rate counts an invitation from ``accepted_at``, not from when its email was queued
    # (``invitations.status.invitation_accepted_stamp``, on the outbox's ``DeliverySent``).
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "interaction", "purpose"], name="invitation_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "customer", "-send_at"], name="invitation_tenant_customer"
            ),
            # The sender's three scans cross tenants: each reads only the rows it acts on.
            models.Index(
                fields=["send_at"],
                condition=models.Q(status="scheduled"),
                name="invitation_due_all_tenants",
            ),
            models.Index(
                fields=["sent_at"],
                condition=models.Q(status="sent", reminder_sent_at__isnull=True),
                name="invitation_remind_all_tenants",
            ),
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status__in=["scheduled", "sent"]),
                name="invitation_expiry_all_tenants",
            ),
            models.Index(
                fields=["held_at"],
                condition=models.Q(status="sent", held_at__isnull=False),
                name="invitation_held_all_tenants",
            ),
        ]


class InvitationToken(TenantOwned):
    """The secret of one emailed link: the first email and the reminder each get their own.

    Only the SHA-256 of the token is stored; the token itself exists only in the email. Any
    token of an invitation opens it until it is answered (then all are marked used) or expires.
    The unsubscribe link keeps working after that: it only ever switches surveys off.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The public page finds the invitation (and so the tenant) by the token alone.
            models.UniqueConstraint(
                fields=["token_hash"], name="invitation_token_hash_all_tenants"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "invitation"], name="invitation_token_tenant"),
        ]


class Response(TenantOwned):
    """A customer's answers to one invitation. Never overwritten (a re-rate is a new one),
    except that a partial response is completed by the person's own later answers."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.PROTECT, related_name="+")
    # The primary question's kind and score, copied for fast metrics.
    primary_kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    primary_score = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    is_critic = models.BooleanField(default=False)
    # Only the score clicked in the email, kept when the person left without sending: they
    # may still send the whole survey until the link expires, and that completes this one.
    is_partial = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["tenant", "primary_kind", "-submitted_at"], name="response_tenant_kind"
            ),
            # The response browser: latest first.
            models.Index(fields=["tenant", "-submitted_at"], name="response_tenant_recent"),
        ]


class Answer(TenantOwned):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    score = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "response", "question"], name="answer_unique"
            ),
        ]


def may_complete_follow_up(follow_up, actor) -> bool:
    """A member who handles complaints or manages surveys; None is the customer, whose own
    answers can close a follow-up opened for a score they then changed."""
    if actor is None:
        return True
    return member_can(actor, Action.HANDLE_COMPLAINTS) or member_can(actor, Action.MANAGE_SURVEYS)


class FollowUp(FSMModelMixin, TenantOwned):
    """A critic is called back: the closed loop, with its own due time and outcome.

    The status is a state machine (django-fsm-2, protected): only the transition methods move
    it, and only ``surveys.followups.services`` calls them (one function per transition).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="follow_up")
    assignee = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = FSMField(max_length=6, choices=Status.choices, default=Status.OPEN, protected=True)
    due_at = models.DateTimeField()
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rerate = models.OneToOneField(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"], name="follow_up_tenant_status"),
        ]

    @transition(status, source=Status.OPEN, target=Status.DONE, permission=may_complete_follow_up)
    def complete(self):
        """The call-back is done and its outcome recorded (or the customer's own answers
        showed there was nothing to call about)."""


def primary_question(questions: list[Question]) -> Question | None:
    """The overall-impression question: the one marked primary, else the first scored one."""
    return (
        next((q for q in questions if q.is_primary), None)
        or next((q for q in questions if q.scale), None)
        or (questions[0] if questions else None)
    )


# The rollup tables, declared in their package and registered with the app here.
from surveys.rollups.models import AnswerDay, AnswerDayDue  # noqa: E402, F401
