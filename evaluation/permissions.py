"""Who works on the evaluation: the `evaluators` group scores; organisers run the year (compute, publish)."""

import rules

from govcases.permissions import EVALUATORS, is_evaluator, is_organiser

__all__ = ["ENTER_SCORES", "EVALUATE", "EVALUATORS", "RUN_EVALUATION", "can_score", "is_evaluator"]


can_score = is_evaluator | is_organiser

EVALUATE = "evaluation.evaluate"  # the evaluators' site
ENTER_SCORES = "evaluation.enter_scores"
RUN_EVALUATION = "evaluation.run_evaluation"  # compute, reopen, publish, copy a year

rules.add_perm(EVALUATE, is_evaluator)
rules.add_perm(ENTER_SCORES, can_score)
rules.add_perm(RUN_EVALUATION, is_organiser)
