"""Speed of the alignment adapters, beside the formulas of other libraries and a dense reference.

Part 1 -- CORAL and Subspace Alignment at n rows per domain and d features (default 20,000 and
500), beside the peers, run in this process:

- ADAPT's ``CORAL`` (``lambda_=1e-5``) and ``SA``, when ``adapt`` is importable (it needs
  TensorFlow, which skt does not install; see benchmarks/README.md);
- skada's ``CORALAdapter`` (its default ``reg="auto"``, Ledoit-Wolf) and
  ``SubspaceAlignmentAdapter``, when ``skada`` is importable (``pip install skt[bench]``);
- re-implementations here, in NumPy/SciPy, of the formulas of both (``np.cov + lambda I``,
  ``scipy.linalg.inv(sqrtm(C_s))``, ``sqrtm(C_t)``; Ledoit-Wolf and ``eigh``;
  ``sklearn.decomposition.PCA`` on each domain), which run everywhere.

skt's ``fit_transform`` returns every row (adapted source and target); ADAPT's returns the
adapted source rows only. Each CORAL line also reports the relative covariance error
``||cov(adapted source) - cov(target)||_F / ||cov(target)||_F``.

Part 2 -- TCA and JDA on make_domain_shift data (d = 50, 3 classes, 30 components, RBF kernel)
at several sizes per domain: skt's exact kernel form (iterative block solver), with 1,000
Nystroem landmarks, and JDA's primal form, beside a dense NumPy implementation of the same
formula: ``scipy.linalg.eigh(K H K, K M K + mu I)`` with dense ``H`` and ``M`` (what a direct
transcription of the paper computes). The leading eigenvalues of the two are compared. Each
form is first fitted once on a small problem, so that no timing includes Numba's compilation of
the kernel functions (or the loading of its on-disk cache).

Timings are the best of ``--repeat`` runs, in seconds, on whatever the machine is doing: on a
shared machine they vary, and the ratios matter more than the seconds.

Usage::

    python benchmarks/bench_alignment_speed.py            # several minutes
    python benchmarks/bench_alignment_speed.py --quick    # small sizes, no dense reference at 4k
"""

import argparse
import time

import numpy as np
from scipy import linalg
from sklearn.covariance import ledoit_wolf
from sklearn.decomposition import PCA

import skt
from skt.alignment._tca import _mmd_factor


