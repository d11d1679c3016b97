"""Test-only adapters and estimators for the model-selection tests."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from skt.base import BaseAdapter


class MeanShift(BaseAdapter):
    """Moves the source rows by ``scale * (mean_target - mean_source)``; target rows stay.

    ``scale=1`` aligns the means (a one-line CORAL without covariances); other values align
    them more or less. It never reads a label.
    """

    def __init__(self, scale=1.0):
        self.scale = scale

    def _fit(self, domains):
        self.shift_ = self.scale * (domains.X_target.mean(axis=0) - domains.X_source.mean(axis=0))

    def _transform_source(self, X):
        return X + self.shift_

    def _transform_target(self, X):
        return X


class NoProba(ClassifierMixin, BaseEstimator):
    """A classifier without predict_proba (labels of the nearest source class mean)."""

    def fit(self, X, y, sample_domain=None):
        keep = y != -1
        self.classes_ = np.unique(y[keep])
        self.means_ = np.array([X[keep][y[keep] == c].mean(axis=0) for c in self.classes_])
        return self

    def predict(self, X, sample_domain=None):
        d = ((np.asarray(X)[:, None, :] - self.means_[None]) ** 2).sum(axis=2)
        return self.classes_[d.argmin(axis=1)]


class Offset(BaseAdapter):
    """Adds ``offset`` to every feature of the source rows; target rows stay. Reads no label."""

    def __init__(self, offset=100.0):
        self.offset = offset

    def _fit(self, domains):
        self.fitted_ = True

    def _transform_source(self, X):
        return X + self.offset

    def _transform_target(self, X):
        return X


class RecordingWeights:
    """A weight function that records its inputs and returns ones."""

    def __init__(self):
        self.calls = []

    def __call__(self, X_source, X_target):
        self.calls.append((X_source.copy(), X_target.copy()))
        return np.ones(X_source.shape[0])
