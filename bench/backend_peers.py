#!/usr/bin/python3
"""The peers of bench/backends_speed.sh, one measurement per process (see bench/README.md).

    backend_peers.py info
    backend_peers.py sklearn --X X.npy --W0 W0.npy --H0 H0.npy --beta kl|frobenius --max-iter N
                             [--warmup N] [--W-out W.npy --H-out H.npy]
    backend_peers.py torch --V V.npy --k K --steps N [--seed S] [--lr 1e-4] [--warmup N]

Prints one JSON object. The caller (backends_speed.py) starts this script the way a well-tuned user would
run the peer: one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1, torch.set_num_threads(1)), OPENBLAS_L2_SIZE unset,
OPENBLAS_CORETYPE set to the OpenBLAS kernel of the instruction-set level being measured (Prescott, Nehalem,
Haswell, SkylakeX for generic, v2, v3, v4; NPY_DISABLE_CPU_FEATURES and ATEN_CPU_CAPABILITY likewise for NumPy's
and PyTorch's own kernels), and
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456 so that
numpy's large temporaries are reused instead of being unmapped and page-faulted again every iteration.
Every JSON object carries threadpoolctl's report of the BLAS the process actually loaded (its `architecture` is
the kernel OpenBLAS chose: openblas_get_corename()). Times are wall clock (time.perf_counter) and the process's
CPU time (time.process_time, every thread) around the measured call or loop.

sklearn: NMF(n_components=K, init='custom', solver='mu', beta_loss=BETA, max_iter=N, tol=0) on X
(samples x channels, i.e. V transposed) from W=W0, H=H0; the time is that of fit_transform (input checks,
the initial error sklearn always computes, the N iterations and the final error). The objective is computed
here from sklearn's factors with sigstream's definitions: generalised KL sum V log(V/WH) - V + WH (0 log 0
= 0) or 0.5 ||V - WH||^2.

torch: the AE-NMF paper's model and loop in float64: E (n x K), D (K x n) uniform [0,1) (torch.rand after
torch.manual_seed(seed)), loss = mean((V - V |E| |D|)^2), loss.backward(), Adam(lr) step; N steps. The
loss reported at the end is evaluated after the last step (outside the timed loop).
"""
import argparse
import json
import os
import sys
import time
import warnings


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return {"error": "threadpoolctl missing (apt-get install python3-threadpoolctl)"}
    return threadpoolctl.threadpool_info()


def numpy_simd():
    """NumPy's own SIMD: its baseline, the features it dispatches to at run time, and those enabled here (the CPU's
    minus NPY_DISABLE_CPU_FEATURES)."""
    try:
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:
        return None
    return {"baseline": list(__cpu_baseline__), "dispatch": list(__cpu_dispatch__),
            "enabled": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]}


def env_info():
    keys = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
            "ATEN_CPU_CAPABILITY", "NPY_DISABLE_CPU_FEATURES", "GLIBC_TUNABLES"]
    return {k: os.environ.get(k) for k in keys}


def objective(beta, X, W, H):
    """sigstream's objective for X ~ W H (X may be V or V transposed: both are symmetric in it)."""
    import numpy as np

    WH = W @ H
    if beta == "frobenius":
        return 0.5 * float(np.sum((X - WH) ** 2))
    pos = X > 0
    return float(np.sum(X[pos] * np.log(X[pos] / WH[pos])) - X.sum() + WH.sum())


def cmd_info(_):
    out = {"python": sys.version.split()[0], "env": env_info()}
    try:
        import numpy

        out["numpy"] = numpy.__version__
        out["numpy_simd"] = numpy_simd()
    except ImportError:
        out["numpy"] = None
    try:
        import sklearn

        out["sklearn"] = sklearn.__version__
    except ImportError:
        out["sklearn"] = None
    try:
        import torch

        out["torch"] = torch.__version__
        torch.set_num_threads(1)
        out["torch_threads"] = torch.get_num_threads()
        config = torch.__config__.show()
        out["torch_config"] = [item.strip(" -,") for line in config.splitlines() for item in line.split(",")
                               if "BLAS_INFO" in item or "CPU capability" in item]
    except ImportError:
        out["torch"] = None
    out["blas"] = blas_info()
    return out


