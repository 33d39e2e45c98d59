"""The demo's year planned in memory and written table by table (see ``surveys.demo``)."""

import random
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import F, OuterRef, Subquery

from complaints.lifecycle import State
from complaints.models import Transition
from customers.models import Customer
from demo.surveys import story
from demo.surveys.outbox import first_emails_write
from demo.surveys.people import REFERENCE_PREFIX, new_customers
from surveys.followups.services import (
    follow_up_built,
    follow_up_due,
    follow_up_owner,
    follow_ups_history_create,
)
from surveys.interactions.decision import decide
from surveys.interactions.recording import matching_rule
from surveys.invitations.scheduling import INVITATION_VALID_FOR, last_invited_at_by_customer
from surveys.invitations.sending import REMINDER_AFTER
from surveys.invitations.status import invitations_history_create
from surveys.models import (
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    Question,
    Response,
    SurveyVersion,
    primary_question,
    survey_settings_for,
)
from surveys.scoring import QuestionKind, follow_up_required, is_critic
from tenants.calendar import calendar_for
from tenants.models import Brand, Membership, Tenant, Touchpoint

LIVE_PREFIX = "demo-live-"  # the few recorded for real by interaction_record
BATCH = 500
GOLDEN = (5**0.5 - 1) / 2
Source = Interaction.Source
Decision = Interaction.Decision


@dataclass
class Event:
    """One interaction being planned: when it reached Loopdesk and the NPS it earns."""

    interaction: Interaction
    recorded_at: datetime
    mood: float  # the NPS, in points, that this kind of event earns
    is_new: bool = True


