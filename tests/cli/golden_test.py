#!/usr/bin/env python3
"""Golden run folders: every subcommand's outputs, byte for byte, against files saved in tests/golden/expected.

Usage: golden_test.py --sigstream PATH --workdir DIR --plugins DIR [--update]

The cases below run `count`, `extract` (one fit, fixed K, a K range), `extract --shard-out` + `consensus`, `fit`,
`compare` and `crossval` on small inputs (tests/golden/inputs: a 96 x 16 matrix drawn from COSMIC SBS1, SBS5 and
SBS13 with one empty sample; data/example for counting), each from the work folder so that the paths the outputs
record are the same everywhere. Every output file but metadata.toml must equal its saved copy.

Every case runs at every instruction-set level this CPU has (SIGSTREAM_ISA=generic, v2, v3, v4): the backends'
kernels give the same bits at every level, in every build (no fused multiply-adds, sums in fixed orders), so the
saved files hold everywhere.

--update rewrites tests/golden/expected from this binary (only when a change of results is intended; say so in
the commit).
"""

import argparse
import os
import shutil

import e2e

GOLDEN = os.path.join(e2e.ROOT, "tests", "golden")
EXPECTED = os.path.join(GOLDEN, "expected")
MATRIX = "inputs/matrix.tsv"
EXAMPLE = ["inputs/tumour_a.vcf.gz", "inputs/tumour_b.vcf.gz", "inputs/tumour_c.vcf.gz"]

# (case, arguments); each writes out/<case> (a run folder, or a folder of files).
CASES = [
    ("count",
     ["count", "--ref", "inputs/genome.fa", "--context", "sbs6,sbs96,sbs1536", "--out-prefix", "out/count/example",
      "--summary", "out/count/summary.tsv"] + EXAMPLE),
    ("extract_single_nmf", ["extract", "--matrix", MATRIX, "--k", "3", "--max-iter", "300", "--seed", "5",
                                   "--out-dir", "out/extract_single_nmf"]),
    ("extract_single_cnmf", ["extract", "--matrix", MATRIX, "--backend", "cnmf", "--k", "3", "--max-iter",
                                         "300", "--seed", "5", "--out-dir", "out/extract_single_cnmf"]),
    ("extract_single_aenmf", ["extract", "--matrix", MATRIX, "--backend", "aenmf", "--k", "3",
                                          "--max-iter", "300", "--seed", "5", "--out-dir", "out/extract_single_aenmf"]),
    ("extract_converged_aenmf", ["extract", "--matrix", MATRIX, "--backend", "aenmf", "--k", "3",
                                             "--seed", "5", "--out-dir", "out/extract_converged_aenmf"]),
    ("extract_converged_cnmf", ["extract", "--matrix", MATRIX, "--backend", "cnmf", "--k", "2",
                                            "--seed", "5", "--out-dir", "out/extract_converged_cnmf"]),
    ("extract_fixed_k", ["extract", "--matrix", MATRIX, "--k", "3", "--replicates", "4", "--max-iter", "200",
                                "--out-dir", "out/extract_fixed_k"]),
    ("extract_range_nmf", ["extract", "--matrix", MATRIX, "--k-range", "2:4", "--replicates", "4",
                                  "--max-iter", "200", "--out-dir", "out/extract_range_nmf"]),
    ("extract_range_cnmf", ["extract", "--matrix", MATRIX, "--backend", "cnmf", "--k-range", "2:4",
                                        "--replicates", "4", "--max-iter", "200", "--normalise", "log2",
                                        "--out-dir", "out/extract_range_cnmf"]),
    ("shards", None),  # two shards of the cnmf run above, then `consensus`: see run_shards()
    ("fit_cosmic", ["fit", "--matrix", MATRIX, "--signatures", "inputs/cosmic.txt", "--sparse",
                                "--out-dir", "out/fit_cosmic"]),
    ("fit_run", ["fit", "--matrix", MATRIX, "--signatures", "out/extract_range_cnmf",
                             "--out-dir", "out/fit_run"]),
    ("compare", ["compare", "--signatures", "out/extract_range_cnmf", "--all",
                             "--out", "out/compare/cosmic.tsv"]),
    ("crossval_portable", ["crossval", "--matrix", MATRIX, "--k", "3", "--splits", "3", "--backends",
                                       "cnmf,aenmf", "--max-iter", "200", "--out-dir", "out/crossval_portable"]),
    ("crossval", ["crossval", "--matrix", MATRIX, "--k", "3", "--splits", "3", "--max-iter", "200",
                         "--out-dir", "out/crossval"]),
    ("crossval_paper", ["crossval", "--matrix", MATRIX, "--k", "3", "--splits", "2", "--backends",
                               "nmf,aenmf", "--preset", "paper", "--max-iter", "300", "--out-dir",
                               "out/crossval_paper"]),
]

