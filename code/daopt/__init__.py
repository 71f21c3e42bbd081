"""daopt: direct and amortised optimisers, built from scratch in numpy.

One concept per module:

- ``problems``  -- objective families f(y, x) with known solutions y_star(x)
- ``optimise``  -- direct solvers (gradient descent, grid search), amortised
  training (regression-based and objective-based losses), the amortisation
  gap and the cost accounting of chapter 1
- ``games``     -- the game-state protocol, tic-tac-toe, Connect Four on bitboards
- ``nn``        -- a tiny numpy multilayer perceptron: manual backprop, Adam and SGD,
  masked softmax cross-entropy and MSE, mini-batch training, saving to .npz
- ``learn``     -- amortised learners for games: features, behaviour cloning, value
  regression, tabular and neural TD self-play
- ``search``    -- exact game-tree search: minimax, alpha-beta, transposition table,
  move ordering, and the solvers (``solve``, ``solve_exact``, ``optimal_actions``)
- ``mcts``      -- Monte Carlo tree search for every game, chance nodes included: UCT
  (``ucb_score``) with random rollouts, PUCT (``puct_score``) with a prior and an evaluator
- ``cost``      -- the one unit of compute: ``DecisionCost`` per decision, training passes
- ``arena``     -- matches between agents, optimal-move rate against the solver
- ``noisy_tictactoe`` -- the game with chance nodes: a stone may slip to a neighbour
- ``expectimax`` -- exact search with chance nodes: expectiminimax, Star1 pruning, tree sizes
- ``envs``      -- finite MDPs/POMDPs, grid worlds with hidden goals, a d-dimensional point mass
- ``planning``  -- value iteration, random shooting, CEM, MPC, LQR, belief-state planning
- ``widgets``   -- play tic-tac-toe or Connect Four against any agent in Jupyter;
  static board figures for the rendered book
- ``plots``     -- the book's figure style
- ``checks``    -- exercise checkers that say what differs from the reference
"""

__version__ = "0.1.0"
