"""Exercise checkers: run the reader's function and the reference on the same
seeded inputs and say exactly what differs.

Every checker runs its cases through one runner (``daopt.checks.runner``):
each case gets a time limit (``time_limit`` seconds, reported as "did not
return within N s"), fresh copies of its inputs (a function that modifies them
in place is reported), and an answer of None is named as such. A checker
returns a ``CheckResult``: truthy when the function is right, its message
naming the first input on which it is not; ``strict=True`` raises
``AssertionError`` instead, for plain scripts.

| chapter | checker |
|---|---|
| 1 | ``check_grid_search``, ``check_gradient_descent`` |
| 2 | ``check_has_line`` |
| 3 | ``check_minimax`` |
| 4 | ``check_ucb`` |
| 5 | ``check_dense_backward`` |
| 6 | ``check_q_update`` |
| 7 | ``check_break_even_decisions``, ``check_cheapest_plan`` |
| 8 | ``check_cem_update``, ``check_expectimax`` |
| 9 | ``check_tactical_move``, ``check_gate_report``, ``check_reliability``, |
|   | ``check_cheapest_budget`` |
| 10 | ``check_author_posterior``, ``check_dirichlet_predictive``, ``check_performative_loss`` |
| 11 | ``check_pareto_front`` |
"""

from daopt.checks.bill import check_break_even_decisions, check_cheapest_plan
from daopt.checks.conclusion import check_pareto_front
from daopt.checks.direct import check_gradient_descent, check_grid_search
from daopt.checks.games import check_has_line
from daopt.checks.hybrid import (
    check_cheapest_budget,
    check_gate_report,
    check_reliability,
    check_tactical_move,
)
from daopt.checks.language import (
    check_author_posterior,
    check_dirichlet_predictive,
    check_performative_loss,
)
from daopt.checks.learning import check_dense_backward, check_q_update
from daopt.checks.mcts import check_ucb
from daopt.checks.planning import check_cem_update
from daopt.checks.runner import TIME_LIMIT, CheckResult
from daopt.checks.search import check_expectimax, check_minimax

__all__ = [
    "TIME_LIMIT",
    "CheckResult",
    "check_author_posterior",
    "check_break_even_decisions",
    "check_cem_update",
    "check_cheapest_budget",
    "check_cheapest_plan",
    "check_dense_backward",
    "check_dirichlet_predictive",
    "check_expectimax",
    "check_gate_report",
    "check_gradient_descent",
    "check_grid_search",
    "check_has_line",
    "check_minimax",
    "check_pareto_front",
    "check_performative_loss",
    "check_q_update",
    "check_reliability",
    "check_tactical_move",
    "check_ucb",
]
