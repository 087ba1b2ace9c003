"""People's accounts: invitations (one at a time or by spreadsheet), invitations sent again, deactivation,
reactivation and changes of details or roles, each audited as an AccountChange.

Who may do what to whom: organisers manage the accounts of agency officers, reviewers and evaluators; only a
superuser creates or changes an organiser or a superuser, grants the organisers' role or Django's staff and
superuser flags, and only a superuser changes their own roles. An agency officer may invite a colleague of
their own agency. An invited account has no usable password, so it cannot sign in until its owner chooses one
through the invitation's link (govcases.invitations).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import notifications
from ..enums import AccountAction, Phase
from ..exceptions import Refused
from ..invitations import invitation_url
from ..models import AccountChange, Agency, AgencyMember, Profile, Round
from ..outbox import outbox_queue
from ..permissions import AGENCIES, EVALUATORS, ORGANISERS, REVIEWERS, RUN_ROUND, allowed, is_agency_staff

# The roles, as the invitation e-mail and the admin name them.
ROLE_LABELS = {
    AGENCIES: gettext_lazy("agency officer"),
    REVIEWERS: gettext_lazy("reviewer"),
    EVALUATORS: gettext_lazy("evaluator"),
    ORGANISERS: gettext_lazy("organiser"),
}
# What an organiser may grant; a superuser may grant every role.
ROLES_ORGANISERS_GRANT = frozenset({AGENCIES, REVIEWERS, EVALUATORS})


def roles_grantable(by: AbstractBaseUser | None) -> frozenset[str]:
    if by is None:
        return frozenset()
    if by.is_active and by.is_superuser:
        return frozenset(ROLE_LABELS)
    return ROLES_ORGANISERS_GRANT if allowed(by, RUN_ROUND) else frozenset()


def account_manage_check(
    *, user: AbstractBaseUser, by: AbstractBaseUser | None, roles: Iterable[str] | None = None
) -> None:
    """Refuses unless `by` may change `user`'s account: an organiser, and for an organiser's or a
    superuser's account (their own included) a superuser. `roles`: the user's group names, when the caller
    has read them already (an invitation by spreadsheet reads everyone's at once)."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    if by.is_superuser:
        return
    is_organiser = ORGANISERS in roles if roles is not None else user.groups.filter(name=ORGANISERS).exists()
    if user.is_superuser or is_organiser:
        raise Refused(_("Only a superuser can change the account of an organiser or a superuser."))


def account_change_record(
    *, user: AbstractBaseUser, action: str, by: AbstractBaseUser | None, detail: str = "", reason: str = ""
) -> AccountChange:
    return AccountChange.objects.create(
        user=user, username=user.get_username(), action=action, by=by, detail=detail[:300], reason=reason
    )


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError as invalid:
        raise Refused(_("“%(email)s” is not an e-mail address.") % {"email": email}) from invalid
    return email


def _invitation_round(role: str) -> tuple[Round | None, object]:
    """The round an invitation is about, with the deadline that matters to the role: the next submission
    deadline for an agency officer, the review deadline for a reviewer."""
    reviewing = role == REVIEWERS
    phases = [Phase.SETUP, Phase.SUBMISSION, *([Phase.REVIEW] if reviewing else [])]
    round = Round.objects.filter(phase__in=phases).order_by("-year").first()
    if round is None:
        return None, None
    return round, round.review_deadline if reviewing else round.submission_deadline


def _first_role(roles: Iterable[str]) -> str:
    """The role an invitation sent again names for someone with these roles."""
    return next((role for role in [AGENCIES, REVIEWERS, EVALUATORS, ORGANISERS] if role in roles), "")


@dataclass
class Invitee:
    """One person of an invitation batch: their account (new ones unsaved until the batch is written), the
    language of their e-mails, the role they are invited to and the agency they are an officer of."""

    user: User
    new: bool
    language: str
    role: str
    agency: Agency | None = None


def _invitations_queue(invitees: Iterable[Invitee]) -> None:
    """E-mails each person (in their language) a link to choose a password, with their user name, role,
    agency, the round and its deadline that concern them: the templates and rounds read once for all."""
    composer = notifications.Composer()
    rounds: dict[str, tuple[Round | None, object]] = {}
    messages = []
    for invitee in invitees:
        role = invitee.role
        if role not in rounds:
            rounds[role] = _invitation_round(role)
        round, deadline = rounds[role]
        context = {
            "user": invitee.user,
            "name": notifications.person_name(invitee.user),
            "role": ROLE_LABELS.get(role, ""),
            # An officer invited as a reviewer is not a reviewer "of" their agency.
            "agency": invitee.agency if role == AGENCIES else None,
            "round": round,
            "deadline": deadline,
            "days": settings.INVITATION_VALID_DAYS,
            "url": invitation_url(invitee.user),
        }
        recipient = notifications.Recipient(invitee.user.email, invitee.language)
        messages.append(composer.message("invitation", recipient, context, round=round))
    outbox_queue(messages=messages)


def invitation_send(*, user: AbstractBaseUser) -> None:
    """E-mails `user` (in their language) a link to choose a password, with their user name, role, agency,
    the round and its deadline that concern them."""
    membership = AgencyMember.objects.filter(user=user).select_related("agency").first()
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    roles = set(user.groups.values_list("name", flat=True))
    # The role of their latest invitation, if they still hold it (an officer since invited as a reviewer is
    # told again of the reviewer's role); for invitations recorded without it, their first role.
    invited_as = (
        AccountChange.objects.filter(user=user, action__in=[AccountAction.INVITED, AccountAction.IMPORTED])
        .exclude(role="")
        .values_list("role", flat=True)
        .first()
    )
    _invitations_queue(
        [
            Invitee(
                user=user,
                new=False,
                language=language or settings.LANGUAGE_CODE,
                role=invited_as if invited_as in roles else _first_role(roles),
                agency=membership.agency if membership else None,
            )
        ]
    )


class InvitationBatch:
    """Invitations to one role, any number of them: each person is checked on `add` (a `Refused` says why
    not) against what was read once for all their addresses, and `write` saves everyone in a fixed number
    of queries, audits each and queues their invitations. The one-person invitations are batches of one, so
    a spreadsheet's rows and the one-person forms obey the same rules.

    Who may grant the role is the caller's rule (`check_grantable`, or an agency's own officers for their
    colleagues)."""

    def __init__(
        self,
        *,
        role: str,
        by: AbstractBaseUser | None,
        emails: Iterable[str],
        action: str = AccountAction.INVITED,
    ):
        self.role, self.by, self.action = role, by, action
        addresses = {User.objects.normalize_email((email or "").strip()).lower() for email in emails}
        addresses.discard("")
        users = (
            User.objects.annotate(address=Lower("email"), language=F("profile__language"))
            .filter(address__in=addresses)
            .order_by("-pk")  # the oldest account of an address wins, as one person's invitation finds it
        )
        self._existing: dict[str, User] = {user.address: user for user in users}
        pks = [user.pk for user in self._existing.values()]
        self._roles: dict[int, set[str]] = {pk: set() for pk in pks}
        for pk, name in User.groups.through.objects.filter(user_id__in=pks).values_list(
            "user_id", "group__name"
        ):
            self._roles[pk].add(name)
        self.memberships: dict[int, AgencyMember] = {
            membership.user_id: membership
            for membership in AgencyMember.objects.filter(user_id__in=pks).select_related("agency")
        }
        self._usernames_taken = set(
            User.objects.filter(username__in=addresses).values_list("username", flat=True)
        )
        self.invitees: dict[str, Invitee] = {}

    def check_grantable(self) -> None:
        if self.role not in roles_grantable(self.by):
            if self.by is not None and allowed(self.by, RUN_ROUND):
                raise Refused(_("Only a superuser can make an organiser."))
            raise Refused(_("Only the organisers can do this."))

    def existing(self, email: str) -> User | None:
        """The account of a (clean) address: an earlier one, or one this batch makes."""
        key = email.lower()
        if key in self.invitees:
            return self.invitees[key].user
        return self._existing.get(key)

    def add(self, *, email: str, name: str = "", language: str = settings.LANGUAGE_CODE) -> Invitee:
        """The account of `email` (new, without a usable password, if there is none), to be put in the
        role; a person named twice in a batch is one invitee."""
        email = _clean_email(email)
        key = email.lower()
        if key in self.invitees:
            return self.invitees[key]
        user = self._existing.get(key)
        if user is None:
            if key in self._usernames_taken:
                raise Refused(_("The user name %(username)s is taken.") % {"username": key})
            user = User(username=key, email=email, first_name=name.strip()[:150])
            user.set_unusable_password()
            invitee = Invitee(
                user=user, new=True, language=language or settings.LANGUAGE_CODE, role=self.role
            )
        else:
            account_manage_check(user=user, by=self.by, roles=self._roles[user.pk])
            membership = self.memberships.get(user.pk)
            invitee = Invitee(
                user=user,
                new=False,
                language=user.language or settings.LANGUAGE_CODE,
                role=self.role,
                agency=membership.agency if membership else None,
            )
        self.invitees[key] = invitee
        return invitee

    def write(self, *, then: Callable[[], object] | None = None, send: bool = True) -> None:
        """Saves the new accounts, puts everyone in the role and audits it, runs `then` (what the role adds
        to each account, which needs their keys) and queues the invitations, all in one transaction."""
        invitees = list(self.invitees.values())
        new = [invitee for invitee in invitees if invitee.new]
        with transaction.atomic():
            User.objects.bulk_create([invitee.user for invitee in new])
            Profile.objects.bulk_create(
                [Profile(user=invitee.user, language=invitee.language) for invitee in new]
            )
            group = Group.objects.get_or_create(name=self.role)[0]
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=invitee.user.pk, group_id=group.pk) for invitee in invitees],
                ignore_conflicts=True,  # someone already in the role stays in it
            )
            AccountChange.objects.bulk_create(
                [
                    AccountChange(
                        user=invitee.user,
                        username=invitee.user.get_username(),
                        action=self.action,
                        by=self.by,
                        detail=str(ROLE_LABELS[self.role])[:300],
                        role=self.role,
                    )
                    for invitee in invitees
                ]
            )
            if then is not None:
                then()
            if send:
                _invitations_queue(invitees)


