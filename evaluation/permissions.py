"""Who works on the evaluation: the `evaluators` group scores; organisers run the year (compute, publish)."""

import rules

from govcases.permissions import is_organiser, role_names

EVALUATORS = "evaluators"


@rules.predicate
def is_evaluator(user):
    return EVALUATORS in role_names(user)


can_score = is_evaluator | is_organiser

rules.add_perm("evaluation.enter_scores", can_score)
rules.add_perm("evaluation.run_evaluation", is_organiser)
