"""A tenant's members: invitations (issue, resend, withdraw, accept) and a member's role,
department and activity. Each write is audited in its transaction.

An invitation's email is not written here (tenants cannot import the outbox): issuing one
publishes :class:`~tenants.events.MemberInvited` inside the transaction; ``notifications``
queues the email and records the link's token with :func:`invitation_token_record`. The token
is the outbox row's link key, so it is stored nowhere: this table keeps its SHA-256, the outbox
a slot and a nonce.
"""

import hashlib
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants import rls
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, Conflict
from tenants.events import MemberDeactivated, MemberInvited, publish
from tenants.models import Department, MemberInvitation, Membership, Role, Tenant
from tenants.permissions import Action, role_can, role_sees_whole_tenant, roles_allowed

INVITATION_DAYS = 7


def invitation_token_hash(token: str) -> str:
    """What is stored of a link's token: hex SHA-256 (``notifications.links.link_key_hash``,
    which tenants may not import, computes the same)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def user_with_email(email: str) -> AbstractBaseUser | None:
    """The account using ``email`` (any case), as sign-in finds it (``tenants.auth``)."""
    return (
        get_user_model()
        ._default_manager.filter(email__iexact=normalised_email(email))
        .order_by("pk")
        .first()
    )


def _check_place(*, tenant_id: int, role: str, department: Department | None) -> dict:
    """Field errors of a role and department for ``tenant_id`` (empty: fine)."""
    try:
        Role(role)
    except ValueError:
        return {"role": [_("Choose a role.")]}
    if department is not None and department.tenant_id != tenant_id:
        return {"department": [_("Choose a department of the same tenant.")]}
    if department is None and not role_sees_whole_tenant(role):
        return {"department": [_("Managers, agents and performers need a department.")]}
    return {}


# --- invitations ------------------------------------------------------------------------------


def invitation_issue(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    email: str,
    role: str,
    department: Department | None,
    now: datetime | None = None,
) -> MemberInvitation:
    """Create an invitation and have it emailed (:class:`MemberInvited`), without checking
    who asks: :func:`member_invite` for an admin, ``tenants.onboarding`` for the platform."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            invitation = MemberInvitation.objects.create(
                tenant=tenant,
                email=normalised_email(email),
                role=role,
                department=department,
                invited_by=actor,
                sent_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        message = _("An invitation to this address is waiting: resend it from the list.")
        raise Conflict(message, fields={"email": [message]}) from None
    _send(invitation)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.created",
        target=invitation,
        changes={
            "email": [None, invitation.email],
            "role": [None, role],
            "department": [None, department and department.code],
        },
    )
    return invitation


def _send(invitation: MemberInvitation) -> None:
    publish(
        MemberInvited(
            tenant_id=invitation.tenant_id, invitation_id=invitation.pk, round=invitation.round
        )
    )
    recorded = MemberInvitation.objects.for_tenant(invitation.tenant_id).filter(
        pk=invitation.pk, round=invitation.round
    )
    if not recorded.exclude(token_hash="").exists():
        # No subscriber queued the email: an invitation nobody can open must not be kept.
        raise RuntimeError("no invitation email was queued (is notifications installed?)")


def invitation_token_record(*, tenant_id: int, invitation_id: int, round: int, token_hash: str):
    """Let the token whose hash is ``token_hash`` open the invitation (in its ``round``: a
    resend since then has made it dead). Called by the email's sender, in the transaction."""
    MemberInvitation.objects.for_tenant(tenant_id).filter(pk=invitation_id, round=round).update(
        token_hash=token_hash
    )


@transaction.atomic
def member_invite(
    *, actor: Membership, email: str, role: str, department: Department | None
) -> MemberInvitation:
    """Invite ``email`` to the actor's tenant as ``role`` in ``department``; the link works
    for ``INVITATION_DAYS`` days, once."""
    email = normalised_email(email)
    problems = _check_place(tenant_id=actor.tenant_id, role=role, department=department)
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = [_("Enter a valid email address.")]
    if not problems:
        existing = (
            Membership.objects.for_tenant(actor.tenant_id).filter(user__email__iexact=email).first()
        )
        if existing is not None:
            problems["email"] = [
                _("This person is a member already.")
                if existing.is_active
                else _("This person is a deactivated member: reactivate them instead.")
            ]
    if problems:
        raise ApplicationError(_("The invitation cannot be sent."), fields=problems)
    return invitation_issue(
        tenant=actor.tenant, actor=actor.user, email=email, role=role, department=department
    )


def _open_invitation_locked(actor: Membership, invitation: MemberInvitation) -> MemberInvitation:
    locked = (
        MemberInvitation.objects.for_tenant(actor.tenant_id)
        .select_for_update()
        .get(pk=invitation.pk)
    )
    if locked.accepted_at is not None or locked.withdrawn_at is not None:
        raise Conflict(_("This invitation was accepted or withdrawn already."))
    return locked


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: MemberInvitation) -> MemberInvitation:
    """Email a new link (for another ``INVITATION_DAYS`` days); the earlier one opens nothing."""
    invitation = _open_invitation_locked(actor, invitation)
    now = timezone.now()
    before = {"expires_at": invitation.expires_at.isoformat(), "round": invitation.round}
    invitation.round += 1
    invitation.token_hash = ""
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["round", "token_hash", "sent_at", "expires_at"])
    _send(invitation)
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="invitation.resent",
        target=invitation,
        changes=field_changes(
            before, {"expires_at": invitation.expires_at.isoformat(), "round": invitation.round}
        ),
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor: Membership, invitation: MemberInvitation) -> None:
    """Withdraw an open invitation: its link says so and opens nothing."""
    invitation = _open_invitation_locked(actor, invitation)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit_record(
        tenant=actor.tenant, actor=actor.user, action="invitation.withdrawn", target=invitation
    )