def account_invite(
    *,
    email: str,
    role: str,
    by: AbstractBaseUser,
    name: str = "",
    language: str = settings.LANGUAGE_CODE,
    action: str = AccountAction.INVITED,
    send: bool = True,
) -> User:
    """Makes (or reuses) the account of `email` in `role` and, unless `send` is False (a caller that adds
    more first, then sends), e-mails the invitation. The new account cannot sign in before its owner chooses
    a password through the link."""
    batch = InvitationBatch(role=role, by=by, emails=[email], action=action)
    batch.check_grantable()
    invitee = batch.add(email=email, name=name, language=language)
    batch.write(send=send)
    return invitee.user


class AgencyStaffBatch:
    """Officers of agencies, any number (a spreadsheet's rows), checked on `add` and written by `write` in
    a fixed number of queries. Organisers invite anyone's officers; an officer invites colleagues of their
    own agency only, and only people without an account."""

    def __init__(self, *, by: AbstractBaseUser | None, emails: Iterable[str], action=AccountAction.INVITED):
        self.accounts = InvitationBatch(role=AGENCIES, by=by, emails=emails, action=action)
        self.by = by
        self._organiser = by is not None and allowed(by, RUN_ROUND)
        self._new_members: dict[str, AgencyMember] = {}  # by address

    def add(
        self, *, agency: Agency, email: str, name: str = "", language: str = settings.LANGUAGE_CODE
    ) -> AgencyMember:
        by = self.by
        colleague = by is not None and is_agency_staff(by) and by.agency_membership.agency_id == agency.pk
        if not (self._organiser or colleague):
            raise Refused(_("Only the organisers or the agency's own officers can invite its staff."))
        email = _clean_email(email)
        existing = self.accounts.existing(email)
        membership = self._new_members.get(email.lower()) or (
            self.accounts.memberships.get(existing.pk) if existing is not None else None
        )
        if membership and membership.agency_id != agency.pk:
            raise Refused(
                _("%(email)s is already an officer of %(agency)s.")
                % {"email": email, "agency": membership.agency}
            )
        if existing is not None and not self._organiser:
            # An officer brings new people in, never someone else's account.
            raise Refused(_("%(email)s already has an account: ask the organisers.") % {"email": email})
        invitee = self.accounts.add(email=email, name=name, language=language)
        if membership is None:
            membership = AgencyMember(user=invitee.user, agency=agency)
            self._new_members[email.lower()] = membership
        invitee.agency = membership.agency
        return membership

    def write(self) -> None:
        self.accounts.write(then=lambda: AgencyMember.objects.bulk_create(self._new_members.values()))


