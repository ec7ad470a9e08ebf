#!/usr/bin/env python3
"""End-to-end test of `sigstream extract` with replicates, shards and `sigstream consensus`.

Usage: replicates_test.py --sigstream PATH --workdir DIR --plugins DIR

  --plugins  the folder of the real backends (build/plugins); the nmf backend is needed (without it the
             script reports SKIPPED, exit 77)

The script writes small count matrices into DIR/inputs (96 channels x 6-40 samples, multinomial draws from
COSMIC SBS1, SBS4 and SBS13 of data/cosmic/COSMIC_v3.4_SBS_GRCh37.txt, or from three random profiles when
that file is not found; all seeded), then checks
  * the run folder of `extract --k-range 2:4 --replicates 5`: the top files, solutions/K2..K4, selection.tsv
    (header, one row per K, one Chosen), the top files equal the chosen K's, signature columns sum to 1,
    replicates.tsv rows and their assignments (a permutation of 1..K); on the planted 3-signature matrix
    the chosen K is 3;
  * byte-identity: --threads 1 and 2, the same seed twice; another --seed changes replicates.tsv;
  * scatter and gather: shards split by replicates ({0:6}, {0:2,2:6}, {0:1,1:3,3:6} in shuffled order),
    by K (--k-range 2:3 and --k 4) and a .gz shard, merged by `sigstream consensus`, equal the one-process
    run byte for byte (every file but metadata.toml, walking the folders);
  * --k 3 --replicates 4 fixes K; --k 3 alone is one fit with trace.tsv;
  * one case per kind of bad input (extract and consensus): exit status 1 (data) or 2 (usage), exactly one
    stderr line `sigstream <command>: … — <what to do>`, nothing left behind (no folder, shard or
    temporary file);
  * --normalise 100x with a hypermutated sample: its exposures sum to its true total within 1 %.

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` or `FAIL <name>: reason` per check, then
`N passed, M failed`; exits with status 1 when any check failed.
"""

import argparse
import hashlib
import os
import random

import e2e

TIMEOUT = 300  # seconds per run
MAX_ITER = "400"
PLANTED = ("SBS1", "SBS4", "SBS13")  # pairwise cosines below 0.11
TOP_FILES = ["consensus.tsv", "exposures.tsv", "medoids.tsv", "metadata.toml", "sample_stats.tsv", "selection.tsv",
             "signatures.tsv", "solutions", "stability.tsv"]  # consensus.tsv: the chosen K before --refine minvol
SOLUTION_FILES = ["exposures.tsv", "medoids.tsv", "replicates.tsv", "sample_stats.tsv", "signatures.tsv",
                  "stability.tsv"]
SELECTION_HEADER = ["K", "MeanStability", "MinStability", "FrobeniusPct", "KL", "MeanSampleCosine", "Chosen"]


def load_profiles(rng):
    """Three well separated profiles: COSMIC SBS1, SBS4, SBS13 (matched by label), else random ones."""
    if os.path.exists(e2e.COSMIC):
        labels, cosmic = e2e.read_signatures(e2e.COSMIC)
        row = {label: i for i, label in enumerate(labels)}
        sigs = []
        for name in PLANTED:
            col = [cosmic[name][row[label]] for label in e2e.LABELS]
            total = sum(col)
            sigs.append([x / total for x in col])
        return sigs, "COSMIC " + ", ".join(PLANTED)
    sigs = []
    for _ in range(3):
        w = [rng.random() ** 4 for _ in range(96)]
        total = sum(w)
        sigs.append([x / total for x in w])
    return sigs, "three random profiles (COSMIC file not found)"


def draw(rng, profile, n):
    """A multinomial draw of n mutations from a profile, as 96 counts."""
    counts = [0] * 96
    for i in rng.choices(range(96), weights=profile, k=n):
        counts[i] += 1
    return counts


def make_counts(rng, sigs, n_samples, mean_total=3000, hyper=None):
    """96 x n counts: each sample a random mix of the profiles; sample `hyper` (index, total) gets that total."""
    cols = []
    for j in range(n_samples):
        w = [rng.random() ** 2 + 0.02 for _ in sigs]
        s = sum(w)
        profile = [sum(w[k] / s * sigs[k][i] for k in range(len(sigs))) for i in range(96)]
        total = hyper[1] if hyper and hyper[0] == j else int(mean_total * (0.7 + 0.6 * rng.random()))
        cols.append(draw(rng, profile, total))
    return cols


