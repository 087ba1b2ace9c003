"""Conflicts of interest between reviewers and agencies, derived from every agency's parent, level and province
(read once): what the assignment's solver and the reviewers' bidding page both exclude."""

from collections import defaultdict
from dataclasses import dataclass

from govcases.enums import Level
from govcases.models import Agency


@dataclass(frozen=True)
class AgencyFacts:
    pk: int
    parent_id: int | None
    level: str
    province: str


class AgencyIndex:
    """Every agency's parent, level and province, read in one query, to derive conflicts in Python."""

    def __init__(self, agencies: list[AgencyFacts]):
        self.by_pk = {agency.pk: agency for agency in agencies}
        self.children: dict[int, set[int]] = defaultdict(set)
        self.by_province: dict[str, set[int]] = defaultdict(set)
        for agency in agencies:
            if agency.parent_id:
                self.children[agency.parent_id].add(agency.pk)
            if agency.province:
                self.by_province[agency.province].add(agency.pk)

    @classmethod
    def load(cls) -> "AgencyIndex":
        return cls(
            [AgencyFacts(*row) for row in Agency.objects.values_list("pk", "parent_id", "level", "province")]
        )

    def conflicts(self, *, affiliation_id: int | None, declared: set[int]) -> set[int]:
        conflicted = set(declared)
        affiliation = self.by_pk.get(affiliation_id) if affiliation_id else None
        if affiliation is None:
            return conflicted
        conflicted.add(affiliation.pk)
        conflicted |= self.children[affiliation.pk]
        if affiliation.parent_id:
            conflicted.add(affiliation.parent_id)
        # A local government's officials are close to every agency of their province.
        if affiliation.level != Level.MINISTRY and affiliation.province:
            conflicted |= self.by_province[affiliation.province]
        return conflicted