def cmd_sklearn(a):
    import numpy as np
    from sklearn.decomposition import NMF

    warnings.simplefilter("ignore")
    X = np.load(a.X)
    W0 = np.ascontiguousarray(np.load(a.W0))
    H0 = np.ascontiguousarray(np.load(a.H0))
    k = W0.shape[1]
    beta = {"kl": "kullback-leibler", "frobenius": "frobenius"}[a.beta]

    def fit(iterations):
        model = NMF(n_components=k, init="custom", solver="mu", beta_loss=beta, max_iter=iterations, tol=0)
        W, H = W0.copy(), H0.copy()
        c0 = time.process_time()
        t0 = time.perf_counter()
        W = model.fit_transform(X, W=W, H=H)
        wall = time.perf_counter() - t0
        return wall, time.process_time() - c0, W, model.components_, model.n_iter_

    if a.warmup > 0:
        fit(a.warmup)
    wall, cpu, W, H, n_iter = fit(a.max_iter)
    if a.W_out:
        np.save(a.W_out, W)
        np.save(a.H_out, H)
    import sklearn

    return {"tool": "sklearn", "sklearn": sklearn.__version__, "numpy": np.__version__, "beta": a.beta,
            "X_shape": list(X.shape), "k": k, "max_iter": a.max_iter, "iterations": int(n_iter), "wall_s": wall,
            "cpu_s": cpu, "per_iter_s": wall / max(1, int(n_iter)), "cpu_per_iter_s": cpu / max(1, int(n_iter)),
            "objective_start": objective(a.beta, X, W0, H0),
            "objective": objective(a.beta, X, W, H), "blas": blas_info(), "numpy_simd": numpy_simd()["enabled"],
            "env": env_info()}


def cmd_torch(a):
    import numpy as np
    import torch

    torch.set_num_threads(1)
    V = np.load(a.V)
    Vt = torch.tensor(V, dtype=torch.float64)
    n, k = Vt.shape[1], a.k

    def paper(steps):
        torch.manual_seed(a.seed)
        E = torch.rand(n, k, dtype=torch.float64, requires_grad=True)
        D = torch.rand(k, n, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([E, D], lr=a.lr)
        with torch.no_grad():
            start = torch.mean((Vt - Vt @ torch.abs(E) @ torch.abs(D)) ** 2).item()
        losses = []
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.mean((Vt - Vt @ torch.abs(E) @ torch.abs(D)) ** 2)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        with torch.no_grad():
            final = torch.mean((Vt - Vt @ torch.abs(E) @ torch.abs(D)) ** 2).item()
        return wall, cpu, start, final

    if a.warmup > 0:
        paper(a.warmup)
    wall, cpu, start, final = paper(a.steps)
    return {"tool": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "shape": list(V.shape),
            "k": k, "steps": a.steps, "lr": a.lr, "wall_s": wall, "cpu_s": cpu, "per_iter_s": wall / max(1, a.steps),
            "cpu_per_iter_s": cpu / max(1, a.steps), "capability": torch.backends.cpu.get_cpu_capability()
            if hasattr(torch.backends, "cpu") and hasattr(torch.backends.cpu, "get_cpu_capability") else None,
            "objective_start": start, "objective": final, "blas": blas_info(), "env": env_info()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info")
    s = sub.add_parser("sklearn")
    s.add_argument("--X", required=True)
    s.add_argument("--W0", required=True)
    s.add_argument("--H0", required=True)
    s.add_argument("--beta", choices=["kl", "frobenius"], required=True)
    s.add_argument("--max-iter", type=int, required=True)
    s.add_argument("--warmup", type=int, default=0)
    s.add_argument("--W-out")
    s.add_argument("--H-out")
    t = sub.add_parser("torch")
    t.add_argument("--V", required=True)
    t.add_argument("--k", type=int, required=True)
    t.add_argument("--steps", type=int, required=True)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--warmup", type=int, default=0)
    a = ap.parse_args()
    out = {"info": cmd_info, "sklearn": cmd_sklearn, "torch": cmd_torch}[a.cmd](a)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
