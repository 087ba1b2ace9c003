"""Who may do what: role predicates (django-rules) and the permissions made of them. Roles are Django groups;
an agency officer also belongs to one agency.

Every check asks a named permission — `allowed(user, RUN_ROUND)`, `allowed(user, EDIT_CASE, case)` — in the
admin's has_*_permission, the views and the services alike, so that the rules here (and in reviews.permissions,
which adds the reviewers') are the one place that answers. Superusers get no shortcut: the predicates say what
they may do (they count as organisers, not as any agency's officer). Django's per-model permissions are not
used (govcases.backends.PasswordBackend answers none).
"""

import rules
from django.conf import settings
from django.contrib.auth import get_user_model

AGENCIES, REVIEWERS, ORGANISERS = "agencies", "reviewers", "organisers"
# The organisers' research team (课题组): screens the submitted cases and verifies the provisional selection,
# without running the round.
RESEARCHERS = "researchers"
# The evaluation app's scorers: named here, with the other roles, so that the site knows where to send them.
EVALUATORS = "evaluators"


def role_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (that is, once per request): an admin page asks
    for every model in its sidebar, and each question would otherwise be a query."""
    if not user.is_active:
        return frozenset()
    if not hasattr(user, "_govcases_roles"):
        user._govcases_roles = frozenset(user.groups.values_list("name", flat=True))
    return user._govcases_roles


def preload_roles(users) -> None:
    """Reads the group names of many users in one query, for the checks a bulk service makes for each."""
    waiting: dict[int, list] = {}
    for user in users:
        if not hasattr(user, "_govcases_roles"):
            waiting.setdefault(user.pk, []).append(user)
    names: dict[int, set[str]] = {}
    memberships = get_user_model().groups.through.objects.filter(user_id__in=waiting)
    for user_id, name in memberships.values_list("user_id", "group__name"):
        names.setdefault(user_id, set()).add(name)
    for user_id, same_user in waiting.items():
        for user in same_user:
            user._govcases_roles = frozenset(names.get(user_id, ()))


@rules.predicate
def is_organiser(user):
    return user.is_active and (user.is_superuser or ORGANISERS in role_names(user))


@rules.predicate
def is_reviewer(user):
    return REVIEWERS in role_names(user)


@rules.predicate
def is_researcher(user):
    return RESEARCHERS in role_names(user)


@rules.predicate
def is_evaluator(user):
    return EVALUATORS in role_names(user)


@rules.predicate
def is_agency_staff(user):
    return user.is_active and hasattr(user, "agency_membership")


@rules.predicate
def is_case_agency_staff(user, case):
    return is_agency_staff(user) and case is not None and user.agency_membership.agency_id == case.agency_id


def needs_two_factor(user) -> bool:
    """Organisers, reviewers and the research team sign in with a second factor when the deployment requires it (等保 2.0)."""
    return settings.TWO_FACTOR_REQUIRED and (is_organiser(user) or is_reviewer(user) or is_researcher(user))


def two_factor_satisfied(user) -> bool:
    """The user proved a second factor in this session, or needs none (django-otp's middleware marks it)."""
    if not needs_two_factor(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return is_verified is not None and is_verified()


USE_PORTAL = "govcases.use_portal"  # an agency officer's portal
EDIT_CASE = "govcases.edit_case"  # with a case: an officer of the case's own agency
RUN_ROUND = "govcases.run_round"  # the organisers' work: set-up, phases, selection, publication, accounts

# The review stages' work: triage (初步筛选) and verification (复核校验). Reviews narrows verifying one case to
# those who did not review it (reviews.permissions.VERIFY_CASE).
SCREEN_CASES = "govcases.screen_cases"
VERIFY_CASES = "govcases.verify_cases"

rules.add_perm(USE_PORTAL, is_agency_staff)
rules.add_perm(SCREEN_CASES, is_organiser | is_researcher)
rules.add_perm(VERIFY_CASES, is_organiser | is_researcher)
rules.add_perm(EDIT_CASE, is_case_agency_staff)
rules.add_perm(RUN_ROUND, is_organiser)


def allowed(user, permission: str, obj=None) -> bool:
    """May `user` do what `permission` names (to `obj`)? The one question every check of the project asks."""
    return rules.has_perm(permission, user, obj)


# Who may read a case's uploaded files besides the public (for a published case): the organisers and the
# case's own agency. Apps that govcases must not import widen the rule from their AppConfig.ready with
# `case_file_readers_add` (reviews adds the case's assigned reviewers).
READ_CASE_FILES = "govcases.read_case_files"
rules.add_perm(READ_CASE_FILES, is_organiser | is_case_agency_staff)


def case_file_readers_add(predicate) -> None:
    """Lets also those for whom `predicate(user, case)` holds read a case's files."""
    rules.set_perm(READ_CASE_FILES, rules.permissions.permissions[READ_CASE_FILES] | predicate)


# A picture or attachment the organisers mark as identifying, in a blind round: the organisers and the case's
# own agency read it, and its reviewers do not (reviews does not widen this rule).
READ_IDENTIFYING_CASE_FILES = "govcases.read_identifying_case_files"
rules.add_perm(READ_IDENTIFYING_CASE_FILES, is_organiser | is_case_agency_staff)