def best_time(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


# -- Part 1: CORAL and SA -----------------------------------------------------------------------


def adapt_style_coral(Xs, Xt, lambda_=1e-5):
    d = Xs.shape[1]
    cs = np.cov(Xs, rowvar=False) + lambda_ * np.eye(d)
    ct = np.cov(Xt, rowvar=False) + lambda_ * np.eye(d)
    cs_inv_sqrt = np.real(linalg.inv(linalg.sqrtm(cs)))
    ct_sqrt = np.real(linalg.sqrtm(ct))
    return np.matmul(np.matmul(Xs, cs_inv_sqrt), ct_sqrt), Xt


def _eigh_power(C, p):
    w, V = np.linalg.eigh(C)
    return (V * np.clip(w, 0, None) ** p) @ V.T


def skada_style_coral(Xs, Xt):
    cs, ct = ledoit_wolf(Xs)[0], ledoit_wolf(Xt)[0]
    return np.dot(np.dot(Xs, _eigh_power(cs, -0.5)), _eigh_power(ct, 0.5)), Xt


def pca_style_sa(Xs, Xt, k):
    ps, pt = PCA(k).fit(Xs), PCA(k).fit(Xt)
    M = ps.components_ @ pt.components_.T
    return ps.transform(Xs) @ M, pt.transform(Xt)


def skt_coral(X, sd, reg):
    return _split(skt.CORAL(reg=reg).fit_transform(X, sample_domain=sd), sd)


def skt_sa(X, sd, k):
    return _split(skt.SubspaceAlignment(k).fit_transform(X, sample_domain=sd), sd)


def cov_error(Zs, Xt):
    ct = np.cov(Xt, rowvar=False)
    return np.linalg.norm(np.cov(Zs, rowvar=False) - ct) / np.linalg.norm(ct)


def _peers():
    """The peer libraries that are importable here: ``{name: module-like namespace}``."""
    import warnings

    peers = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from adapt.feature_based import CORAL as ADAPT_CORAL
            from adapt.feature_based import SA as ADAPT_SA

            peers["ADAPT"] = (ADAPT_CORAL, ADAPT_SA)
        except ImportError:
            pass
        try:
            from skada import CORALAdapter, SubspaceAlignmentAdapter

            peers["skada"] = (CORALAdapter, SubspaceAlignmentAdapter)
        except ImportError:
            pass
    return peers


def part1(n, d, k, repeat):
    rng = np.random.RandomState(0)
    Xs = rng.randn(n, d) @ (np.eye(d) + 0.1 * rng.randn(d, d))
    Xt = rng.randn(n, d) @ (np.eye(d) + 0.1 * rng.randn(d, d)) + 0.5
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(n, int), -np.ones(n, int)]
    peers = _peers()
    print(f"peer libraries importable here: {', '.join(peers) or 'none'}")
    print(f"\nCORAL, {n:,} rows per domain, d = {d}: fit + adapt every row")
    print(f"{'implementation':<44}{'seconds':>9}{'cov. error':>12}")
    rows = [
        ("skt CORAL(reg=0), exact", lambda: skt_coral(X, sd, 0.0)),
        ("skt CORAL(reg=1e-5)", lambda: skt_coral(X, sd, 1e-5)),
        ("skt CORAL(reg=1), the paper's default", lambda: skt_coral(X, sd, 1.0)),
    ]
    peer_rows = []
    if "ADAPT" in peers:
        adapt_coral = peers["ADAPT"][0]
        peer_rows.append(("ADAPT CORAL(lambda_=1e-5)", lambda: (
            adapt_coral(lambda_=1e-5, verbose=0).fit_transform(Xs, Xt), Xt)))
    if "skada" in peers:
        skada_coral = peers["skada"][0]
        peer_rows.append(("skada CORALAdapter() (reg='auto')",
                          lambda: _split(skada_coral().fit_transform(X, sample_domain=sd), sd)))
    peer_rows += [
        ("ADAPT formula (lambda=1e-5, sqrtm + inv)", lambda: adapt_style_coral(Xs, Xt)),
        ("skada formula (Ledoit-Wolf, eigh)", lambda: skada_style_coral(Xs, Xt)),
    ]
    times = {}
    for name, fn in rows + peer_rows:
        t, (zs, _) = best_time(fn, repeat)
        times[name] = t
        print(f"{name:<44}{t:9.2f}{cov_error(zs, Xt):12.1e}", flush=True)
    peer = min(times[name] for name, _ in peer_rows)
    print(f"speed-up of skt (exact, reg=0) over the fastest peer line: "
          f"{peer / times[rows[0][0]]:.1f}x; of skt (reg=1): {peer / times[rows[2][0]]:.1f}x")
    A = np.eye(d) + 0.01 * rng.randn(d, d)
    floor, _ = best_time(lambda: (Xs.T @ Xs, Xt.T @ Xt, Xs @ A), repeat)
    print(f"{'floor: products Xs.T Xs, Xt.T Xt, Xs A':<44}{floor:9.2f}   (the fastest peer line "
          f"takes {peer / floor:.1f}x, skt {times[rows[0][0]] / floor:.1f}x this)")

    print(f"\nSubspace Alignment, {n:,} rows per domain, d = {d}, {k} components")
    t_skt, (zs, zt) = best_time(lambda: skt_sa(X, sd, k), repeat)
    print(f"{'skt SubspaceAlignment':<44}{t_skt:9.2f}", flush=True)
    sa_rows = []
    if "ADAPT" in peers:
        adapt_sa = peers["ADAPT"][1]

        def adapt_both():
            # ADAPT's fit_transform returns the source rows only; embed the target rows too
            model = adapt_sa(n_components=k, verbose=0)
            return model.fit_transform(Xs, Xt), model.transform(Xt)

        sa_rows.append(("ADAPT SA (+ transform of the target rows)", adapt_both))
    if "skada" in peers:
        skada_sa = peers["skada"][1]
        sa_rows.append(("skada SubspaceAlignmentAdapter",
                        lambda: skada_sa(n_components=k).fit_transform(X, sample_domain=sd)))
    sa_rows.append(("PCA-based (ADAPT / skada formula)", lambda: pca_style_sa(Xs, Xt, k)))
    sa_times = {}
    for name, fn in sa_rows:
        sa_times[name], out = best_time(fn, repeat)
        print(f"{name:<44}{sa_times[name]:9.2f}", flush=True)
    P = np.linalg.qr(rng.randn(d, k))[0]
    floor, _ = best_time(lambda: (Xs.T @ Xs, Xt.T @ Xt, Xs @ P, Xt @ P), repeat)
    peer = min(sa_times.values())
    print(f"{'floor: products Xs.T Xs, Xt.T Xt, Xs P, Xt P':<44}{floor:9.2f}   (the fastest peer "
          f"line takes {peer / floor:.1f}x, skt {t_skt / floor:.1f}x this)")
    ps, pt = pca_style_sa(Xs, Xt, k)
    # same result up to the sign of each target component
    signs = np.sign(np.sum(zt * pt, axis=0))
    agree = np.abs(zs - ps * signs).max() / np.abs(ps).max()
    print(f"speed-up over the fastest peer line: {min(sa_times.values()) / t_skt:.1f}x; largest "
          f"relative difference of the source embedding from the PCA formula: {agree:.1e}")


