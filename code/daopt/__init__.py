"""daopt: direct and amortised optimisers, built from scratch in numpy.

One concept per module (import the module you need: ``from daopt import mcts``):

- ``problems``  -- objective families f(y, x) with known solutions y_star(x)
- ``direct``    -- direct optimisation of f(y, x): gradient descent, grid search,
  steps to a tolerance
- ``amortised`` -- amortised optimisation: a model y_hat(x) trained on solver labels or
  on f itself, and the semi-amortised start
- ``cost``      -- the book's one unit of compute: ``DecisionCost`` per decision, priced
  in position evaluations; training passes; cost profiles and the break-even
- ``nn``        -- a tiny numpy multilayer perceptron: manual backprop, Adam and SGD,
  masked softmax cross-entropy and MSE, the one mini-batch training loop, saving to .npz
- ``games``     -- the game-state protocol (chance nodes included), tic-tac-toe,
  Connect Four on bitboards
- ``noisy_tictactoe`` -- the game with chance nodes: a stone may slip to a neighbour
- ``search``    -- exact two-player search: minimax, alpha-beta, transposition table,
  move ordering, and the solvers (``solve``, ``solve_exact``, ``optimal_actions``)
- ``expectimax`` -- exact search with chance nodes: expectiminimax, Star1 pruning, tree sizes
- ``mcts``      -- Monte Carlo tree search for every game, chance nodes included: UCT
  (``ucb_score``) with random rollouts, PUCT (``puct_score``) with a prior and an evaluator
- ``features``  -- what game learners read: board encodings, legal masks, datasets,
  policy targets, one-ply move scores
- ``cloning``   -- behaviour cloning and value regression, and the agents they give
- ``td``        -- learning from reward: TD(0) self-play with a table or a network,
  the tabular Q-learning update
- ``arena``     -- games and matches between agents, the optimal-move rate against the solver
- ``experiments`` -- the settings of the longer experiments (one record each, shared by a
  script and its chapter) and the held-out tic-tac-toe test set
- ``envs``      -- finite MDPs/POMDPs, grid worlds with hidden goals, a d-dimensional point mass
- ``planning``  -- value iteration, random shooting, CEM, MPC, LQR, belief-state planning
- ``lm``        -- language models on a language whose truth is known: a mixture of
  Markov authors with its exact Bayes predictive, n-gram and MLP next-token models,
  dynamic evaluation, decoding
- ``performative`` -- a world whose next token answers the prediction, and the two ways
  of predicting it (teacher-forced and loss-minimising)
- ``widgets``   -- play tic-tac-toe or Connect Four against any agent in Jupyter;
  static board figures for the rendered book
- ``plots``     -- the book's figure style
- ``prose``     -- numbers in the prose: glue a value, quote it as {eval}`glued(name, spec)`
  (the same text in the book and in JupyterLab)
- ``validation`` -- the argument checks every public function uses
- ``checks``    -- exercise checkers (a package, by topic), one case runner for all
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
