#!/usr/bin/python3
"""Backend speed benchmark: sigstream's nmf, cnmf and aenmf plugins against scikit-learn and PyTorch.

Run through bench/backends_speed.sh (which builds the driver and waits for an idle machine); see
bench/README.md for what is measured and why. Directly:

    /usr/bin/python3 bench/backends_speed.py --driver build/bench/backend_bench --plugins build/plugins \
        [--data DIR] [--out bench/results/backends_speed.md] [--runs 3]

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
# How the peers are started: as a well-tuned user would run them (see backend_peers.py).
PEER_ENV = ["env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS=1",
            "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", f"GLIBC_TUNABLES={TUNABLES}"]
FLOOR = 1e-16  # the nmf backend's floor

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
    def __init__(self, driver, plugins, data):
        self.driver, self.plugins, self.data = driver, plugins, data
        self.log = []  # every measurement, for the raw results file

    def path(self, name):
        return os.path.join(self.data, name)

    def _run(self, cmd, label):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{label} failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        out["label"] = label
        out["process_s"] = time.perf_counter() - t0
        self.log.append({k: v for k, v in out.items() if k not in ("blas", "env")})
        return out

    def sig(self, label, backend, V, k, max_iter, tol=0.0, params=(), start=None, target=None, warmup=10,
            outputs=None):
        cmd = [self.driver, os.path.join(self.plugins, backend + ".so"), "--V", self.path(V), "--k", str(k),
               "--max-iter", str(max_iter), "--tol", repr(tol), "--warmup", str(warmup), "--json"]
        for kv in params:
            cmd += ["--param", kv]
        if start:
            cmd += ["--W0", self.path(start[0]), "--H0", self.path(start[1])]
        if target is not None:
            cmd += ["--target", repr(target), "--stop-at-target"]
        if outputs:
            cmd += ["--W-out", self.path(outputs[0]), "--H-out", self.path(outputs[1])]
        return self._run(cmd, label)

    def peer(self, label, args):
        return self._run(PEER_ENV + [PYTHON, PEERS] + args, label)


def alternate(rounds, a, b):
    """Runs a() and b() `rounds` times, alternating which goes first (A B, B A, ...)."""
    ra, rb = [], []
    for r in range(rounds):
        if r % 2 == 0:
            ra.append(a(r))
            rb.append(b(r))
        else:
            rb.append(b(r))
            ra.append(a(r))
    return ra, rb


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)


def busy_cores(seconds=2.0):
    b0, t0 = cpu_times()
    time.sleep(seconds)
    b1, t1 = cpu_times()
    return os.cpu_count() * (b1 - b0) / max(1, t1 - t0)


# ------------------------------------------------------------------ the measurements
SECTION_BUSY = []  # (section, cores busy with other processes just before it)


def settle(section, a):
    """Before each comparison: with --wait-idle, wait (within the overall budget) until other processes leave
    the CPUs idle (< 0.2 busy cores, as count_speed.sh); records how busy they were."""
    busy = busy_cores(1.0)
    while a.wait_idle > 0 and busy >= 0.2 and time.monotonic() < a.idle_deadline:
        log(f"machine busy ({busy:.2f} cores in use by other processes) before {section}, waiting")
        time.sleep(5)
        busy = busy_cores(1.0)
    SECTION_BUSY.append((section, busy))


def measure(a, R, info):
    have_sk = bool(info.get("sklearn"))
    have_torch = bool(info.get("torch"))
    res = {"a": {}, "b": None, "c": None, "d": {}}

    # (a) per iteration, MU, same start, equal iterations.
    for beta, n_iter in (("kl", a.iter_kl), ("frobenius", a.iter_frobenius)):
        settle(f"(a) {beta}", a)
        log(f"(a) {beta} MU, {n_iter} iterations, {R} alternating runs" + ("" if have_sk else " (no scikit-learn)"))
        params = [f"objective={beta}", "solver=mu"]
        sig = lambda r: RUN.sig(f"a_{beta}_sigstream", "nmf", "V1000.npy", 10, n_iter, 0.0, params,  # noqa: E731
                                ("W0.npy", "H0.npy"),
                                outputs=(f"sig_W_{beta}.npy", f"sig_H_{beta}.npy") if r == 0 else None)
        sk = lambda r: RUN.peer(f"a_{beta}_sklearn", ["sklearn", "--X", RUN.path("X1000.npy"),  # noqa: E731
                                                     "--W0", RUN.path("sk_W0.npy"), "--H0",
                                                     RUN.path(f"sk_H0_{beta}.npy"), "--beta", beta, "--max-iter",
                                                     str(n_iter), "--warmup", "10"]
                                + (["--W-out", RUN.path(f"sk_W_{beta}.npy"), "--H-out", RUN.path(f"sk_H_{beta}.npy")]
                                   if r == 0 else []))
        if have_sk:
            s_runs, k_runs = alternate(R, sig, sk)
        else:
            s_runs, k_runs = [sig(r) for r in range(R)], []
        entry = {"iterations": n_iter, "sig": s_runs, "sig_per_iter": med(s_runs, "per_iter_s"),
                 "sig_objective": s_runs[0]["objective"]}
        V = np.load(RUN.path("V1000.npy"))
        Ws, Hs = np.load(RUN.path(f"sig_W_{beta}.npy")), np.load(RUN.path(f"sig_H_{beta}.npy"))
        entry["sig_objective_numpy"] = objective(beta, V, Ws, Hs)
        if have_sk:
            entry["sk"] = k_runs
            entry["sk_per_iter"] = med(k_runs, "per_iter_s")
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
            RUN.peer(f"a_{beta}_check_sklearn", ["sklearn", "--X", RUN.path("X1000.npy"), "--W0", RUN.path("sk_W0.npy"),
                                                  "--H0", RUN.path(f"sk_H0_{beta}.npy"), "--beta", beta, "--max-iter",
                                                  str(n_chk), "--W-out", RUN.path(f"chk_sk_W_{beta}.npy"), "--H-out",
                                                  RUN.path(f"chk_sk_H_{beta}.npy")])
            cWs, cHs = np.load(RUN.path(f"chk_sig_W_{beta}.npy")), np.load(RUN.path(f"chk_sig_H_{beta}.npy"))
            cHk, cWk = np.load(RUN.path(f"chk_sk_W_{beta}.npy")).T, np.load(RUN.path(f"chk_sk_H_{beta}.npy")).T
            cWn = mu_w_update(beta, V, cWs, cHs)
            entry["check_iter"] = n_chk
            entry["check_diff"] = max(float(np.linalg.norm(cHk - cHs) / np.linalg.norm(cHs)),
                                      float(np.linalg.norm(cWk - cWn) / np.linalg.norm(cWn)))
            entry["check_at_floor"] = int((cWs <= FLOOR).sum() + (cHs <= FLOOR).sum())
            entry["speedup"] = entry["sk_per_iter"] / entry["sig_per_iter"]
        res["a"][beta] = entry

    # (b) time to scikit-learn's 5000-iteration KL objective.
    if have_sk:
        settle("(b)", a)
        log(f"(b) KL: scikit-learn MU {a.sk_iter} iterations vs sigstream nmf defaults (solver=ccd-her), {R} runs")
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

        k_runs, s_runs = alternate(R, sk, sig)  # sklearn first: its objective is the target
        mu_run = RUN.sig("b_sigstream_mu", "nmf", "V1000.npy", 10, 10000, 1e-7, ["solver=mu"], ("W0.npy", "H0.npy"),
                         target=state["target"])
        res["b"] = {"target": state["target"], "sk": k_runs, "sig": s_runs, "sig_mu": mu_run,
                    "sk_wall": med(k_runs, "wall_s"), "sk_iterations": a.sk_iter,
                    "sig_iteration": s_runs[0]["target_iteration"],
                    "sig_time": statistics.median(r["target_s"] if r["target_s"] is not None else math.inf
                                                  for r in s_runs),
                    "sk_objectives_equal": len({r["objective"] for r in k_runs}) == 1}
        res["b"]["speedup"] = res["b"]["sk_wall"] / res["b"]["sig_time"]

    # (c) AE-NMF against PyTorch float64, 96 x 300, K = 5.
    settle("(c)", a)
    log(f"(c) AE-NMF: PyTorch {a.torch_steps} steps (paper) vs aenmf paper settings and defaults, {R} runs"
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

        t_runs, s_runs = alternate(R, th, sig)
        paper_runs = [s["paper"] for s in s_runs]
        def_runs = [s["defaults"] for s in s_runs]
        res["c"] = {"target": state["target"], "torch": t_runs, "paper": paper_runs, "defaults": def_runs,
                    "torch_per_step": med(t_runs, "per_iter_s"), "paper_per_step": med(paper_runs, "per_iter_s"),
                    "torch_wall": med(t_runs, "wall_s"),
                    "def_iteration": def_runs[0]["target_iteration"],
                    "def_time": statistics.median(r["target_s"] if r["target_s"] is not None else math.inf
                                                  for r in def_runs)}
        res["c"]["step_speedup"] = res["c"]["torch_per_step"] / res["c"]["paper_per_step"]
        res["c"]["loss_speedup"] = res["c"]["torch_wall"] / res["c"]["def_time"]
    else:
        paper_runs = [sig_paper(r) for r in range(R)]
        res["c"] = {"paper": paper_runs, "paper_per_step": med(paper_runs, "per_iter_s")}

    # (d) cnmf and aenmf per iteration against n (backends' defaults, tol = 0).
    for n in a.sizes:
        iters = max(20, round(1.2e6 / n))
        settle(f"(d) n = {n}", a)
        log(f"(d) n = {n}: cnmf and aenmf, {iters} iterations, {R} alternating runs")
        c_runs, e_runs = alternate(
            R, lambda r: RUN.sig(f"d_cnmf_{n}", "cnmf", f"Vd{n}.npy", 10, iters, 0.0, warmup=0),
            lambda r: RUN.sig(f"d_aenmf_{n}", "aenmf", f"Vd{n}.npy", 10, iters, 0.0, warmup=0))
        res["d"][n] = {"iterations": iters, "cnmf": med(c_runs, "steady_per_iter_s"),
                       "aenmf": med(e_runs, "steady_per_iter_s")}
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


def report(a, res, info, meta):
    R = a.runs
    out, checks = [], []
    out.append("## Backend speed\n")
    blas = info.get("blas") or []
    ob = [b for b in blas if isinstance(b, dict) and b.get("internal_api") == "openblas"]
    blas_txt = (f"OpenBLAS {ob[0].get('version')} `{ob[0].get('filepath')}`, kernel (coretype) "
                f"**{ob[0].get('architecture')}**, {ob[0].get('num_threads')} thread"
                if ob else f"**not OpenBLAS**: {json.dumps(blas)}")
    peers = []
    peers.append(f"scikit-learn {info['sklearn']}" if info.get("sklearn")
                 else "scikit-learn **not installed: (a) peer and (b) skipped** (apt-get install python3-sklearn)")
    peers.append(f"PyTorch {info['torch']} ({', '.join(info.get('torch_config', []))})" if info.get("torch")
                 else "PyTorch **not installed: (c) peer skipped** (apt-get install python3-torch)")
    out.append(
        f"{meta['date']}, sigstream {meta['sig_version']}, plugins {', '.join(meta['plugins'])}; {os.cpu_count()} cores ({meta['cpu']}), {meta['mem']} GiB "
        f"RAM; Python {info.get('python')}, NumPy {info.get('numpy')}, {', '.join(peers)}; NumPy's BLAS in the "
        f"peers' processes (threadpoolctl): {blas_txt}. One thread everywhere. Peers started as "
        f"`{' '.join(PEER_ENV)} /usr/bin/python3 …`; sigstream's plugins through the C ABI by "
        f"`bench/backend_bench` (dlopen, fit(), wall clock around the call). Each comparison alternates the "
        f"two tools (A B, B A, …), {R} run{'s' if R != 1 else ''} each, every run a fresh process; medians. The "
        f"peers and the per-iteration runs of (a) and (c) begin with an unmeasured warm-up fit in the same process; "
        f"sigstream's time-to-target runs in (b) and (c) start cold, as a single fit would; (d) leaves out iteration "
        f"1 instead. "
        f"Other processes kept {meta['busy_before']} cores busy just before, {meta['busy_during']:.2f} on "
        f"average during (at most {max(b for _, b in meta['section_busy']):.2f} just before a comparison: "
        f"{', '.join(f'{sec} {b:.2f}' for sec, b in meta['section_busy'])}) and {meta['busy_after']:.2f} just "
        f"after the measurements (load average "
        f"{meta['load_before']} before, {meta['load_after']} after); measuring took {meta['elapsed']:.0f} s.\n")
    out.append("Data (`bench/backends_speed.py`, fixed seeds): Poisson counts from COSMIC v3.4 SBS signatures "
               "(K = 10: " + ", ".join(POOL10) + "; K = 5: " + ", ".join(POOL5) + "), SBS1 and SBS5 in every "
               "sample, each other signature in ~30 %, Dirichlet proportions, log-normal burdens (median 2000, "
               "σ = 1). The 96 × 1000 matrix is dense (" + f"{meta['zeros_1000']:.1%} zeros).\n")

    # (a)
    out.append("### (a) Per iteration: multiplicative updates, same start, equal iterations (96 × 1000, K = 10)\n")
    out.append("| objective | iterations N | scikit-learn `NMF(solver='mu')` | sigstream `nmf solver=mu` | speed-up "
               "| objective after N: scikit-learn / sigstream (same point) | factors' relative difference "
               "(entries ≤ 1e-16: sigstream / scikit-learn) | sigstream's trace f(W_N, H_N) |")
    out.append("|---|---:|---:|---:|---:|---|---|---:|")
    for beta, e in res["a"].items():
        name = {"kl": "KL (`beta_loss='kullback-leibler'`)", "frobenius": "½‖V−WH‖² (`beta_loss='frobenius'`)"}[beta]
        if "sk" in e:
            same = (f"{e['sk_objective']:.10g} / {e['sig_objective_same_point']:.10g} "
                    f"(relative difference {e['rel_diff_objective']:.1e})")
            out.append(f"| {name} | {e['iterations']} | {us(e['sk_per_iter'])} | **{us(e['sig_per_iter'])}** | "
                       f"{e['speedup']:.2f}× | {same} | {max(e['rel_diff_H'], e['rel_diff_W']):.1e} "
                       f"({e['sig_at_floor']} / {e['sk_below_floor']}, {e['sk_zero']} zero) | "
                       f"{e['sig_objective']:.10g} |")
            checks.append((f"(a) {beta} MU per iteration ≤ scikit-learn's", f"{us(e['sig_per_iter'])} vs "
                           f"{us(e['sk_per_iter'])} ({e['speedup']:.2f}×)", e["speedup"] >= 1.0))
            checks.append((f"(a) {beta}: same rules — after {e['check_iter']} iterations from the same start, "
                           "both tools' factors agree to a relative 1e-10",
                           f"{e['check_diff']:.1e} ({e['check_at_floor']} of sigstream's entries at its floor)",
                           e["check_diff"] <= 1e-10))
        else:
            out.append(f"| {name} | {e['iterations']} | skipped (not installed) | {us(e['sig_per_iter'])} | – | – | – | "
                       f"{e['sig_objective']:.10g} |")
            checks.append((f"(a) {beta} MU per iteration ≤ scikit-learn's", "scikit-learn not installed", None))
    out.append("\nscikit-learn factorises X = Vᵀ (samples × channels) and its iteration updates the exposures first, "
               "sigstream's the signatures first. So scikit-learn starts from (H₀ᵀ, W₁ᵀ), W₁ being sigstream's "
               "first W update from (W₀, H₀) computed in NumPy; its N iterations then compute sigstream's "
               "H₁ … H_N and W₂ … W_{N+1}: the same sequence half an iteration ahead. The objective column "
               "compares both at that point (sigstream's W_{N+1} is one exact update from its (W_N, H_N), in "
               "NumPy). The rules are the same; the floors are not: sigstream keeps every entry ≥ 1e-16, scikit-learn "
               "lets entries fall below it (and sets its H, here the signatures, to 0 below 2.2e-16 for KL), where "
               "a multiplicative update can no longer move them. The iterates agree to rounding (checked after a "
               "few iterations: see the targets) until entries reach the floor; after that they drift apart slowly "
               "(factors' relative difference, Frobenius norm, after N), and scikit-learn, whose zeros stay "
               "zero, ends slightly higher. Times are whole calls (`fit_transform` with its input checks and initial "
               "and final error; the plugin's `fit()` with its objective after every iteration) divided by N.\n")

    # (b)
    out.append(f"### (b) Time to scikit-learn's {a.sk_iter}-iteration KL objective (96 × 1000, K = 10, same start)\n")
    b = res["b"]
    if b:
        mu = b["sig_mu"]
        out.append("| run | iterations | wall time to the target |")
        out.append("|---|---:|---:|")
        out.append(f"| scikit-learn `NMF(solver='mu', beta_loss='kullback-leibler', max_iter={b['sk_iterations']}, "
                   f"tol=0)`: KL {b['target']:.10g} | {b['sk_iterations']} | {secs(b['sk_wall'])} |")
        out.append(f"| sigstream `nmf` defaults (`solver=ccd-her`), first iteration with KL ≤ that | "
                   f"{b['sig_iteration']} | **{secs(b['sig_time'])}** ({b['speedup']:.1f}× sooner) |")
        if mu.get("target_s") is not None:
            out.append(f"| sigstream `nmf solver=mu` (for reference) | {mu['target_iteration']} | "
                       f"{secs(mu['target_s'])} ({b['sk_wall'] / mu['target_s']:.1f}×) |")
        out.append("")
        checks.append((f"(b) sigstream's default KL solver reaches scikit-learn's {a.sk_iter}-iteration objective "
                       "≥ 5× sooner", f"{secs(b['sig_time'])} vs {secs(b['sk_wall'])} ({b['speedup']:.2f}×)",
                       b["speedup"] >= 5.0))
    else:
        out.append("Skipped: scikit-learn is not installed.\n")
        checks.append((f"(b) ≥ 5× sooner to scikit-learn's {a.sk_iter}-iteration KL objective", "scikit-learn not installed",
                       None))

    # (c)
    c = res["c"]
    out.append("### (c) AE-NMF against PyTorch float64 (96 × 300, K = 5)\n")
    out.append("| run | per Adam step | steps | wall | loss (MSE) at the end |")
    out.append("|---|---:|---:|---:|---:|")
    if "torch" in c:
        out.append(f"| PyTorch, the paper's loop (uniform [0,1) init, `V @ abs(E) @ abs(D)`, MSE, `backward()`, "
                   f"Adam lr 1e-4) | {us(c['torch_per_step'])} | {a.torch_steps:,} | {secs(c['torch_wall'])} | "
                   f"{c['target']:.6g} |")
    pr = c["paper"][0]
    out.append(f"| sigstream `aenmf init=uniform schedule=constant` (the paper's settings) | "
               f"**{us(c['paper_per_step'])}** | {a.torch_steps:,} | {secs(statistics.median(r['wall_s'][0] for r in c['paper']))} | "
               f"{pr['objective']:.6g} |")
    if "torch" in c:
        d0 = c["defaults"][0]
        out.append(f"| sigstream `aenmf` defaults, until the loss ≤ PyTorch's after {a.torch_steps:,} steps | – | "
                   f"{c['def_iteration']} | **{secs(c['def_time'])}** ({c['loss_speedup']:,.0f}× sooner) | "
                   f"{d0['objective']:.6g} |")
        out.append("")
        checks.append(("(c) aenmf ≥ 3× faster per Adam step than PyTorch float64",
                       f"{us(c['paper_per_step'])} vs {us(c['torch_per_step'])} ({c['step_speedup']:.1f}×)",
                       c["step_speedup"] >= 3.0))
        checks.append((f"(c) aenmf defaults reach PyTorch's {a.torch_steps:,}-step loss ≥ 20× sooner",
                       f"{secs(c['def_time'])} vs {secs(c['torch_wall'])} ({c['loss_speedup']:,.0f}×)",
                       c["loss_speedup"] >= 20.0))
    else:
        out.append("\nPyTorch is not installed: its runs were skipped.\n")
        checks.append(("(c) AE-NMF against PyTorch", "PyTorch not installed", None))
    out.append("PyTorch and `aenmf init=uniform` start from uniform [0,1) draws of their own generators (same "
               f"distribution, not the same numbers), so their losses after {a.torch_steps:,} steps differ a little. "
               "Per step = the timed loop (PyTorch) or the whole `fit()` call (sigstream) divided by the steps.\n")

    # (d)
    d = res["d"]
    sizes = sorted(d)
    out.append("### (d) Per-iteration time against the number of samples (K = 10, backends' defaults)\n")
    out.append("| samples n | V and Vᵀ | iterations | `cnmf` per iteration | per sample | `aenmf` per Adam step "
               "| per sample |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        e = d[n]
        out.append(f"| {n:,} | {2 * 96 * n * 8 / 2**20:,.1f} MiB | {e['iterations']} | {us(e['cnmf'])} | "
                   f"{e['cnmf'] / n * 1e9:,.0f} ns | {us(e['aenmf'])} | {e['aenmf'] / n * 1e9:,.0f} ns |")
    out.append("")
    out.append(f"Caches of this CPU: {meta['caches']}. Every array both backends touch in an iteration is "
               "O(n) — V, a copy of Vᵀ, the n × K factors (and for aenmf Adam's n × 2K moments) — and neither "
               "forms the n × n matrix VᵀV. The time per sample rises as these arrays leave the L2 and then the "
               "L3 cache, where memory bandwidth rather than arithmetic sets the pace (and where another process "
               "using memory slows it too).\n")
    # Linear growth: between consecutive sizes the time per iteration and sample may rise by at most 2x (the
    # working set leaving the caches costs some); an O(n^2) step (a cols x cols Gram matrix) would multiply it
    # by the size ratio.
    for be in ("cnmf", "aenmf"):
        for lo_, hi_ in zip(sizes, sizes[1:]):
            ratio = (d[hi_][be] / hi_) / (d[lo_][be] / lo_)
            expo = math.log(d[hi_][be] / d[lo_][be]) / math.log(hi_ / lo_)
            checks.append((f"(d) {be} linear in n: time per iteration and sample at n = {hi_:,} ≤ 2× that at "
                           f"n = {lo_:,} (O(n²) would give {hi_ / lo_:.1f}×)",
                           f"{ratio:.2f}× (time ∝ n^{expo:.2f})", ratio <= 2.0))
    out.append("Steady per-iteration time: from the end of iteration 1 to the end of the last (setup and start "
               "left out), from the plugin's progress callback.\n")

    out.append("### Targets\n")
    out.append("| target | measured | result |")
    out.append("|---|---|---|")
    for name, measured, ok in checks:
        out.append(f"| {name} | {measured} | {'not checked (peer missing)' if ok is None else verdict(ok)} |")
    out.append("")
    return "\n".join(out), all(ok is not False for _, _, ok in checks)


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--driver", required=True, help="bench/backend_bench executable")
    ap.add_argument("--plugins", required=True, help="folder with nmf.so, cnmf.so, aenmf.so")
    ap.add_argument("--data", default="/work/bench-data/backends", help="where the generated matrices go")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "backends_speed.md"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iter-kl", type=int, default=1000, help="(a) KL MU iterations")
    ap.add_argument("--iter-frobenius", type=int, default=2000, help="(a) Frobenius MU iterations")
    ap.add_argument("--check-iter", type=int, default=50, help="(a) iterations of the same-rules check")
    ap.add_argument("--sk-iter", type=int, default=5000, help="(b) scikit-learn iterations that set the target")
    ap.add_argument("--torch-steps", type=int, default=20000, help="(c) PyTorch steps that set the target")
    ap.add_argument("--sizes", default="300,2000,20000,200000", help="(d) numbers of samples")
    ap.add_argument("--wait-idle", type=float, default=0,
                    help="seconds in all to wait for idle CPUs before the comparisons (0: do not wait)")
    ap.add_argument("--busy-before", default="?")
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--sig-version", default="?")
    a = ap.parse_args()
    a.sizes = [int(x) for x in a.sizes.split(",")]
    a.idle_deadline = time.monotonic() + a.wait_idle

    global RUN
    RUN = Runner(os.path.abspath(a.driver), os.path.abspath(a.plugins), os.path.abspath(a.data))
    info = RUN.peer("info", ["info"])
    log(f"peers: scikit-learn {info.get('sklearn') or 'MISSING (skipped)'}, torch {info.get('torch') or 'MISSING (skipped)'}")
    ob = [b for b in info.get("blas") or [] if isinstance(b, dict) and b.get("internal_api") == "openblas"]
    if ob:
        log(f"peers' BLAS: {ob[0]['filepath']} ({ob[0]['architecture']}, {ob[0]['num_threads']} thread)")
    else:
        log(f"WARNING: NumPy in the peers' processes does not use OpenBLAS: {info.get('blas')}")
    if ob and "openblas-pthread" not in ob[0]["filepath"]:
        log(f"WARNING: OpenBLAS is not libopenblas0-pthread's: {ob[0]['filepath']}")

    log(f"generating data in {a.data}")
    sums = generate(a.data, a.sizes)

    t0 = time.perf_counter()
    b0, tot0 = cpu_times()
    own0 = os.times()
    res = measure(a, a.runs, info)
    elapsed = time.perf_counter() - t0
    b1, tot1 = cpu_times()
    own1 = os.times()
    own_cpu = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system) + \
        (own1.user + own1.system) - (own0.user + own0.system)
    busy_total = os.cpu_count() * (b1 - b0) / max(1, tot1 - tot0)
    busy_during = max(0.0, busy_total - own_cpu / elapsed)
    busy_after = busy_cores()
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[0]
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
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
    meta = {"date": time.strftime("%Y-%m-%d", time.gmtime()), "sig_version": a.sig_version, "plugins": plugins,
            "caches": ", ".join(caches) or "unknown",
            "cpu": cpu, "mem": mem,
            "busy_before": a.busy_before, "busy_during": busy_during, "busy_after": busy_after,
            "load_before": a.load_before, "load_after": load_after, "elapsed": elapsed,
            "zeros_1000": float((V == 0).mean()), "section_busy": SECTION_BUSY, "platform": platform.platform(), "data_sha256_16": sums}
    text, ok = report(a, res, info, meta)
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