def agency_member_invite(
    *,
    agency: Agency,
    email: str,
    by: AbstractBaseUser | None,
    name: str = "",
    language: str = settings.LANGUAGE_CODE,
    action: str = AccountAction.INVITED,
) -> User:
    """Makes (or reuses) an account for an officer of `agency` and e-mails a link to choose a password."""
    batch = AgencyStaffBatch(by=by, emails=[email], action=action)
    membership = batch.add(agency=agency, email=email, name=name, language=language)
    batch.write()
    return membership.user


def invitation_resend(*, user: AbstractBaseUser, by: AbstractBaseUser) -> None:
    """A new invitation link for someone who has not chosen a password yet (the old link may have run out)."""
    account_manage_check(user=user, by=by)
    if user.has_usable_password():
        raise Refused(
            _("%(user)s has chosen a password already; they can reset it from the login page.")
            % {"user": user.get_username()}
        )
    if not user.is_active:
        raise Refused(_("%(user)s is deactivated: reactivate the account first.") % {"user": user})
    with transaction.atomic():
        account_change_record(user=user, action=AccountAction.RESENT, by=by)
        invitation_send(user=user)


def account_active_set(
    *, user: AbstractBaseUser, active: bool, by: AbstractBaseUser, reason: str = ""
) -> bool:
    """Deactivates (no sign-in, no e-mails) or reactivates an account; False when it already was so."""
    account_manage_check(user=user, by=by)
    if user.pk == by.pk and not active:
        raise Refused(_("You cannot deactivate your own account."))
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=not active).update(is_active=active)
        if changed:
            user.is_active = active
            action = AccountAction.REACTIVATED if active else AccountAction.DEACTIVATED
            account_change_record(user=user, action=action, by=by, reason=reason)
    return bool(changed)


