"""The reviews app in its two admin sites, registered here in one place (Django's admin autodiscovery imports
this module): the organisers' model admins and boards at /admin/, the reviewers' queue at /review/.

organiser      reviewers, rubrics, assignments and reviews at /admin/
progress       the review progress board (assignment, reminders)
ranking        the ranking board (and its exports)
selection      the selection board (decisions, publication)
triage         the triage list (初步筛选: pass or out per submitted case)
verification   the verification list (复核校验 of the provisional selection)
reviewer_site  the reviewer's queue and scoring page at /review/ (its autosave; giving a case back)
bidding        the reviewers' bids on cases before assignment, at /review/
base           what the boards share: add a board with one RoundBoard class and one template
"""

from django.contrib import admin

from ..models import Assignment, AssignmentEvent, Bid, Criterion, Recusal, Review, ReviewerProfile
from ..sites import review_site
from .bidding import BiddingPage
from .organiser import (
    AssignmentAdmin,
    AssignmentEventAdmin,
    BidAdmin,
    CriterionAdmin,
    RecusalAdmin,
    ReviewAdmin,
    ReviewerProfileAdmin,
)
from .progress import ReviewProgressBoard
from .ranking import RankingBoard
from .reviewer_site import ReviewQueueAdmin
from .selection import SelectionBoard
from .triage import TriageBoard
from .verification import VerificationBoard

admin.site.register(ReviewerProfile, ReviewerProfileAdmin)
admin.site.register(Criterion, CriterionAdmin)
admin.site.register(Assignment, AssignmentAdmin)
admin.site.register(AssignmentEvent, AssignmentEventAdmin)
admin.site.register(Review, ReviewAdmin)
admin.site.register(Bid, BidAdmin)
admin.site.register(Recusal, RecusalAdmin)
admin.site.register_board(ReviewProgressBoard)
admin.site.register_board(RankingBoard)
admin.site.register_board(SelectionBoard)
admin.site.register_board(TriageBoard)
admin.site.register_board(VerificationBoard)

review_site.register(Assignment, ReviewQueueAdmin)
review_site.register_board(BiddingPage)
