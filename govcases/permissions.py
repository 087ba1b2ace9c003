"""Role predicates (django-rules). Roles are Django groups; an agency officer also belongs to one agency."""

import rules

AGENCIES, REVIEWERS, ORGANISERS = "agencies", "reviewers", "organisers"
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


@rules.predicate
def is_organiser(user):
    return user.is_active and (user.is_superuser or ORGANISERS in role_names(user))


@rules.predicate
def is_reviewer(user):
    return REVIEWERS in role_names(user)


@rules.predicate
def is_evaluator(user):
    return EVALUATORS in role_names(user)


@rules.predicate
def is_agency_staff(user):
    return user.is_active and hasattr(user, "agency_membership")


@rules.predicate
def is_case_agency_staff(user, case):
    return is_agency_staff(user) and case is not None and user.agency_membership.agency_id == case.agency_id


rules.add_perm("govcases.use_portal", is_agency_staff)
rules.add_perm("govcases.edit_case", is_case_agency_staff)
rules.add_perm("govcases.run_round", is_organiser)


# Who may read a case's uploaded files besides the public (for a published case): the organisers and the
# case's own agency. Apps that govcases must not import widen the rule from their AppConfig.ready with
# `case_file_readers_add` (reviews adds the case's assigned reviewers).
READ_CASE_FILES = "govcases.read_case_files"
rules.add_perm(READ_CASE_FILES, is_organiser | is_case_agency_staff)


def case_file_readers_add(predicate) -> None:
    """Lets also those for whom `predicate(user, case)` holds read a case's files."""
    rules.set_perm(READ_CASE_FILES, rules.permissions.permissions[READ_CASE_FILES] | predicate)
