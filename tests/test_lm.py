"""daopt.lm: exact probabilities of the synthetic language, checked against brute-force
enumeration; feature maps and count models against loops; dynamic evaluation; and
daopt.performative, the world that answers to its prediction."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import lm
from daopt.cost import BACKWARD_PASSES
from daopt.performative import PerformativeWorld


def tiny_source(seed: int, k: int = 2, vocab: int = 3) -> lm.MarkovMixture:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(k))
    initial = rng.dirichlet(np.ones(vocab))
    return lm.MarkovMixture(
        rng.dirichlet(np.ones(vocab), size=(k, vocab)), weights=weights, initial=initial
    )


def brute_probability(source: lm.MarkovMixture, sequence: tuple[int, ...], author: int) -> float:
    p = source.initial[sequence[0]]
    for a, b in itertools.pairwise(sequence):
        p *= source.transitions[author, a, b]
    return float(p)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), length=st.integers(1, 4))
def test_posterior_and_predictive_match_enumeration(seed: int, length: int) -> None:
    source = tiny_source(seed)
    sequences = list(itertools.product(range(source.vocab), repeat=length))
    assert sequences
    total = 0.0
    for sequence in sequences:
        joint = np.array(
            [source.weights[a] * brute_probability(source, sequence, a) for a in range(source.k)]
        )
        total += joint.sum()
        assert np.allclose(source.posterior(np.array(sequence)), joint / joint.sum())
        assert np.isclose(np.exp(source.log_prob(np.array(sequence))[0]), joint.sum())
        # The next token's distribution: P(sequence + j) / P(sequence), by enumeration.
        extended = np.array(
            [
                sum(
                    source.weights[a] * brute_probability(source, (*sequence, j), a)
                    for a in range(source.k)
                )
                for j in range(source.vocab)
            ]
        )
        assert np.allclose(
            source.next_token_distribution(np.array(sequence)), extended / joint.sum()
        )
    assert np.isclose(total, 1.0)  # the probabilities of all sequences of a length sum to 1


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), length=st.integers(1, 12))
def test_predictive_rows_are_distributions_and_match_one_context(
    seed: int, n: int, length: int
) -> None:
    source = lm.MarkovMixture.random(3, 5, np.random.default_rng(seed))
    tokens = source.sample(n, np.random.default_rng(seed + 1), length)
    probs = source.predictive(tokens)
    assert probs.shape == (n, length, 5)
    assert np.all(probs > 0) and np.allclose(probs.sum(axis=-1), 1.0)
    for t in range(length):
        assert np.allclose(probs[0, t], source.next_token_distribution(tokens[0, :t]))
    post = source.posteriors(tokens)
    assert post.shape == (n, length + 1, 3) and np.allclose(post.sum(axis=-1), 1.0)
    assert np.allclose(post[:, 0], source.weights)


def test_entropy_rate_matches_a_long_sample_estimate() -> None:
    source = lm.MarkovMixture.random(4, 8, np.random.default_rng(0))
    tokens = source.sample(200, np.random.default_rng(1), 2000)
    estimate = float(-np.mean(source.log_prob(tokens)) / tokens.shape[1])
    # The per-sequence estimate is the author's rate; its spread over 200 sequences
    # gives a standard error of about 0.005.
    assert estimate == pytest.approx(source.entropy_rate(), abs=0.02)
    assert 0 < source.entropy_rate() < np.log(8)
    rates = source.author_entropy_rates()
    assert rates.shape == (4,) and np.isclose(rates.mean(), source.entropy_rate())


def test_samples_follow_the_authors_chains() -> None:
    source = lm.MarkovMixture.random(2, 4, np.random.default_rng(3))
    tokens, authors = source.sample_with_authors(400, np.random.default_rng(4), 200)
    assert set(authors.tolist()) == {0, 1}
    for a in (0, 1):
        counts = np.zeros((4, 4))
        seqs = tokens[authors == a]
        np.add.at(counts, (seqs[:, :-1], seqs[:, 1:]), 1)
        visited = counts.sum(axis=1) >= 1000  # rarely visited rows are too noisy to judge
        assert visited.sum() >= 2
        rows = counts[visited] / counts[visited].sum(axis=1, keepdims=True)
        assert np.allclose(rows, source.transitions[a][visited], atol=0.04)
    stationary = source.stationary()
    assert np.allclose(stationary[0] @ source.transitions[0], stationary[0])


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"transitions": np.ones((2, 3, 3)) / 3, "weights": [0.5, 0.6]}, ValueError),
        ({"transitions": np.ones((2, 3, 4)) / 4}, ValueError),
        ({"transitions": np.eye(3)[None]}, ValueError),  # impossible transitions
        ({"transitions": "abc"}, TypeError),
        ({"transitions": np.ones((1, 3, 3)) / 3, "initial": [1.0, 0.0, 0.0]}, ValueError),
    ],
)
def test_bad_sources_are_refused(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        lm.MarkovMixture(**kwargs)


def test_bad_tokens_and_arguments_are_refused() -> None:
    source = lm.MarkovMixture.random(2, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"0\.\.3"):
        source.predictive(np.array([[0, 4]]))
    with pytest.raises(TypeError, match="integer"):
        source.predictive(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="shape"):
        source.predictive(np.zeros((1, 2, 3), dtype=int))
    with pytest.raises(TypeError, match="Generator"):
        source.sample(3, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be"):
        source.sample(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="1-D"):
        source.next_token_distribution(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="probs"):
        lm.token_losses(np.ones((1, 2, 4)), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="window"):
        lm.WindowFeatures(4, 0)
    assert np.allclose(source.next_token_distribution([]), source.initial)


def test_feature_maps_match_loops() -> None:
    rng = np.random.default_rng(5)
    tokens = rng.integers(0, 4, size=(3, 10))
    counts = lm.CountFeatures(4, scale=1.0)(tokens)
    window = lm.WindowFeatures(4, 3)(tokens)
    assert counts.shape == (3, 10, 20) and window.shape == (3, 10, 12)
    checked = 0
    for n in range(3):
        for t in range(10):
            expected = np.zeros((4, 4))
            for s in range(1, t):
                expected[tokens[n, s - 1], tokens[n, s]] += 1
            assert np.array_equal(counts[n, t, :16].reshape(4, 4), expected)
            last = np.zeros(4)
            if t:
                last[tokens[n, t - 1]] = 1
            assert np.array_equal(counts[n, t, 16:], last)
            for lag in range(1, 4):
                code = np.zeros(4)
                if t - lag >= 0:
                    code[tokens[n, t - lag]] = 1
                assert np.array_equal(window[n, t, 4 * (lag - 1) : 4 * lag], code)
            checked += 1
    assert checked == 30


def test_dirichlet_predictive_and_ngram_counts_match_loops() -> None:
    rng = np.random.default_rng(6)
    tokens = rng.integers(0, 3, size=(2, 8))
    probs = lm.dirichlet_predictive(tokens, 3, concentration=0.5)
    for n in range(2):
        assert np.allclose(probs[n, 0], 1 / 3)
        for t in range(1, 8):
            row = np.zeros(3)
            for s in range(1, t):
                if tokens[n, s - 1] == tokens[n, t - 1]:
                    row[tokens[n, s]] += 1
            assert np.allclose(probs[n, t], (row + 0.5) / (row.sum() + 1.5))
    bigram = lm.NgramModel(3, context=1, alpha=0.1).fit(tokens)
    pairs = np.zeros((3, 3))
    np.add.at(pairs, (tokens[:, :-1], tokens[:, 1:]), 1)
    predicted = bigram.predict(tokens)
    expected = (pairs[tokens[:, :-1]] + 0.1) / (pairs[tokens[:, :-1]].sum(-1, keepdims=True) + 0.3)
    assert np.allclose(predicted[:, 1:], expected)
    assert np.allclose(predicted.sum(axis=-1), 1.0)


def test_counts_network_learns_the_mixture_and_dynamic_evaluation_leaves_it_unchanged() -> None:
    source = lm.MarkovMixture.random(2, 4, np.random.default_rng(0))
    train = source.sample(300, np.random.default_rng(1), 32)
    test = source.sample(50, np.random.default_rng(2), 32)
    model = lm.NextTokenMLP(lm.CountFeatures(4), (32,), np.random.default_rng(3))
    before = lm.cross_entropy(model.predict(test), test)
    model.fit(train, np.random.default_rng(4), n_epochs=10, learning_rate=3e-3)
    after = lm.cross_entropy(model.predict(test), test)
    bayes = lm.cross_entropy(source.predictive(test), test)
    assert after < before and after < bayes + 0.15
    assert model.train_examples == 10 * train.size
    weights = [p.copy() for p in model.net.params]
    tiny = lm.dynamic_evaluation(model, test[:3], learning_rate=1e-9)
    assert all(np.array_equal(w, p) for w, p in zip(weights, model.net.params, strict=True))
    assert np.allclose(tiny.probs, model.predict(test[:3]), atol=1e-6)
    assert tiny.cost.network_passes == 1 + BACKWARD_PASSES
    # A real step changes the later predictions, never the first.
    moved = lm.dynamic_evaluation(model, test[:3], learning_rate=0.5)
    assert np.allclose(moved.probs[:, 0], tiny.probs[:, 0])
    assert not np.allclose(moved.probs[:, 5:], tiny.probs[:, 5:])
    with pytest.raises(ValueError, match="decay"):
        lm.dynamic_evaluation(model, test[:1], decay=1.0)


def test_kl_per_position() -> None:
    source = lm.MarkovMixture.random(2, 4, np.random.default_rng(0))
    tokens = source.sample(5, np.random.default_rng(1), 6)
    p = source.predictive(tokens)
    assert np.allclose(lm.kl_per_position(p, p), 0.0)
    uniform = np.full_like(p, 0.25)
    kl = lm.kl_per_position(p, uniform)
    assert kl.shape == (6,) and np.all(kl[1:] > 0)


# -- performative prediction -----------------------------------------------------------


def test_world_without_feedback_is_the_base() -> None:
    base = np.array([0.5, 0.3, 0.2])
    world = PerformativeWorld(base, 0.0)
    assert np.allclose(world.response(np.array([1.0, 0.0, 0.0])), base)
    assert np.isclose(world.loss(base), -np.sum(base * np.log(base)))
    with pytest.raises(ValueError, match="positive"):
        PerformativeWorld(np.array([1.0, 0.0]), 1.0)
    with pytest.raises(ValueError, match="feedback"):
        PerformativeWorld(base, -1.0)
    with pytest.raises(ValueError, match="distributions"):
        world.loss(np.array([0.5, 0.5]))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), feedback=st.floats(0.0, 6.0))
def test_loss_gradient_matches_finite_differences(seed: int, feedback: float) -> None:
    rng = np.random.default_rng(seed)
    world = PerformativeWorld(rng.dirichlet(np.ones(4)), feedback)
    z = rng.normal(size=4)
    _, grad = world._loss_and_grad(z)
    eps = 1e-6
    for i in range(4):
        dz = np.eye(4)[i] * eps
        up = world._loss_and_grad(z + dz)[0]
        down = world._loss_and_grad(z - dz)[0]
        assert (up - down) / (2 * eps) == pytest.approx(grad[i], abs=1e-6)


def test_fixed_points_and_the_direct_minimiser() -> None:
    base = np.array([0.7, 0.3])
    counts = []
    for feedback in (0.0, 1.0, 4.0):
        world = PerformativeWorld(base, feedback)
        points = world.stable_fixed_points(np.random.default_rng(0))
        assert len(points) >= 1
        assert np.allclose(world.response(points), points, atol=1e-8)
        counts.append(len(points))
        direct, evaluations = world.direct_minimiser(np.random.default_rng(0))
        assert evaluations > 0
        assert world.loss(direct) <= world.loss(world.teacher_forced()) + 1e-9
        retrained = world.repeated_retraining()
        assert np.allclose(world.response(retrained), retrained, atol=1e-6)
    assert counts == [1, 1, 2]  # a second self-fulfilling prediction appears
    # Batched bases give one answer per row.
    world = PerformativeWorld(np.array([[0.7, 0.3], [0.2, 0.8]]), 4.0)
    direct, _ = world.direct_minimiser(np.random.default_rng(0))
    assert direct.shape == (2, 2) and np.all(world.loss(direct) < world.loss(world.base))


# -- the chapter's exercise checkers ----------------------------------------------------


def test_checkers_accept_right_answers_and_name_wrong_ones() -> None:
    from daopt import checks

    def posterior(transitions, weights, context):
        log_post = np.log(weights).copy()
        for a, b in itertools.pairwise(context):
            log_post += np.log(transitions[:, a, b])
        post = np.exp(log_post - log_post.max())
        return post / post.sum()

    def posterior_without_prior(transitions, weights, context):
        return posterior(transitions, np.ones_like(weights), context)

    def dirichlet(tokens, vocab, concentration):
        out = np.full((*tokens.shape, vocab), 1.0 / vocab)
        for n, row in enumerate(tokens):
            counts = np.zeros((vocab, vocab))
            for t in range(1, len(row)):
                counts[row[t - 2], row[t - 1]] += t >= 2
                c = counts[row[t - 1]]
                out[n, t] = (c + concentration) / (c.sum() + vocab * concentration)
        return out

    def loss(base, feedback, p):
        z = np.log(base) + feedback * p
        r = np.exp(z - z.max())
        return -np.sum(r / r.sum() * np.log(p))

    def loss_ignoring_feedback(base, feedback, p):
        return -np.sum(base * np.log(p))

    good = [
        checks.check_author_posterior(posterior),
        checks.check_dirichlet_predictive(dirichlet),
        checks.check_performative_loss(loss),
    ]
    assert all(good), [r.message for r in good]
    bad = [
        checks.check_author_posterior(posterior_without_prior),
        checks.check_dirichlet_predictive(lambda tokens, vocab, concentration: 1 / 0),
        checks.check_performative_loss(loss_ignoring_feedback),
    ]
    assert not any(bad)
    assert "differ" in bad[0].message and "ZeroDivisionError" in bad[1].message
    assert "feedback=" in bad[2].message


def test_decoding_greedy_beam_and_sampling() -> None:
    source = lm.MarkovMixture.random(2, 4, np.random.default_rng(0))
    model = lm.NextTokenMLP(lm.CountFeatures(4), (16,), np.random.default_rng(1))
    model.fit(source.sample(100, np.random.default_rng(2), 24), np.random.default_rng(3))
    prompts = source.sample(6, np.random.default_rng(4), 5)
    greedy = lm.generate(model, prompts, 10, method="greedy")
    assert greedy.shape == (6, 15) and np.array_equal(greedy[:, :5], prompts)
    for t in range(5, 15):
        assert np.array_equal(greedy[:, t], model.predict_next(greedy[:, :t]).argmax(axis=1))
    # Beam search with one beam is greedy; with more beams it finds a sequence at least
    # as likely under the model.
    checked = 0
    for row, prompt in enumerate(prompts):
        assert np.array_equal(lm.beam_search(model, prompt, 10, width=1), greedy[row])
        wide = lm.beam_search(model, prompt, 10, width=8)

        def log_likelihood(seq: np.ndarray) -> float:
            return float(-lm.token_losses(model.predict(seq[None]), seq[None])[0, 5:].sum())

        assert log_likelihood(wide) >= log_likelihood(greedy[row]) - 1e-9
        checked += 1
    assert checked == 6
    first = lm.generate(model, prompts, 10, rng=np.random.default_rng(9))
    again = lm.generate(model, prompts, 10, rng=np.random.default_rng(9))
    assert np.array_equal(first, again) and not np.array_equal(first, greedy)
    cold = lm.generate(model, prompts, 10, rng=np.random.default_rng(9), temperature=1e-8)
    assert np.array_equal(cold, greedy)  # a temperature near 0 is greedy
    with pytest.raises(ValueError, match="method"):
        lm.generate(model, prompts, 3, method="beam")
    with pytest.raises(TypeError, match="Generator"):
        lm.generate(model, prompts, 3)
    with pytest.raises(ValueError, match="do not fit"):
        lm.NextTokenMLP.from_net(lm.WindowFeatures(4, 2), model.net)
