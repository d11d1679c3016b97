"""Feature alignment: adapters that map source and target rows into a shared space.

``fit_transform`` maps every training row (source rows adapted, target rows as target rows);
``transform`` maps new rows as target rows unless ``sample_domain`` says otherwise.

- :class:`CORAL` -- recolour the source with the target covariance.
- :class:`SubspaceAlignment` -- align the source PCA basis with the target basis.
- :class:`TCA` -- a kernel embedding that shrinks the MMD between domains.
- :class:`JDA` -- TCA plus class-conditional MMD with target pseudo-labels.
- :class:`BDA` -- JDA with a balance between the marginal and the class terms (and W-BDA).
- :class:`GFK` -- the geodesic flow kernel between the source and target PCA subspaces.
- :class:`FeatureAugmentation` -- "frustratingly easy" augmentation ``[x, x, 0]`` / ``[x, 0, x]``.
- :class:`OTMapping` -- carry the source rows onto the target by an optimal-transport plan (POT).
- :class:`LinearOTMapping` -- the closed-form Gaussian optimal-transport map (POT).
"""

from ._augment import FeatureAugmentation
from ._bda import BDA
from ._coral import CORAL
from ._gfk import GFK
from ._ot import LinearOTMapping, OTMapping
from ._subspace import SubspaceAlignment
from ._tca import JDA, TCA

__all__ = [
    "BDA",
    "CORAL",
    "FeatureAugmentation",
    "GFK",
    "JDA",
    "LinearOTMapping",
    "OTMapping",
    "SubspaceAlignment",
    "TCA",
]
