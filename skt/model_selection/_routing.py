"""Fitting and applying estimators with domain information, with metadata routing on or off.

With routing off (scikit-learn's default), ``Pipeline.fit`` passes ``sample_domain`` only to the
steps named in ``step__sample_domain=`` keys, and ``Pipeline.predict`` passes it to no transform
step. The helpers here tell every step that accepts ``sample_domain`` which rows are which, so
that the model-selection tools can fit a pipeline on a training fold and evaluate source rows
through the adapters' source maps, whatever the routing setting.
"""

import inspect

import sklearn
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import get_routing_for_object

__all__ = []


def _accepts_sample_domain(method):
    try:
        return "sample_domain" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _is_skipped(step):
    return step is None or (isinstance(step, str) and step == "passthrough")


def _steps(estimator):
    """``(transform steps, final estimator)`` of a pipeline; ``([], estimator)`` otherwise."""
    if not isinstance(estimator, Pipeline):
        return [], estimator
    transforms = [step for _, step in estimator.steps[:-1] if not _is_skipped(step)]
    final = estimator.steps[-1][1]
    if _is_skipped(final):
        raise TypeError(
            "The pipeline ends with 'passthrough'; a scorer needs a final estimator that predicts."
        )
    return transforms, final


def _call(estimator, method, X, sample_domain):
    """``estimator.<method>(X)``, passing ``sample_domain`` to every step that accepts it.

    A pipeline is applied step by step (nested pipelines are followed): each transform step
    gets ``sample_domain`` when its ``transform`` accepts it, then the last step's ``method``
    is called.
    """
    if isinstance(estimator, Pipeline):
        if method == "transform":
            transforms = [step for _, step in estimator.steps if not _is_skipped(step)]
            final = None
        else:
            transforms, final = _steps(estimator)
        for step in transforms:
            X = _call(step, "transform", X, sample_domain)
        return X if final is None else _call(final, method, X, sample_domain)
    func = getattr(estimator, method)
    if sample_domain is not None and _accepts_sample_domain(func):
        return func(X, sample_domain=sample_domain)
    return func(X)


def _routing_enabled():
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def _pipeline_fit_params(pipeline, sample_domain, prefix=""):
    """``step__sample_domain`` keys for the steps of ``pipeline`` whose fit accepts it."""
    params = {}
    for name, step in pipeline.steps:
        if _is_skipped(step):
            continue
        if isinstance(step, Pipeline):
            params.update(_pipeline_fit_params(step, sample_domain, f"{prefix}{name}__"))
        elif _accepts_sample_domain(step.fit):
            params[f"{prefix}{name}__sample_domain"] = sample_domain
    return params


def _fit(estimator, X, y, sample_domain):
    """Fit ``estimator`` telling every step that accepts ``sample_domain`` the domains."""
    if _routing_enabled():
        if get_routing_for_object(estimator).consumes("fit", ["sample_domain"]):
            return estimator.fit(X, y, sample_domain=sample_domain)
        return estimator.fit(X, y)
    if isinstance(estimator, Pipeline):
        return estimator.fit(X, y, **_pipeline_fit_params(estimator, sample_domain))
    if _accepts_sample_domain(estimator.fit):
        return estimator.fit(X, y, sample_domain=sample_domain)
    return estimator.fit(X, y)
