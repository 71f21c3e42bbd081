/*
 * The book's play page: play the book's agents in the browser, offline, with no
 * kernel. The data (move tables and network weights) are exported from the
 * Python agents by scripts/export_play.py and embedded in the page as JSON
 * (<script type="application/json" id="daopt-play-data">).
 *
 * Pieces, each usable by another game:
 *   - a game: {numActions, initial, toPlay, legalActions, play, winner,
 *     isTerminal, whyIllegal, encode, describe}; TicTacToe below;
 *   - mlpForward(net, x): a daopt.nn.MLP forward pass from network_to_json data;
 *   - maskedArgmax(scores, legal): the best legal index, the lowest on a tie
 *     (as numpy's argmax);
 *   - puctSearch(game, state, options): PUCT guided by a prior and a value,
 *     with deterministic tie-breaks (children in ascending action order, the
 *     first best score), for networks that replace MCTS's random rollouts;
 *   - agents: choose(state) -> {action, cost}, cost a plain object with the
 *     fields of daopt.cost.DecisionCost (seconds left out).
 */
(function () {
  "use strict";

  // -- costs ---------------------------------------------------------------------------------
  const COST_FIELDS = [
    "simulations",
    "search_nodes",
    "rollout_moves",
    "table_lookups",
    "network_passes",
    "tree_nodes",
  ];
  const POSITION_FIELDS = ["simulations", "rollout_moves", "table_lookups", "search_nodes"];

  function decisionCost(fields) {
    const cost = {};
    for (const name of COST_FIELDS) cost[name] = (fields && fields[name]) || 0;
    return cost;
  }

  /** The price in position evaluations (DecisionCost.position_evaluations at prices 1). */
  function positionEvaluations(cost) {
    let total = cost.network_passes;
    for (const name of POSITION_FIELDS) total += cost[name];
    return total;
  }

  function formatCost(cost) {
    const parts = COST_FIELDS.filter((name) => cost[name]).map(
      (name) => `${name.replace(/_/g, " ")} ${cost[name].toLocaleString("en")}`
    );
    const price = positionEvaluations(cost).toLocaleString("en");
    if (!parts.length) return "no computation (0 position evaluations)";
    return `${parts.join(" · ")} (${price} position evaluations)`;
  }

  // -- tic-tac-toe, as daopt.games.TicTacToe: cells 0-8 row by row, X (player 0) first -------
  const LINES = [
    [0, 1, 2], [3, 4, 5], [6, 7, 8],
    [0, 3, 6], [1, 4, 7], [2, 5, 8],
    [0, 4, 8], [2, 4, 6],
  ];
  const MARKS = ["X", "O"];

  const TicTacToe = {
    name: "tic-tac-toe",
    numActions: 9,
    initial() {
      return ".........";
    },
    toPlay(cells) {
      let stones = 0;
      for (const c of cells) if (c !== ".") stones += 1;
      return stones % 2;
    },
    winner(cells) {
      for (const [a, b, c] of LINES) {
        if (cells[a] !== "." && cells[a] === cells[b] && cells[a] === cells[c]) {
          return MARKS.indexOf(cells[a]);
        }
      }
      return null;
    },
    isTerminal(cells) {
      return this.winner(cells) !== null || !cells.includes(".");
    },
    legalActions(cells) {
      if (this.winner(cells) !== null) return [];
      const legal = [];
      for (let i = 0; i < 9; i += 1) if (cells[i] === ".") legal.push(i);
      return legal;
    },
    whyIllegal(cells, action) {
      const winner = this.winner(cells);
      if (winner !== null) return `the game is over (${MARKS[winner]} has won)`;
      if (!(action >= 0 && action < 9)) return "cells are numbered 0-8";
      if (cells[action] !== ".") return `cell ${action} is taken`;
      return null;
    },
    play(cells, action) {
      const reason = this.isTerminal(cells) ? "the game is over" : this.whyIllegal(cells, action);
      if (reason) throw new Error(`illegal move ${action}: ${reason}`);
      return cells.slice(0, action) + MARKS[this.toPlay(cells)] + cells.slice(action + 1);
    },
    /** daopt.features.encode: mover's marks, opponent's marks, empty cells (27 entries). */
    encode(cells) {
      const mover = MARKS[this.toPlay(cells)];
      const x = new Float64Array(27);
      for (let i = 0; i < 9; i += 1) {
        if (cells[i] === ".") x[18 + i] = 1;
        else if (cells[i] === mover) x[i] = 1;
        else x[9 + i] = 1;
      }
      return x;
    },
    describe(action) {
      return `cell ${action}`;
    },
    mark(player) {
      return MARKS[player];
    },
  };

  // -- Connect Four, as daopt.games.ConnectFour: cell row * cols + col, row 0 at the bottom -----
  /** A rows x cols board with k in a row; a state is its cells as a string ('.', 'X', 'O'). */
  function connectFour(rows, cols, k) {
    const DIRECTIONS = [[1, 0], [0, 1], [1, 1], [1, -1]]; // [drow, dcol]
    const at = (r, c) => r * cols + c;
    const inside = (r, c) => r >= 0 && r < rows && c >= 0 && c < cols;
    /** Stones of `mark` in a row through (r, c), counting (r, c) itself as `mark`. */
    function runThrough(cells, r, c, mark, dr, dc) {
      let run = 1;
      for (const sign of [1, -1]) {
        let rr = r + sign * dr;
        let cc = c + sign * dc;
        while (inside(rr, cc) && cells[at(rr, cc)] === mark) {
          run += 1;
          rr += sign * dr;
          cc += sign * dc;
        }
      }
      return run;
    }
    const completes = (cells, r, c, mark) =>
      DIRECTIONS.some(([dr, dc]) => runThrough(cells, r, c, mark, dr, dc) >= k);
    const game = {
      name: `Connect Four ${cols}×${rows}`,
      numActions: cols,
      rows,
      cols,
      k,
      initial() {
        return ".".repeat(rows * cols);
      },
      toPlay: (cells) => TicTacToe.toPlay(cells),
      winner(cells) {
        for (let r = 0; r < rows; r += 1) {
          for (let c = 0; c < cols; c += 1) {
            const mark = cells[at(r, c)];
            if (mark !== "." && completes(cells, r, c, mark)) return MARKS.indexOf(mark);
          }
        }
        return null;
      },
      isTerminal(cells) {
        return this.winner(cells) !== null || !cells.includes(".");
      },
      legalActions(cells) {
        if (this.winner(cells) !== null) return [];
        const legal = [];
        for (let c = 0; c < cols; c += 1) if (cells[at(rows - 1, c)] === ".") legal.push(c);
        return legal;
      },
      whyIllegal(cells, action) {
        const winner = this.winner(cells);
        if (winner !== null) return `the game is over (${MARKS[winner]} has won)`;
        if (!(action >= 0 && action < cols)) return `columns are numbered 1-${cols}`;
        if (cells[at(rows - 1, action)] !== ".") return `column ${action + 1} is full`;
        return null;
      },
      /** The lowest empty row of column `col` (rows if it is full). */
      height(cells, col) {
        let r = 0;
        while (r < rows && cells[at(r, col)] !== ".") r += 1;
        return r;
      },
      play(cells, action) {
        const reason = this.isTerminal(cells) ? "the game is over" : this.whyIllegal(cells, action);
        if (reason) throw new Error(`illegal move ${action}: ${reason}`);
        const index = at(this.height(cells, action), action);
        return cells.slice(0, index) + MARKS[this.toPlay(cells)] + cells.slice(index + 1);
      },
      /** daopt.games.ConnectFour.from_moves: 1-based column digits, e.g. "3342". */
      fromMoves(moves) {
        let cells = this.initial();
        for (const digit of moves) cells = this.play(cells, Number(digit) - 1);
        return cells;
      },
      /** Empty cells where a stone of `mark` would complete k in a row (playable or not). */
      threats(cells, mark) {
        const out = new Array(rows * cols).fill(false);
        for (let r = 0; r < rows; r += 1) {
          for (let c = 0; c < cols; c += 1) {
            if (cells[at(r, c)] === "." && completes(cells, r, c, mark)) out[at(r, c)] = true;
          }
        }
        return out;
      },
      /** Whether playing column `col` for `mark` completes k in a row. */
      wins(cells, col, mark) {
        return completes(cells, this.height(cells, col), col, mark);
      },
      /** daopt.hybrid.lines: every k-cell line, as cells, in the same order. */
      lines() {
        const found = [];
        for (let r = 0; r < rows; r += 1) {
          for (let c = 0; c < cols; c += 1) {
            for (const [dr, dc] of [[0, 1], [1, 0], [1, 1], [1, -1]]) {
              const line = [];
              for (let i = 0; i < k; i += 1) line.push([r + i * dr, c + i * dc]);
              if (line.every(([rr, cc]) => inside(rr, cc))) {
                found.push(line.map(([rr, cc]) => at(rr, cc)));
              }
            }
          }
        }
        return found;
      },
      /**
       * daopt.hybrid.features: nine planes (mover, opponent, empty, mover's and
       * opponent's winning cells, playable cells, the mover's and the opponent's
       * winning playable cells, playable cells under an opponent's winning cell), then
       * per line six flags (the line holds 1, 2, 3 of the mover's stones and none of the
       * opponent's; the same for the opponent).
       */
      encode(cells) {
        const n = rows * cols;
        const mover = MARKS[this.toPlay(cells)];
        const other = MARKS[1 - this.toPlay(cells)];
        const boardLines = this.lines();
        const x = new Float64Array(9 * n + 6 * boardLines.length);
        const mine = this.threats(cells, mover);
        const theirs = this.threats(cells, other);
        for (let i = 0; i < n; i += 1) {
          if (cells[i] === ".") x[2 * n + i] = 1;
          else if (cells[i] === mover) x[i] = 1;
          else x[n + i] = 1;
          if (mine[i]) x[3 * n + i] = 1;
          if (theirs[i]) x[4 * n + i] = 1;
        }
        for (let c = 0; c < cols; c += 1) {
          const r = this.height(cells, c);
          if (r === rows) continue;
          const i = at(r, c);
          x[5 * n + i] = 1;
          if (mine[i]) x[6 * n + i] = 1;
          if (theirs[i]) x[7 * n + i] = 1;
          if (r + 1 < rows && theirs[at(r + 1, c)]) x[8 * n + i] = 1;
        }
        const start = 9 * n;
        boardLines.forEach((line, j) => {
          let own = 0;
          let opposing = 0;
          for (const i of line) {
            if (cells[i] === mover) own += 1;
            else if (cells[i] === other) opposing += 1;
          }
          for (let count = 1; count <= 3; count += 1) {
            if (own === count && opposing === 0) x[start + (count - 1) * boardLines.length + j] = 1;
            if (opposing === count && own === 0) x[start + (count + 2) * boardLines.length + j] = 1;
          }
        });
        return x;
      },
      describe(action) {
        return `column ${action + 1}`;
      },
      mark(player) {
        return MARKS[player];
      },
    };
    return game;
  }

  // -- networks ------------------------------------------------------------------------------
  /** The output of a daopt.nn.MLP (hidden layers `activation`, linear output) on x. */
  function mlpForward(net, x) {
    let a = x;
    net.layers.forEach((layer, index) => {
      const W = layer.W;
      const out = new Float64Array(layer.b.length);
      for (let j = 0; j < out.length; j += 1) {
        let sum = 0;
        for (let i = 0; i < a.length; i += 1) sum += a[i] * W[i][j];
        out[j] = sum + layer.b[j];
      }
      if (index < net.layers.length - 1) {
        for (let j = 0; j < out.length; j += 1) {
          out[j] = net.activation === "relu" ? Math.max(out[j], 0) : Math.tanh(out[j]);
        }
      }
      a = out;
    });
    return a;
  }

  /** The legal index with the largest score; the lowest index on a tie. */
  function maskedArgmax(scores, legal) {
    let best = -1;
    for (const action of legal) {
      if (best < 0 || scores[action] > scores[best] || (scores[action] === scores[best] && action < best)) {
        best = action;
      }
    }
    return best;
  }

  /** Softmax of `logits` over `legal` (0 elsewhere), shifted by the largest legal logit. */
  function maskedSoftmax(logits, legal) {
    const p = new Float64Array(logits.length);
    let top = -Infinity;
    for (const a of legal) top = Math.max(top, logits[a]);
    let total = 0;
    for (const a of legal) {
      p[a] = Math.exp(logits[a] - top);
      total += p[a];
    }
    for (const a of legal) p[a] /= total;
    return p;
  }

  // -- PUCT search with a network --------------------------------------------------------------
  /**
   * PUCT (as daopt.mcts.MCTS with a prior and an evaluator): score of an edge
   * Q + c * prior * sqrt(n + 1) / (1 + visits), Q = 0 for an unvisited edge.
   * options: {simulations, c, evaluate(state) -> {prior: array, value}} with the
   * value for the player to move in [-1, 1]. Deterministic: children are kept in
   * ascending action order and the first best score wins; the move played is the
   * most visited, then the higher mean value, then the lowest action.
   * Returns {action, visits, cost}; cost counts simulations, network passes (one
   * per evaluated node) and tree nodes.
   */
  function puctSearch(game, root, options) {
    let passes = 0;
    let nodes = 0;
    function newNode(state) {
      nodes += 1;
      const node = { state, player: game.toPlay(state), actions: [], children: [], visits: [], totals: [], n: 0 };
      if (game.isTerminal(state)) {
        const winner = game.winner(state);
        node.returns = winner === null ? [0, 0] : winner === 0 ? [1, -1] : [-1, 1];
        return node;
      }
      node.actions = game.legalActions(state);
      const out = options.evaluate(state);
      passes += 1;
      let mass = 0;
      for (const a of node.actions) mass += out.prior[a];
      node.priors = node.actions.map((a) => out.prior[a] / mass);
      node.value = out.value;
      node.children = node.actions.map(() => null);
      node.visits = node.actions.map(() => 0);
      node.totals = node.actions.map(() => 0);
      return node;
    }
    const top = newNode(root);
    const leafValues = (node) =>
      node.returns || (node.player === 0 ? [node.value, -node.value] : [-node.value, node.value]);
    for (let sim = 0; sim < options.simulations; sim += 1) {
      const path = [];
      let node = top;
      let leaf = null;
      while (node.actions.length) {
        const cSqrt = options.c * Math.sqrt(node.n + 1);
        let best = 0;
        let bestScore = -Infinity;
        node.actions.forEach((_, i) => {
          const q = node.visits[i] ? node.totals[i] / node.visits[i] : 0;
          const score = q + (cSqrt * node.priors[i]) / (1 + node.visits[i]);
          if (score > bestScore) {
            best = i;
            bestScore = score;
          }
        });
        path.push([node, best]);
        if (node.children[best] === null) {
          leaf = newNode(game.play(node.state, node.actions[best]));
          node.children[best] = leaf;
          break;
        }
        node = node.children[best];
      }
      const values = leafValues(leaf || node);
      for (const [parent, index] of path) {
        parent.n += 1;
        parent.visits[index] += 1;
        parent.totals[index] += values[parent.player];
      }
    }
    let best = 0;
    top.actions.forEach((action, i) => {
      const mean = (k) => (top.visits[k] ? top.totals[k] / top.visits[k] : 0);
      if (top.visits[i] > top.visits[best] || (top.visits[i] === top.visits[best] && mean(i) > mean(best))) {
        best = i;
      }
    });
    const visits = new Array(game.numActions).fill(0);
    top.actions.forEach((action, i) => {
      visits[action] = top.visits[i];
    });
    return {
      action: top.actions[best],
      visits,
      cost: decisionCost({ simulations: options.simulations, network_passes: passes, tree_nodes: nodes }),
    };
  }

  // -- chapter 9's agents (daopt.hybrid) ------------------------------------------------------
  /**
   * daopt.hybrid.PolicyValueNet: one network with policy logits (cols), a raw value
   * (read through tanh) and confidence logits (cols, read through a sigmoid); the
   * last state's output is kept, and `passes` counts the forward passes run.
   */
  function policyValueNet(network, game) {
    const cols = game.numActions;
    let last = null;
    const net = {
      passes: 0,
      one(state) {
        if (last && last.state === state) return last.out;
        const raw = mlpForward(network, game.encode(state));
        net.passes += 1;
        const logits = Array.from(raw.slice(0, cols));
        const policy = maskedSoftmax(logits, game.legalActions(state));
        const confidence = Array.from(raw.slice(cols + 1), (z) => 0.5 * (1 + Math.tanh(0.5 * z)));
        const out = { policy, value: Math.tanh(raw[cols]), confidence, raw };
        last = { state, out };
        return out;
      },
      /** np.argmax of the policy: the first most probable column. */
      best(state) {
        const { policy } = net.one(state);
        let best = 0;
        for (let c = 1; c < cols; c += 1) if (policy[c] > policy[best]) best = c;
        return best;
      },
    };
    return net;
  }

  /**
   * daopt.hybrid.gate_features and GateSignal: the probability that the policy's
   * move `action` is optimal, sigmoid(bias + sum of weight * feature) over the
   * features in daopt.hybrid.GATE_FEATURES order, summed in that order.
   */
  function gateSignal(signal, out, action, cols) {
    const p = out.policy;
    let peak = -Infinity;
    let second = -Infinity;
    let entropy = 0;
    let legal = 0;
    for (let c = 0; c < cols; c += 1) {
      if (p[c] > peak) {
        second = peak;
        peak = p[c];
      } else if (p[c] > second) {
        second = p[c];
      }
      if (p[c] > 0) {
        entropy -= p[c] * Math.log(p[c]);
        legal += 1;
      }
    }
    if (cols < 2) second = 0;
    const features = [out.raw[cols + 1 + action], Math.log(peak), peak - second, entropy, Math.abs(out.value), legal];
    let total = signal.bias;
    for (let j = 0; j < features.length; j += 1) total = total + signal.weights[j] * features[j];
    return 0.5 * (1 + Math.tanh(0.5 * total));
  }

  /** daopt.hybrid.tactical_move: a winning column, else the one block, and columns tried. */
  function tacticalMove(game, state) {
    const legal = game.legalActions(state);
    const mover = game.mark(game.toPlay(state));
    const other = game.mark(1 - game.toPlay(state));
    let nodes = 0;
    for (const col of legal) {
      nodes += 1;
      if (game.wins(state, col, mover)) return { action: col, nodes };
    }
    const blocks = [];
    for (const col of legal) {
      nodes += 1;
      if (game.wins(state, col, other)) blocks.push(col);
    }
    return { action: blocks.length === 1 ? blocks[0] : null, nodes };
  }

  /** The agents of daopt.hybrid.pretrained: "policy", "puct" and "gated". */
  function hybridAgents(game, data) {
    const settings = data.settings;
    // As daopt.hybrid.pretrained: each agent has its own network object (and cache).
    const nets = { policy: policyValueNet(data.network, game), puct: policyValueNet(data.network, game), gated: policyValueNet(data.network, game) };
    function search(net, state, simulations) {
      const before = net.passes;
      const found = puctSearch(game, state, {
        simulations,
        c: settings.c_puct,
        evaluate: (s) => {
          const out = net.one(s);
          return { prior: out.policy, value: out.value };
        },
      });
      found.cost.network_passes = net.passes - before;
      return found;
    }
    return {
      policy: {
        label: "policy network (chapter 9)",
        choose(state) {
          // daopt.hybrid.PolicyAgent runs its own pass, past the cache.
          const raw = mlpForward(data.network, game.encode(state));
          nets.policy.passes += 1;
          const policy = maskedSoftmax(Array.from(raw.slice(0, game.numActions)), game.legalActions(state));
          let action = 0;
          for (let c = 1; c < game.numActions; c += 1) if (policy[c] > policy[action]) action = c;
          return { action, cost: decisionCost({ network_passes: 1 }), planned: false, mode: "policy" };
        },
      },
      puct: {
        label: `PUCT, ${settings.puct_simulations} simulations (chapter 9)`,
        choose(state) {
          const found = search(nets.puct, state, settings.puct_simulations);
          return { action: found.action, cost: found.cost, planned: true, mode: "search" };
        },
      },
      gated: {
        label: "gated agent (chapter 9)",
        choose(state) {
          // The shipped gate may go without the tactical check (settings.tactics).
          const tactic = settings.tactics ? tacticalMove(game, state) : { action: null, nodes: 0 };
          if (tactic.action !== null) {
            return {
              action: tactic.action,
              cost: decisionCost({ search_nodes: tactic.nodes }),
              planned: true,
              mode: "tactic",
            };
          }
          const net = nets.gated;
          const before = net.passes;
          const out = net.one(state);
          const action = net.best(state);
          // The shipped gate reads its learned signal; without one, the confidence head.
          const confidence = settings.gate_signal ? gateSignal(settings.gate_signal, out, action, game.numActions) : out.confidence[action];
          if (confidence >= settings.threshold) {
            return {
              action,
              cost: decisionCost({ network_passes: net.passes - before, search_nodes: tactic.nodes }),
              planned: false,
              mode: "policy",
              confidence,
            };
          }
          const found = search(net, state, settings.gate_simulations);
          return {
            action: found.action,
            cost: decisionCost({
              search_nodes: tactic.nodes,
              simulations: found.cost.simulations,
              network_passes: net.passes - before,
              tree_nodes: found.cost.tree_nodes,
            }),
            planned: true,
            mode: "search",
            confidence,
          };
        },
      },
    };
  }

  // -- agents --------------------------------------------------------------------------------
  function tableAgent(label, positions, table) {
    return {
      label,
      choose(state) {
        const index = positions.get(state);
        if (index === undefined) throw new Error(`no table entry for the board ${state}`);
        const fields = {};
        for (const [name, values] of Object.entries(table.cost)) fields[name] = values[index];
        return { action: Number(table.moves[index]), cost: decisionCost(fields) };
      },
    };
  }

  function policyAgent(label, game, policy) {
    return {
      label,
      choose(state) {
        const logits = mlpForward(policy.network, game.encode(state));
        return { action: maskedArgmax(logits, game.legalActions(state)), cost: decisionCost(policy.cost) };
      },
    };
  }

  function randomAgent(label, game) {
    return {
      label,
      choose(state) {
        const legal = game.legalActions(state);
        return { action: legal[Math.floor(Math.random() * legal.length)], cost: decisionCost({}) };
      },
    };
  }

  /** The tic-tac-toe agents from the exported data, in the order the menu lists them. */
  function ticTacToeAgents(data) {
    const positions = new Map(data.positions.map((cells, index) => [cells, index]));
    const agents = new Map();
    agents.set("random", randomAgent("random moves", TicTacToe));
    agents.set("solver", tableAgent("exact solver", positions, data.tables.solver));
    for (const budget of data.mcts.budgets) {
      agents.set(
        `mcts-${budget}`,
        tableAgent(`MCTS, ${budget.toLocaleString("en")} simulations`, positions, data.tables[`mcts-${budget}`])
      );
    }
    agents.set("policy", policyAgent("cloned policy (chapter 5)", TicTacToe, data.policy));
    return agents;
  }

  // -- the page ------------------------------------------------------------------------------
  function element(tag, attributes, text) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, value);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /**
   * One game against one agent in `container`; the reader clicks cells (for a board
   * with columns, any cell of a column plays that column). Element ids start with
   * `prefix`: PREFIX-agent, -side, -new, -status, -result, -log.
   */
  function mountGame(container, game, agents, prefix) {
    const controls = element("div", { class: "daopt-play-controls" });
    const agentSelect = element("select", { id: `${prefix}-agent`, "aria-label": "opponent" });
    for (const [id, agent] of agents) agentSelect.append(element("option", { value: id }, agent.label));
    agentSelect.value = agents.has("solver") ? "solver" : [...agents.keys()].pop();
    const sideSelect = element("select", { id: `${prefix}-side`, "aria-label": "your side" });
    sideSelect.append(element("option", { value: "0" }, `you play ${game.mark(0)} (first)`));
    sideSelect.append(element("option", { value: "1" }, `you play ${game.mark(1)} (second)`));
    const newGame = element("button", { id: `${prefix}-new`, type: "button" }, "New game");
    controls.append(element("label", {}, "Opponent: "), agentSelect, sideSelect, newGame);

    const columns = game.rows !== undefined;
    const width = columns ? game.cols : 3;
    const board = element("div", { class: "daopt-play-board", role: "grid" });
    board.style.gridTemplateColumns = `repeat(${width}, 4em)`;
    board.style.gridTemplateRows = `repeat(${columns ? game.rows : 3}, 4em)`;
    const cells = []; // cells[i]: the button showing state index i
    const count = columns ? game.rows * game.cols : game.numActions;
    for (let shown = 0; shown < count; shown += 1) {
      // Column boards are drawn top row first; state index row * cols + col, row 0 at the bottom.
      const row = columns ? game.rows - 1 - Math.floor(shown / width) : 0;
      const col = shown % width;
      const index = columns ? row * game.cols + col : shown;
      const action = columns ? col : shown;
      const cell = element("button", {
        class: "daopt-play-cell",
        type: "button",
        "data-action": String(action),
        "data-index": String(index),
        "aria-label": game.describe(action),
      });
      cell.addEventListener("click", () => click(action));
      cells[index] = cell;
      board.append(cell);
    }
    const status = element("p", { id: `${prefix}-status`, class: "daopt-play-status", "aria-live": "polite" });
    const result = element("p", { id: `${prefix}-result`, class: "daopt-play-result" });
    const log = element("ol", { id: `${prefix}-log` });
    container.replaceChildren(controls, board, status, result, log);

    let state = game.initial();
    let human = 0;
    let agentId = agentSelect.value;

    function outcome() {
      const winner = game.winner(state);
      if (winner === null) return "Draw.";
      return winner === human ? `You win (${game.mark(winner)}).` : `The agent wins (${game.mark(winner)}).`;
    }

    function turnMessage() {
      return `Your move (${game.mark(human)}).`;
    }

    function render(message) {
      cells.forEach((cell, i) => {
        cell.textContent = state[i] === "." ? "" : state[i];
        cell.dataset.mark = state[i];
      });
      status.textContent = message;
      result.textContent = game.isTerminal(state) ? `Result: ${outcome()}` : "";
      container.dataset.state = state;
      container.dataset.over = String(game.isTerminal(state));
    }

    function agentMove() {
      const agent = agents.get(agentId);
      const legal = game.legalActions(state);
      const decision = agent.choose(state);
      const { action, cost } = decision;
      if (!legal.includes(action)) throw new Error(`the agent chose illegal move ${action}; legal moves are ${legal}`);
      const mark = game.mark(game.toPlay(state));
      state = game.play(state, action);
      const entry = element("li", { class: "daopt-play-agent-move", "data-action": String(action) });
      let planned = "";
      if (decision.planned !== undefined) {
        entry.dataset.planned = String(decision.planned);
        planned = decision.planned ? `planned (${decision.mode}); ` : "did not plan; ";
      }
      entry.textContent = `${agent.label} (${mark}) played ${game.describe(action)}: ${planned}${formatCost(cost)}`;
      log.append(entry);
      return `The agent played ${game.describe(action)}.`;
    }

    function start() {
      state = game.initial();
      human = Number(sideSelect.value);
      agentId = agentSelect.value;
      log.replaceChildren();
      let message = turnMessage();
      if (game.toPlay(state) !== human) message = `${agentMove()} ${turnMessage()}`;
      render(message);
    }

    function click(action) {
      if (game.isTerminal(state)) {
        render(`The game is over: ${outcome()} Press “New game” to play again.`);
        return;
      }
      const reason = game.whyIllegal(state, action);
      if (reason) {
        render(`Illegal move: ${reason}. ${turnMessage()}`);
        return;
      }
      state = game.play(state, action);
      const entry = element("li", { class: "daopt-play-human-move", "data-action": String(action) });
      entry.textContent = `You (${game.mark(human)}) played ${game.describe(action)}.`;
      log.append(entry);
      let message = game.isTerminal(state) ? "" : agentMove();
      if (!game.isTerminal(state)) message += ` ${turnMessage()}`;
      render(message.trim() || "The game is over.");
    }

    newGame.addEventListener("click", start);
    agentSelect.addEventListener("change", start);
    sideSelect.addEventListener("change", start);
    start();
  }

  function readData(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  /** Connect Four against chapter 9's agents, if the page carries their data. */
  function mountConnectFour(api) {
    const container = document.getElementById("daopt-c4");
    const data = readData("daopt-play-connect-four");
    if (!container || !data) return;
    const game = connectFour(data.rows, data.cols, data.k);
    const fresh = () => hybridAgents(game, data);
    const hybrid = fresh();
    const agents = new Map([["random", randomAgent("random moves", game)]]);
    for (const kind of ["policy", "puct", "gated"]) agents.set(kind, hybrid[kind]);
    api.connectFour = {
      game,
      agents,
      /** A fresh agent's decision (own cache, as a new daopt.hybrid.pretrained) on 1-based moves. */
      chooseFresh(kind, moves) {
        return fresh()[kind].choose(game.fromMoves(moves));
      },
      features: (moves) => Array.from(game.encode(game.fromMoves(moves))),
    };
    mountGame(container, game, agents, "daopt-c4");
  }

  function main() {
    const container = document.getElementById("daopt-play");
    if (!container) return;
    const source = document.getElementById("daopt-play-data");
    if (!source) {
      container.textContent = "The play data is missing from this page: rebuild the book.";
      return;
    }
    const data = JSON.parse(source.textContent);
    const agents = ticTacToeAgents(data);
    window.daoptPlay = {
      games: { tictactoe: TicTacToe },
      agents,
      /** The move and cost of agent `id` on the tic-tac-toe board `cells` (for tests). */
      choose(id, cells) {
        if (!agents.has(id)) throw new Error(`no agent ${id}; agents are ${[...agents.keys()]}`);
        return agents.get(id).choose(cells);
      },
      mlpForward,
      maskedArgmax,
      maskedSoftmax,
      puctSearch,
      positionEvaluations,
      connectFourGame: connectFour,
    };
    mountGame(container, TicTacToe, agents, "daopt-play");
    mountConnectFour(window.daoptPlay);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
