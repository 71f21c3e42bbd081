"""daopt.checks.check_pareto_front accepts a right frontier and explains wrong ones."""

from __future__ import annotations

import numpy as np

from daopt import checks


def right_front(cost, strength):
    order = np.lexsort((-strength, cost))  # cheapest first, the stronger of equals first
    keep, best = [], -np.inf
    for i in order:
        if strength[i] > best or (keep and cost[i] == cost[keep[-1]] and strength[i] == best):
            keep.append(i)
            best = max(best, strength[i])
    return np.sort(np.array(keep, dtype=int))


def drops_ties(cost, strength):  # keeps one of two identical points
    front = right_front(cost, strength)
    _, first = np.unique(np.stack([cost[front], strength[front]]), axis=1, return_index=True)
    return np.sort(front[first])


def keeps_dominated(cost, strength):  # compares strength only with cheaper points
    return np.array(
        [i for i in range(cost.size) if not np.any((cost < cost[i]) & (strength > strength[i]))]
    )


def unsorted(cost, strength):
    return right_front(cost, strength)[::-1]


def test_a_right_frontier_passes() -> None:
    result = checks.check_pareto_front(right_front)
    assert result, result.message
    assert "all 9 cases" in result.message


def test_wrong_frontiers_are_named() -> None:
    for wrong, case in [(drops_ties, "case 4 of"), (keeps_dominated, "case ")]:
        result = checks.check_pareto_front(wrong)
        assert not result.passed and case in result.message, result.message
        assert "expected indices" in result.message
    result = checks.check_pareto_front(unsorted)
    assert not result.passed and "ascending" in result.message


def test_a_list_or_strings_are_judged() -> None:
    as_list = checks.check_pareto_front(lambda c, s: right_front(c, s).tolist())
    assert as_list, as_list.message
    words = checks.check_pareto_front(lambda c, s: [str(i) for i in right_front(c, s)])
    assert not words.passed and "1-d array of indices" in words.message