class History:
    """A year of events planned in memory and written table by table."""

    def __init__(self, tenant: Tenant, rng: random.Random, now: datetime):
        self.tenant, self.rng, self.now = tenant, rng, now
        self.brands = {brand.slug: brand for brand in Brand.objects.for_tenant(tenant)}
        self.touchpoints = {
            touchpoint.code: touchpoint for touchpoint in Touchpoint.objects.for_tenant(tenant)
        }
        # Who serves customers in the story: the members it names (``story.TOUCHPOINTS``), by
        # the part of their email before the @.
        serving = (
            Membership.objects.for_tenant(tenant)
            .filter(is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        self.performers = {member.user.email.split("@")[0]: member for member in serving}
        # Who a critic's follow-up goes to, per touchpoint: as follow_up_owner picks them.
        self.owners: dict[int, Membership | None] = {}
        self.calendar = calendar_for(tenant)
        self.programme = survey_settings_for(tenant)
        self.customers: list[Customer] = []  # the demo's own
        self.complaint_customers: list[Customer] = []  # of the demo complaints
        self.last_invited: dict[int, datetime] = {}  # customer id → latest first send time
        self.rules: dict[tuple, tuple | None] = {}
        self.questions: dict[int, list[Question]] = {}
        self.invitations: list[Invitation] = []
        self.bounced: set[int] = set()  # id() of the invitations whose first email bounced
        self.responses: list[Response] = []
        self.answers: list[Answer] = []
        self.follow_ups: list[FollowUp] = []
        self.decisions: dict[str, list[int]] = {}
        self.complaint_interaction_ids: list[int] = []
        self.sequences: dict[object, float] = {}

    def _even(self, key) -> float:
        """The next of a sequence of draws in [0, 1) that spread evenly (golden-ratio steps
        from a random start), one sequence per ``key``: a few dozen answers of a brand already
        show the shares intended for it, whatever ids the database hands out."""
        draw = self.sequences[key] if key in self.sequences else self.rng.random()
        self.sequences[key] = (draw + GOLDEN) % 1
        return draw

    # --- events ---------------------------------------------------------------------------------

    def new_events(self, count: int) -> list[Event]:
        self.customers = new_customers(
            self.tenant, self.rng, max(round(count * story.CUSTOMERS_PER_EVENT), 10)
        )
        Customer.objects.bulk_create(self.customers, batch_size=BATCH)
        rng, zone = self.rng, zoneinfo.ZoneInfo(self.tenant.time_zone)
        events = []
        for number in range(count):
            interaction, effect = self.draw()
            # A little busier lately; events at least a day and a bit old, so their
            # invitations have gone out. Oldest first, each in its own slice of the year: every
            # month has its share of the events (and each performer theirs, see ``draw``).
            share = 1 - (number + rng.random()) / count
            age = timedelta(days=1.2 + 363.5 * share**1.15)
            day = (self.now - age).astimezone(zone).date()
            hour = rng.choices(range(24), weights=story.HOUR_WEIGHTS)[0]
            # In UTC: arithmetic on a local time would move with the clocks (DST).
            local = datetime.combine(day, time(hour, rng.randrange(60)), zone)
            occurred_at = local.astimezone(UTC)
            interaction.occurred_at = min(occurred_at, self.now - timedelta(hours=26))
            interaction.external_reference = (
                f"{REFERENCE_PREFIX}{interaction.source}-{number + 1:06d}"
            )
            recorded_at = interaction.occurred_at + story.RECORDED_AFTER[interaction.source]
            if (
                interaction.source == Source.IMPORT
                and age > timedelta(days=4)
                and rng.random() < story.LATE_IMPORT_SHARE
            ):
                recorded_at = interaction.occurred_at + story.LATE_IMPORT
            events.append(Event(interaction, recorded_at, self._mood(interaction, effect)))
        Interaction.objects.bulk_create([event.interaction for event in events], batch_size=BATCH)
        return events

    def draw(self) -> tuple[Interaction, int]:
        """An unsaved event of a brand, touchpoint and performer drawn in the demo's shares,
        with the NPS points its touchpoint adds. The touchpoint's staff take their turns evenly
        (``_even``): each has their share of its events in any month."""
        rng = self.rng
        slugs = [slug for slug in story.BRANDS if slug in self.brands]
        slug = rng.choices(slugs, weights=[story.BRANDS[slug][0] for slug in slugs])[0]
        codes = [code for code in story.BRAND_TOUCHPOINTS[slug] if code in self.touchpoints]
        code = rng.choices(codes, weights=[story.BRAND_TOUCHPOINTS[slug][c] for c in codes])[0]
        effect, source, served_by = story.TOUCHPOINTS[code]
        interaction = Interaction(
            tenant=self.tenant,
            brand=self.brands[slug],
            touchpoint=self.touchpoints[code],
            customer=self._pick_customer(),
            performer=(
                self.performers.get(served_by[int(self._even(("serves", code)) * len(served_by))])
                if served_by
                else None
            ),
            source=source,
        )
        return interaction, effect

    def _pick_customer(self) -> Customer:
        # Skewed: a few customers come back often (and are throttled), most once or twice.
        return self.customers[int(len(self.customers) * self.rng.random() ** 1.4)]

    def _mood(self, interaction: Interaction, touchpoint_effect: int) -> float:
        age_share = (self.now - interaction.occurred_at) / timedelta(days=365)
        brand_nps = story.brand_nps(interaction.brand.slug, age_share)
        name = interaction.performer.user.email.split("@")[0] if interaction.performer else ""
        performer_effect = story.PERFORMERS.get(name, 0)
        if name in story.IMPROVING:
            then, now = story.IMPROVING[name]
            performer_effect = then + (now - then) * min(max(1 - age_share, 0), 1)
        return brand_nps + touchpoint_effect + performer_effect

    def complaint_events(self, *, surveys_since: datetime) -> list[Event]:
        """The demo complaints' closing interactions, dated back to the closing.

        ``seed_demo_complaints`` closes its cases through the workflow, whose ComplaintClosed
        event records the interaction at the moment of seeding; only afterwards does it spread
        the case's history over the year. Such an interaction (recorded an hour or more after
        its complaint's closing step), or one decided before the demo's surveys existed, is
        moved to the closing time and decided again as of then, unless its invitation has
        already gone out (a scheduled one is dropped and planned again).
        """
        interactions = list(
            Interaction.objects.for_tenant(self.tenant)
            .filter(source=Source.COMPLAINT, complaint__isnull=False)
            .select_related("brand", "touchpoint", "performer__user", "complaint")
            .order_by("occurred_at", "pk")
        )
        closings: dict[int, list[datetime]] = {}
        for complaint_id, closed_at in (
            Transition.objects.for_tenant(self.tenant)
            .filter(target=State.CLOSED, complaint_id__in={i.complaint_id for i in interactions})
            .order_by("created_at", "pk")
            .values_list("complaint_id", "created_at")
        ):
            closings.setdefault(complaint_id, []).append(closed_at)
        sent = set(
            Invitation.objects.for_tenant(self.tenant)
            .filter(interaction__source=Source.COMPLAINT)
            .exclude(status=Invitation.Status.SCHEDULED)
            .values_list("interaction_id", flat=True)
        )
        events, seen = [], {}
        for interaction in interactions:
            # The n-th interaction of a complaint is its n-th closing.
            nth = seen[interaction.complaint_id] = seen.get(interaction.complaint_id, -1) + 1
            closed = closings.get(interaction.complaint_id, [])
            if nth >= len(closed) or interaction.pk in sent:
                continue
            closed_at = closed[nth]
            is_late = interaction.occurred_at - closed_at >= timedelta(hours=1)
            is_before_surveys = (
                interaction.decision == Decision.NO_RULE and interaction.created_at < surveys_since
            )
            if not (is_late or is_before_surveys):
                continue
            interaction.occurred_at = closed_at
            interaction.external_reference = (
                f"{interaction.complaint.reference}@{closed_at.isoformat()}"
            )
            effect = story.TOUCHPOINTS.get(getattr(interaction.touchpoint, "code", ""), (0,))[0]
            mood = self._mood(interaction, effect) + story.COMPLAINT_EFFECT
            events.append(Event(interaction, closed_at, mood, is_new=False))
        self.complaint_interaction_ids = [event.interaction.pk for event in events]
        if events:
            ids = self.complaint_interaction_ids
            Invitation.objects.for_tenant(self.tenant).filter(interaction_id__in=ids).delete()
            Interaction.objects.for_tenant(self.tenant).bulk_update(
                [event.interaction for event in events],
                ["occurred_at", "external_reference"],
                batch_size=BATCH,
            )
            customer_ids = {event.interaction.customer_id for event in events}
            self.complaint_customers = list(
                Customer.objects.for_tenant(self.tenant).filter(pk__in=customer_ids)
            )
            # The throttle counts the invitations these customers already have.
            self.last_invited.update(
                last_invited_at_by_customer(tenant_id=self.tenant.pk, customer_ids=customer_ids)
            )
        return events

    # --- decisions, by the function the recording service takes them with ----------------------

    def decide(self, events: list[Event]) -> None:
        customers = {c.pk: c for c in self.customers + self.complaint_customers}
        for event in sorted(events, key=lambda event: event.interaction.occurred_at):
            interaction = event.interaction
            customer = customers[interaction.customer_id]
            match = self._rule_for(interaction)
            verdict = decide(
                interaction=interaction,
                complaint_state=interaction.complaint.state if interaction.complaint_id else None,
                rule=match[0] if match else None,
                customer=customer,
                now=event.recorded_at,
                last_invited_at=self.last_invited.get(customer.pk),
                throttle_days=self.programme.throttle_days,
                max_event_age=self.programme.max_event_age,
            )
            decision = verdict.decision
            self.decisions.setdefault(decision, []).append(interaction.pk)
            interaction.decision = decision
            if decision == Decision.INVITED:
                self.last_invited[customer.pk] = verdict.send_at
                self._invite(event, customer, match[1], verdict.send_at)

    def _rule_for(self, interaction: Interaction):
        key = (interaction.brand_id, interaction.touchpoint_id, interaction.source)
        if key not in self.rules:
            self.rules[key] = matching_rule(interaction)
            if self.rules[key] is not None:
                version = self.rules[key][1]
                if version.pk not in self.questions:
                    self.questions[version.pk] = list(version.questions.order_by("position"))
        return self.rules[key]

    # --- invitations, answers, follow-ups and re-rates ------------------------------------------

    def _invite(self, event: Event, customer: Customer, version: SurveyVersion, send_at):
        rng = self.rng
        invitation = self._invitation(
            event.interaction, customer, version, send_at, Invitation.Purpose.FIRST, event
        )
        if invitation.sent_at is None:
            return
        slug = event.interaction.brand.slug
        # A sequence per brand and performer: each performer's answers show their own shares
        # month by month too (their rating rests on a dozen answers a month).
        who = (slug, event.interaction.performer_id)
        if self._even("bounces") < story.BOUNCED_SHARE:
            # The mail server refused it (a mailbox gone, a typo): never read, never answered.
            self.bounced.add(id(invitation))
            self._leave_unanswered(invitation)
            return
        if self._even(("answers", *who)) >= story.BRANDS.get(slug, story.OTHER_BRAND)[3]:
            self._leave_unanswered(invitation)
            return
        if rng.random() < story.ANSWER_SHARE_AFTER_REMINDER:
            lag = REMINDER_AFTER + timedelta(hours=rng.uniform(0.5, 60))
        else:
            lag = timedelta(hours=min(rng.expovariate(1 / 6), 70))
        mood = story.mood_for(self._even(("mood", *who)), event.mood)
        response = self._answer(invitation, lag, mood)
        if response is None:
            self._leave_unanswered(invitation)  # not yet: the reminder may have gone out
            return
        if not self._needs_follow_up(response):
            return
        follow_up = self._follow_up(response, kind="critic")
        if follow_up.status != FollowUp.Status.DONE:
            return
        if self._even("rerate") < story.RERATE_SHARE:
            rerate = self._invitation(
                event.interaction,
                customer,
                version,
                follow_up.completed_at,
                Invitation.Purpose.RERATE,
                event,
            )
            if rerate.sent_at is None or self._even("rerate answers") >= story.RERATE_ANSWER_SHARE:
                self._leave_unanswered(rerate)
                return
            lag = timedelta(hours=rng.uniform(0.2, 48))
            mood = story.mood_after_follow_up(self._even("rerate mood"))
            after = self._answer(rerate, lag, mood, comment_share=0.3 if mood == story.BAD else 0)
            if after is None:
                self._leave_unanswered(rerate)
                return
            follow_up.rerate = after
            if self._needs_follow_up(after):
                self._follow_up(after, kind="still_critic")

    def _needs_follow_up(self, response: Response) -> bool:
        return follow_up_required(
            kind=response.primary_kind,
            score=response.primary_score,
            comment=response.comment,
            critics_without_comment=self.programme.follow_up_critics_without_comment,
        )

    def _invitation(self, interaction, customer, version, send_at, purpose, event) -> Invitation:
        # The sender's minute; an event recorded late goes out as soon as it is recorded.
        sent_at = max(send_at, event.recorded_at) + timedelta(seconds=self.rng.uniform(5, 60))
        invitation = Invitation(
            tenant=self.tenant,
            interaction=interaction,
            purpose=purpose,
            version=version,
            customer=customer,
            language=customer.language,
            send_at=send_at,
            expires_at=send_at + INVITATION_VALID_FOR,
        )
        if sent_at <= self.now:
            invitation.sent_at = sent_at
        # Its status follows from its times when it is written (``write``).
        self.invitations.append(invitation)
        return invitation

    def _leave_unanswered(self, invitation: Invitation) -> None:
        if invitation.sent_at + REMINDER_AFTER <= min(self.now, invitation.expires_at):
            invitation.reminder_sent_at = invitation.sent_at + REMINDER_AFTER

    def _answer(self, invitation, lag, mood, comment_share=None) -> Response | None:
        """The customer's answers ``lag`` after the email (None: not yet, or too late)."""
        rng = self.rng
        answered_at = invitation.sent_at + lag
        if answered_at > self.now or answered_at >= invitation.expires_at:
            return None
        if lag > REMINDER_AFTER:
            invitation.reminder_sent_at = invitation.sent_at + REMINDER_AFTER
        invitation.answered_at = answered_at
        questions = self.questions[invitation.version_id]
        share = story.COMMENT_SHARE[mood] if comment_share is None else comment_share
        comment = (
            rng.choice(story.COMMENTS[mood][invitation.language]) if rng.random() < share else ""
        )
        answers = []
        for question in questions:
            answer = Answer(tenant=self.tenant, question=question)
            if question.kind in story.SCORES:
                answer.score = rng.choices(*story.SCORES[question.kind][mood])[0]
            elif question.kind == QuestionKind.CHOICE:
                values = [choice["value"] for choice in question.choices]
                weights = story.CHOICE_WEIGHTS if len(values) == len(story.CHOICE_WEIGHTS) else None
                answer.choice = rng.choices(values, weights=weights)[0]
            elif comment:
                answer.text = comment
                comment = ""  # one comment, in the first free-text question
            else:
                continue  # a free-text question left empty has no answer row
            answers.append(answer)
        primary = primary_question(questions)
        primary_score = next((a.score for a in answers if a.question is primary), None)
        comment = "\n\n".join(answer.text for answer in answers if answer.text)
        response = Response(
            tenant=self.tenant,
            invitation=invitation,
            version_id=invitation.version_id,
            interaction=invitation.interaction,
            primary_kind=primary.kind,
            primary_score=primary_score,
            comment=comment,
            is_critic=is_critic(primary.kind, primary_score),
            submitted_at=answered_at,
        )
        for answer in answers:
            answer.response = response
        self.responses.append(response)
        self.answers += answers
        return response

    def _follow_up(self, response: Response, *, kind: str) -> FollowUp:
        rng = self.rng
        submitted_at = response.submitted_at
        due_at = follow_up_due(tenant=self.tenant, answered_at=submitted_at, calendar=self.calendar)
        touchpoint = response.interaction.touchpoint
        if touchpoint is not None and touchpoint.pk not in self.owners:
            self.owners[touchpoint.pk] = follow_up_owner(touchpoint)
        on_time = rng.random() < 0.75
        completed_at = (
            submitted_at + (due_at - submitted_at) * rng.uniform(0.1, 0.95)
            if on_time
            else due_at + timedelta(hours=rng.uniform(2, 120))
        )
        age = self.now - submitted_at
        still_open = next((share for within, share in story.STILL_OPEN if age < within), 0)
        is_done = completed_at <= self.now and rng.random() >= still_open
        follow_up = follow_up_built(
            is_done=is_done,
            tenant=self.tenant,
            response=response,
            assignee=self.owners[touchpoint.pk] if touchpoint else None,
            due_at=due_at,
            completed_at=completed_at if is_done else None,
            outcome=rng.choice(story.OUTCOMES[kind]) if is_done else "",
        )
        self.follow_ups.append(follow_up)
        return follow_up

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> None:
        """Insert what was planned, parents first; then set the decisions and the times."""
        invitations_history_create(invitations=self.invitations, now=self.now, batch_size=BATCH)
        first_emails_write(self.tenant, self.invitations, bounced=self.bounced)
        Response.objects.bulk_create(self.responses, batch_size=BATCH)
        Answer.objects.bulk_create(self.answers, batch_size=BATCH)
        follow_ups_history_create(follow_ups=self.follow_ups, batch_size=BATCH)
        interactions = Interaction.objects.for_tenant(self.tenant)
        for decision, ids in self.decisions.items():
            for chunk in _chunks(ids):
                interactions.filter(pk__in=chunk).update(decision=decision)
        # Rows are stamped "created now"; the history was recorded when it happened.
        if self.customers:
            demo = interactions.filter(external_reference__startswith=REFERENCE_PREFIX)
            for source, after in story.RECORDED_AFTER.items():
                demo.filter(source=source).exclude(decision=Decision.TOO_OLD).update(
                    created_at=F("occurred_at") + after
                )
            late = demo.filter(decision=Decision.TOO_OLD)
            late.update(created_at=F("occurred_at") + story.LATE_IMPORT)
        for chunk in _chunks(self.complaint_interaction_ids):
            interactions.filter(pk__in=chunk).update(created_at=F("occurred_at"))
        submitted = Response.objects.for_tenant(self.tenant).filter(pk=OuterRef("response_id"))
        for chunk in _chunks([follow_up.pk for follow_up in self.follow_ups]):
            FollowUp.objects.for_tenant(self.tenant).filter(pk__in=chunk).update(
                created_at=Subquery(submitted.values("submitted_at")[:1])
            )


def _chunks(ids: list[int], size: int = BATCH):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
