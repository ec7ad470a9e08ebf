#!/usr/bin/python3
"""Best-fit benchmark: do the default cnmf and aenmf reach the lowest objective of their model, and how soon?

    /usr/bin/python3 bench/bestfit/bestfit.py [--driver build/bench/backend_bench] [--data DIR]
        [--cohorts c300k5,...] [--backends cnmf,aenmf] [--long-runs 20] [--long-only] [--defaults-only]
        [--default-params KEY=VALUE,...] [--cache bench/results/bestfit_runs.json] [--out bench/results/bestfit.md]

Both backends fit one model, convex NMF: V ~ V G H^T (cnmf; objective ||V - V G H^T||^2) = V f(E) f(D) with
f = |.| (aenmf; MSE = ||V - V^||^2 / (rows cols)). Every objective here is on aenmf's scale, the MSE.

For each cohort (bench/bestfit/make_cohorts.py, made into DIR if missing) and backend it runs

  * the long random-start runs (the reference): seeds 1..N (20) of
        aenmf  init=uniform schedule=constant, 300 000 Adam steps, tol 0   (the settings of Egendal et al.)
        cnmf   init=random solver=mu starts=1, 300 000 multiplicative updates, tol 0 (Ding et al.'s rules)
    Their results go into the cache (--cache, a JSON file kept in bench/results/) and are not rerun while the
    cohort's counts, the backend's settings and the seed are the same;
  * the old defaults (aenmf init=scaled schedule=plateau, cnmf init=kmeans solver=mu starts=1: version 1.0's),
    seeds 1..5, cached the same way;
  * the defaults (no parameter; max_iter 10 000, tol 1e-7, window 100), seeds 1..5, measured every time.

Every fit is one process of build/bench/backend_bench (the plugin's fit() through the ABI, one thread) run
under `nice -n 19`; its CPU time is the process's around the fit() call (backend_bench's cpu_s; the fit runs on
one thread), which other work on the machine changes far less than the wall time.

The table (printed, and written to --out with the CPU model, date and command): per cohort and backend the lowest
MSE of all long runs of both backends and which backend found it, the default's MSE (worst and median of its
seeds) and its gap to that lowest MSE in % (negative: below it), its CPU time (median and worst seed), one long
run's CPU time at the study's settings (aenmf's long runs, median) and the speed-up (that / the worst seed's CPU
time: the default ends within the gap, so it has reached it by then), this backend's own long runs (best and
median MSE, median CPU time) and the old default (median MSE, gap, median CPU time). Exit status 0 when every
default (every seed) ends within 1 % of the lowest MSE and at least 20x sooner than one long run, 3 otherwise,
1 on an error.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
sys.path.insert(0, HERE)
import make_cohorts  # noqa: E402

LONG_ITER = 300000
LONG = {
    "aenmf": ["init=uniform", "schedule=constant"],
    "cnmf": ["init=random", "solver=mu", "starts=1"],
}
OLD_DEFAULTS = {
    "aenmf": ["init=scaled", "schedule=plateau"],
    "cnmf": ["init=kmeans", "solver=mu", "starts=1"],
}
STUDY = "aenmf"  # whose long runs are "the study's settings" (the speed-up is against one of them)
DEFAULT_SEEDS = [1, 2, 3, 4, 5]
GAP_TARGET = 1.0      # %
SPEEDUP_TARGET = 20.0
TRACE_EVERY = 1000    # the cache keeps the trace every this many iterations


def log(msg):
    print(f"[bestfit] {msg}", file=sys.stderr, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_cache(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"runs": {}}


def save_cache(path, cache):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(cache, f, indent=0, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def fit(driver, backend, V, k, seed, params, max_iter, tol, keep_trace=False):
    """One fit through backend_bench; returns a dict with mse, iterations, cpu_s, wall_s, message."""
    cmd = ["nice", "-n", "19", driver, backend, "--V", V, "--k", str(k), "--seed", str(seed),
           "--max-iter", str(max_iter), "--tol", repr(tol), "--json"]
    for p in params:
        cmd += ["--param", p]
    with tempfile.TemporaryDirectory() as tmp:
        trace_path = os.path.join(tmp, "trace.tsv")
        if keep_trace:
            cmd += ["--trace", trace_path]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        trace = []
        if keep_trace:
            with open(trace_path) as f:
                next(f)
                for line in f:
                    it, sec, obj = line.split("\t")
                    if int(it) % TRACE_EVERY == 0:
                        trace.append([int(it), float(sec), float(obj)])
    scale = 1.0 if backend == "aenmf" else 1.0 / (r["rows"] * r["cols"])
    res = {"backend": backend, "seed": seed, "params": params, "max_iter": max_iter, "tol": tol,
           "iterations": r["iterations"], "cpu_s": r["cpu_s"][0], "wall_s": r["wall_s"][0],
           "objective": r["objective"], "mse": r["objective"] * scale, "message": r["message"],
           "status": r["status"], "version": r["version"]}
    if keep_trace:
        res["trace_every_%d" % TRACE_EVERY] = [[it, sec, obj * scale] for it, sec, obj in trace]
    return res


def cached_fit(cache, cache_path, key, *args, **kw):
    if key not in cache["runs"]:
        cache["runs"][key] = fit(*args, **kw)
        save_cache(cache_path, cache)
    return cache["runs"][key]


def cpu_model():
    """'<model name>, family F model M stepping S[, virtual machine]' from /proc/cpuinfo."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor is enough
                key, _, value = line.partition(":")
                info[key.strip()] = value.strip()
    except OSError:
        return platform.processor() or "unknown"
    text = info.get("model name", platform.processor() or "unknown")
    if "cpu family" in info:
        text += f", family {info['cpu family']} model {info.get('model', '?')} stepping {info.get('stepping', '?')}"
    if "hypervisor" in info.get("flags", "").split():
        text += ", virtual machine"
    return text


