"""Families of objectives f(y, x): one optimisation problem per context x.

Every family maps a batch of contexts ``x`` (shape (n,)) and candidate
solutions ``y`` (shape (n,)) to objective values (shape (n,)); lower is
better. Each also knows its exact solutions, so the amortisation gap
f(y_hat(x), x) - f(y_star(x), x) can be measured exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from daopt.validation import as_vector, positive_float

__all__ = ["DoubleWell", "ObjectiveFamily", "ShiftedQuadratic"]


class ObjectiveFamily(ABC):
    """A family of scalar problems ``min_y f(y, x)``, one per context ``x``."""

    name: str = "objective"

    def f(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Objective values, shape (n,), for solutions ``y`` (n,) in contexts ``x`` (n,)."""
        y_arr, x_arr = self._pair(y, x)
        return self._f(y_arr, x_arr)

    def grad(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Gradient df/dy, shape (n,)."""
        y_arr, x_arr = self._pair(y, x)
        return self._grad(y_arr, x_arr)

    def minimisers(self, x: np.ndarray) -> np.ndarray:
        """Every global minimiser of f(., x), shape (n, m) with m per family."""
        return self._minimisers(as_vector("x", x))

    def y_star(self, x: np.ndarray) -> np.ndarray:
        """One global minimiser per context (the first listed), shape (n,)."""
        return self.minimisers(x)[:, 0]

    def f_star(self, x: np.ndarray) -> np.ndarray:
        """The optimal value min_y f(y, x), shape (n,)."""
        x_arr = as_vector("x", x)
        return self._f(self.y_star(x_arr), x_arr)

    def gap(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Suboptimality f(y, x) - f(y_star(x), x) >= 0, shape (n,)."""
        y_arr, x_arr = self._pair(y, x)
        return self._f(y_arr, x_arr) - self.f_star(x_arr)

    def _pair(self, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x_arr = as_vector("x", x)
        y_arr = as_vector("y", y, length=x_arr.shape[0])
        return y_arr, x_arr

    @abstractmethod
    def _f(self, y: np.ndarray, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _grad(self, y: np.ndarray, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _minimisers(self, x: np.ndarray) -> np.ndarray: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ShiftedQuadratic(ObjectiveFamily):
    """f(y, x) = curvature / 2 * (y - m(x))**2 with m(x) = x / 2 + sin(2 x).

    One minimiser per context, y_star(x) = m(x), a wiggly curve a model must
    learn; f_star(x) = 0.
    """

    name = "shifted quadratic"

    def __init__(self, curvature: float = 1.0) -> None:
        self.curvature = positive_float("curvature", curvature)

    @staticmethod
    def centre(x: np.ndarray) -> np.ndarray:
        """m(x) = x / 2 + sin(2 x), shape (n,)."""
        return 0.5 * x + np.sin(2.0 * x)

    def _f(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return 0.5 * self.curvature * (y - self.centre(x)) ** 2

    def _grad(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self.curvature * (y - self.centre(x))

    def _minimisers(self, x: np.ndarray) -> np.ndarray:
        return self.centre(x)[:, None]

    def __repr__(self) -> str:
        return f"ShiftedQuadratic(curvature={self.curvature})"


class DoubleWell(ObjectiveFamily):
    """f(y, x) = (y**2 - s(x)**2)**2 / 4 with s(x) = 1 + x**2 / 4.

    Two equally good minimisers per context, y = +s(x) and y = -s(x), with
    f = 0 at both; their average, y = 0, is a local maximum with
    f = s(x)**4 / 4.
    """

    name = "double well"

    @staticmethod
    def half_width(x: np.ndarray) -> np.ndarray:
        """s(x) = 1 + x**2 / 4, shape (n,)."""
        return 1.0 + 0.25 * x**2

    def _f(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return 0.25 * (y**2 - self.half_width(x) ** 2) ** 2

    def _grad(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return y * (y**2 - self.half_width(x) ** 2)

    def _minimisers(self, x: np.ndarray) -> np.ndarray:
        s = self.half_width(x)
        return np.stack([s, -s], axis=1)
