"""Nearest-neighbour weighting: the votes, smoothing, several neighbours, errors."""

import numpy as np
import pytest

from skt.reweight import nearest_neighbors_weights


def test_votes_of_target_rows():
    Xs = np.array([[0.0], [1.0], [2.0], [10.0]])
    Xt = np.array([[0.1], [0.9], [1.1], [1.2], [9.0]])
    # votes 1, 3, 0, 1; without smoothing the weights are votes * n_s / n_t
    np.testing.assert_allclose(
        nearest_neighbors_weights(Xs, Xt, smoothing=0.0), np.array([1, 3, 0, 1]) * 4 / 5
    )
    w = nearest_neighbors_weights(Xs, Xt)  # Laplace smoothing: votes + 1
    np.testing.assert_allclose(w, np.array([2, 4, 1, 2]) * 4 / 9)
    assert w.mean() == pytest.approx(1.0)


def test_several_neighbours_share_a_vote():
    Xs = np.array([[0.0], [1.0], [3.0]])
    Xt = np.array([[0.4]])
    np.testing.assert_allclose(
        nearest_neighbors_weights(Xs, Xt, n_neighbors=2, smoothing=0.0), [1.5, 1.5, 0.0]
    )


def test_metric_is_passed_on():
    Xs = np.array([[1.9, 1.0], [1.6, 1.6]])
    Xt = np.array([[1.0, 1.0]])
    # Euclidean: 0.90 and 0.85, the second row is nearer; Manhattan: 0.9 and 1.2, the first
    assert nearest_neighbors_weights(Xs, Xt, smoothing=0.0).argmax() == 1
    assert nearest_neighbors_weights(Xs, Xt, smoothing=0.0, metric="manhattan").argmax() == 0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_neighbors": 0}, r"n_neighbors must be an integer >= 1; got n_neighbors=0"),
        ({"n_neighbors": 5}, r"n_neighbors=5 is larger than the number of source rows \(3\)"),
        ({"smoothing": -1.0}, r"smoothing must be a finite number in \[0, inf\]; got"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        nearest_neighbors_weights(np.zeros((3, 1)), np.ones((2, 1)), **params)