def invitation_find(token_hash: str) -> MemberInvitation | None:
    """The invitation whose link's token has this hash (:func:`invitation_token_hash`), open or
    not, with its tenant; None when unknown.

    Crosses tenants on purpose: the token is what tells which tenant it belongs to. The rest of
    the request then acts for that tenant.
    """
    if not token_hash:
        return None
    with rls.all_tenants():
        found = (
            MemberInvitation.objects.unscoped()
            .select_related("tenant")
            .filter(token_hash=token_hash)
            .first()
        )
    if found is not None:
        rls.activate(found.tenant_id)
    return found


def invitation_is_open(invitation: MemberInvitation, *, now: datetime | None = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.withdrawn_at is None
        and invitation.expires_at > (now or timezone.now())
        and invitation.tenant.is_active
    )


def invitation_account(invitation: MemberInvitation) -> AbstractBaseUser | None:
    """The account the invitation is for, when one exists already."""
    return user_with_email(invitation.email)


@transaction.atomic
def invitation_accept(
    *,
    invitation: MemberInvitation,
    user: AbstractBaseUser | None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Accept the invitation: once, before it expires. ``user`` is the invitee's account when
    they have one with a password (and are signed in as it); otherwise the account is created
    (or, made by ``tenant_create``, completed) with their name and ``password``, which must
    pass the password validators. The membership is granted with the invitation's role and
    department, unless the invitee is a member already."""
    invitation = (
        MemberInvitation.objects.for_tenant(invitation.tenant_id)
        .select_for_update()
        .select_related("tenant")
        .get(pk=invitation.pk)
    )
    if not invitation_is_open(invitation):
        raise Conflict(_("This invitation has expired or was used already."))
    if user is None:
        user = invitation_account(invitation)
        if user is not None and user.has_usable_password():
            raise Conflict(_("This address has an account: sign in to accept."))
        user = user or get_user_model()(username=invitation.email, email=invitation.email)
        first_name, last_name = first_name.strip(), last_name.strip()
        problems = {}
        if not first_name:
            problems["first_name"] = [_("Give your first name.")]
        user.first_name, user.last_name = first_name[:150], last_name[:150]
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            problems["new_password1"] = list(error.messages)
        if problems:
            raise ApplicationError(_("Check the form."), fields=problems)
        user.set_password(password)
        user.save()
    elif normalised_email(user.email) != invitation.email:
        raise Conflict(_("This invitation is for another address."))
    membership = Membership.objects.for_tenant(invitation.tenant_id).filter(user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            tenant=invitation.tenant,
            user=user,
            role=invitation.role,
            department_id=invitation.department_id,
        )
        audit_record(
            tenant=invitation.tenant,
            actor=user,
            action="membership.granted",
            target=membership,
            changes={
                "role": [None, invitation.role],
                "department": [None, membership.department_id],
            },
        )
    # The hash stays: the link, opened again, says it was used (a resend replaces it).
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        tenant=invitation.tenant, actor=user, action="invitation.accepted", target=invitation
    )
    return membership


# --- members ----------------------------------------------------------------------------------


def _refuse_losing_the_last_admin(actor: Membership, membership: Membership, message: str):
    """Someone must be left who may manage the tenant (and so undo this)."""
    others = (
        Membership.objects.for_tenant(actor.tenant_id)
        .filter(is_active=True, role__in=roles_allowed(Action.MANAGE_TENANT))
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise Conflict(message, fields={"role": [message]})


def _locked(actor: Membership, membership: Membership) -> Membership:
    return Membership.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=membership.pk)


@transaction.atomic
def membership_change(
    *, actor: Membership, membership: Membership, role: str, department: Department | None
) -> Membership:
    """Give a member another role or department; audited with what changed."""
    membership = _locked(actor, membership)
    problems = _check_place(tenant_id=actor.tenant_id, role=role, department=department)
    if problems:
        raise ApplicationError(_("The member cannot be changed so."), fields=problems)
    before = {"role": membership.role, "department": membership.department_id}
    after = {"role": role, "department": department and department.pk}
    changes = field_changes(before, after)
    if not changes:
        return membership
    if role_can(membership.role, Action.MANAGE_TENANT) and not role_can(role, Action.MANAGE_TENANT):
        _refuse_losing_the_last_admin(
            actor, membership, _("The workspace needs at least one active admin.")
        )
    membership.role, membership.department = role, department
    membership.save(update_fields=["role", "department"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="membership.changed",
        target=membership,
        changes=changes,
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """The member can no longer use this workspace and is given no more work; what they
    held (open complaints, open follow-ups) goes back to its department, unassigned, through
    the apps' subscribers to :class:`~tenants.events.MemberDeactivated`."""
    membership = _locked(actor, membership)
    if not membership.is_active:
        return membership
    if membership.pk == actor.pk:
        raise Conflict(_("You cannot deactivate yourself."))
    if role_can(membership.role, Action.MANAGE_TENANT):
        _refuse_losing_the_last_admin(
            actor, membership, _("The workspace needs at least one active admin.")
        )
    membership = _set_active(actor, membership, False)
    publish(
        MemberDeactivated(
            tenant_id=membership.tenant_id, membership_id=membership.pk, actor_id=actor.pk
        )
    )
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    """The member uses the workspace again, with the role and department they had."""
    membership = _locked(actor, membership)
    if membership.is_active:
        return membership
    return _set_active(actor, membership, True)


def _set_active(actor: Membership, membership: Membership, is_active: bool) -> Membership:
    membership.is_active = is_active
    membership.save(update_fields=["is_active"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="membership.reactivated" if is_active else "membership.deactivated",
        target=membership,
        changes={"is_active": [not is_active, is_active]},
    )
    return membership
