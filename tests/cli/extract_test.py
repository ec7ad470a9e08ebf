#!/usr/bin/env python3
"""End-to-end test of `sigstream extract` and `sigstream backends`.

Usage: extract_test.py --sigstream PATH --workdir DIR --plugins DIR --test-plugins DIR

  --plugins       the folder of the real backends (build/plugins: nmf.so, cnmf.so, aenmf.so); the checks of
                  a backend that is not there are skipped (reported; the rest, with the test plugins, still
                  run, so the exit status is 0 when they pass)
  --test-plugins  the folder of the test plugins built from tests/plugins/test_plugin (good/, failing/, bad/)

The script writes small count matrices into DIR/inputs (drawn from three random signatures, seeded), then
  * runs each real backend end to end and checks the run folder: its five files, their headers, rows in
    SigProfiler order, signature columns summing to 1, exposures and stats in sample order, the trace's
    length against metadata.toml, the metadata itself; the same seed gives byte-identical files (all but
    metadata.toml); `--tol 0 --max-iter 7` gives a trace of 8 rows; `sigstream backends` lists them;
  * checks all-zero samples (a warning, zero exposures, the run succeeds), --param spellings, --config,
    an existing output folder (refused, empty accepted, --force replaces);
  * runs one case per kind of bad input. Each must exit with the expected status (1 bad data or failed
    run, 2 usage error), print exactly one line on stderr starting `sigstream extract: `, and leave no
    output folder nor temporary folder behind.

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` or `FAIL <name>: reason` per check, then
`N passed, M failed`; exits with status 1 when any check failed.
"""

import argparse
import hashlib
import os
import random
import shutil

import e2e

PREFIX = "sigstream extract: "
TIMEOUT = 300  # seconds per run
BACKENDS = ("nmf", "cnmf", "aenmf")
RUN_FILES = ["exposures.tsv", "metadata.toml", "sample_stats.tsv", "signatures.tsv", "trace.tsv"]

try:
    import tomllib  # Python 3.11+
except ImportError:  # pragma: no cover
    tomllib = None


