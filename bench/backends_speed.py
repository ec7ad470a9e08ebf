#!/usr/bin/python3
"""Backend speed benchmark: sigstream's nmf, cnmf and aenmf plugins against scikit-learn, PyTorch and a plain
Eigen implementation of nmf's multiplicative updates, at every instruction-set level the CPU has.

Run through bench/backends_speed.sh (which builds the driver and the Eigen reference and waits for an idle
machine); see bench/README.md for what is measured and why. Directly:

    /usr/bin/python3 bench/backends_speed.py --driver build/bench/backend_bench --plugins build/plugins \
        --eigen build/bench [--levels generic,v2,v3,v4] [--data DIR] [--out bench/results/backends_speed.md] [--runs 3]

At each level L (generic, v2, v3, v4: x86-64 micro-architecture levels, src/abi/sigstream_isa.h) sigstream's
plugins run with SIGSTREAM_ISA=L, the peers' OpenBLAS with the kernel of that level (OPENBLAS_CORETYPE: Prescott,
Nehalem, Haswell, SkylakeX; PyTorch's ATEN_CPU_CAPABILITY default, default, avx2, avx512) and the Eigen reference is
bench/mu_eigen.cpp built with -march=x86-64(-vN) (mu_eigen_L); NumPy's own run-time dispatch is held to the
level's instructions too (NPY_DISABLE_CPU_FEATURES). Times are CPU times of the measured process (wall clock
recorded beside them).

Exit status: 0 every target met (or its peer missing: then it is reported as not checked), 3 a target
failed (the table is still written), 1 an error.
"""
import argparse
import csv
import glob
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit("backends_speed.py: numpy is needed to generate the data (apt-get install python3-numpy)")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
COSMIC = os.path.join(REPO, "data", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt")
PEERS = os.path.join(HERE, "backend_peers.py")
PYTHON = "/usr/bin/python3"  # numpy, scikit-learn and torch are Debian packages
TUNABLES = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456"
# How the peers are started: as a well-tuned user would run them (see backend_peers.py), plus the level's kernels.
PEER_ENV = ["env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", "-u", "ATEN_CPU_CAPABILITY", "-u",
            "NPY_DISABLE_CPU_FEATURES", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", f"GLIBC_TUNABLES={TUNABLES}"]
LEVELS = ["generic", "v2", "v3", "v4"]
MARCH = {"generic": "x86-64", "v2": "x86-64-v2", "v3": "x86-64-v3", "v4": "x86-64-v4"}
# OpenBLAS's kernel (DYNAMIC_ARCH core) for each level: the newest core whose instructions the level has (Prescott
# needs SSE3, one step above the x86-64 baseline: the lowest core Debian's OpenBLAS has).
OPENBLAS_CORE = {"generic": "Prescott", "v2": "Nehalem", "v3": "Haswell", "v4": "SkylakeX"}
ATEN_CAPABILITY = {"generic": "default", "v2": "default", "v3": "avx2", "v4": "avx512"}
# NumPy's dispatched SIMD features (its names) within each level; the others it dispatches to are disabled.
NUMPY_LEVEL = {"generic": [], "v2": ["SSSE3", "SSE41", "POPCNT", "SSE42"]}
NUMPY_LEVEL["v3"] = NUMPY_LEVEL["v2"] + ["AVX", "F16C", "FMA3", "AVX2"]
NUMPY_LEVEL["v4"] = NUMPY_LEVEL["v3"] + ["AVX512F", "AVX512CD", "AVX512_SKX"]
FLOOR = 1e-16  # the nmf backend's floor
STRIDE = 100  # (a): the trace_stride of replicate fits (their --tol-window, 100 by default)
# (d)'s starts: cheap ones, with the default solver (cnmf) and step rule (aenmf: backtrack, the default from its
# default start).
D_CNMF = ["init=random", "starts=1"]
D_AENMF = ["init=scaled", "schedule=backtrack"]

# Cohorts: COSMIC v3.4 SBS signatures active in every sample (the first two, the clock-like SBS1 and
# SBS5) or in ~30 % of samples (the others), Dirichlet(1) proportions, log-normal burdens (median 2000
# SNVs, sigma 1: ~55-40 000 per sample), Poisson counts.
POOL10 = ["SBS1", "SBS5", "SBS2", "SBS13", "SBS3", "SBS4", "SBS7a", "SBS17b", "SBS18", "SBS40a"]
POOL5 = ["SBS1", "SBS5", "SBS2", "SBS13", "SBS18"]


def log(msg):
    print(f"[backends_speed] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ data
def cosmic():
    with open(COSMIC) as f:
        rows = list(csv.reader(f, delimiter="\t"))
    names = rows[0][1:]
    return names, np.array([[float(x) for x in r[1:]] for r in rows[1:]])


def cohort(n, pool, seed):
    names, S = cosmic()
    W = S[:, [names.index(p) for p in pool]]
    W /= W.sum(axis=0)
    k = len(pool)
    rng = np.random.default_rng(seed)
    active = rng.random((k, n)) < 0.3
    active[:2] = True
    P = rng.dirichlet(np.ones(k), size=n).T * active
    P /= P.sum(axis=0)
    burden = np.exp(rng.normal(math.log(2000), 1.0, size=n))
    V = rng.poisson(W @ (P * burden)).astype(np.float64)
    V[0, V.sum(axis=0) == 0] = 1  # no empty sample (practically never needed at these burdens)
    return V


def random_start(V, k, seed):
    """W0, H0 uniform on (0, 1) times sqrt(mean(V) / K) (scikit-learn's scale for init='random')."""
    rng = np.random.default_rng(seed)
    s = math.sqrt(V.mean() / k)
    return s * (rng.random((V.shape[0], k)) + 1e-3), s * (rng.random((k, V.shape[1])) + 1e-3)


def mu_w_update(beta, V, W, H):
    """One multiplicative update of W, exactly as the nmf backend's mu solver (nmf_core.h)."""
    if beta == "kl":
        return np.maximum(FLOOR, W * ((V / (W @ H)) @ H.T) / H.sum(axis=1)[np.newaxis, :])
    return np.maximum(FLOOR, W * (V @ H.T) / (W @ H @ H.T))


def objective(beta, V, W, H):
    WH = W @ H
    if beta == "frobenius":
        return 0.5 * float(np.sum((V - WH) ** 2))
    pos = V > 0
    return float(np.sum(V[pos] * np.log(V[pos] / WH[pos])) - V.sum() + WH.sum())


def save(path, A):
    np.save(path, np.ascontiguousarray(A))
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def generate(d, sizes):
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    sums = {}
    # (a), (b): 96 x 1000, K = 10, one random start.
    V = cohort(1000, POOL10, seed=1)
    W0, H0 = random_start(V, 10, seed=2)
    sums["V1000.npy"] = save(p("V1000.npy"), V)
    sums["W0.npy"] = save(p("W0.npy"), W0)
    sums["H0.npy"] = save(p("H0.npy"), H0)
    # scikit-learn factorises X = V^T (samples x channels) as X ~ W_s H_s with W_s = H^T, H_s = W^T, and
    # its MU iteration updates W_s (sigstream's H) first, sigstream's the signatures W first. Started from
    # (W_s, H_s) = (H0^T, W1^T), W1 = sigstream's first W update from (W0, H0), its k-th iteration computes
    # exactly sigstream's H_k and then W_{k+1}: the same sequence, half an iteration ahead.
    save(p("X1000.npy"), V.T)
    save(p("sk_W0.npy"), H0.T)
    save(p("sk_H0.npy"), W0.T)  # (b): the plain same start
    for beta in ("kl", "frobenius"):
        save(p(f"sk_H0_{beta}.npy"), mu_w_update(beta, V, W0, H0).T)  # (a): (H0^T, W1^T)
    # (c): 96 x 300, K = 5.
    sums["V300_k5.npy"] = save(p("V300_k5.npy"), cohort(300, POOL5, seed=3))
    # (d): K = 10 at several sizes.
    for n in sizes:
        sums[f"Vd{n}.npy"] = save(p(f"Vd{n}.npy"), cohort(n, POOL10, seed=4))
    return sums



# ------------------------------------------------------------------ running things
class Runner:
    def __init__(self, driver, plugins, eigen, data):
        self.driver, self.plugins, self.eigen_dir, self.data = driver, plugins, eigen, data
        self.level = None  # the instruction-set level being measured
        self.numpy_dispatch = []  # the SIMD features NumPy dispatches to at run time (from the peers' info)
        self.log = []  # every measurement, for the raw results file

    def path(self, name):
        return os.path.join(self.data, name)

    def _run(self, cmd, label, env=None):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{label} failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        out["label"] = label
        out["level"] = self.level
        out["process_s"] = time.perf_counter() - t0
        keep = {k: v for k, v in out.items() if k not in ("blas", "env")}
        if "numpy_simd" in out and isinstance(out["numpy_simd"], list):
            keep["numpy_simd"] = " ".join(out["numpy_simd"]) or "baseline"
        if isinstance(out.get("blas"), list):  # the OpenBLAS kernel the peer ran, for the raw results
            keep["openblas_core"] = ",".join(b.get("architecture", "?") for b in out["blas"]
                                             if b.get("internal_api") == "openblas")
        self.log.append(keep)
        return out

    def sig(self, label, backend, V, k, max_iter, tol=0.0, params=(), start=None, target=None, warmup=10,
            outputs=None, trace_stride=1):
        cmd = [self.driver, os.path.join(self.plugins, backend + ".so"), "--V", self.path(V), "--k", str(k),
               "--max-iter", str(max_iter), "--tol", repr(tol), "--warmup", str(warmup), "--json"]
        if trace_stride > 1:
            cmd += ["--trace-stride", str(trace_stride)]
        for kv in params:
            cmd += ["--param", kv]
        if start:
            cmd += ["--W0", self.path(start[0]), "--H0", self.path(start[1])]
        if target is not None:
            cmd += ["--target", repr(target), "--stop-at-target"]
        if outputs:
            cmd += ["--W-out", self.path(outputs[0]), "--H-out", self.path(outputs[1])]
        out = self._run(cmd, label, env=dict(os.environ, SIGSTREAM_ISA=self.level))
        if out.get("isa") != self.level:
            raise RuntimeError(f"{label}: the plugin ran at level {out.get('isa')}, not {self.level}")
        return out

    def peer(self, label, args):
        env = [f"OPENBLAS_CORETYPE={OPENBLAS_CORE[self.level]}", f"ATEN_CPU_CAPABILITY={ATEN_CAPABILITY[self.level]}",
               "NPY_DISABLE_CPU_FEATURES=" + " ".join(self.numpy_disabled())]
        out = self._run(PEER_ENV + env + [PYTHON, PEERS] + args, label)
        out["openblas_core"] = self.log[-1].get("openblas_core")
        out["numpy_simd"] = self.log[-1].get("numpy_simd")
        return out

    def numpy_disabled(self):
        return [f for f in self.numpy_dispatch if f not in NUMPY_LEVEL[self.level]]

    def eigen(self, label, beta, n_iter, variant=""):
        exe = os.path.join(self.eigen_dir, f"mu_eigen_{self.level}{variant}")
        return self._run([exe, "--V", self.path("V1000.npy"), "--W0", self.path("W0.npy"), "--H0", self.path("H0.npy"),
                          "--objective", beta, "--iter", str(n_iter), "--warmup", "10"], label)


def rotate(rounds, *tools):
    """Runs each tool `rounds` times, the order rotating every round (A B C, B C A, C A B, ...; two tools: A B, B A)."""
    runs = [[] for _ in tools]
    for r in range(rounds):
        for j in range(len(tools)):
            i = (r + j) % len(tools)
            runs[i].append(tools[i](r))
    return runs


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def cpu_times():
    """/proc/stat's first line: (busy, niced, steal, total) jiffies of all CPUs (busy: all but idle and iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], v[1], v[7], sum(v)


def busy_cores(seconds=2.0):
    """Cores busy over the next `seconds`: (all, of which at nice > 0, stolen by the hypervisor)."""
    a = cpu_times()
    time.sleep(seconds)
    b = cpu_times()
    scale = os.cpu_count() / max(1, b[3] - a[3])
    return tuple(scale * (b[i] - a[i]) for i in range(3))


# ------------------------------------------------------------------ the measurements
SECTION_BUSY = []  # (section, (cores busy, niced, stolen) just before it)


def settle(section, a):
    """Before each comparison: with --wait-idle, wait (within the overall budget) until other processes at normal
    priority leave the CPUs idle (< 0.2 busy cores not niced; niced work, such as a background benchmark at
    nice 19, hardly takes a core from the measured process, and would never stop); records how busy they were."""
    busy = busy_cores(0.5)
    while a.wait_idle > 0 and busy[0] - busy[1] >= 0.2 and time.monotonic() < a.idle_deadline:
        log(f"machine busy ({busy[0]:.2f} cores in use by other processes, {busy[1]:.2f} of them niced) before "
            f"{section}, waiting")
        time.sleep(5)
        busy = busy_cores(0.5)
    SECTION_BUSY.append((section, busy))


def measure_level(a, R, info, level):
    """(a)-(d) at one instruction-set level."""
    RUN.level = level
    have_sk = bool(info.get("sklearn"))
    have_torch = bool(info.get("torch"))
    res = {"a": {}, "b": None, "c": None, "d": {}, "peer_cores": set(), "numpy_simd": set()}
    nofma = level == "v3" and os.path.exists(os.path.join(RUN.eigen_dir, "mu_eigen_v3_nofma"))

    # (a) per iteration, MU, same start, equal iterations: sigstream, scikit-learn, plain Eigen.
    for beta, n_iter in (("kl", a.iter_kl), ("frobenius", a.iter_frobenius)):
        settle(f"{level} (a) {beta}", a)
        log(f"{level}: (a) {beta} MU, {n_iter} iterations, {R} rotating runs" + ("" if have_sk else " (no scikit-learn)"))
        params = [f"objective={beta}", "solver=mu"]
        tools = [lambda r: RUN.sig(f"a_{beta}_sigstream", "nmf", "V1000.npy", 10, n_iter, 0.0, params,
                                   ("W0.npy", "H0.npy"),
                                   outputs=(f"sig_W_{beta}.npy", f"sig_H_{beta}.npy") if r == 0 else None),
                 lambda r: RUN.eigen(f"a_{beta}_eigen", beta, n_iter)]
        if have_sk:
            tools.append(lambda r: RUN.peer(f"a_{beta}_sklearn",
                                            ["sklearn", "--X", RUN.path("X1000.npy"), "--W0", RUN.path("sk_W0.npy"),
                                             "--H0", RUN.path(f"sk_H0_{beta}.npy"), "--beta", beta, "--max-iter",
                                             str(n_iter), "--warmup", "10"]
                                            + (["--W-out", RUN.path(f"sk_W_{beta}.npy"), "--H-out",
                                                RUN.path(f"sk_H_{beta}.npy")] if r == 0 else [])))
        if nofma:
            tools.append(lambda r: RUN.eigen(f"a_{beta}_eigen_nofma", beta, n_iter, "_nofma"))
        # The same fit asking for the objective only every STRIDE iterations, as replicate fits do.
        stride_at = len(tools)
        tools.append(lambda r: RUN.sig(f"a_{beta}_sigstream_stride", "nmf", "V1000.npy", 10, n_iter, 0.0, params,
                                       ("W0.npy", "H0.npy"), trace_stride=STRIDE))
        runs = rotate(R, *tools)
        st_runs = runs.pop(stride_at)
        s_runs, e_runs = runs[0], runs[1]
        entry = {"iterations": n_iter, "sig": s_runs, "sig_per_iter": med(s_runs, "cpu_per_iter_s"),
                 "sig_wall_per_iter": med(s_runs, "per_iter_s"), "sig_objective": s_runs[0]["objective"],
                 "eigen": e_runs, "eigen_per_iter": med(e_runs, "cpu_per_iter_s"),
                 "eigen_wall_per_iter": med(e_runs, "per_iter_s"), "eigen_objective": e_runs[0]["objective"],
                 "eigen_simd": e_runs[0]["simd"], "eigen_version": e_runs[0]["eigen"]}
        entry["sig_stride"] = st_runs
        entry["sig_stride_per_iter"] = med(st_runs, "cpu_per_iter_s")
        entry["sig_stride_wall_per_iter"] = med(st_runs, "per_iter_s")
        if st_runs[0]["objective"] != entry["sig_objective"]:
            raise RuntimeError(f"(a) {beta}: the fit with trace_stride {STRIDE} ended at {st_runs[0]['objective']!r}, "
                               f"not {entry['sig_objective']!r}")
        entry["eigen_rel_objective"] = abs(entry["eigen_objective"] - entry["sig_objective"]) / entry["sig_objective"]
        entry["vs_eigen"] = entry["eigen_per_iter"] / entry["sig_per_iter"]
        if nofma:
            n_runs = runs[-1]
            entry["eigen_nofma"] = n_runs
            entry["eigen_nofma_per_iter"] = med(n_runs, "cpu_per_iter_s")
            entry["eigen_nofma_wall_per_iter"] = med(n_runs, "per_iter_s")
        V = np.load(RUN.path("V1000.npy"))
        Ws, Hs = np.load(RUN.path(f"sig_W_{beta}.npy")), np.load(RUN.path(f"sig_H_{beta}.npy"))
        entry["sig_objective_numpy"] = objective(beta, V, Ws, Hs)
        if have_sk:
            k_runs = runs[2]
            res["peer_cores"].update(r["openblas_core"] for r in k_runs)
            res["numpy_simd"].update(r["numpy_simd"] for r in k_runs)
            entry["sk"] = k_runs
            entry["sk_per_iter"] = med(k_runs, "cpu_per_iter_s")
            entry["sk_wall_per_iter"] = med(k_runs, "per_iter_s")
            # sklearn's factors: W_s = H_N^T, H_s = W_{N+1}^T in sigstream's terms.
            Hk, Wk = np.load(RUN.path(f"sk_W_{beta}.npy")).T, np.load(RUN.path(f"sk_H_{beta}.npy")).T
            W_next = mu_w_update(beta, V, Ws, Hs)  # sigstream's W_{N+1}, one exact update from its (W_N, H_N)
            entry["sk_objective"] = objective(beta, V, Wk, Hk)  # f(W_{N+1}, H_N), sklearn
            entry["sig_objective_same_point"] = objective(beta, V, W_next, Hs)  # f(W_{N+1}, H_N), sigstream
            entry["rel_diff_H"] = float(np.linalg.norm(Hk - Hs) / np.linalg.norm(Hs))
            entry["rel_diff_W"] = float(np.linalg.norm(Wk - W_next) / np.linalg.norm(W_next))
            entry["rel_diff_objective"] = abs(entry["sk_objective"] - entry["sig_objective_same_point"]) / \
                entry["sig_objective_same_point"]
            entry["sig_at_floor"] = int((Ws <= FLOOR).sum() + (Hs <= FLOOR).sum())
            entry["sk_below_floor"] = int((Wk < FLOOR).sum() + (Hk < FLOOR).sum())
            entry["sk_zero"] = int((Wk == 0).sum() + (Hk == 0).sum())
            # Same rules: a short run of both, before entries reach the floors, must give the same iterates.
            n_chk = a.check_iter
            RUN.sig(f"a_{beta}_check_sigstream", "nmf", "V1000.npy", 10, n_chk, 0.0, params, ("W0.npy", "H0.npy"),
                    warmup=0, outputs=(f"chk_sig_W_{beta}.npy", f"chk_sig_H_{beta}.npy"))
            chk = RUN.peer(f"a_{beta}_check_sklearn",
                           ["sklearn", "--X", RUN.path("X1000.npy"), "--W0", RUN.path("sk_W0.npy"), "--H0",
                            RUN.path(f"sk_H0_{beta}.npy"), "--beta", beta, "--max-iter", str(n_chk), "--W-out",
                            RUN.path(f"chk_sk_W_{beta}.npy"), "--H-out", RUN.path(f"chk_sk_H_{beta}.npy")])
            res["peer_cores"].add(chk["openblas_core"])
            cWs, cHs = np.load(RUN.path(f"chk_sig_W_{beta}.npy")), np.load(RUN.path(f"chk_sig_H_{beta}.npy"))
            cHk, cWk = np.load(RUN.path(f"chk_sk_W_{beta}.npy")).T, np.load(RUN.path(f"chk_sk_H_{beta}.npy")).T
            cWn = mu_w_update(beta, V, cWs, cHs)
            entry["check_iter"] = n_chk
            entry["check_diff"] = max(float(np.linalg.norm(cHk - cHs) / np.linalg.norm(cHs)),
                                      float(np.linalg.norm(cWk - cWn) / np.linalg.norm(cWn)))
            entry["check_at_floor"] = int((cWs <= FLOOR).sum() + (cHs <= FLOOR).sum())
            entry["speedup"] = entry["sk_per_iter"] / entry["sig_per_iter"]
            entry["speedup_stride"] = entry["sk_per_iter"] / entry["sig_stride_per_iter"]
        res["a"][beta] = entry

    # (b) time to scikit-learn's 5000-iteration KL objective.
    if have_sk:
        settle(f"{level} (b)", a)
        log(f"{level}: (b) KL: scikit-learn MU {a.sk_iter} iterations vs sigstream nmf defaults (solver=ccd-her), "
            f"{R} runs")
        state = {}

        def sk(r):
            out = RUN.peer("b_sklearn", ["sklearn", "--X", RUN.path("X1000.npy"), "--W0", RUN.path("sk_W0.npy"),
                                         "--H0", RUN.path("sk_H0.npy"), "--beta", "kl", "--max-iter",
                                         str(a.sk_iter), "--warmup", "10"])
            state.setdefault("target", out["objective"])
            return out

        def sig(r):  # sigstream's defaults (solver=ccd-her, tol 1e-7 over 100 iterations, max_iter 10000), stopped at the target
            return RUN.sig("b_sigstream_ccd", "nmf", "V1000.npy", 10, 10000, 1e-7, [], ("W0.npy", "H0.npy"),
                           target=state["target"])

        k_runs, s_runs = rotate(R, sk, sig)  # sklearn first: its objective is the target
        res["peer_cores"].update(r["openblas_core"] for r in k_runs)
        mu_run = RUN.sig("b_sigstream_mu", "nmf", "V1000.npy", 10, 10000, 1e-7, ["solver=mu"], ("W0.npy", "H0.npy"),
                         target=state["target"])
        inf = math.inf
        res["b"] = {"target": state["target"], "sk": k_runs, "sig": s_runs, "sig_mu": mu_run,
                    "sk_cpu": med(k_runs, "cpu_s"), "sk_wall": med(k_runs, "wall_s"), "sk_iterations": a.sk_iter,
                    "sig_iteration": s_runs[0]["target_iteration"],
                    "sig_cpu": statistics.median(r["target_cpu_s"] if r["target_cpu_s"] is not None else inf
                                                 for r in s_runs),
                    "sig_wall": statistics.median(r["target_s"] if r["target_s"] is not None else inf
                                                  for r in s_runs),
                    "sk_objectives_equal": len({r["objective"] for r in k_runs}) == 1}
        res["b"]["speedup"] = res["b"]["sk_cpu"] / res["b"]["sig_cpu"]

    # (c) AE-NMF against PyTorch float64, 96 x 300, K = 5.
    settle(f"{level} (c)", a)
    log(f"{level}: (c) AE-NMF: PyTorch {a.torch_steps} steps (paper) vs aenmf paper settings and defaults, {R} runs"
        + ("" if have_torch else " (no torch)"))
    paper = ["init=uniform", "schedule=constant"]
    sig_paper = lambda r: RUN.sig("c_aenmf_paper", "aenmf", "V300_k5.npy", 5, a.torch_steps, 0.0, paper,  # noqa: E731
                                  warmup=20)
    if have_torch:
        state = {}

        def th(r):
            out = RUN.peer("c_torch", ["torch", "--V", RUN.path("V300_k5.npy"), "--k", "5", "--steps",
                                       str(a.torch_steps), "--warmup", "20"])
            state.setdefault("target", out["objective"])
            return out

        def sig(r):
            paper_run = sig_paper(r)
            default_run = RUN.sig("c_aenmf_defaults", "aenmf", "V300_k5.npy", 5, 10000, 1e-7, [],
                                  target=state["target"], warmup=0)
            return {"paper": paper_run, "defaults": default_run}

        t_runs, s_runs = rotate(R, th, sig)
        paper_runs = [s["paper"] for s in s_runs]
        def_runs = [s["defaults"] for s in s_runs]
        res["c"] = {"target": state["target"], "torch": t_runs, "paper": paper_runs, "defaults": def_runs,
                    "torch_per_step": med(t_runs, "cpu_per_iter_s"), "paper_per_step": med(paper_runs, "cpu_per_iter_s"),
                    "torch_cpu": med(t_runs, "cpu_s"), "torch_capability": t_runs[0].get("capability"),
                    "def_iteration": def_runs[0]["target_iteration"],
                    "def_time": statistics.median(r["target_cpu_s"] if r["target_cpu_s"] is not None else math.inf
                                                  for r in def_runs)}
        res["c"]["step_speedup"] = res["c"]["torch_per_step"] / res["c"]["paper_per_step"]
        res["c"]["loss_speedup"] = res["c"]["torch_cpu"] / res["c"]["def_time"]
    else:
        paper_runs = [sig_paper(r) for r in range(R)]
        res["c"] = {"paper": paper_runs, "paper_per_step": med(paper_runs, "cpu_per_iter_s")}

    # (d) cnmf and aenmf per iteration against n (the backends' solvers and step rules, tol = 0), from cheap starts:
    # the steady time leaves the start out anyway, and the default starts (cnmf: the best of 8 NMF-based starts, each
    # run until it stalls; aenmf: cnmf's fit) take minutes at n = 200 000.
    for n in a.sizes:
        iters = max(20, round(a.d_work / n))
        settle(f"{level} (d) n = {n}", a)
        log(f"{level}: (d) n = {n}: cnmf and aenmf, {iters} iterations, {R} alternating runs")
        c_runs, e_runs = rotate(
            R, lambda r: RUN.sig(f"d_cnmf_{n}", "cnmf", f"Vd{n}.npy", 10, iters, 0.0, D_CNMF, warmup=0),
            lambda r: RUN.sig(f"d_aenmf_{n}", "aenmf", f"Vd{n}.npy", 10, iters, 0.0, D_AENMF, warmup=0))
        res["d"][n] = {"iterations": iters, "cnmf": med(c_runs, "steady_cpu_per_iter_s"),
                       "aenmf": med(e_runs, "steady_cpu_per_iter_s"),
                       "cnmf_wall": med(c_runs, "steady_per_iter_s"), "aenmf_wall": med(e_runs, "steady_per_iter_s")}
    res["peer_cores"] = sorted(c for c in res["peer_cores"] if c)
    res["numpy_simd"] = sorted(c for c in res["numpy_simd"] if c)
    return res


# ------------------------------------------------------------------ report
def us(s):
    return f"{s * 1e6:,.1f} µs" if s < 1e-3 else f"{s * 1e3:,.2f} ms"


def secs(s):
    if not math.isfinite(s):
        return "not reached"
    return f"{s * 1e3:,.1f} ms" if s < 1 else f"{s:,.2f} s"


def verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


def report(a, results, info, meta):
    R = a.runs
    out, checks = [], []  # checks: (level, target, measured, ok)
    levels = list(results)
    have_sk = bool(info.get("sklearn"))
    out.append("## Backend speed\n")
    if a.smoke:
        out.append("**Smoke run** (`BENCH_QUICK=1`): too few iterations and runs for figures; (b)'s target, set by "
                   f"{a.sk_iter} scikit-learn iterations, is too easy to show the default solver's lead.\n")
    ob = meta["openblas"]
    cores = "; ".join(f"{lv}: **{', '.join(results[lv]['peer_cores']) or '–'}**" for lv in levels)
    nsimd = info.get("numpy_simd") or {}
    numpy_txt = (f"NumPy's own SIMD (baseline {' '.join(nsimd.get('baseline', []))}; run-time dispatch held to the "
                 "level by NPY_DISABLE_CPU_FEATURES) enabled in the peers: "
                 + "; ".join(f"{lv}: {', '.join(results[lv]['numpy_simd']) or '–'}" for lv in levels))
    blas_txt = (f"OpenBLAS {ob.get('version')} `{ob.get('filepath')}` (its own choice on this CPU, unforced: "
                f"{ob.get('architecture')}); kernel each peer process ran (threadpoolctl, openblas_get_corename): "
                f"{cores}" if ob else f"**not OpenBLAS**: {json.dumps(info.get('blas'))}")
    peers = [f"scikit-learn {info['sklearn']}" if have_sk
             else "scikit-learn **not installed: (a) peer and (b) skipped** (apt-get install python3-sklearn)",
             f"PyTorch {info['torch']} ({', '.join(info.get('torch_config', []))})" if info.get("torch")
             else "PyTorch **not installed: (c) peer skipped** (apt-get install python3-torch)"]
    cpu = meta["cpu"]
    out.append(
        f"**CPU: {cpu['model']}** ({cpu['vendor']}, family {cpu['family']} model {cpu['model_number']} stepping "
        f"{cpu['stepping']}, {cpu['mhz']} MHz{', virtual machine' if cpu['virtual'] else ''}; "
        f"{', '.join(cpu['features'])}), highest level **{meta['isa_cpu']}**; {os.cpu_count()} cores, {meta['mem']} GiB "
        f"RAM; caches {meta['caches']}. **Levels measured: {', '.join(levels)}**"
        + (" — each level below the CPU's is forced (SIGSTREAM_ISA, OPENBLAS_CORETYPE, -march) on this CPU, which "
           "shows that level's code, not a CPU of that generation" if len(levels) > 1 or levels[0] != meta['isa_cpu']
           else "") + ".\n")
    out.append(
        f"{meta['date']}, sigstream {meta['sig_version']}, plugins {', '.join(meta['plugins'])}; compiler "
        f"{meta['compiler']}; Eigen {meta['eigen']}; Python {info.get('python')}, NumPy {info.get('numpy')}, "
        f"{', '.join(peers)}; NumPy's BLAS in the peers' processes: {blas_txt}; {numpy_txt}. One thread everywhere. At level L: "
        f"sigstream's plugins with `SIGSTREAM_ISA=L` (every run checked to report it), through the C ABI by "
        f"`bench/backend_bench` (dlopen, fit()); the peers started as `{' '.join(PEER_ENV)} "
        f"OPENBLAS_CORETYPE=<{', '.join(OPENBLAS_CORE[lv] for lv in LEVELS)}> "
        f"ATEN_CPU_CAPABILITY=<{', '.join(ATEN_CAPABILITY[lv] for lv in LEVELS)}> "
        f"NPY_DISABLE_CPU_FEATURES=<NumPy's dispatched features above the level> /usr/bin/python3 …`; the Eigen "
        f"reference `bench/mu_eigen.cpp` built with `-O3 -march=<{', '.join(MARCH[lv] for lv in LEVELS)}>` "
        f"(`mu_eigen_L`). **Times are CPU times** of the measured process around the measured call (wall clock in "
        f"`backends_speed_runs.json` and as wall ÷ CPU below: 1.00 means nothing else took the core). Each "
        f"comparison rotates the tools (A B C, B C A, …), {R} run{'s' if R != 1 else ''} each, every run a fresh "
        f"process; medians. The peers, the Eigen reference and the per-iteration runs of (a) and (c) begin with an "
        f"unmeasured warm-up fit in the same process; sigstream's time-to-target runs in (b) and (c) start cold, as a "
        f"single fit would; (d) leaves out iteration 1 instead.\n")
    sb = meta["section_busy"]
    waited = (f" (`BENCH_WAIT_IDLE={a.wait_idle:g}`: before each comparison, waited for fewer than 0.2 cores busy "
              "at normal priority, within that budget in all)" if a.wait_idle > 0 else "")
    out.append(
        f"Other work on the machine{waited}: {meta['busy_before']} cores busy just before (load average "
        f"{meta['load_before']}), {meta['busy_during']:.2f} on average during the {meta['elapsed']:.0f} s of "
        f"measurement (just before each comparison between {min(b[0] for _, b in sb):.2f} and "
        f"{max(b[0] for _, b in sb):.2f} cores, at most {max(b[1] for _, b in sb):.2f} of them niced, at most "
        f"{max(b[2] for _, b in sb):.2f} stolen by the hypervisor), {meta['busy_after'][0]:.2f} just after (load "
        f"average {meta['load_after']}). Work at normal priority takes turns with the measured thread on its core "
        f"(wall ÷ CPU above 1), niced work hardly does; both share the caches and memory bandwidth. CPU time leaves "
        f"out the turns, not the cache effects: it is the least disturbed measure, not an undisturbed one.\n")
    out.append("Data (`bench/backends_speed.py`, fixed seeds): Poisson counts from COSMIC v3.4 SBS signatures "
               "(K = 10: " + ", ".join(POOL10) + "; K = 5: " + ", ".join(POOL5) + "), SBS1 and SBS5 in every "
               "sample, each other signature in ~30 %, Dirichlet proportions, log-normal burdens (median 2000, "
               "σ = 1). The 96 × 1000 matrix is dense (" + f"{meta['zeros_1000']:.1%} zeros).\n")

    # (a)
    out.append("### (a) Per iteration: multiplicative updates, same start, equal iterations (96 × 1000, K = 10)\n")
    nofma = any("eigen_nofma" in results[lv]["a"][b] for lv in levels for b in results[lv]["a"])
    out.append("CPU time per iteration; speed-up = the other's time ÷ sigstream's. sigstream twice: with the objective "
               f"after every iteration (a fit whose trace is kept, `trace.tsv`), and with it every {STRIDE}th "
               f"(`trace_stride` {STRIDE}: what replicate and cross-validation fits ask for, their `--tol-window`; "
               "KL MU then skips the logarithms, the factors are the same bits). scikit-learn with `tol=0` computes "
               "no objective, so it is compared with the second; the Eigen reference computes it after every "
               "iteration, so it is compared with the first.\n")
    out.append("| level | objective | N | sigstream `nmf solver=mu` | … objective every "
               f"{STRIDE}th | scikit-learn `NMF(solver='mu')` | plain Eigen "
               "(`mu_eigen`) |" + (" Eigen without FMA |" if nofma else "") +
               " speed-up vs scikit-learn | vs Eigen | wall ÷ CPU: sigstream / scikit-learn / Eigen |")
    out.append("|---|---|---:|---:|---:|---:|---:|" + ("---:|" if nofma else "") + "---:|---:|---|")
    for lv in levels:
        for beta, e in results[lv]["a"].items():
            name = {"kl": "KL", "frobenius": "Frobenius"}[beta]
            sk = us(e["sk_per_iter"]) if "sk" in e else "–"
            nf = (f" {us(e['eigen_nofma_per_iter'])} |" if "eigen_nofma" in e else " – |") if nofma else ""
            ratio = (f"{e['sig_wall_per_iter'] / e['sig_per_iter']:.2f} / "
                     + (f"{e['sk_wall_per_iter'] / e['sk_per_iter']:.2f}" if "sk" in e else "–")
                     + f" / {e['eigen_wall_per_iter'] / e['eigen_per_iter']:.2f}")
            out.append(f"| {lv} | {name} | {e['iterations']} | **{us(e['sig_per_iter'])}** | "
                       f"**{us(e['sig_stride_per_iter'])}** | {sk} | "
                       f"{us(e['eigen_per_iter'])} |{nf} "
                       + (f"{e['speedup_stride']:.2f}× ({e['speedup']:.2f}× every iteration)" if "sk" in e else "–")
                       + f" | {e['vs_eigen']:.2f}× | {ratio} |")
            if "sk" in e:
                checks.append((lv, f"(a) {name} MU per iteration ≤ scikit-learn's (OpenBLAS {OPENBLAS_CORE[lv]}; "
                               f"sigstream's objective every {STRIDE}th iteration, scikit-learn's never)",
                               f"{us(e['sig_stride_per_iter'])} vs {us(e['sk_per_iter'])} "
                               f"({e['speedup_stride']:.2f}×)",
                               e["speedup_stride"] >= 1.0))
            else:
                checks.append((lv, f"(a) {name} MU per iteration ≤ scikit-learn's", "scikit-learn not installed", None))
            checks.append((lv, f"(a) {name} MU per iteration ≤ plain Eigen's (-march={MARCH[lv]})",
                           f"{us(e['sig_per_iter'])} vs {us(e['eigen_per_iter'])} ({e['vs_eigen']:.2f}×)",
                           e["vs_eigen"] >= 1.0))
    out.append("")
    out.append("Same computation: objectives after N iterations, and how the factors compare.\n")
    out.append("| level | objective | sigstream f(W_N, H_N) | Eigen f(W_N, H_N) (relative difference) | scikit-learn / "
               "sigstream at the same point (relative difference) | factors' relative difference (entries ≤ 1e-16: "
               "sigstream / scikit-learn) |")
    out.append("|---|---|---:|---|---|---|")
    for lv in levels:
        for beta, e in results[lv]["a"].items():
            name = {"kl": "KL", "frobenius": "Frobenius"}[beta]
            if "sk" in e:
                same = (f"{e['sk_objective']:.10g} / {e['sig_objective_same_point']:.10g} "
                        f"({e['rel_diff_objective']:.1e})")
                fac = (f"{max(e['rel_diff_H'], e['rel_diff_W']):.1e} ({e['sig_at_floor']} / {e['sk_below_floor']}, "
                       f"{e['sk_zero']} zero)")
                checks.append((lv, f"(a) {name}: same rules — after {e['check_iter']} iterations from the same start, "
                               "scikit-learn's factors and sigstream's agree to a relative 1e-10",
                               f"{e['check_diff']:.1e} ({e['check_at_floor']} of sigstream's entries at its floor)",
                               e["check_diff"] <= 1e-10))
            else:
                same = fac = "–"
            out.append(f"| {lv} | {name} | {e['sig_objective']:.10g} | {e['eigen_objective']:.10g} "
                       f"({e['eigen_rel_objective']:.1e}) | {same} | {fac} |")
            checks.append((lv, f"(a) {name}: the Eigen reference computes the same — its objective after "
                           f"{e['iterations']} iterations within a relative 1e-8 of sigstream's",
                           f"{e['eigen_rel_objective']:.1e}", e["eigen_rel_objective"] <= 1e-8))
    out.append("")
    out.append("scikit-learn factorises X = Vᵀ (samples × channels) and its iteration updates the exposures first, "
               "sigstream's the signatures first. So scikit-learn starts from (H₀ᵀ, W₁ᵀ), W₁ being sigstream's "
               "first W update from (W₀, H₀) computed in NumPy; its N iterations then compute sigstream's "
               "H₁ … H_N and W₂ … W_{N+1}: the same sequence half an iteration ahead. The objective column "
               "compares both at that point (sigstream's W_{N+1} is one exact update from its (W_N, H_N), in "
               "NumPy). The rules are the same; the floors are not: sigstream keeps every entry ≥ 1e-16, scikit-learn "
               "lets entries fall below it (and sets its H, here the signatures, to 0 below 2.2e-16 for KL), where "
               "a multiplicative update can no longer move them. The iterates agree to rounding (checked after a "
               "few iterations: see the targets) until entries reach the floor; after that they drift apart slowly "
               "(factors' relative difference, Frobenius norm, after N), and scikit-learn, whose zeros stay "
               "zero, ends slightly higher. The Eigen reference (`bench/mu_eigen.cpp`) is sigstream's update written "
               "plainly in Eigen with the same reuse and floors, from (W₀, H₀): its objective differs from "
               "sigstream's by rounding only (Eigen's products use fused multiply-adds at v3 and v4, sigstream's "
               "kernels never do, so that every level gives the same bits). Times are whole calls divided by N: "
               "`fit_transform` with its input checks and initial and final error; the plugin's `fit()` with its "
               "objective after every iteration; Eigen's copies of the start, its first evaluation and its N "
               "iterations (with the objective after each)."
               + (" *Eigen without FMA* is `mu_eigen_v3_nofma` (`-march=x86-64-v3 -mno-fma`): Eigen's own speed at "
                  "v3 without the fused multiply-adds sigstream may not use." if nofma else "") + "\n")

    # (b)
    out.append(f"### (b) Time to scikit-learn's {a.sk_iter}-iteration KL objective (96 × 1000, K = 10, same start)\n")
    if have_sk:
        out.append(f"CPU time; scikit-learn's is its {a.sk_iter} iterations, sigstream's from the start of `fit()` to "
                   "the first iteration whose KL is at or below scikit-learn's final KL.\n")
        out.append(f"| level | scikit-learn `NMF(solver='mu', beta_loss='kullback-leibler', max_iter={a.sk_iter}, "
                   "tol=0)` | its KL (the target) | sigstream `nmf` defaults (`solver=ccd-her`) | iterations | "
                   "speed-up | `nmf solver=mu` (for reference) | wall ÷ CPU: scikit-learn / sigstream |")
        out.append("|---|---:|---:|---:|---:|---:|---|---|")
        for lv in levels:
            b = results[lv]["b"]
            mu = b["sig_mu"]
            mu_txt = (f"{secs(mu['target_cpu_s'])} ({mu['target_iteration']} iterations)"
                      if mu.get("target_cpu_s") is not None else "not reached")
            out.append(f"| {lv} | {secs(b['sk_cpu'])} | {b['target']:.10g} | **{secs(b['sig_cpu'])}** | "
                       f"{b['sig_iteration']} | {b['speedup']:.1f}× | {mu_txt} | "
                       f"{b['sk_wall'] / b['sk_cpu']:.2f} / {b['sig_wall'] / b['sig_cpu']:.2f} |")
            checks.append((lv, f"(b) sigstream's default KL solver reaches scikit-learn's {a.sk_iter}-iteration "
                           "objective ≥ 5× sooner", f"{secs(b['sig_cpu'])} vs {secs(b['sk_cpu'])} "
                           f"({b['speedup']:.2f}×)", b["speedup"] >= 5.0))
        out.append("")
    else:
        out.append("Skipped: scikit-learn is not installed.\n")
        for lv in levels:
            checks.append((lv, f"(b) ≥ 5× sooner to scikit-learn's {a.sk_iter}-iteration KL objective",
                           "scikit-learn not installed", None))

    # (c)
    out.append("### (c) AE-NMF against PyTorch float64 (96 × 300, K = 5)\n")
    has_t = "torch" in results[levels[0]]["c"]
    out.append("CPU time per Adam step (whole loop or call ÷ steps) and to PyTorch's final loss.\n")
    out.append(f"| level | PyTorch, the paper's loop, per step | sigstream `aenmf init=uniform schedule=constant` "
               f"(the paper's settings), per step | speed-up | sigstream `aenmf` defaults to PyTorch's "
               f"{a.torch_steps:,}-step loss | steps | vs PyTorch's {a.torch_steps:,} steps |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for lv in levels:
        c = results[lv]["c"]
        if has_t:
            out.append(f"| {lv} | {us(c['torch_per_step'])} | **{us(c['paper_per_step'])}** | "
                       f"{c['step_speedup']:.1f}× | **{secs(c['def_time'])}** | {c['def_iteration']} | "
                       f"{c['loss_speedup']:,.0f}× |")
            checks.append((lv, "(c) aenmf ≥ 3× faster per Adam step than PyTorch float64",
                           f"{us(c['paper_per_step'])} vs {us(c['torch_per_step'])} ({c['step_speedup']:.1f}×)",
                           c["step_speedup"] >= 3.0))
            checks.append((lv, f"(c) aenmf defaults reach PyTorch's {a.torch_steps:,}-step loss ≥ 20× sooner",
                           f"{secs(c['def_time'])} vs {secs(c['torch_cpu'])} ({c['loss_speedup']:,.0f}×)",
                           c["loss_speedup"] >= 20.0))
        else:
            out.append(f"| {lv} | not installed | **{us(c['paper_per_step'])}** | – | – | – | – |")
            checks.append((lv, "(c) AE-NMF against PyTorch", "PyTorch not installed", None))
    out.append("")
    out.append("PyTorch (the loop of Egendal et al.: uniform [0,1) init, `V @ abs(E) @ abs(D)`, MSE, `backward()`, Adam "
               "lr 1e-4) and `aenmf init=uniform` start from uniform [0,1) draws of their own generators (same "
               f"distribution, not the same numbers), so their losses after {a.torch_steps:,} steps differ a little. "
               "PyTorch's level is set by `ATEN_CPU_CAPABILITY` (its own kernels) and `OPENBLAS_CORETYPE`.\n")

    # (d)
    sizes = sorted(results[levels[0]]["d"])
    out.append("### (d) Per-iteration time against the number of samples (K = 10)\n")
    out.append(f"The backends' default solver and step rule from cheap starts (`cnmf {' '.join(D_CNMF)}`, `aenmf "
               f"{' '.join(D_AENMF)}`): the steady time leaves the start out, and the default starts (cnmf: the best "
               "of 8 NMF-based starts, each run until it stalls; aenmf: cnmf's fit) would take minutes at n = "
               "200 000.\n")
    out.append("Steady CPU time per iteration (from the end of iteration 1 to the end of the call: setup and start left "
               "out) and per sample.\n")
    out.append("| level | samples n | V and Vᵀ | iterations | `cnmf` per iteration | per sample | `aenmf` per Adam step "
               "| per sample |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for lv in levels:
        d = results[lv]["d"]
        for n in sizes:
            e = d[n]
            out.append(f"| {lv} | {n:,} | {2 * 96 * n * 8 / 2**20:,.1f} MiB | {e['iterations']} | {us(e['cnmf'])} | "
                       f"{e['cnmf'] / n * 1e9:,.0f} ns | {us(e['aenmf'])} | {e['aenmf'] / n * 1e9:,.0f} ns |")
        # Linear growth: between consecutive sizes the time per iteration and sample may rise by at most 2x (the
        # working set leaving the caches costs some); an O(n^2) step (a cols x cols Gram matrix) would multiply it
        # by the size ratio.
        for be in ("cnmf", "aenmf"):
            for lo_, hi_ in zip(sizes, sizes[1:]):
                ratio = (d[hi_][be] / hi_) / (d[lo_][be] / lo_)
                expo = math.log(d[hi_][be] / d[lo_][be]) / math.log(hi_ / lo_)
                checks.append((lv, f"(d) {be} linear in n: time per iteration and sample at n = {hi_:,} ≤ 2× that "
                               f"at n = {lo_:,} (O(n²) would give {hi_ / lo_:.1f}×)",
                               f"{ratio:.2f}× (time ∝ n^{expo:.2f})", ratio <= 2.0))
    out.append("")
    out.append("Every array both backends touch in an iteration is O(n) — V, a copy of Vᵀ, the n × K factors (and for "
               "aenmf Adam's n × 2K moments) — and neither forms the n × n matrix VᵀV. The time per sample rises as "
               "these arrays leave the L2 and then the L3 cache, where memory bandwidth rather than arithmetic sets "
               "the pace (and where another process using memory slows it too).\n")

    out.append("### Targets\n")
    out.append("| level | target | measured | result |")
    out.append("|---|---|---|---|")
    for lv in levels:
        core_ok = results[lv]["peer_cores"] == [OPENBLAS_CORE[lv]] if have_sk else None
        checks.append((lv, f"setting: every peer process ran OpenBLAS's {OPENBLAS_CORE[lv]} kernel",
                       ", ".join(results[lv]["peer_cores"]) or "no peer run", core_ok))
    order = {lv: i for i, lv in enumerate(levels)}
    for lv, name, measured, ok in sorted(checks, key=lambda c: order[c[0]]):
        out.append(f"| {lv} | {name} | {measured} | {'not checked (peer missing)' if ok is None else verdict(ok)} |")
    out.append("")
    return "\n".join(out), all(ok is not False for _, _, _, ok in checks)


# ------------------------------------------------------------------ about the machine
def cpu_info():
    info = {"model": "?", "vendor": "?", "family": "?", "model_number": "?", "stepping": "?", "mhz": "?"}
    keys = {"model name": "model", "vendor_id": "vendor", "cpu family": "family", "model": "model_number",
            "stepping": "stepping", "cpu MHz": "mhz"}
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break  # the first processor only
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key in keys:
                info[keys[key]] = value
            elif key == "flags":
                flags = set(value.split())
    names = [("sse4_2", "SSE4.2"), ("avx", "AVX"), ("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"),
             ("avx512bw", "BW"), ("avx512dq", "DQ"), ("avx512vl", "VL"), ("avx512_bf16", "AVX-512 BF16"),
             ("avx512_fp16", "AVX-512 FP16"), ("amx_tile", "AMX")]
    info["features"] = [label for flag, label in names if flag in flags]
    info["virtual"] = "hypervisor" in flags
    info["flags"] = sorted(flags)
    return info


def compiler_info(build):
    cache = os.path.join(build, "CMakeCache.txt")
    vals = {}
    try:
        with open(cache) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                if k.startswith(("CMAKE_CXX_COMPILER:", "CMAKE_CXX_FLAGS_RELEASE:", "CMAKE_BUILD_TYPE:")):
                    vals[k.split(":")[0]] = v
    except OSError:
        return "unknown"
    cxx = vals.get("CMAKE_CXX_COMPILER", "c++")
    try:
        version = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        version = cxx
    return f"{version} ({vals.get('CMAKE_BUILD_TYPE', '?')}, `{vals.get('CMAKE_CXX_FLAGS_RELEASE', '?')}`)"


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--driver", required=True, help="bench/backend_bench executable")
    ap.add_argument("--plugins", required=True, help="folder with nmf.so, cnmf.so, aenmf.so")
    ap.add_argument("--eigen", required=True, help="folder with mu_eigen_generic, _v2, _v3, _v4 (and _v3_nofma)")
    ap.add_argument("--levels", default="",
                    help="comma-separated instruction-set levels to measure (default: every level this CPU has)")
    ap.add_argument("--data", default="/work/bench-data/backends", help="where the generated matrices go")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "backends_speed.md"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iter-kl", type=int, default=1000, help="(a) KL MU iterations")
    ap.add_argument("--iter-frobenius", type=int, default=2000, help="(a) Frobenius MU iterations")
    ap.add_argument("--check-iter", type=int, default=50, help="(a) iterations of the same-rules check")
    ap.add_argument("--sk-iter", type=int, default=5000, help="(b) scikit-learn iterations that set the target")
    ap.add_argument("--torch-steps", type=int, default=20000, help="(c) PyTorch steps that set the target")
    ap.add_argument("--sizes", default="300,2000,20000,200000", help="(d) numbers of samples")
    ap.add_argument("--d-work", type=float, default=1.2e6,
                    help="(d) iterations x samples per run (at least 20 iterations)")
    ap.add_argument("--wait-idle", type=float, default=0,
                    help="seconds in all to wait for idle CPUs before the comparisons (0: do not wait)")
    ap.add_argument("--smoke", action="store_true", help="say in the report that this is a smoke run (BENCH_QUICK=1)")
    ap.add_argument("--busy-before", default="?")
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--sig-version", default="?")
    a = ap.parse_args()
    a.sizes = [int(x) for x in a.sizes.split(",")]
    a.idle_deadline = time.monotonic() + a.wait_idle

    global RUN
    RUN = Runner(os.path.abspath(a.driver), os.path.abspath(a.plugins), os.path.abspath(a.eigen),
                 os.path.abspath(a.data))
    # The levels: the CPU's highest as the plugins see it (the driver reads src/abi/sigstream_isa.h).
    env = {k: v for k, v in os.environ.items() if k != "SIGSTREAM_ISA"}
    probe = subprocess.run([RUN.driver, "--isa"], capture_output=True, text=True, env=env)
    isa_cpu = json.loads(probe.stdout)["isa_cpu"]
    have = LEVELS[:LEVELS.index(isa_cpu) + 1]
    levels = [x for x in a.levels.split(",") if x] or have
    for lv in levels:
        if lv not in LEVELS:
            raise RuntimeError(f"--levels: {lv} is not a level ({', '.join(LEVELS)})")
        if lv not in have:
            raise RuntimeError(f"--levels: this CPU runs up to {isa_cpu}, not {lv}")
        exe = os.path.join(RUN.eigen_dir, f"mu_eigen_{lv}")
        if not os.access(exe, os.X_OK):
            raise RuntimeError(f"{exe} missing (cmake --build BUILD --target mu_eigen)")
    levels = [lv for lv in LEVELS if lv in levels]
    log(f"CPU runs up to {isa_cpu}; measuring {', '.join(levels)}")

    info = RUN._run(PEER_ENV + [PYTHON, PEERS, "info"], "info")  # OpenBLAS's own choice: no level forced
    RUN.numpy_dispatch = (info.get("numpy_simd") or {}).get("dispatch", [])
    log(f"peers: scikit-learn {info.get('sklearn') or 'MISSING (skipped)'}, torch {info.get('torch') or 'MISSING (skipped)'}")
    ob = [b for b in info.get("blas") or [] if isinstance(b, dict) and b.get("internal_api") == "openblas"]
    if ob:
        log(f"peers' BLAS: {ob[0]['filepath']} ({ob[0]['architecture']} unforced, {ob[0]['num_threads']} thread)")
    else:
        log(f"WARNING: NumPy in the peers' processes does not use OpenBLAS: {info.get('blas')}")
    if ob and "openblas-pthread" not in ob[0]["filepath"]:
        log(f"WARNING: OpenBLAS is not libopenblas0-pthread's: {ob[0]['filepath']}")

    log(f"generating data in {a.data}")
    sums = generate(a.data, a.sizes)

    t0 = time.perf_counter()
    c0 = cpu_times()
    own0 = os.times()
    results = {}
    for lv in levels:
        results[lv] = measure_level(a, a.runs, info, lv)
    elapsed = time.perf_counter() - t0
    c1 = cpu_times()
    own1 = os.times()
    own_cpu = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system) + \
        (own1.user + own1.system) - (own0.user + own0.system)
    busy_total = os.cpu_count() * (c1[0] - c0[0]) / max(1, c1[3] - c0[3])
    busy_during = max(0.0, busy_total - own_cpu / elapsed)
    busy_after = busy_cores()
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[0]
    with open("/proc/meminfo") as f:
        mem = round(int(f.readline().split()[1]) / 1048576)
    V = np.load(RUN.path("V1000.npy"))
    caches = []
    for idx in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index*")):
        try:
            level = open(os.path.join(idx, "level")).read().strip()
            kind = open(os.path.join(idx, "type")).read().strip()
            size = open(os.path.join(idx, "size")).read().strip()
        except OSError:
            continue
        if kind != "Instruction":
            caches.append(f"L{level} {size}")
    plugins = sorted({f"{r['backend']} {r['version']}" for r in RUN.log if "backend" in r})
    eigen = sorted({r["eigen"] for r in RUN.log if "eigen" in r})
    meta = {"date": time.strftime("%Y-%m-%d", time.gmtime()), "sig_version": a.sig_version, "plugins": plugins,
            "caches": ", ".join(caches) or "unknown", "cpu": cpu_info(), "isa_cpu": isa_cpu, "levels": levels,
            "mem": mem, "compiler": compiler_info(os.path.dirname(os.path.dirname(RUN.driver))),
            "eigen": ", ".join(eigen) or "?", "openblas": ob[0] if ob else {},
            "openblas_cores": {lv: results[lv]["peer_cores"] for lv in levels},
            "busy_before": a.busy_before, "busy_during": busy_during, "busy_after": busy_after,
            "load_before": a.load_before, "load_after": load_after, "elapsed": elapsed,
            "zeros_1000": float((V == 0).mean()), "section_busy": SECTION_BUSY, "platform": platform.platform(),
            "data_sha256_16": sums}
    text, ok = report(a, results, info, meta)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    raw = os.path.splitext(a.out)[0] + "_runs.json"
    with open(raw, "w") as f:
        json.dump({"meta": meta, "info": info, "runs": RUN.log}, f, indent=1, default=str)
    print(text)
    log(f"written {a.out} and {raw}")
    return 0 if ok else 3


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        sys.exit(f"backends_speed.py: {e}")
