"""Chapter 2's key results, read from the values it glued into its prose: the
tic-tac-toe counts and the Connect Four position counts, all computed on the page."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["02_games"], indirect=True)
def test_games_key_results(chapter: ExecutedChapter) -> None:
    g = chapter.glued()
    # Tic-tac-toe, counted exhaustively from the empty board.
    assert g["ttt_states"] == 5478
    assert g["ttt_classes"] == 765
    assert g["ttt_games"] == 255_168
    assert g["ttt_sequences"] == 549_946
    assert g["ttt_sequences_per_state"] == pytest.approx(549_946 / 5478)
    assert g["ttt_shortest_game"] == 5
    # Symmetry folds less than 8-fold: some positions are their own images.
    assert g["ttt_classes"] > g["ttt_states"] / 8 == g["ttt_states_over_8"]
    # Connect Four, counted exhaustively on small boards (Tromp's table has
    # 161,029 positions for 4x4).
    assert g["c4_4x4_total"] == 161_029
    assert g["c4_5x4_total"] == 3_945_711
    assert g["c4_4x5_total"] == 1_706_255
    assert g["c4_4x5_total"] < g["c4_5x4_total"]  # width costs more than height
    # The standard board, as far as the page counts it: the first plies of
    # OEIS A212693 sum to the glued partial total.
    a212693 = [1, 7, 49, 238, 1120, 4263, 16422, 54859, 184275, 558186, 1662623, 4568683]
    ply = g["c4_7x6_max_ply"]
    assert ply >= 8
    assert g["c4_7x6_partial"] == sum(a212693[: ply + 1])
    assert g["c4_7x6_last"] == a212693[ply]
    assert g["c4_share_ppm"] < 10  # a tiny share of the 4.5e12 positions
    assert g["c4_days"] > 1  # enumerating them all is out of reach here
    # Exponential growth: each added cell multiplies the count by less than
    # the 3 of unconstrained cells, but by well over 1.
    for name in ("c4_per_cell_wider", "c4_per_cell_taller", "c4_per_cell_standard"):
        assert 1.5 < g[name] < 3, name
    # The example objective: some moves win, exactly one loses.
    assert 1 <= g["ttt_example_best"] < g["ttt_example_moves"]
    assert g["ttt_example_losing"] in range(9)
    # ... and the rest draw, shown as markers since a draw's bar has no height.
    assert g["ttt_example_draws"] == g["ttt_example_moves"] - g["ttt_example_best"] - 1 >= 1
