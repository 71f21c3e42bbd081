"""daopt: direct and amortised optimisers, built from scratch in numpy.

One concept per module:

- ``problems``  -- objective families f(y, x) with known solutions y_star(x)
- ``optimise``  -- direct solvers (gradient descent, grid search), amortised
  training (regression-based and objective-based losses), the amortisation
  gap and the cost accounting of chapter 1
- ``nn``        -- a tiny numpy multilayer perceptron with manual backprop and Adam
- ``plots``     -- the book's figure style
- ``checks``    -- exercise checkers that say what differs from the reference
"""

__version__ = "0.1.0"
