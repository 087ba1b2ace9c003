"""People's accounts: invitations (one at a time or by spreadsheet), invitations sent again, deactivation,
reactivation and changes of details or roles, each audited as an AccountChange.

Who may do what to whom: organisers manage the accounts of agency officers, reviewers and evaluators; only a
superuser creates or changes an organiser or a superuser, grants the organisers' role or Django's staff and
superuser flags, and only a superuser changes their own roles. An agency officer may invite a colleague of
their own agency. An invited account has no usable password, so it cannot sign in until its owner chooses one
through the invitation's link (govcases.invitations).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import notifications
from ..enums import AccountAction, Phase
from ..exceptions import Refused
from ..invitations import invitation_url
from ..models import AccountChange, Agency, AgencyMember, Profile, Round
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


def account_manage_check(*, user: AbstractBaseUser, by: AbstractBaseUser | None) -> None:
    """Refuses unless `by` may change `user`'s account: an organiser, and for an organiser's or a
    superuser's account (their own included) a superuser."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    if by.is_superuser:
        return
    if user.is_superuser or user.groups.filter(name=ORGANISERS).exists():
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


def _role_of(user: AbstractBaseUser) -> str:
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in [AGENCIES, REVIEWERS, EVALUATORS, ORGANISERS] if role in names), "")


def invitation_send(*, user: AbstractBaseUser) -> None:
    """E-mails `user` (in their language) a link to choose a password, with their user name, role, agency,
    the round and its deadline that concern them."""
    role = _role_of(user)
    membership = AgencyMember.objects.filter(user=user).select_related("agency").first()
    round, deadline = _invitation_round(role)
    notifications.notify(
        "invitation",
        notifications.user_recipient(user),
        {
            "user": user,
            "name": notifications.person_name(user),
            "role": ROLE_LABELS.get(role, ""),
            "agency": membership.agency if membership else None,
            "round": round,
            "deadline": deadline,
            "days": settings.INVITATION_VALID_DAYS,
            "url": invitation_url(user),
        },
        round=round,
    )


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
    if role not in roles_grantable(by):
        if by is not None and allowed(by, RUN_ROUND):
            raise Refused(_("Only a superuser can make an organiser."))
        raise Refused(_("Only the organisers can do this."))
    with transaction.atomic():
        user = _account_in_role(email=email, role=role, by=by, name=name, language=language, action=action)
        if send:
            invitation_send(user=user)
    return user


def _account_in_role(*, email: str, role: str, by, name: str, language: str, action: str) -> User:
    """The account of `email` (made without a usable password if new), put in `role`, audited."""
    email = _clean_email(email)
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        if User.objects.filter(username=email.lower()).exists():
            raise Refused(_("The user name %(username)s is taken.") % {"username": email.lower()})
        user = User.objects.create_user(username=email.lower(), email=email, first_name=name.strip()[:150])
        Profile.objects.create(user=user, language=language or settings.LANGUAGE_CODE)
    else:
        account_manage_check(user=user, by=by)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    account_change_record(user=user, action=action, by=by, detail=str(ROLE_LABELS[role]))
    return user


def agency_member_invite(
    *,
    agency: Agency,
    email: str,
    by: AbstractBaseUser | None,
    name: str = "",
    language: str = settings.LANGUAGE_CODE,
    action: str = AccountAction.INVITED,
) -> User:
    """Makes (or reuses) an account for an officer of `agency` and e-mails a link to choose a password.
    Organisers invite anyone's officers; an officer invites colleagues of their own agency only, and only
    people without an account."""
    colleague = by is not None and is_agency_staff(by) and by.agency_membership.agency_id == agency.pk
    if by is None or not (allowed(by, RUN_ROUND) or colleague):
        raise Refused(_("Only the organisers or the agency's own officers can invite its staff."))
    email = _clean_email(email)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).order_by("pk").first()
        membership = (
            AgencyMember.objects.filter(user=existing).select_related("agency").first() if existing else None
        )
        if membership and membership.agency_id != agency.pk:
            raise Refused(
                _("%(email)s is already an officer of %(agency)s.")
                % {"email": email, "agency": membership.agency}
            )
        if existing is not None and not allowed(by, RUN_ROUND):
            # An officer brings new people in, never someone else's account.
            raise Refused(_("%(email)s already has an account: ask the organisers.") % {"email": email})
        user = _account_in_role(
            email=email, role=AGENCIES, by=by, name=name, language=language, action=action
        )
        if membership is None:
            AgencyMember.objects.create(user=user, agency=agency)
        invitation_send(user=user)
    return user


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