def make_counts(n_samples, seed=11, empty=()):
    """96 x n counts drawn from three random signatures (rounded), as a list of columns."""
    rng = random.Random(seed)
    sigs = []
    for _ in range(3):
        w = [rng.random() ** 4 for _ in range(96)]
        total = sum(w)
        sigs.append([x / total for x in w])
    cols = []
    for j in range(n_samples):
        if j in empty:
            cols.append([0] * 96)
            continue
        e = [rng.randint(50, 400) for _ in range(3)]
        cols.append([int(round(sum(e[k] * sigs[k][i] for k in range(3)) * (0.7 + 0.6 * rng.random()))) for i in range(96)])
    return cols


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created)")
    ap.add_argument("--plugins", required=True, help="the folder of the real backends")
    ap.add_argument("--test-plugins", required=True, help="the folder of the test plugins (good/, failing/, ...)")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    plugins = os.path.abspath(a.plugins)
    test_plugins = os.path.abspath(a.test_plugins)
    inputs = os.path.join(work, "inputs")
    os.makedirs(inputs)
    checks = e2e.Checks(detail_limit=2000)

    run = e2e.Runner(exe, e2e.plugin_env(plugins), timeout=TIMEOUT)
    run_test = e2e.Runner(exe, e2e.plugin_env(os.path.join(test_plugins, "good") + ":" +
                                              os.path.join(test_plugins, "failing")), timeout=TIMEOUT)

    n = 10
    cols = make_counts(n)
    matrix = os.path.join(inputs, "m.tsv")
    e2e.write(matrix, e2e.matrix_text(cols))
    names = ["S%d" % (j + 1) for j in range(n)]

    present = [b for b in BACKENDS if os.path.exists(os.path.join(plugins, b + ".so"))]
    for b in BACKENDS:
        if b not in present:
            checks.skip("backend %s is not built in %s: its end-to-end checks%s" % (
                b, plugins, ", --param and --config, all-zero samples with nmf (the bad-input cases use the test "
                            "plugin instead)" if b == "nmf" else ""))

    # ------------------------------------------------------------------ sigstream backends
    # SIGSTREAM_PLUGIN_PATH unset: <folder of the binary>/plugins
    r = e2e.Runner(exe, e2e.plugin_env(None), timeout=TIMEOUT)(["backends"])
    checks.check("backends exits 0", r.returncode == 0, r.stderr)
    for b in present:
        checks.check("backends lists %s" % b,
                     ("\n" + b + " ") in ("\n" + r.stdout) and os.path.join(plugins, b + ".so") in r.stdout,
                     r.stdout)
    r = run(["backends", "--help"])
    checks.check("backends --help", r.returncode == 0 and "SIGSTREAM_PLUGIN_PATH" in r.stdout, r.stdout + r.stderr)
    r = e2e.Runner(exe, e2e.plugin_env(os.path.join(test_plugins, "bad") + ":" + os.path.join(test_plugins, "good")),
                   timeout=TIMEOUT)(["backends"])
    warnings = [l for l in r.stderr.splitlines() if l.startswith("sigstream backends: warning: plugin refused: ")]
    checks.check("backends: refused plugins are warnings, listing goes on",
                 r.returncode == 0 and "testfixed 0.0.1" in r.stdout and "status = ok" in r.stdout and len(warnings) == 5
                 and any("built for backend ABI version 1, but this sigstream speaks version 2" in w for w in warnings)
                 and any("does not export sigstream_backend_api_version" in w for w in warnings),
                 r.stdout + r.stderr)
    r = run(["extract", "--help"])
    checks.check("extract --help",
                 r.returncode == 0 and "--out-dir D" in r.stdout and "[default: 10000]" in r.stdout, r.stdout)

    # ------------------------------------------------------------------ each real backend end to end
    runs = os.path.join(work, "runs")
    os.makedirs(runs)
    for b in present:
        out1, out2 = os.path.join(runs, b + "_1"), os.path.join(runs, b + "_2")
        args = ["extract", "--matrix", matrix, "--backend", b, "--k", "3", "--seed", "7", "--max-iter", "300", "--quiet"]
        r1 = run(args + ["--out-dir", out1])
        if not checks.check("%s: run succeeds quietly" % b,
                            r1.returncode == 0 and r1.stderr == "" and r1.stdout == "", r1.stderr):
            continue
        r2 = run(args + ["--out-dir", out2])
        checks.check("%s: the run folder holds the five files" % b,
                     sorted(os.listdir(out1)) == RUN_FILES, os.listdir(out1))
        same = r2.returncode == 0 and all(open(os.path.join(out1, f), "rb").read() == open(os.path.join(out2, f), "rb").read()
                                          for f in RUN_FILES if f != "metadata.toml")
        checks.check("%s: the same seed gives byte-identical files" % b, same, r2.stderr)

        sig = e2e.read_tsv(os.path.join(out1, "signatures.tsv"))
        checks.check("%s: signatures header" % b, sig[0] == ["MutationType", "SBS96A", "SBS96B", "SBS96C"], sig[0])
        checks.check("%s: signatures rows in SigProfiler order" % b, [row[0] for row in sig[1:]] == e2e.LABELS)
        sums = [sum(float(row[c]) for row in sig[1:]) for c in (1, 2, 3)]
        checks.check("%s: signature columns sum to 1" % b, all(abs(s - 1) < 1e-12 for s in sums), sums)
        checks.check("%s: signatures non-negative" % b, all(float(x) >= 0 for row in sig[1:] for x in row[1:]))

        exp = e2e.read_tsv(os.path.join(out1, "exposures.tsv"))
        checks.check("%s: exposures header and sample order" % b,
                     exp[0] == ["Samples", "SBS96A", "SBS96B", "SBS96C"] and [row[0] for row in exp[1:]] == names, exp[:2])

        st = e2e.read_tsv(os.path.join(out1, "sample_stats.tsv"))
        checks.check("%s: sample_stats header" % b,
                     st[0] == ["Sample", "Total", "Cosine", "L1_pct", "L2_pct", "KL"], st[0])
        totals_ok = [row[0] for row in st[1:]] == names and all(float(row[1]) == sum(cols[j]) for j, row in enumerate(st[1:]))
        checks.check("%s: sample_stats totals" % b, totals_ok, st[:3])
        checks.check("%s: cosines in (0, 1]" % b, all(0 < float(row[2]) <= 1 + 1e-12 for row in st[1:]), st[:3])
        # the stats agree with signatures x exposures, as written (round-trip exact numbers)
        W = [[float(x) for x in row[1:]] for row in sig[1:]]
        H = [[float(x) for x in row[1:]] for row in exp[1:]]
        worst = 0.0
        for j in range(n):
            vhat = [sum(W[i][s] * H[j][s] for s in range(3)) for i in range(96)]
            v = cols[j]
            l1 = 100 * sum(abs(v[i] - vhat[i]) for i in range(96)) / sum(v)
            worst = max(worst, abs(l1 - float(st[j + 1][3])))
        checks.check("%s: L1_pct recomputed from the written files" % b, worst < 1e-6, worst)

        tr = e2e.read_tsv(os.path.join(out1, "trace.tsv"))
        checks.check("%s: trace header" % b, tr[0] == ["Iteration", "Objective"] and tr[1][0] == "0", tr[:2])
        checks.check("%s: trace iterations numbered" % b, [int(row[0]) for row in tr[1:]] == list(range(len(tr) - 1)))

        meta_text = open(os.path.join(out1, "metadata.toml")).read()
        if tomllib:
            try:
                meta = tomllib.loads(meta_text)
            except Exception as e:  # noqa: BLE001
                checks.check("%s: metadata.toml parses" % b, False, e)
                continue
            md5 = hashlib.md5(open(matrix, "rb").read()).hexdigest()
            ex = meta["extract"]
            checks.check("%s: metadata fields" % b,
                         ex["backend_info"]["name"] == b and ex["backend"] == b and ex["k"] == 3 and ex["seed"] == 7
                         and ex["max-iter"] == 300 and ex["tol"] == 1e-7 and ex["tol-window"] == 100 and ex["matrix"] == matrix
                         and ex["input"]["matrix"] == matrix and ex["input"]["md5"] == md5
                         and ex["backend_info"]["file"] == os.path.join(plugins, b + ".so")
                         and meta["argv"][:2] == ["sigstream", "extract"] and meta["stages"] == ["extract"]
                         and meta["sigstream_version"] and ex["backend_info"]["version"], meta_text)
            checks.check("%s: trace has iterations + 1 rows" % b,
                         len(tr) - 1 == ex["iterations"] + 1, (len(tr), ex["iterations"]))
            r = run(["backends"])
            listed = e2e.backend_params(r.stdout, b)
            checks.check("%s: metadata lists every parameter, defaults included" % b,
                         sorted(ex["params"].keys()) == sorted(listed) and ex["param"] == [], (ex["params"], listed))
        else:
            print("note: Python < 3.11 has no tomllib; metadata.toml is checked loosely")
            checks.check("%s: metadata mentions the backend" % b,
                         'name = "%s"' % b in meta_text and "seed = 7" in meta_text)

        out3 = os.path.join(runs, b + "_tol0")
        r = run(["extract", "--matrix", matrix, "--backend", b, "--k", "2", "--tol", "0", "--max-iter", "7", "--quiet",
                 "--out-dir", out3])
        tr = e2e.read_tsv(os.path.join(out3, "trace.tsv")) if r.returncode == 0 else []
        checks.check("%s: --tol 0 --max-iter 7 gives 8 trace rows" % b,
                     r.returncode == 0 and len(tr) == 9, r.stderr + str(tr))

        # not quiet: one closing line on stderr naming the backend and the folder
        out4 = os.path.join(runs, b + "_talk")
        r = run(["extract", "--matrix", matrix, "--backend", b, "--k", "2", "--max-iter", "20", "--out-dir", out4])
        checks.check("%s: closing line on stderr" % b,
                     r.returncode == 0 and (PREFIX + b + " K=2: ") in r.stderr and out4 in r.stderr,
                     r.stderr)

    # ------------------------------------------------------------------ parameters and config (nmf)
    if "nmf" in present:
        common = ["extract", "--matrix", matrix, "--backend", "nmf", "--k", "2", "--max-iter", "50", "--quiet"]
        pa, pb, pc = (os.path.join(runs, x) for x in ("param_long", "param_short", "param_config"))
        r1 = run(common + ["--param", "nmf.objective=frobenius", "--out-dir", pa])
        r2 = run(common + ["--param", "objective=frobenius", "--out-dir", pb])
        cfg = os.path.join(inputs, "extract.toml")
        e2e.write(cfg, 'matrix = "%s"\nbackend = "nmf"\nk = 2\nmax-iter = 50\nquiet = true\nparam = ["nmf.objective=frobenius"]\n'
                  % matrix)
        r3 = run(["extract", "--config", cfg, "--out-dir", pc])
        ok = r1.returncode == 0 and r2.returncode == 0 and r3.returncode == 0
        checks.check("--param nmf.KEY=V, --param KEY=V and --config agree",
                     ok and all(open(os.path.join(pa, f)).read() == open(os.path.join(pb, f)).read() ==
                                open(os.path.join(pc, f)).read() for f in RUN_FILES if f != "metadata.toml"),
                     r1.stderr + r2.stderr + r3.stderr)
        if ok and tomllib:
            meta = tomllib.loads(open(os.path.join(pa, "metadata.toml")).read())
            ex = meta["extract"]
            checks.check("metadata records the override and the other defaults",
                         ex["params"]["objective"] == "frobenius" and ex["param"] == ["nmf.objective=frobenius"]
                         and len(ex["params"]) >= 2, ex)
        default_run = os.path.join(runs, "param_default")
        r = run(common + ["--out-dir", default_run])
        checks.check("the parameter changes the result", r.returncode == 0 and
                     open(os.path.join(default_run, "trace.tsv")).read() != open(os.path.join(pa, "trace.tsv")).read(), r.stderr)

    # ------------------------------------------------------------------ the stop rule a run records (test plugin)
    # Replicate fits default to --tol 1e-4, one fit to 1e-7 (checked above); a given --tol is kept.
    if tomllib:
        for extra, want in [([], 1e-4), (["--tol", "1e-7"], 1e-7)]:
            out = os.path.join(runs, "tol_replicates" + ("_given" if extra else ""))
            r = run_test(["extract", "--matrix", matrix, "--backend", "testfixed", "--k-range", "2:3", "--replicates",
                          "2", "--max-iter", "20", "--out-dir", out] + extra)
            got = (tomllib.loads(open(os.path.join(out, "metadata.toml")).read())["extract"].get("tol")
                   if r.returncode == 0 else None)
            checks.check("replicate run %s records tol %g" % (extra or "without --tol", want), got == want,
                         r.stderr + str(got))

    # ------------------------------------------------------------------ empty samples (test plugin and nmf)
    cols_e = make_counts(6, seed=5, empty=(1, 4))
    matrix_e = os.path.join(inputs, "with_empty.tsv")
    e2e.write(matrix_e, e2e.matrix_text(cols_e))
    for b, runner in [("testfixed", run_test)] + ([("nmf", run)] if "nmf" in present else []):
        out = os.path.join(runs, "empty_" + b)
        r = runner(["extract", "--matrix", matrix_e, "--backend", b, "--k", "2", "--max-iter", "50", "--out-dir", out])
        warn = [l for l in r.stderr.splitlines() if l.startswith(PREFIX + "warning: ") and "S2" in l and "S5" in l]
        checks.check("%s: all-zero samples: warning, still succeeds" % b,
                     r.returncode == 0 and len(warn) == 1, r.stderr)
        if r.returncode == 0:
            exp = e2e.read_tsv(os.path.join(out, "exposures.tsv"))
            st = e2e.read_tsv(os.path.join(out, "sample_stats.tsv"))
            checks.check("%s: empty samples get zero exposures and zero stats" % b,
                         [row[0] for row in exp[1:]] == ["S1", "S2", "S3", "S4", "S5", "S6"]
                         and exp[2][1:] == ["0", "0"] and exp[5][1:] == ["0", "0"]
                         and st[2][1:] == ["0"] * 5 and st[5][1:] == ["0"] * 5 and float(exp[1][1]) > 0, (exp, st))
        if b == "testfixed" and r.returncode == 0:
            exp = e2e.read_tsv(os.path.join(out, "exposures.tsv"))
            # the fixed factorisation gives every signature total / K mutations
            checks.check("testfixed: exposures are mutations attributed",
                         all(abs(sum(float(x) for x in exp[j + 1][1:]) - sum(cols_e[j])) < 1e-9 for j in range(6)), exp)

    # ------------------------------------------------------------------ the output folder
    if True:  # with the test plugin, so this runs whatever backends are built
        b, runner = "testfixed", run_test
        args = ["extract", "--matrix", matrix, "--backend", b, "--k", "2", "--quiet"]
        parent = os.path.join(work, "outdir")
        os.makedirs(parent)
        d = os.path.join(parent, "D")
        os.makedirs(d)
        r = runner(args + ["--out-dir", d])
        checks.check("an existing empty folder is used",
                     r.returncode == 0 and sorted(os.listdir(d)) == RUN_FILES, r.stderr)
        r = runner(args + ["--out-dir", d])
        checks.check("an existing non-empty folder is refused (exit 2, one line)",
                     r.returncode == 2 and len(r.stderr.splitlines()) == 1 and r.stderr.startswith(PREFIX)
                     and "--force" in r.stderr and sorted(os.listdir(d)) == RUN_FILES, r.stderr)
        e2e.write(os.path.join(d, "extra.txt"), "x")
        r = runner(args + ["--out-dir", d, "--force"])
        checks.check("--force replaces it", r.returncode == 0 and sorted(os.listdir(d)) == RUN_FILES, r.stderr)
        r = runner(args + ["--out-dir", d + "/"])
        checks.check("a trailing slash names the same folder", r.returncode == 2, r.stderr)
        f = os.path.join(parent, "F")
        e2e.write(f, "a file\n")
        r = runner(args + ["--out-dir", f, "--force"])
        checks.check("a file at --out-dir is refused, even with --force",
                     r.returncode == 2 and open(f).read() == "a file\n"
                     and len(r.stderr.splitlines()) == 1 and "is not a folder" in r.stderr, r.stderr)
        shutil.copy(matrix, os.path.join(d, "input.tsv"))
        r = runner(["extract", "--matrix", os.path.join(d, "input.tsv"), "--backend", b, "--k", "2", "--quiet",
                    "--out-dir", d, "--force"])
        checks.check("--force refuses to replace the folder holding the matrix",
                     r.returncode == 2 and os.path.exists(os.path.join(d, "input.tsv")) and "holding the input" in r.stderr, r.stderr)
        checks.check("no temporary folders left next to the output",
                     sorted(os.listdir(parent)) == ["D", "F"], os.listdir(parent))

    # ------------------------------------------------------------------ bad input
    bad = os.path.join(work, "bad")
    os.makedirs(bad)

    def bad_matrix(name, text):
        return e2e.write(os.path.join(bad, name), text)

    small = make_counts(4, seed=3)
    m_nan = bad_matrix("nan.tsv", e2e.matrix_text(small, cell=(5, 1, "NaN")))
    m_neg = bad_matrix("negative.tsv", e2e.matrix_text(small, cell=(7, 2, "-3")))
    m_text = bad_matrix("text.tsv", e2e.matrix_text(small, cell=(9, 0, "twelve")))
    dup_labels = list(e2e.LABELS)
    dup_labels[10] = dup_labels[9]
    m_duplab = bad_matrix("dup_labels.tsv", e2e.matrix_text(small, labels=dup_labels))
    m_dupname = bad_matrix("dup_names.tsv", e2e.matrix_text(small, names=["A", "B", "A", "C"]))
    m_one = bad_matrix("one_nonempty.tsv", e2e.matrix_text(make_counts(3, seed=4, empty=(0, 2))))
    m_zero = bad_matrix("all_empty.tsv", e2e.matrix_text(make_counts(3, seed=4, empty=(0, 1, 2))))
    m_ok = bad_matrix("ok.tsv", e2e.matrix_text(small))  # 4 samples: K from 1 to 3
    m_wide = bad_matrix("wide.tsv", e2e.matrix_text(make_counts(100, seed=8)))  # 100 samples: K from 1 to 95

    nmf_or_test = "nmf" if "nmf" in present else "testfixed"
    runner_default = run if "nmf" in present else run_test
    cases = [
        # name, args, expected status, substring of the message, runner
        ("K < 1", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "0"], 2, "--k 0 is below 1", runner_default),
        ("K negative", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "-2"], 2, "below 1", runner_default),
        ("K not a number", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "three"], 2, "--k", runner_default),
        ("K = non-empty samples", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "4"], 2, "from 1 to 3",
         runner_default),
        ("K >= samples", ["--matrix", matrix, "--backend", nmf_or_test, "--k", "96"], 2, "from 1 to 9", runner_default),
        ("K >= 96 channels", ["--matrix", m_wide, "--backend", "testfixed", "--k", "96"], 2,
         "wide.tsv: K = 96 is out of range: with 96 channels and 100 non-empty samples K must be from 1 to 95", run_test),
        ("NaN cell", ["--matrix", m_nan, "--backend", nmf_or_test, "--k", "2"], 1, "nan.tsv", runner_default),
        ("negative cell", ["--matrix", m_neg, "--backend", nmf_or_test, "--k", "2"], 1, "negative.tsv", runner_default),
        ("non-numeric cell", ["--matrix", m_text, "--backend", nmf_or_test, "--k", "2"], 1, "text.tsv", runner_default),
        ("duplicated labels", ["--matrix", m_duplab, "--backend", nmf_or_test, "--k", "2"], 1, "dup_labels.tsv",
         runner_default),
        ("duplicated sample names", ["--matrix", m_dupname, "--backend", nmf_or_test, "--k", "2"], 1, "dup_names.tsv",
         runner_default),
        ("missing matrix", ["--matrix", os.path.join(bad, "nope.tsv"), "--backend", nmf_or_test, "--k", "2"], 1,
         "nope.tsv", runner_default),
        ("unknown backend", ["--matrix", m_ok, "--backend", "nmf9", "--k", "2"], 2, "unknown backend 'nmf9'",
         runner_default),
        ("unknown parameter", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--param", nmf_or_test + ".bogus=1"],
         2, "has no parameter 'bogus'", runner_default),
        ("parameter of another backend", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--param", "zzz.init=1"],
         2, "is for backend 'zzz'", runner_default),
        ("malformed parameter", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--param", "objective"], 2,
         "is not KEY=VALUE", runner_default),
        ("parameter given twice", ["--matrix", m_ok, "--backend", "testfixed", "--k", "2", "--param", "status=ok",
                                   "--param", "testfixed.status=failed"], 2, "--param status is given twice", run_test),
        ("bad parameter value",
         ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--param",
          ("nmf.objective=poisson-ish" if nmf_or_test == "nmf" else "testfixed.status=maybe")], 2, "rejected a parameter",
         runner_default),
        ("bad parameter value (test plugin)", ["--matrix", m_ok, "--backend", "testfixed", "--k", "2", "--param",
                                               "status=maybe"], 2, "status 'maybe' is not ok", run_test),
        ("plugin fails mid-fit", ["--matrix", m_ok, "--backend", "failing", "--k", "2"], 1,
         "backend 'failing' failed: simulated failure at iteration 2", run_test),
        ("numerical breakdown", ["--matrix", m_ok, "--backend", "testfixed", "--k", "2", "--param", "status=numerical"], 1,
         "broke down numerically", run_test),
        ("fewer than two non-empty samples", ["--matrix", m_one, "--backend", nmf_or_test, "--k", "1"], 1,
         "one_nonempty.tsv: only 1 of the 3 samples", runner_default),
        ("no non-empty samples", ["--matrix", m_zero, "--backend", nmf_or_test, "--k", "1"], 1, "only 0 of the 3",
         runner_default),
        ("--k with --k-range", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--k-range", "2:3"], 2,
         "--k and --k-range both given", runner_default),
        ("bad --tol", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--tol", "-1"], 2, "--tol", runner_default),
        ("bad --max-iter", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--max-iter", "0"], 2, "--max-iter",
         runner_default),
        ("unknown option", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2", "--frobnicate"], 2, "--frobnicate",
         runner_default),
        ("output folder's parent missing", ["--matrix", m_ok, "--backend", nmf_or_test, "--k", "2"], 1, "does not exist",
         runner_default),
    ]
    for name, args, status, expect, runner in cases:
        case_dir = e2e.case_folder(bad, name)
        out = os.path.join(case_dir, "missing", "out") if name == "output folder's parent missing" else os.path.join(case_dir, "out")
        r = runner(["extract"] + args + ["--out-dir", out])
        checks.check("bad input: " + name, *e2e.clean_failure(r, status, PREFIX, [expect], case_dir, no_warning=True))

    checks.finish()


if __name__ == "__main__":
    main()