def account_update(
    *,
    user: AbstractBaseUser,
    by: AbstractBaseUser,
    first_name: str,
    last_name: str,
    email: str,
    roles: set[str],
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> list[str]:
    """Changes a person's name, address and roles (and, for a superuser only, the staff and superuser
    flags); returns what changed, as recorded."""
    account_manage_check(user=user, by=by)
    if not by.is_superuser:
        if is_superuser or (is_staff is not None and is_staff != user.is_staff):
            raise Refused(_("Only a superuser can grant staff or superuser status."))
        if user.pk == by.pk:
            raise Refused(_("Only a superuser can change your own roles."))
    grantable = roles_grantable(by)
    current = set(user.groups.values_list("name", flat=True))
    if (set(roles) ^ current) - grantable:
        raise Refused(_("Only a superuser can make an organiser."))
    email = _clean_email(email) if email else ""
    changes = []
    with transaction.atomic():
        for field, value in [("first_name", first_name), ("last_name", last_name), ("email", email)]:
            if getattr(user, field) != value:
                changes.append(f"{field}: {getattr(user, field)} → {value}")
                setattr(user, field, value)
        for flag, value in [("is_staff", is_staff), ("is_superuser", is_superuser)]:
            if value is not None and getattr(user, flag) != value:
                changes.append(f"{flag}: {value}")
                setattr(user, flag, value)
        user.save()
        for name in sorted(set(roles) - current):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
            changes.append(f"+{name}")
        for name in sorted(current - set(roles)):
            user.groups.remove(Group.objects.get(name=name))
            changes.append(f"-{name}")
        if changes:
            account_change_record(user=user, action=AccountAction.CHANGED, by=by, detail="; ".join(changes))
    return changes
