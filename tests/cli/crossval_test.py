#!/usr/bin/env python3
"""End-to-end test of `sigstream crossval`.

Usage: crossval_test.py --sigstream PATH --workdir DIR --plugins DIR [--cosmic FILE]

  --plugins  the folder of the real backends (build/plugins); the test needs nmf, cnmf and aenmf and reports
             SKIPPED (exit 77) when one is missing
  --cosmic   data/cosmic/COSMIC_v3.4_SBS_GRCh37.txt, the source of the planted signatures (default: that file)

The script plants three COSMIC signatures (SBS1, SBS4, SBS13) in a 60-sample matrix (seeded Poisson counts)
and checks:
  * a run with all three backends and 4 splits: the run folder's files, the headers of per_split.tsv and
    summary.tsv, their row counts, splits.tsv (12 test samples per split, every sample listed), every
    signature file summing to 1, the medoid files; CosmicMatched recomputed from a written signature file;
    high CosmicPerSplit/CosmicMedoids for the planted signatures; metadata.toml (every parameter);
  * byte-identical TSVs for --threads 1 and --threads 2;
  * --preset paper (and --param overriding it), a bare --param KEY with one backend, progress lines, an
    all-zero sample (warning, `empty` in splits.tsv);
  * one case per kind of bad input: exit status (1 data, 2 usage), exactly one line on stderr starting
    `sigstream crossval: `, and no output folder nor temporary folder left behind.

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` or `FAIL <name>: reason` per check, then
`N passed, M failed`; exits with status 1 when any check failed.
"""

import argparse
import itertools
import math
import os
import random

import e2e

try:
    import tomllib  # Python 3.11+
except ImportError:  # pragma: no cover
    tomllib = None

PREFIX = "sigstream crossval: "
TIMEOUT = 300  # seconds per run
BACKENDS = ("nmf", "cnmf", "aenmf")
PLANTED = ("SBS1", "SBS4", "SBS13")
PER_SPLIT_HEADER = ["Backend", "Split", "TrainSamples", "TestSamples", "TrainMSE", "TestMSE", "HeldOutDeviance",
                    "HeldOutMSE", "CosmicMatched", "Iterations", "Objective", "Seed", "HeldOutSamples"]
SUMMARY_HEAD = ["Backend", "TrainMSE", "TrainMSE_sd", "TestMSE", "TestMSE_sd", "HeldOutDeviance",
                "HeldOutDeviance_sd", "Consistency", "Consistency_sd", "CosmicPerSplit", "CosmicPerSplit_sd",
                "CosmicMedoids"]
ARTEFACTS = {"SBS27", "SBS43", "SBS95"} | {"SBS%d" % i for i in range(45, 61)}


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p < limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def planted_matrix(path, labels, sigs, n, seed=5, empty=()):
    rng = random.Random(seed)
    cols = []
    for j in range(n):
        if j in empty:
            cols.append([0] * len(labels))
            continue
        e = [rng.randint(100, 800) if rng.random() < 0.8 else 0 for _ in PLANTED]
        if sum(e) == 0:
            e[0] = 300
        cols.append([poisson(rng, sum(e[k] * sigs[PLANTED[k]][i] for k in range(len(PLANTED))))
                     for i in range(len(labels))])
    e2e.write(path, e2e.matrix_text(cols, labels=labels))
    return cols


