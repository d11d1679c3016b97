"""Numba kernels of the MMD engine (private).

The kernels work on one block of pairs at a time and trust their input: C-contiguous float32 or
float64 arrays of matching dtype, validated by the public functions. The blockwise drivers in
:mod:`skt.metrics._kernel_sums` compute the inner products ``G = A @ B.T`` of a block with BLAS
and hand ``G`` to a kernel below, which turns it into kernel values and reduces them in the same
pass, so that no block of kernel values is ever written to memory unless a dense matrix is asked.

Numba's ``math.exp`` does not vectorise with the llvmlite of PyPI (no SVML), so the kernels call
:func:`exp_neg`, an exponential for non-positive arguments written here: Cody-Waite range
reduction, a Taylor polynomial, and a scale by ``2**k`` built from the bits of the exponent.
LLVM vectorises it (AVX2/AVX-512), and it agrees with ``np.exp`` to about one ulp.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic, overload

from skt._numba import jit_options, njit

# --------------------------------------------------------------------------------------------
# A vectorisable exp for x <= 0
# --------------------------------------------------------------------------------------------

_LOG2E = 1.4426950408889634
# ln 2 split so that k * _LN2_HI is exact for |k| < 2**11 (the trailing bits of _LN2_HI are zero)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# below this the result would need k < -1021; exp(-708) = 3.3e-308 is returned instead of the
# subnormal (or zero) value, an absolute error below 1e-307
_XMIN = -708.0

_LOG2E_F = np.float32(_LOG2E)
_LN2_HI_F = np.float32(0.693145751953125)
_LN2_LO_F = np.float32(1.428606765330187045e-06)
_XMIN_F = np.float32(-87.0)
_HALF_F = np.float32(0.5)
_ONE_F = np.float32(1.0)
# Taylor coefficients 1/k!, k = 2..7 (|r| <= ln2/2: truncation error 5e-9 < float32 eps)
_C2_F = np.float32(1 / 2)
_C3_F = np.float32(1 / 6)
_C4_F = np.float32(1 / 24)
_C5_F = np.float32(1 / 120)
_C6_F = np.float32(1 / 720)
_C7_F = np.float32(1 / 5040)


if numba.config.DISABLE_JIT:  # pragma: no cover - the pure-Python path, for coverage runs

    def _pow2_f64(k):
        return np.int64((int(k) + 1023) << 52).view(np.float64)

    def _pow2_f32(k):
        return np.int32((int(k) + 127) << 23).view(np.float32)

else:

    @intrinsic
    def _pow2_f64(typingctx, k):
        """``2.0 ** k`` as float64 for an integer -1022 <= k <= 1023, from the exponent bits."""
        from llvmlite import ir

        def codegen(context, builder, signature, args):
            k64 = context.cast(builder, args[0], signature.args[0], types.int64)
            bits = builder.shl(
                builder.add(k64, ir.Constant(ir.IntType(64), 1023)),
                ir.Constant(ir.IntType(64), 52),
            )
            return builder.bitcast(bits, ir.DoubleType())

        return types.float64(k), codegen

    @intrinsic
    def _pow2_f32(typingctx, k):
        """``2.0 ** k`` as float32 for an integer -126 <= k <= 127, from the exponent bits."""
        from llvmlite import ir

        def codegen(context, builder, signature, args):
            k32 = context.cast(builder, args[0], signature.args[0], types.int32)
            bits = builder.shl(
                builder.add(k32, ir.Constant(ir.IntType(32), 127)),
                ir.Constant(ir.IntType(32), 23),
            )
            return builder.bitcast(bits, ir.FloatType())

        return types.float32(k), codegen


def _exp_neg_f64(x):
    """exp(x) for float64 x <= 0, within about one ulp of ``np.exp`` (x >= -708)."""
    xc = max(x, _XMIN)
    k = math.floor(xc * _LOG2E + 0.5)
    r = xc - k * _LN2_HI
    r = r - k * _LN2_LO
    # Taylor polynomial of degree 13: truncation error 4e-18 for |r| <= ln2 / 2
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p * _pow2_f64(k)


def _exp_neg_f32(x):
    """exp(x) for float32 x <= 0, within about one ulp of ``np.exp`` (x >= -87)."""
    xc = max(x, _XMIN_F)
    k = math.floor(xc * _LOG2E_F + _HALF_F)
    kf = np.float32(k)
    r = xc - kf * _LN2_HI_F
    r = r - kf * _LN2_LO_F
    p = _C7_F
    p = p * r + _C6_F
    p = p * r + _C5_F
    p = p * r + _C4_F
    p = p * r + _C3_F
    p = p * r + _C2_F
    p = p * r + _ONE_F
    p = p * r + _ONE_F
    return p * _pow2_f32(k)


def exp_neg(x):
    """``exp(x)`` for a non-positive float32 or float64 ``x``, vectorisable by LLVM.

    Arguments below -708 (float64) or -87 (float32) return exp(-708) or exp(-87) instead of a
    subnormal number or zero: an absolute error below 1e-307 (1e-37), irrelevant in kernel sums.
    """
    if isinstance(x, np.float32):
        return _exp_neg_f32(x)
    return _exp_neg_f64(x)


@overload(exp_neg, jit_options=jit_options(fastmath="contract"))
def _exp_neg_overload(x):
    if x == types.float32:
        return _exp_neg_f32
    return _exp_neg_f64


@njit
def exp_neg_array(x, out):
    """``out[i] = exp_neg(x[i])`` (used by the tests to compare with ``np.exp``)."""
    for i in range(x.shape[0]):
        out[i] = exp_neg(x[i])


# --------------------------------------------------------------------------------------------
# Row sums of kernel values over one block: out[i, g] += sum_j v[j] k_g(a_i, b_j)
# --------------------------------------------------------------------------------------------


@njit
def rbf_rowsums(G, ra, rb, v, mgammas, out):
    """Weighted row sums of Gaussian kernel values of one block, for several bandwidths.

    Parameters
    ----------
    G : ndarray of shape (ni, nj)
        Inner products ``A @ B.T`` of the block (float32 or float64).
    ra, rb : ndarray of shape (ni,), (nj,)
        Squared norms of the rows of ``A`` and ``B`` (dtype of ``G``).
    v : ndarray of shape (nj,)
        Weights of the columns (dtype of ``G``).
    mgammas : ndarray of shape (ng,)
        Negated bandwidths ``-gamma`` (dtype of ``G``).
    out : ndarray of float64 of shape (ni, ng)
        Accumulator: ``out[i, g] += sum_j v[j] exp(-gamma_g ||a_i - b_j||^2)``.

    The squared distances ``ra[i] + rb[j] - 2 G[i, j]`` are formed once per row and reused for
    every bandwidth. The sum over the (at most a few hundred) columns of a row is accumulated
    in the dtype of ``G`` (vectorised in several partial sums), the sum over blocks in float64
    by the caller: float32 input keeps the speed of float32 arithmetic, with a relative
    rounding error of about 1e-7 per block row.
    """
    ni, nj = G.shape
    ng = mgammas.shape[0]
    d2 = np.empty(nj, dtype=G.dtype)
    zero = G.dtype.type(0)
    for i in range(ni):
        rai = ra[i]
        # rounding can make a squared distance slightly negative for (near-)equal rows
        for j in range(nj):
            d2[j] = max(rai + rb[j] - (G[i, j] + G[i, j]), zero)
        for g in range(ng):
            mg = mgammas[g]
            s = zero
            for j in range(nj):
                s += v[j] * exp_neg(mg * d2[j])
            out[i, g] += s


@njit
def laplacian_rowsums(A, BT, v, mgammas, out):
    """Weighted row sums of Laplacian kernel values of one block, for several bandwidths.

    ``A`` has shape (ni, d) and ``BT`` (d, nj) is the block of ``B`` transposed (so that the
    inner loop runs over contiguous columns); ``out[i, g] += sum_j v[j] exp(-gamma_g
    ||a_i - b_j||_1)``. The L1 distances are formed once per row and reused for every bandwidth.
    """
    ni, d = A.shape
    nj = BT.shape[1]
    ng = mgammas.shape[0]
    l1 = np.empty(nj, dtype=A.dtype)
    zero = A.dtype.type(0)
    for i in range(ni):
        l1[:] = 0
        for k in range(d):
            aik = A[i, k]
            for j in range(nj):
                l1[j] += abs(aik - BT[k, j])
        for g in range(ng):
            mg = mgammas[g]
            s = zero
            for j in range(nj):
                s += v[j] * exp_neg(mg * l1[j])
            out[i, g] += s


@njit
def _powi(base, e, out):
    """``out = base ** e`` elementwise for an integer ``e >= 1``, by repeated squaring.

    The loop over the bits of ``e`` is outside the loops over the elements, which LLVM
    vectorises.
    """
    out[:] = 1
    first = True
    while e > 0:
        if e & 1:
            if first:
                out[:] = base
                first = False
            else:
                for j in range(out.shape[0]):
                    out[j] *= base[j]
        e >>= 1
        if e > 0:
            for j in range(base.shape[0]):
                base[j] *= base[j]


@njit
def polynomial_rowsums(G, v, gammas, coef0, degree, int_degree, out):
    """Weighted row sums of polynomial kernel values ``(gamma <a, b> + coef0) ** degree``.

    ``G`` is the block of inner products; ``out[i, g] += sum_j v[j] (gammas[g] G[i, j] +
    coef0) ** degree``. ``int_degree`` (>= 1) is used when the degree is an integer, else -1
    and the float power ``degree`` is used.
    """
    ni, nj = G.shape
    ng = gammas.shape[0]
    base = np.empty(nj, dtype=G.dtype)
    val = np.empty(nj, dtype=G.dtype)
    zero = G.dtype.type(0)
    for i in range(ni):
        for g in range(ng):
            gam = gammas[g]
            for j in range(nj):
                base[j] = gam * G[i, j] + coef0
            if int_degree > 0:
                _powi(base, int_degree, val)
            else:
                for j in range(nj):
                    val[j] = base[j] ** degree
            s = zero
            for j in range(nj):
                s += v[j] * val[j]
            out[i, g] += s


# --------------------------------------------------------------------------------------------
# Kernel values of one block, in place (dense matrices and K @ V products)
# --------------------------------------------------------------------------------------------


@njit
def rbf_fill(G, ra, rb, mgamma):
    """``G[i, j] <- exp(mgamma * (ra[i] + rb[j] - 2 G[i, j]))`` in place (``mgamma = -gamma``)."""
    ni, nj = G.shape
    zero = G.dtype.type(0)
    for i in range(ni):
        rai = ra[i]
        for j in range(nj):
            G[i, j] = exp_neg(mgamma * max(rai + rb[j] - (G[i, j] + G[i, j]), zero))


@njit
def laplacian_fill(A, BT, mgamma, out):
    """``out[i, j] = exp(mgamma * ||a_i - b_j||_1)`` with ``BT`` the transpose of ``B``."""
    ni, d = A.shape
    nj = BT.shape[1]
    for i in range(ni):
        row = out[i]
        row[:] = 0
        for k in range(d):
            aik = A[i, k]
            for j in range(nj):
                row[j] += abs(aik - BT[k, j])
        for j in range(nj):
            row[j] = exp_neg(mgamma * row[j])


@njit
def polynomial_fill(G, gamma, coef0, degree, int_degree):
    """``G[i, j] <- (gamma G[i, j] + coef0) ** degree`` in place (see polynomial_rowsums)."""
    ni, nj = G.shape
    base = np.empty(nj, dtype=G.dtype)
    for i in range(ni):
        row = G[i]
        for j in range(nj):
            base[j] = gamma * row[j] + coef0
        if int_degree > 0:
            _powi(base, int_degree, row)
        else:
            for j in range(nj):
                row[j] = base[j] ** degree


# --------------------------------------------------------------------------------------------
# Permutation test
# --------------------------------------------------------------------------------------------


@njit
def permutation_indicators(perms, n_x, U):
    """``U[perms[p, :n_x], p] = 1`` and 0 elsewhere: column p marks the rows drawn as X.

    ``perms`` has shape (n_perm, N), one permutation of ``range(N)`` per row; ``U`` has shape
    (N, n_perm) and the dtype of the kernel matrix.
    """
    U[:] = 0
    for p in range(perms.shape[0]):
        for t in range(n_x):
            U[perms[p, t], p] = 1


@njit
def columnwise_dot(U, W, out):
    """``out[p] += sum_i U[i, p] * W[i, p]`` in float64 (the quadratic forms of a batch)."""
    n, P = U.shape
    acc = np.zeros(P)
    for i in range(n):
        for p in range(P):
            acc[p] += U[i, p] * W[i, p]
    for p in range(P):
        out[p] += acc[p]
