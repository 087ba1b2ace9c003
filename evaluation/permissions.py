"""Who works on the evaluation: the `evaluators` group scores; organisers run the year (compute, publish)."""

import rules

from govcases.permissions import EVALUATORS, is_evaluator, is_organiser

__all__ = ["EVALUATORS", "can_score", "is_evaluator"]


can_score = is_evaluator | is_organiser

rules.add_perm("evaluation.enter_scores", can_score)
rules.add_perm("evaluation.run_evaluation", is_organiser)