SHARDS = [["extract", "--matrix", MATRIX, "--backend", "cnmf", "--k-range", "2:4", "--replicates", "4",
           "--max-iter", "200", "--normalise", "log2", "--replicate-range", "0:3", "--shard-out", "out/shards/a.tsv"],
          ["extract", "--matrix", MATRIX, "--backend", "cnmf", "--k-range", "2:4", "--replicates", "4",
           "--max-iter", "200", "--normalise", "log2", "--replicate-range", "3:4", "--shard-out", "out/shards/b.tsv"],
          ["consensus", "--out-dir", "out/shards/run", "out/shards/a.tsv", "out/shards/b.tsv"]]


def cpu_levels():
    """The instruction-set levels this CPU runs (src/abi/sigstream_isa.h), from /proc/cpuinfo's flags."""
    levels = ["generic"]
    if os.uname().machine != "x86_64":
        return levels
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        return levels
    for level, needs in [("v2", {"sse4_2", "popcnt", "ssse3", "cx16"}),
                         ("v3", {"avx2", "fma", "bmi1", "bmi2", "f16c", "movbe"}),
                         ("v4", {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})]:
        if not needs <= flags:
            break
        levels.append(level)
    return levels


def make_inputs(work):
    inputs = e2e.fresh_folder(os.path.join(work, "inputs"))
    shutil.copy(os.path.join(GOLDEN, "inputs", "matrix.tsv"), inputs)
    shutil.copy(e2e.COSMIC, os.path.join(inputs, "cosmic.txt"))
    for name in ["genome.fa", "tumour_a.vcf.gz", "tumour_b.vcf.gz", "tumour_c.vcf.gz"]:
        shutil.copy(os.path.join(e2e.ROOT, "data", "example", name), inputs)
    os.makedirs(os.path.join(work, "out"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created)")
    ap.add_argument("--plugins", required=True, help="the folder of the real backends")
    ap.add_argument("--update", action="store_true", help="rewrite tests/golden/expected from this binary")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    top = e2e.fresh_folder(os.path.abspath(a.workdir))
    plugins = os.path.abspath(a.plugins)
    checks = e2e.Checks()
    for plugin in ("nmf", "cnmf", "aenmf"):
        if not os.path.exists(os.path.join(plugins, plugin + ".so")):
            checks.skip("every case: the %s plugin is not built (%s)" % (plugin, plugins))
            checks.finish()

    levels = cpu_levels()
    for level in levels[::-1] if not a.update else levels[-1:]:  # the CPU's own level first
        work = os.path.join(top, level)
        make_inputs(work)
        env = e2e.plugin_env(plugins)
        env["SIGSTREAM_ISA"] = level
        run = e2e.Runner(exe, env)
        for case, args in CASES:
            commands = SHARDS if args is None else [args]
            os.makedirs(os.path.join(work, "out", case))  # empty: run folders may be created in it
            for command in commands:
                r = run(command, cwd=work)
                if r.returncode != 0:
                    checks.check("%s %s runs" % (level, case), False, "%s\n%s" % (" ".join(command), r.stderr))
                    break
            else:
                produced = os.path.join(work, "out", case)
                saved = os.path.join(EXPECTED, case)
                if a.update:
                    shutil.rmtree(saved, ignore_errors=True)
                    shutil.copytree(produced, saved, ignore=shutil.ignore_patterns("metadata.toml"))
                    checks.check("%s saved" % case, True)
                else:
                    diff = compare_trees(produced, saved)
                    checks.check("%s (SIGSTREAM_ISA=%s): every file but metadata.toml equals the saved one"
                                 % (case, level), not diff, diff)
    checks.finish()


def compare_trees(produced, saved):
    """'' when `produced` holds exactly the saved files (and perhaps metadata.toml files) with the same bytes."""
    if not os.path.isdir(saved):
        return "no saved files (run with --update)"
    mine = [f for f in e2e.tree(produced) if os.path.basename(f) != "metadata.toml"]
    theirs = e2e.tree(saved)
    if mine != theirs:
        return "files in one tree only: %r" % sorted(set(mine) ^ set(theirs))
    differ = []
    for rel in theirs:
        with open(os.path.join(produced, rel), "rb") as fa, open(os.path.join(saved, rel), "rb") as fb:
            if fa.read() != fb.read():
                differ.append(rel)
    return "files differ: %r" % differ if differ else ""


if __name__ == "__main__":
    main()
