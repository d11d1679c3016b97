"""Lazy access to POT (Python Optimal Transport), skt's optional optimal-transport backend.

POT is the field's own well-kept library of OT solvers (exact network simplex, Sinkhorn, the
class-regularised solvers of Courty et al.); skt writes none of them by hand. It is an optional
dependency (``pip install "skt[ot]"``), imported only when an OT estimator is fitted.
"""

import importlib

__all__ = ["import_pot"]


def import_pot(caller):
    """The ``ot`` module, or an ImportError that names the extra to install.

    Parameters
    ----------
    caller : str
        Name of the estimator or function that needs POT, for the message.
    """
    try:
        return importlib.import_module("ot")
    except ImportError as exc:  # pragma: no cover - exercised by a test that hides POT
        raise ImportError(
            f"{caller} needs POT (Python Optimal Transport), an optional dependency of skt: "
            'install it with `pip install "skt[ot]"` (or `pip install pot`).'
        ) from exc