def _split(Z, sd):
    # source rows first, then target rows (as part1 stacks them): views, so that no timing
    # includes a copy of the output that the peers' lines do not make
    n_source = int(np.sum(sd > 0))
    return Z[:n_source], Z[n_source:]


# -- Part 2: TCA and JDA --------------------------------------------------------------------------


def dense_tca(X, sd, gamma, mu, k):
    """The paper's formula, transcribed densely: eigh(K H K, K M K + mu I)."""
    from skt.metrics._kernel_sums import kernel_matrix

    n = X.shape[0]
    K = kernel_matrix(np.ascontiguousarray(X), kernel="rbf", gamma=gamma)
    E = _mmd_factor(sd > 0, sd < 0)
    M = E @ E.T
    H = np.eye(n) - 1.0 / n
    A = K @ H @ K
    B = K @ M @ K + mu * np.eye(n)
    w = linalg.eigh(A, B, subset_by_index=[n - k, n - 1], eigvals_only=True)
    return w[::-1]


def _part2_row(n, dense, k, repeat):
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=n, n_samples_target=n, n_features=50, n_classes=3,
        random_state=0,
    )
    y_train = skt.mask_target_labels(y, sd)
    gamma = skt.metrics.median_heuristic(X[sd > 0], X[sd < 0], random_state=0)

    def tca(**kw):
        return skt.TCA(k, kernel="rbf", gamma=gamma, random_state=0, **kw).fit(
            X, sample_domain=sd)

    def jda(**kw):
        return skt.JDA(k, kernel="rbf", gamma=gamma, random_state=0, **kw).fit(X, y_train)

    t_tca, exact = best_time(tca, repeat)
    t_tca_lm, _ = best_time(lambda: tca(n_landmarks=1000), repeat)
    t_jda, fitted = best_time(jda, 1)
    t_jda_lm, _ = best_time(lambda: jda(n_landmarks=1000), 1)
    t_jda_p, _ = best_time(lambda: skt.JDA(k, kernel="primal").fit(X, y_train), repeat)
    if dense:
        t_dense, w_dense = best_time(lambda: dense_tca(X, sd, gamma, 1.0, k), 1)
        diff = np.abs(w_dense - exact.eigenvalues_).max() / w_dense[0]
        dense_cells = f"{t_dense:11.1f}{diff:11.1e}"
    else:
        dense_cells = f"{'--':>11}{'--':>11}"
    print(f"{n:>12,}{t_tca:11.1f}{t_tca_lm:11.1f}{t_jda:11.1f}{t_jda_lm:11.1f}"
          f"{t_jda_p:12.1f}{dense_cells}   (JDA: {fitted.n_iter_} rounds)", flush=True)


def _warm_up():
    """Fit each form once on a small problem (Numba compiles or loads its kernels here)."""
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=100, n_samples_target=100, n_features=50, n_classes=3,
        random_state=0,
    )
    y_train = skt.mask_target_labels(y, sd)
    forms = [
        {"kernel": "rbf"},
        {"kernel": "rbf", "eigen_solver": "iterative"},
        {"kernel": "rbf", "n_landmarks": 50},
        {"kernel": "primal"},
    ]
    for params in forms:
        skt.JDA(5, max_iter=2, random_state=0, **params).fit(X, y_train)


def part2(sizes, dense_sizes, k, repeat):
    _warm_up()
    print(f"\nTCA and JDA, d = 50, {k} components, RBF kernel (median heuristic), mu = 1")
    header = (f"{'rows/domain':>12}{'TCA exact':>11}{'TCA 1k lm':>11}{'JDA exact':>11}"
              f"{'JDA 1k lm':>11}{'JDA primal':>12}{'dense TCA':>11}{'eig. diff':>11}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        _part2_row(n, n in dense_sizes, k, repeat)
    print("JDA's dense reference would solve one such problem per round (10 rounds).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--n", type=int, default=20000, help="CORAL/SA rows per domain")
    parser.add_argument("--d", type=int, default=500, help="CORAL/SA features")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    args = parser.parse_args(argv)
    if args.quick:
        part1(min(args.n, 5000), min(args.d, 200), 50, 1)
        part2([500, 1000], [500, 1000], 30, 1)
    else:
        part1(args.n, args.d, 100, args.repeat)
        part2([1000, 2000, 4000], [1000, 2000, 4000], 30, 1)


if __name__ == "__main__":
    main()
