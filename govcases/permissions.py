"""Role predicates (django-rules). Roles are Django groups; an agency officer also belongs to one agency."""

import rules

AGENCIES, REVIEWERS, ORGANISERS = "agencies", "reviewers", "organisers"


@rules.predicate
def is_organiser(user):
    return user.is_active and (user.is_superuser or user.groups.filter(name=ORGANISERS).exists())


@rules.predicate
def is_reviewer(user):
    return user.is_active and user.groups.filter(name=REVIEWERS).exists()


@rules.predicate
def is_agency_staff(user):
    return user.is_active and hasattr(user, "agency_membership")


@rules.predicate
def is_case_agency_staff(user, case):
    return is_agency_staff(user) and case is not None and user.agency_membership.agency_id == case.agency_id


rules.add_perm("govcases.use_portal", is_agency_staff)
rules.add_perm("govcases.edit_case", is_case_agency_staff)
rules.add_perm("govcases.run_round", is_organiser)