def git_describe():
    try:
        return subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", default=os.path.join(REPO, "build", "bench", "backend_bench"))
    default_data = os.environ.get("BENCH_DATA", "/work/bench-data")
    ap.add_argument("--data", default=os.path.join(default_data, "bestfit"), help="cohort folder (never the repo)")
    ap.add_argument("--seed", type=int, default=1, help="the cohorts' root seed (default 1)")
    ap.add_argument("--cohorts", default=",".join(make_cohorts.COHORTS))
    ap.add_argument("--backends", default="cnmf,aenmf")
    ap.add_argument("--long-runs", type=int, default=20)
    ap.add_argument("--long-iter", type=int, default=LONG_ITER)
    ap.add_argument("--long-only", action="store_true", help="only the long runs (filling the cache)")
    ap.add_argument("--defaults-only", action="store_true", help="no long run that is not cached yet")
    ap.add_argument("--default-params", default="", help="extra parameters of the defaults' runs, e.g. "
                    "'starts=4' (comma-separated; for trying settings, not for the recorded table)")
    ap.add_argument("--cache", default=os.path.join(BENCH, "results", "bestfit_runs.json"))
    ap.add_argument("--out", default=os.path.join(BENCH, "results", "bestfit.md"))
    a = ap.parse_args()
    cohorts = [c for c in a.cohorts.split(",") if c]
    backends = [b for b in a.backends.split(",") if b]
    if any(c not in make_cohorts.COHORTS for c in cohorts) or any(b not in LONG for b in backends):
        ap.error("unknown cohort or backend")
    if not os.access(a.driver, os.X_OK):
        sys.exit(f"bestfit.py: {a.driver} missing: cmake --build build -j2 --target backend_bench")
    missing = [c for c in cohorts if not os.path.exists(os.path.join(a.data, c, "V.npy"))]
    if missing:
        log(f"making cohorts {','.join(missing)} in {a.data}")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_cohorts.py"), "--out", a.data, "--seed",
                        str(a.seed), "--cohorts", ",".join(missing)], check=True)
    cache = load_cache(a.cache)
    extra = [p for p in a.default_params.split(",") if p]

    rows = []
    for c in cohorts:
        V = os.path.join(a.data, c, "V.npy")
        with open(os.path.join(a.data, c, "scenario.json")) as f:
            meta = json.load(f)
        k, digest = meta["K"], sha256(V)[:16]
        longs = {}
        for b in backends:
            longs[b] = []
            for s in range(1, a.long_runs + 1):
                key = f"{c}|{digest}|{b}|long|{','.join(LONG[b])}|{a.long_iter}|{s}"
                if key not in cache["runs"] and a.defaults_only:
                    continue
                if key not in cache["runs"]:
                    log(f"{c} {b} long run seed {s} ({a.long_iter} iterations)")
                r = cached_fit(cache, a.cache, key, a.driver, b, V, k, s, LONG[b], a.long_iter, 0.0,
                               keep_trace=True)
                longs[b].append(r)
        if a.long_only:
            continue
        all_long = [r for b in backends for r in longs[b]]
        best = min(all_long, key=lambda r: r["mse"]) if all_long else None
        for b in backends:
            olds = []
            for s in DEFAULT_SEEDS:
                key = f"{c}|{digest}|{b}|old|{','.join(OLD_DEFAULTS[b])}|10000|{s}"
                olds.append(cached_fit(cache, a.cache, key, a.driver, b, V, k, s, OLD_DEFAULTS[b], 10000, 1e-7))
            news = []
            for s in DEFAULT_SEEDS:
                log(f"{c} {b} default seed {s}")
                news.append(fit(a.driver, b, V, k, s, extra, 10000, 1e-7))
            rows.append(dict(cohort=c, backend=b, k=k, cols=meta["samples"], best=best, longs=longs[b],
                             study=longs.get(STUDY, []), olds=olds, news=news))
    if a.long_only:
        log("long runs cached in " + a.cache)
        return 0

    ok = True
    lines = []
    lines.append("| cohort | backend | lowest MSE of all long runs (found by) | default MSE, worst / median of "
                 f"{len(DEFAULT_SEEDS)} seeds | gap % (worst) | default CPU s, median / worst | one long run at the "
                 "study's settings, CPU s (median) | speed-up | this backend's long runs: MSE best / median, CPU s "
                 "(median) | old default: MSE (median), gap %, CPU s | pass |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    nan = float("nan")
    for r in rows:
        best = r["best"]["mse"] if r["best"] else nan
        found = f"{r['best']['backend']} seed {r['best']['seed']}" if r["best"] else "-"
        mses = [x["mse"] for x in r["news"]]
        worst, med = max(mses), statistics.median(mses)
        gap = 100.0 * (worst - best) / best
        cpus = [x["cpu_s"] for x in r["news"]]
        cpu_med, cpu_worst = statistics.median(cpus), max(cpus)
        study_cpu = statistics.median(x["cpu_s"] for x in r["study"]) if r["study"] else nan
        speed = study_cpu / max(cpu_worst, 1e-9)
        if r["longs"]:
            lcpu = statistics.median(x["cpu_s"] for x in r["longs"])
            lbest = min(x["mse"] for x in r["longs"])
            lmed = statistics.median(x["mse"] for x in r["longs"])
        else:
            lcpu = lbest = lmed = nan
        omed = statistics.median(x["mse"] for x in r["olds"])
        ocpu = statistics.median(x["cpu_s"] for x in r["olds"])
        failed = [x for x in r["news"] if x["status"] != "ok"]
        passed = gap <= GAP_TARGET and speed >= SPEEDUP_TARGET and not failed
        ok &= passed
        lines.append(f"| {r['cohort']} (96 x {r['cols']}, K {r['k']}) | {r['backend']} | {best:.4f} ({found}) | "
                     f"{worst:.4f} / {med:.4f} | {gap:+.3f} | {cpu_med:.3f} / {cpu_worst:.3f} | {study_cpu:.1f} | "
                     f"{speed:.0f}x | {lbest:.4f} / {lmed:.4f}, {lcpu:.1f} | {omed:.4f}, "
                     f"{100 * (omed - best) / best:+.1f}, {ocpu:.3f} | {'yes' if passed else 'NO'} |")
    table = "\n".join(lines)
    print(table)
    if a.default_params:
        log("--default-params given: the table is printed, not written")
        return 0 if ok else 3
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["bench/bestfit/bestfit.py"] + sys.argv[1:])
    head = [
        "# Best fit of the convex NMF model: default cnmf and aenmf against long random-start runs",
        "",
        f"Measured {now} on {cpu_model()} ({os.cpu_count()} cores, shared with other work: every fit under "
        f"`nice -n 19`, CPU time of the fit() call, which runs on one thread), sigstream {git_describe()}, by "
        f"`{command}`",
        "(see bench/README.md); the long runs' and old defaults' figures are in `bench/results/bestfit_runs.json` (the long runs with "
        "their trace every 1000 iterations); the defaults are measured anew at every run.",
        "",
        f"MSE = ||V - W H||^2 / (96 n) for both backends (one model). Long runs: {a.long_runs} seeds per backend, "
        f"{a.long_iter} iterations, tol 0 — aenmf `{' '.join(LONG['aenmf'])}` (the study's settings), cnmf "
        f"`{' '.join(LONG['cnmf'])}`. Defaults: no parameter, max_iter 10000, tol 1e-7, window 100, seeds "
        f"{', '.join(map(str, DEFAULT_SEEDS))}. Old defaults (version 1.0): aenmf "
        f"`{' '.join(OLD_DEFAULTS['aenmf'])}`, cnmf `{' '.join(OLD_DEFAULTS['cnmf'])}`. Gap: (worst default - "
        "lowest long run) / lowest, negative when the default ends below every long run. Speed-up: one long run "
        "at the study's settings (CPU time, median of its seeds) / the slowest default seed's CPU time; the "
        "default has reached its end value (within the gap) when it returns, so this is how much sooner it gets "
        "there. Targets: gap <= 1 % for every seed, speed-up >= 20.",
        "",
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(head) + table + "\n")
    log("written " + a.out)
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
