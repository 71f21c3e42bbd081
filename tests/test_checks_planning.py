"""daopt.checks.check_cem_update accepts a right CEM update and explains wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from daopt import checks


def right_update(samples, scores, n_elite):
    order = np.argsort(-scores, kind="stable")
    elite = samples[order[:n_elite]]
    return elite.mean(axis=0), elite.std(axis=0)


def sample_std(samples, scores, n_elite):  # divides by n_elite - 1
    order = np.argsort(-scores, kind="stable")
    elite = samples[order[:n_elite]]
    return elite.mean(axis=0), elite.std(axis=0, ddof=1) if n_elite > 1 else np.zeros(
        samples.shape[1]
    )


def lowest_scores(samples, scores, n_elite):  # treats scores as costs
    elite = samples[np.argsort(scores, kind="stable")[:n_elite]]
    return elite.mean(axis=0), elite.std(axis=0)


def later_ties(samples, scores, n_elite):  # argsort of the reversed array: ties go late
    n = len(scores)
    order = n - 1 - np.argsort(-scores[::-1], kind="stable")
    elite = samples[order[:n_elite]]
    return elite.mean(axis=0), elite.std(axis=0)


def variance(samples, scores, n_elite):
    mean, std = right_update(samples, scores, n_elite)
    return mean, std**2


def mean_only(samples, scores, n_elite):
    return right_update(samples, scores, n_elite)[0]


def crashes(samples, scores, n_elite):
    raise RuntimeError("not written yet")


def test_a_right_update_passes() -> None:
    result = checks.check_cem_update(right_update)
    assert result and "all" in result.message and "✓" in repr(result)


@pytest.mark.parametrize(
    ("candidate", "fragments"),
    [
        (sample_std, ["std", "differs"]),
        (lowest_scores, ["mean", "differs"]),
        (later_ties, ["case 9", "mean"]),
        (variance, ["std", "differs"]),
        (mean_only, ["expected a tuple (mean, std)"]),
        (crashes, ["raised RuntimeError", "not written yet"]),
    ],
)
def test_wrong_updates_fail_and_say_where(candidate, fragments) -> None:
    result = checks.check_cem_update(candidate)
    assert not result
    for fragment in fragments:
        assert fragment in result.message, result.message


def test_a_non_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="CEM update"):
        checks.check_cem_update("mean and std")
