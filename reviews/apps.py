from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from . import bulk_groups, steps

        bulk_groups.register()
        steps.register()

        # govcases never imports reviews: it asks "may this user read the case's files?" through its rule,
        # which reviews widens here to the case's assigned reviewers.
        from govcases.permissions import case_file_readers_add

        from .permissions import is_assigned_reviewer

        case_file_readers_add(is_assigned_reviewer)

        # A new round's rubrics: copied from the round it starts from, or the published criteria.
        from govcases.services import round_set_up_register

        from .services import rubric_set_up

        round_set_up_register(rubric_set_up)