def resealed(text):
    """A shard's text with the MD5 on its #end line recomputed (docs/shards.md: of every line before it)."""
    body, end = text[:text.rindex("#end\t")], text[text.rindex("#end\t"):]
    fields = end.rstrip("\n").split("\t")
    return body + "#end\t%s\t%s\n" % (fields[1], hashlib.md5(body.encode()).hexdigest())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created)")
    ap.add_argument("--plugins", required=True, help="the folder of the real backends")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    plugins = os.path.abspath(a.plugins)
    inputs = os.path.join(work, "inputs")
    runs = os.path.join(work, "runs")
    shards = os.path.join(work, "shards")
    for d in (inputs, runs, shards):
        os.makedirs(d)
    checks = e2e.Checks(detail_limit=2000)

    if not os.path.exists(os.path.join(plugins, "nmf.so")):
        checks.skip("every check: the nmf backend is not built in %s" % plugins)
        checks.finish()
    run = e2e.Runner(exe, e2e.plugin_env(plugins), timeout=TIMEOUT)

    # ------------------------------------------------------------------ inputs
    rng = random.Random(20240611)
    sigs, origin = load_profiles(rng)
    print("note: planted signatures: %s (pairwise cosines %s)" %
          (origin, ", ".join("%.3f" % e2e.cosine(sigs[i], sigs[j]) for i in range(3) for j in range(i + 1, 3))))
    planted_cols = make_counts(rng, sigs, 40)
    planted = os.path.join(inputs, "planted.tsv")
    e2e.write(planted, e2e.matrix_text(planted_cols))
    other = os.path.join(inputs, "other.tsv")  # same samples, other counts
    e2e.write(other, e2e.matrix_text(make_counts(rng, sigs, 40)))
    six = os.path.join(inputs, "six.tsv")  # 6 samples: K from 1 to 5
    e2e.write(six, e2e.matrix_text(make_counts(rng, sigs, 6, mean_total=500)))
    hyper_cols = make_counts(rng, sigs, 30, mean_total=1500, hyper=(7, 50000))
    hyper = os.path.join(inputs, "hyper.tsv")
    e2e.write(hyper, e2e.matrix_text(hyper_cols))

    base = ["extract", "--matrix", planted, "--backend", "nmf", "--max-iter", MAX_ITER, "--quiet"]

    def out(name):
        return os.path.join(runs, name)

    # ------------------------------------------------------------------ 1. the run folder
    # Five runs at once, two at a time: the reference, its twin on 2 threads, the same seed again, another
    # seed, and the one-process run of the scatter/gather checks (6 replicates).
    main_args = base + ["--k-range", "2:4", "--replicates", "5", "--seed", "7"]
    r_main, r_threads, r_again, r_seed, r_six = run.many([
        main_args + ["--threads", "1", "--out-dir", out("main")],
        main_args + ["--threads", "2", "--out-dir", out("main_t2")],
        main_args + ["--out-dir", out("main_again")],
        base + ["--k-range", "2:4", "--replicates", "5", "--seed", "8", "--out-dir", out("seed8")],
        base + ["--k-range", "2:4", "--replicates", "6", "--seed", "5", "--out-dir", out("r6")],
    ])
    d = out("main")
    if checks.check("extract --k-range 2:4 --replicates 5 succeeds quietly",
                    r_main.returncode == 0 and r_main.stderr == "" and r_main.stdout == "", r_main.stderr):
        checks.check("run folder: the top files", sorted(os.listdir(d)) == TOP_FILES, os.listdir(d))
        sol = os.path.join(d, "solutions")
        checks.check("run folder: solutions/K2..K4", sorted(os.listdir(sol)) == ["K2", "K3", "K4"], os.listdir(sol))
        rows = e2e.read_tsv(os.path.join(d, "selection.tsv"))
        chosen_k = next((int(r[0]) for r in rows[1:] if len(r) > 6 and r[6] == "1"), None)
        for k in (2, 3, 4):
            kd = os.path.join(sol, "K%d" % k)
            expected_files = sorted(SOLUTION_FILES + (["consensus.tsv"] if k == chosen_k else []))
            checks.check("solutions/K%d holds its files" % k,
                         os.path.isdir(kd) and sorted(os.listdir(kd)) == expected_files,
                         os.listdir(kd) if os.path.isdir(kd) else "missing")
        sel = e2e.read_tsv(os.path.join(d, "selection.tsv"))
        checks.check("selection.tsv header", sel[0][:7] == SELECTION_HEADER, sel[0])
        ci = sel[0].index("Chosen") if "Chosen" in sel[0] else 6
        checks.check("selection.tsv: one row per K, in order", [row[0] for row in sel[1:]] == ["2", "3", "4"], sel)
        chosen = [row[0] for row in sel[1:] if row[ci] == "1"]
        checks.check("selection.tsv: exactly one Chosen = 1, the rest 0",
                     len(chosen) == 1 and all(row[ci] in ("0", "1") for row in sel[1:]), sel)
        if chosen:
            kd = os.path.join(sol, "K" + chosen[0])
            same = [f for f in SOLUTION_FILES if f != "replicates.tsv"
                    and open(os.path.join(d, f), "rb").read() == open(os.path.join(kd, f), "rb").read()]
            checks.check("the top files equal solutions/K%s's byte for byte" % chosen[0], len(same) == 5, same)
            checks.check("on the planted 3-signature matrix the chosen K is 3", chosen[0] == "3", sel)
        for k in (2, 3, 4):
            kd = os.path.join(sol, "K%d" % k)
            sig = e2e.read_tsv(os.path.join(kd, "signatures.tsv"))
            ok = len(sig) == 97 and [row[0] for row in sig[1:]] == e2e.LABELS and len(sig[0]) == k + 1
            sums = [sum(float(row[c]) for row in sig[1:]) for c in range(1, k + 1)] if ok else []
            checks.check("K%d: signatures.tsv: %d columns summing to 1, rows in SigProfiler order" % (k, k),
                         ok and all(abs(s - 1) < 1e-9 for s in sums) and all(float(x) >= 0 for row in sig[1:] for x in row[1:]),
                         (sig[0], sums))
            exp = e2e.read_tsv(os.path.join(kd, "exposures.tsv"))
            checks.check("K%d: exposures.tsv: one row per sample" % k,
                         exp[0] == ["Samples"] + sig[0][1:] and [row[0] for row in exp[1:]] == ["S%d" % (j + 1) for j in range(40)],
                         exp[:2])
            rep = e2e.read_tsv(os.path.join(kd, "replicates.tsv"))
            header_ok = rep[0][:5] == ["Replicate", "BootstrapSeed", "StartSeed", "Iterations", "Objective"] \
                and rep[0][5:] == sig[0][1:]
            checks.check("K%d: replicates.tsv header" % k, header_ok, rep[0])
            checks.check("K%d: replicates.tsv has 5 rows, replicates 0..4" % k,
                         len(rep) == 6 and [row[0] for row in rep[1:]] == ["0", "1", "2", "3", "4"], rep)
            perms = all(sorted(row[5:]) == [str(c) for c in range(1, k + 1)] and len(row) == k + 5 for row in rep[1:])
            checks.check("K%d: each replicate's assignment is a permutation of 1..%d" % (k, k), perms, rep)
            stab = e2e.read_tsv(os.path.join(kd, "stability.tsv"))
            checks.check("K%d: stability.tsv: one row per signature" % k,
                         stab[0][:2] == ["Signature", "Stability"] and [row[0] for row in stab[1:]] == sig[0][1:], stab)
        sig = e2e.read_tsv(os.path.join(d, "signatures.tsv"))
        sums = [sum(float(row[c]) for row in sig[1:]) for c in range(1, len(sig[0]))]
        checks.check("top signatures.tsv columns sum to 1", sums and all(abs(s - 1) < 1e-9 for s in sums), sums)

    # ------------------------------------------------------------------ 2. byte-identity
    diff = e2e.tree_diff(d, out("main_t2"))
    checks.check("--threads 1 and --threads 2 give identical files", r_threads.returncode == 0 and not diff,
                 r_threads.stderr + diff)
    diff = e2e.tree_diff(d, out("main_again"))
    checks.check("the same seed twice gives identical files",
                 r_again.returncode == 0 and not diff, r_again.stderr + diff)
    rel = os.path.join("solutions", "K3", "replicates.tsv")
    checks.check("another --seed changes replicates.tsv",
                 r_seed.returncode == 0 and os.path.exists(os.path.join(out("seed8"), rel)) and os.path.exists(os.path.join(d, rel))
                 and open(os.path.join(out("seed8"), rel)).read() != open(os.path.join(d, rel)).read(), r_seed.stderr)

    diff = e2e.tree_diff(d, out("seed8"))
    checks.check("the folder comparison itself sees another seed's run as different",
                 r_seed.returncode == 0 and "files differ" in diff, diff)

    # ------------------------------------------------------------------ 3. scatter and gather
    ref = out("r6")
    checks.check("the one-process run with 6 replicates succeeds", r_six.returncode == 0, r_six.stderr)
    sh_args = base + ["--k-range", "2:4", "--replicates", "6", "--seed", "5"]
    shard_specs = {  # name: extra arguments
        "all.shard.gz": ["--replicate-range", "0:6"],
        "a02.shard": ["--replicate-range", "0:2"],
        "a26.shard": ["--replicate-range", "2:6", "--threads", "2"],  # shards do not depend on --threads either
        "b01.shard": ["--replicate-range", "0:1"],
        "b13.shard": ["--replicate-range", "1:3"],
        "b36.shard": ["--replicate-range", "3:6"],
        "k23.shard": ["--k-range", "2:3"],  # all replicates, K 2 and 3
        "k4.shard": ["--k", "4"],  # all replicates, K 4
        "k2.shard": ["--k", "2"],  # all replicates, K 2 (with k4: K 3 missing in between)
        # one-fit shards that differ from a02/a26 in one thing each (for the bad input below)
        "seed6.shard": ["--k", "2", "--replicate-range", "2:3", "--seed", "6"],
        "r7.shard": ["--k", "2", "--replicate-range", "2:3", "--replicates", "7"],
        "frob.shard": ["--k", "2", "--replicate-range", "2:3", "--param", "nmf.objective=frobenius"],
        "other.shard": ["--k", "2", "--replicate-range", "2:3", "--matrix", other],
        "none.shard": ["--k", "2", "--replicate-range", "2:3", "--normalise", "none"],
        "iter.shard": ["--k", "2", "--replicate-range", "2:3", "--max-iter", "399"],
        "window.shard": ["--k", "2", "--replicate-range", "2:3", "--tol-window", "10"],
    }
    cmds = []
    for name, extra in shard_specs.items():
        args = list(sh_args)
        for flag in extra[::2]:  # the extra arguments replace the common ones (--k replaces --k-range)
            flag = "--k-range" if flag == "--k" else flag
            if flag in args:
                i = args.index(flag)
                del args[i:i + 2]
        cmds.append(args + extra + ["--shard-out", os.path.join(shards, name)])
    shard_ok = True
    for (name, _), r in zip(shard_specs.items(), run.many(cmds)):
        shard_ok &= checks.check("extract --shard-out %s" % name,
                                 r.returncode == 0 and r.stderr == "" and os.path.isfile(os.path.join(shards, name)), r.stderr)
    checks.check("no other file next to the shards (no temporaries)", sorted(os.listdir(shards)) == sorted(shard_specs),
                 os.listdir(shards))
    gz = os.path.join(shards, "all.shard.gz")
    checks.check("a .gz shard is gzip-compressed", os.path.exists(gz) and open(gz, "rb").read(2) == b"\x1f\x8b")
    plain = os.path.join(shards, "a02.shard")
    if os.path.exists(plain):
        first = open(plain).readline()
        checks.check("a shard starts with its magic line", first == "##sigstream-shard\t4\n", first)

    def S(*names):
        return [os.path.join(shards, n) for n in names]

    merges = [
        ("one .gz shard {0:6}", S("all.shard.gz")),
        ("{0:2, 2:6}", S("a02.shard", "a26.shard")),
        ("{3:6, 0:1, 1:3} (shuffled)", S("b36.shard", "b01.shard", "b13.shard")),
        ("K split: --k 4 and --k-range 2:3", S("k4.shard", "k23.shard")),
    ]
    merged = os.path.join(work, "merged")
    os.makedirs(merged)
    for i, (what, paths) in enumerate(merges):
        dest = os.path.join(merged, "m%d" % i)
        r = run(["consensus", "--quiet", "--out-dir", dest] + paths)
        diff = e2e.tree_diff(ref, dest) if r.returncode == 0 else r.stderr
        checks.check("consensus of %s equals the one-process run byte for byte" % what,
                     r.returncode == 0 and not diff, diff)
    dest = os.path.join(merged, "talk")
    r = run(["consensus", "--out-dir", dest] + S("a26.shard", "a02.shard"))
    lines = r.stderr.splitlines()
    checks.check("consensus (not quiet): a line per stage and one closing line naming the folder",
                 r.returncode == 0 and len(lines) == 4 and all(l.startswith("sigstream consensus: ") for l in lines)
                 and [l.split(": ")[1] for l in lines[:3]] == ["consensus", "select", "refine"] and dest in lines[-1],
                 r.stderr)
    checks.check("consensus leaves no temporary folder", sorted(os.listdir(merged)) == ["m0", "m1", "m2", "m3", "talk"],
                 os.listdir(merged))

    # ------------------------------------------------------------------ 4. fixed K
    r_k, r_one = run.many([
        base + ["--k", "3", "--replicates", "4", "--out-dir", out("k3r4")],
        base + ["--k", "3", "--out-dir", out("k3")],
    ])
    if checks.check("--k 3 --replicates 4 succeeds", r_k.returncode == 0, r_k.stderr):
        sel = e2e.read_tsv(os.path.join(out("k3r4"), "selection.tsv"))
        checks.check("--k 3 --replicates 4: selection.tsv has one row, K 3, Chosen 1",
                     len(sel) == 2 and sel[1][0] == "3" and sel[1][sel[0].index("Chosen")] == "1", sel)
        checks.check("--k 3 --replicates 4: solutions/K3 only",
                     sorted(os.listdir(os.path.join(out("k3r4"), "solutions"))) == ["K3"])
        rep = e2e.read_tsv(os.path.join(out("k3r4"), "solutions", "K3", "replicates.tsv"))
        checks.check("--k 3 --replicates 4: 4 replicates", len(rep) == 5, rep)
    if checks.check("--k 3 alone succeeds", r_one.returncode == 0, r_one.stderr):
        files = sorted(os.listdir(out("k3")))
        checks.check("--k 3 alone: one fit with trace.tsv, no selection.tsv",
                     "trace.tsv" in files and "selection.tsv" not in files and "solutions" not in files, files)

    # ------------------------------------------------------------------ 6. --normalise 100x
    r = run(["extract", "--matrix", hyper, "--backend", "nmf", "--max-iter", MAX_ITER, "--quiet", "--k", "3",
             "--replicates", "3", "--normalise", "100x", "--out-dir", out("hyper")])
    if checks.check("--normalise 100x with a hypermutated sample runs", r.returncode == 0, r.stderr):
        exp = e2e.read_tsv(os.path.join(out("hyper"), "exposures.tsv"))
        total = sum(float(x) for x in exp[8][1:])
        truth = sum(hyper_cols[7])
        checks.check("--normalise 100x: the hypermutated sample's exposures sum to its total within 1 %",
                     exp[8][0] == "S8" and abs(total - truth) <= 0.01 * truth, (exp[8], truth))
        meta = open(os.path.join(out("hyper"), "metadata.toml")).read()
        checks.check("--normalise 100x is recorded in metadata.toml", 'normalise = "100x"' in meta, meta[:800])

    checks.check("no temporary folder left next to the run folders",
                 not [n for n in os.listdir(runs) if n.startswith(".") or "tmp" in n], os.listdir(runs))

    # ------------------------------------------------------------------ 5. bad input
    bad = os.path.join(work, "bad")
    os.makedirs(bad)
    version_shard = os.path.join(inputs, "version.shard")
    with open(os.path.join(shards, "a26.shard")) as f:
        text = f.read()
    lines = text.split("\n")
    edited = [("##sigstream_version\t0.0.0-elsewhere" if l.startswith("##sigstream_version\t") else l) for l in lines]
    checks.check("the version-edited shard differs in its version line only",
                 sum(1 for x, y in zip(lines, edited) if x != y) == 1)
    e2e.write(version_shard, resealed("\n".join(edited)))
    # An edit that keeps every signature summing to 1: 1/1024 of one replicate's first signature moved from one
    # channel to the next. Only the checksum on the #end line can tell.
    moved = os.path.join(inputs, "moved.shard")
    block = next(i for i, l in enumerate(lines) if l.startswith("#replicate\t"))
    rows = [lines[i].split("\t") for i in range(block + 1, block + 97)]
    big = sorted(range(96), key=lambda i: -float(rows[i][1]))[:2]  # the largest holds more than 1/96 > 1/1024
    rows[big[0]][1] = repr(float(rows[big[0]][1]) - 1 / 1024)
    rows[big[1]][1] = repr(float(rows[big[1]][1]) + 1 / 1024)
    moved_lines = lines[:block + 1] + ["\t".join(r) for r in rows] + lines[block + 97:]
    e2e.write(moved, "\n".join(moved_lines))
    truncated = os.path.join(inputs, "truncated.shard")
    e2e.write(truncated, "\n".join(lines[:int(len(lines) * 0.6)]) + "\n")
    truncated_gz = os.path.join(inputs, "truncated.shard.gz")
    with open(gz, "rb") as f:
        data = f.read()
    e2e.write(truncated_gz, data[:len(data) // 2])
    damaged = os.path.join(inputs, "damaged.shard")
    at = len(lines) - 20  # a signature row of the last replicate
    e2e.write(damaged, "\n".join(lines[:at] + [lines[at].rsplit("\t", 1)[0] + "\tabc"] + lines[at + 1:]))

    X = ["extract", "--backend", "nmf", "--max-iter", "50", "--quiet"]
    C = ["consensus", "--quiet"]
    # name, command, expected status, substrings of the message, output: "dir" (--out-dir) or "shard"
    cases = [
        ("K range beyond the samples", X + ["--matrix", six, "--k-range", "2:10", "--replicates", "2"], 2,
         ["--k-range 2:10", "at most 5"], "dir"),
        ("--k beyond the samples", X + ["--matrix", six, "--k", "6", "--replicates", "2"], 2, ["--k 6", "at most 5"], "dir"),
        ("--k beyond the samples (one fit)", X + ["--matrix", six, "--k", "6"], 2, ["from 1 to 5"], "dir"),
        ("--k beyond the samples (shard)", X + ["--matrix", six, "--k", "6", "--replicates", "2"], 2, ["at most 5"],
         "shard"),
        ("--k and --k-range together", X + ["--matrix", six, "--k", "2", "--k-range", "2:3"], 2,
         ["--k and --k-range"], "dir"),
        ("--replicates 1", X + ["--matrix", six, "--k-range", "2:3", "--replicates", "1"], 2, ["--replicates 1"], "dir"),
        ("--replicate-range without --shard-out",
         X + ["--matrix", six, "--k-range", "2:3", "--replicates", "4", "--replicate-range", "0:2"], 2,
         ["--replicate-range needs --shard-out"], "dir"),
        ("--replicate-range beyond --replicates",
         X + ["--matrix", six, "--k-range", "2:3", "--replicates", "4", "--replicate-range", "2:5"], 2,
         ["--replicate-range 2:5", "B <= 4"], "shard"),
        ("bad --normalise", X + ["--matrix", six, "--k-range", "2:3", "--replicates", "2", "--normalise", "50x"], 2,
         ["--normalise"], "dir"),
        ("--k-range 5:3", X + ["--matrix", six, "--k-range", "5:3", "--replicates", "2"], 2, ["--k-range"], "dir"),
        ("--k-range 0:3", X + ["--matrix", six, "--k-range", "0:3", "--replicates", "2"], 2, ["K is at least 1"], "dir"),
        ("bad --refine", X + ["--matrix", six, "--k-range", "2:3", "--replicates", "2", "--refine", "mvnmf"], 2,
         ["--refine mvnmf", "minvol or none"], "dir"),
        ("--shard-out with --out-dir",
         X + ["--matrix", six, "--k-range", "2:3", "--replicates", "2", "--out-dir", os.path.join(bad, "never")], 2,
         ["--out-dir is not used"], "shard"),
        ("--k-range 5:3 (shard)", X + ["--matrix", six, "--k-range", "5:3", "--replicates", "2"], 2, ["--k-range"],
         "shard"),
        ("overlapping replicate ranges", C + S("a02.shard", "b01.shard", "a26.shard"), 1,
         ["replicate 0 of K = 2", "overlapping"], "dir"),
        ("missing replicate range", C + S("b01.shard", "a26.shard"), 1,
         ["replicates 1:2 of K = 2", "none of the shards"], "dir"),
        ("shards from different matrices", C + S("a02.shard", "other.shard"), 1, ["count matrix", "other.shard"], "dir"),
        ("different --seed", C + S("a02.shard", "seed6.shard"), 1, ["--seed", "seed6.shard"], "dir"),
        ("different --replicates", C + S("a02.shard", "r7.shard"), 1, ["--replicates", "r7.shard"], "dir"),
        ("different backend parameters", C + S("a02.shard", "frob.shard"), 1, ["objective", "frobenius"], "dir"),
        ("a different sigstream version", C + S("a02.shard") + [version_shard], 1,
         ["sigstream version", "0.0.0-elsewhere"], "dir"),
        ("different --normalise", C + S("a02.shard", "none.shard"), 1, ["--normalise", "none.shard"], "dir"),
        ("different --max-iter", C + S("a02.shard", "iter.shard"), 1, ["--max-iter", "399"], "dir"),
        ("different --tol-window", C + S("a02.shard", "window.shard"), 1, ["--tol-window is 100", "10 here"], "dir"),
        ("a truncated shard", C + S("a02.shard") + [truncated], 1, ["truncated.shard"], "dir"),
        ("an edited shard whose signatures still sum to 1", C + S("a02.shard") + [moved], 1,
         ["moved.shard", "does not match its MD5"], "dir"),
        ("a truncated .gz shard", C + S("a02.shard") + [truncated_gz], 1, ["truncated.shard.gz"], "dir"),
        ("a damaged number in a shard", C + S("a02.shard") + [damaged], 1, ["damaged.shard", "'abc'"], "dir"),
        ("the same shard twice", C + S("a02.shard", "a02.shard", "a26.shard"), 2, ["given twice"], "dir"),
        ("a K missing between two", C + S("k2.shard", "k4.shard"), 1, ["no shard holds K = 3"], "dir"),
        ("a file that is not a shard", C + S("a02.shard") + [planted], 1, ["planted.tsv", "not a sigstream"], "dir"),
        ("no shards given", C, 2, ["no shards given"], "dir"),
        ("a missing shard file", C + S("a02.shard") + [os.path.join(inputs, "nope.shard")], 1, ["nope.shard"], "dir"),
    ]
    for name, args, status, expect, kind in cases:
        case_dir = e2e.case_folder(bad, name)
        target = os.path.join(case_dir, "out" if kind == "dir" else "out.shard")
        r = run(args + (["--out-dir", target] if kind == "dir" else ["--shard-out", target]))
        prefix = "sigstream %s: " % args[0]
        checks.check("bad input: " + name,
                     *e2e.clean_failure(r, status, prefix, expect, case_dir, advice=True, no_warning=True))
    checks.check("bad input: --shard-out with --out-dir creates no folder",
                 not os.path.exists(os.path.join(bad, "never")))
    checks.check("bad input: the shards are left as they were",
                 sorted(os.listdir(shards)) == sorted(shard_specs), os.listdir(shards))

    checks.finish()


if __name__ == "__main__":
    main()