def matched_mean(sig_cols, ref_cols):
    """Mean cosine of the best one-to-one matching (brute force: few signatures)."""
    c = [[e2e.cosine(s, r) for r in ref_cols] for s in sig_cols]
    # keep each signature's best few candidates: the optimum uses one of its top-k references
    k = len(sig_cols)
    cand = [sorted(range(len(ref_cols)), key=lambda j: -c[i][j])[:k + 1] for i in range(k)]
    best = -1.0
    for combo in itertools.product(*cand):
        if len(set(combo)) == k:
            best = max(best, sum(c[i][combo[i]] for i in range(k)))
    return best / k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created)")
    ap.add_argument("--plugins", required=True, help="the folder of the real backends")
    ap.add_argument("--cosmic", default=e2e.COSMIC, help="the COSMIC signature table")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    plugins = os.path.abspath(a.plugins)
    inputs = os.path.join(work, "inputs")
    os.makedirs(inputs)
    checks = e2e.Checks(detail_limit=2000)

    missing = [b for b in BACKENDS if not os.path.exists(os.path.join(plugins, b + ".so"))]
    if missing:
        checks.skip("every check: the backends %s are not built in %s" % (", ".join(missing), plugins))
        checks.finish()
    run = e2e.Runner(exe, e2e.plugin_env(plugins), timeout=TIMEOUT)

    labels, cosmic = e2e.read_signatures(a.cosmic)
    reference = {n: s for n, s in cosmic.items() if n not in ARTEFACTS}
    n = 60
    matrix = os.path.join(inputs, "planted.tsv")
    planted_matrix(matrix, labels, cosmic, n)
    names = ["S%d" % (j + 1) for j in range(n)]
    runs = os.path.join(work, "runs")
    os.makedirs(runs)

    # ------------------------------------------------------------------ the main run, threads 1 and 2
    base = ["crossval", "--matrix", matrix, "--backends", "nmf,cnmf,aenmf", "--k", "3", "--splits", "4",
            "--seed", "3", "--max-iter", "3000", "--quiet"]
    out1, out2 = os.path.join(runs, "t1"), os.path.join(runs, "t2")
    r1 = run(base + ["--threads", "1", "--out-dir", out1])
    if not checks.check("three backends, 4 splits: run succeeds quietly",
                        r1.returncode == 0 and r1.stderr == "" and r1.stdout == "", r1.stderr):
        checks.finish()  # every other check reads this run's folder
    r2 = run(base + ["--threads", "2", "--out-dir", out2])
    diff = e2e.tree_diff(out1, out2)
    checks.check("--threads 1 and --threads 2 give byte-identical files",
                 r2.returncode == 0 and not diff, r2.stderr + diff)
    expected_files = (["medoids_%s.tsv" % b for b in BACKENDS] + ["metadata.toml", "per_split.tsv", "splits.tsv",
                      "summary.tsv"] + ["signatures/%s_split%d.tsv" % (b, s) for b in BACKENDS for s in range(1, 5)])
    checks.check("the run folder's files", e2e.tree(out1) == sorted(expected_files), e2e.tree(out1))

    per = e2e.read_tsv(os.path.join(out1, "per_split.tsv"))
    checks.check("per_split.tsv header", per[0] == PER_SPLIT_HEADER, per[0])
    checks.check("per_split.tsv: one row per backend x split, backend-major",
                 [(r[0], r[1]) for r in per[1:]] == [(b, str(s)) for b in BACKENDS for s in range(1, 5)], per[1:3])
    checks.check("per_split.tsv: 48 training and 12 test samples",
                 all(r[2] == "48" and r[3] == "12" for r in per[1:]), per[1])
    checks.check("per_split.tsv: the same seed for every backend in a split",
                 all(per[1 + s][11] == per[5 + s][11] == per[9 + s][11] for s in range(4)), per[1:])
    checks.check("per_split.tsv: finite non-negative errors",
                 all(0 <= float(x) < float("inf") for r in per[1:] for x in r[4:8]), per[1:])
    summ = e2e.read_tsv(os.path.join(out1, "summary.tsv"))
    checks.check("summary.tsv header starts with the required columns",
                 summ[0][:len(SUMMARY_HEAD)] == SUMMARY_HEAD, summ[0])
    checks.check("summary.tsv: one row per backend", [r[0] for r in summ[1:]] == list(BACKENDS), summ)
    col = {h: i for i, h in enumerate(summ[0])}
    for b, row in zip(BACKENDS, summ[1:]):
        mean_train = sum(float(r[4]) for r in per[1:] if r[0] == b) / 4
        checks.check("%s: TrainMSE is the mean over splits" % b,
                     abs(float(row[col["TrainMSE"]]) - mean_train) <= 1e-9 * mean_train,
                     (row, mean_train))
        cons = float(row[col["Consistency"]])
        checks.check("%s: Consistency in (0, 1]" % b, 0 < cons <= 1 + 1e-12, cons)
    nmf = summ[1]
    checks.check("planted COSMIC signatures: nmf CosmicPerSplit > 0.95", float(nmf[col["CosmicPerSplit"]]) > 0.95, nmf)
    checks.check("planted COSMIC signatures: every backend's CosmicPerSplit and CosmicMedoids > 0.85",
                 all(float(r[col["CosmicMedoids"]]) > 0.85 and float(r[col["CosmicPerSplit"]]) > 0.85 for r in summ[1:]), summ)
    checks.check("planted COSMIC signatures: nmf Consistency > 0.99", float(nmf[col["Consistency"]]) > 0.99, nmf)

    # CosmicMatched recomputed from a written signature file (nmf, split 2)
    sig = e2e.read_tsv(os.path.join(out1, "signatures", "nmf_split2.tsv"))
    checks.check("signature file header and rows", sig[0] == ["MutationType", "SBS96A", "SBS96B", "SBS96C"]
                 and [r[0] for r in sig[1:]] == labels, sig[0])
    sig_cols = [[float(r[c]) for r in sig[1:]] for c in (1, 2, 3)]
    mine = matched_mean(sig_cols, list(reference.values()))
    checks.check("CosmicMatched recomputed from the signature file",
                 abs(mine - float(per[2][8])) < 1e-9, (mine, per[2][8]))
    sums_ok = True
    for f in expected_files:
        if f.startswith("signatures/") or f.startswith("medoids_"):
            t = e2e.read_tsv(os.path.join(out1, f))
            sums_ok &= len(t) == 97 and len(t[0]) == 4 and all(
                abs(sum(float(r[c]) for r in t[1:]) - 1) < 1e-9 for c in (1, 2, 3))
    checks.check("every signature and medoid file: 96 rows, 3 columns summing to 1", sums_ok)
    med = e2e.read_tsv(os.path.join(out1, "medoids_nmf.tsv"))
    ok = True
    for c, name in enumerate(med[0][1:], start=1):  # a medoid is one of the splits' signatures, named after it
        s, signame = name.split("_")
        src = e2e.read_tsv(os.path.join(out1, "signatures", "nmf_%s.tsv" % s))
        ok &= [r[c] for r in med[1:]] == [r[src[0].index(signame)] for r in src[1:]]
    checks.check("medoid columns are split signatures, named splitN_SIG", ok, med[0])

    sp = e2e.read_tsv(os.path.join(out1, "splits.tsv"))
    checks.check("splits.tsv: header and every sample",
                 sp[0] == ["Sample", "Split1", "Split2", "Split3", "Split4"] and [r[0] for r in sp[1:]] == names, sp[0])
    checks.check("splits.tsv: 12 test samples per split, different splits",
                 all(sum(r[s] == "test" for r in sp[1:]) == 12 for s in range(1, 5))
                 and len({tuple(r[s] for r in sp[1:]) for s in range(1, 5)}) == 4, sp[1:4])

    if tomllib:
        meta = tomllib.loads(open(os.path.join(out1, "metadata.toml")).read())
        r = run(["backends"])
        cv = meta["crossval"]
        ok = cv["seed"] == 3 and cv["k"] == 3 and cv["splits"] == 4 and cv["tol"] == 1e-7 and cv["tol-window"] == 100 \
            and cv["max-iter"] == 3000 and cv["backends"] == list(BACKENDS) and cv["preset"] == "none" \
            and meta["argv"][:2] == ["sigstream", "crossval"] and cv["input"]["matrix"] == matrix
        for b in BACKENDS:
            listed = e2e.backend_params(r.stdout, b)
            ok &= sorted(cv["backend"][b]["params"]) == sorted(listed) and len(listed) > 0
        checks.check("metadata.toml: run settings and every parameter of every backend", ok, meta)
    else:
        checks.skip("metadata.toml: Python < 3.11 has no tomllib")

    # ------------------------------------------------------------------ preset, params, progress, empty samples
    out = os.path.join(runs, "paper")
    r = run(["crossval", "--matrix", matrix, "--k", "3", "--preset", "paper", "--splits", "2", "--max-iter", "200",
             "--param", "nmf.solver=ccd", "--out-dir", out])
    if checks.check("--preset paper runs", r.returncode == 0, r.stderr) and tomllib:
        meta = tomllib.loads(open(os.path.join(out, "metadata.toml")).read())["crossval"]
        p = meta["backend"]
        checks.check("--preset paper: the study's settings, --param and explicit flags win",
                     meta["tol"] == 1e-10 and meta["splits"] == 2 and meta["test-fraction"] == 0.2 and meta["preset"] == "paper"
                     and p["nmf"]["params"]["objective"] == "frobenius" and p["nmf"]["params"]["solver"] == "ccd"
                     and "solver" not in p["nmf"]["preset_params"] and p["nmf"]["user_params"] == {"solver": "ccd"}
                     and p["aenmf"]["params"]["init"] == "uniform" and p["aenmf"]["params"]["schedule"] == "constant"
                     and p["aenmf"]["params"]["loss"] == "mse" and p["aenmf"]["params"]["constraint"] == "abs", meta)
    progress = [l for l in r.stderr.splitlines() if l.startswith(PREFIX + "crossval: ")]
    checks.check("progress: a line with the fits done (a log gets one at the end, and one every 30 s)",
                 any(l.startswith(PREFIX + "crossval: 6/6 fits (") for l in progress), r.stderr)

    out = os.path.join(runs, "one_backend")
    r = run(["crossval", "--matrix", matrix, "--backends", "nmf", "--k", "3", "--splits", "2", "--param",
             "objective=frobenius", "--quiet", "--out-dir", out])
    ok = r.returncode == 0 and [row[0] for row in e2e.read_tsv(os.path.join(out, "summary.tsv"))[1:]] == ["nmf"]
    if ok and tomllib:
        ok = tomllib.loads(open(os.path.join(out, "metadata.toml")).read())["crossval"]["backend"]["nmf"]["params"][
            "objective"] == "frobenius"
    checks.check("one backend: a bare --param KEY is accepted", ok, r.stderr)

    m_empty = os.path.join(inputs, "with_empty.tsv")
    planted_matrix(m_empty, labels, cosmic, 20, seed=9, empty=(3,))
    out = os.path.join(runs, "empty")
    r = run(["crossval", "--matrix", m_empty, "--backends", "nmf", "--k", "2", "--splits", "3", "--out-dir", out])
    warn = [l for l in r.stderr.splitlines() if l.startswith(PREFIX + "warning: ") and "S4" in l]
    checks.check("an all-zero sample: a warning naming it, the run succeeds",
                 r.returncode == 0 and len(warn) == 1, r.stderr)
    if r.returncode == 0:
        sp = e2e.read_tsv(os.path.join(out, "splits.tsv"))
        per = e2e.read_tsv(os.path.join(out, "per_split.tsv"))
        checks.check("an all-zero sample is `empty` in splits.tsv and in no split",
                     sp[4][1:] == ["empty"] * 3 and all(r[2] == "15" and r[3] == "4" for r in per[1:]), (sp[4], per[1]))

    # ------------------------------------------------------------------ bad input
    bad = os.path.join(work, "bad")
    os.makedirs(bad)
    m_small = os.path.join(inputs, "small.tsv")
    planted_matrix(m_small, labels, cosmic, 4, seed=2)
    ref_missing = os.path.join(inputs, "ref_missing.tsv")
    with open(a.cosmic) as f:
        lines = f.read().splitlines()
    e2e.write(ref_missing, "\n".join(lines[:60]) + "\n")  # 59 of the 96 channels
    common = ["--matrix", matrix, "--k", "3", "--splits", "2", "--max-iter", "20"]
    cases = [
        # name, args, expected status, substring of the message
        ("too few samples", ["--matrix", m_small, "--k", "3", "--splits", "2"], 1,
         "small.tsv: only 4 non-empty sample(s); with --k 3 and --test-fraction 0.2 every split needs at least 4 "
         "training samples and 1 test sample, i.e. at least 5 non-empty samples"),
        ("too few samples for the test fraction", ["--matrix", m_small, "--k", "1", "--test-fraction", "0.05"], 1,
         "at least 10 non-empty samples"),
        ("K below 1", ["--matrix", matrix, "--k", "0"], 2, "--k 0 is below 1"),
        ("K of 96 channels", ["--matrix", matrix, "--k", "96"], 2, "K must be from 1 to 95"),
        ("K not a number", ["--matrix", matrix, "--k", "three"], 2, "--k"),
        ("unknown backend", common + ["--backends", "nmf,nmf9"], 2, "unknown backend 'nmf9'"),
        ("backend listed twice", common + ["--backends", "nmf,cnmf,nmf"], 2, "lists backend nmf twice"),
        ("empty backend name", common + ["--backends", "nmf,,cnmf"], 2, "has an empty name"),
        ("test fraction 0", common + ["--test-fraction", "0"], 2, "is not strictly between 0 and 1"),
        ("test fraction 1", common + ["--test-fraction", "1"], 2, "is not strictly between 0 and 1"),
        ("test fraction not a number", common + ["--test-fraction", "a fifth"], 2, "is not strictly between 0 and 1"),
        ("one split", ["--matrix", matrix, "--k", "3", "--splits", "1"], 2, "--splits 1 is below 2"),
        ("splits not a number", ["--matrix", matrix, "--k", "3", "--splits", "many"], 2, "is not a whole number"),
        ("reference with missing channels", common + ["--reference", ref_missing], 1,
         "ref_missing.tsv: 37 of the 96 SBS96 channels have no row"),
        ("reference is a count matrix", common + ["--reference", matrix], 1, "sums to"),
        ("bare --param with several backends", common + ["--param", "objective=frobenius"], 2,
         "names no backend, and several are given — write BACKEND.KEY=VALUE, e.g. nmf.objective=frobenius"),
        ("--param of a backend not listed", common + ["--backends", "nmf,cnmf", "--param", "aenmf.loss=mse"], 2,
         "is for backend 'aenmf', which is not in --backends"),
        ("unknown parameter", common + ["--param", "cnmf.bogus=1"], 2, "backend 'cnmf' has no parameter 'bogus'"),
        ("bad parameter value", common + ["--param", "nmf.objective=poisson-ish"], 2, "rejected a parameter"),
        ("malformed --param", common + ["--param", "nmf.objective"], 2, "is not KEY=VALUE"),
        ("unknown preset", common + ["--preset", "nature"], 2, "--preset nature is not known"),
        ("missing matrix", ["--matrix", os.path.join(bad, "nope.tsv"), "--k", "3"], 1, "nope.tsv"),
        ("missing --k", ["--matrix", matrix], 2, "--k is required"),
        ("unknown option", common + ["--frobnicate"], 2, "--frobnicate"),
    ]
    for name, args, status, expect in cases:
        case_dir = e2e.case_folder(bad, name)
        r = run(["crossval"] + args + ["--out-dir", os.path.join(case_dir, "out")])
        checks.check("bad input: " + name, *e2e.clean_failure(r, status, PREFIX, [expect], case_dir, advice=True))

    # an existing non-empty run folder is refused (exit 2), --force replaces it
    r = run(base + ["--out-dir", out1])
    checks.check("an existing run folder is refused", r.returncode == 2 and "--force" in r.stderr
                 and len(r.stderr.splitlines()) == 1, r.stderr)
    r = run(["crossval", "--matrix", matrix, "--backends", "nmf", "--k", "2", "--splits", "2", "--quiet", "--force",
             "--out-dir", out1])
    checks.check("--force replaces it", r.returncode == 0 and not os.path.exists(os.path.join(out1, "medoids_cnmf.tsv"))
                 and os.path.exists(os.path.join(out1, "medoids_nmf.tsv")), r.stderr)
    checks.check("no temporary folders left", sorted(os.listdir(runs)) == sorted(
        ["t1", "t2", "paper", "one_backend", "empty"]), os.listdir(runs))

    checks.finish()


if __name__ == "__main__":
    main()
