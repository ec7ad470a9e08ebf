#!/usr/bin/env python3
"""End-to-end checks of the `sigstream` front end: --version, help, per-command --help, unknown
commands, --config files (equal to the same options on the command line, command line wins),
output to standard output and to .gz files, two named pipes as inputs, `compare` on a run folder
and `fit` (and their usage and missing-file errors), and the closing line on stderr.

Usage: cli_basics_test.py --sigstream PATH --workdir DIR

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` or `FAIL <name>: reason` per check, then
`N passed, M failed`; exits with status 1 when any check failed.
"""

import argparse
import gzip
import os
import shutil
import threading

import e2e

EXAMPLE = os.path.join(e2e.ROOT, "data", "example")


def feed(fifo, source):
    """Copies the file `source` into the named pipe `fifo` (blocks until a reader opens it)."""
    with open(source, "rb") as src, open(fifo, "wb") as dst:
        shutil.copyfileobj(src, dst)


def row_ok(line, name, match):
    """A row of cosmic.tsv: signature `name` matched to `match` with cosine 1 (best and one-to-one)."""
    f = line.split("\t")
    return f[0] == name and f[1] == match and f[3] == match and float(f[2]) > 1 - 1e-12 and float(f[4]) > 1 - 1e-12


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created)")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    run = e2e.Runner(exe)
    checks = e2e.Checks()

    # the example genome is copied so its .fai is built in the scratch folder, not in the source tree
    shutil.copy(os.path.join(EXAMPLE, "genome.fa"), work)
    ref = os.path.join(work, "genome.fa")
    vcfs = [os.path.join(EXAMPLE, f) for f in ("tumour_a.vcf.gz", "tumour_b.vcf.gz", "tumour_c.vcf.gz")]

    r = run(["--version"])
    checks.check("--version",
                 r.returncode == 0 and r.stdout.startswith("sigstream ") and "htslib" in r.stdout, r.stdout + r.stderr)
    r = run(["help"])
    checks.check("help lists count",
                 r.returncode == 0 and "count" in r.stdout and "Usage: sigstream" in r.stdout, r.stdout)
    r = run(["help", "count"])
    checks.check("help count",
                 r.returncode == 0 and "--ref FASTA" in r.stdout and "--adjacent-snvs" in r.stdout, r.stdout)
    r = run(["count", "--help"])
    checks.check("count --help shows defaults", r.returncode == 0 and "[default: sbs96]" in r.stdout, r.stdout)
    # the kernels' instruction-set level: shown by `backends`; SIGSTREAM_ISA that names no level stops a run (exit 2)
    r = run(["backends"])
    checks.check("backends names the kernels' level", r.returncode == 0 and "\nKernels: " in r.stdout, r.stdout[-400:])
    for bad in ("v9", "avx2", "V3"):
        env = dict(os.environ, SIGSTREAM_ISA=bad)
        r = e2e.Runner(exe, env)(["extract", "--matrix", os.path.join(e2e.ROOT, "tests", "golden", "inputs", "matrix.tsv"),
                                  "--k", "2", "--out-dir", os.path.join(work, "isa_" + bad)])
        checks.check("SIGSTREAM_ISA=%s is refused before any fit (exit 2, one line)" % bad,
                     r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "generic, v2, v3 or v4" in r.stderr
                     and not os.path.exists(os.path.join(work, "isa_" + bad)), r.stderr)
    r = run(["frobnicate"])
    checks.check("unknown command exits 2", r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = run([])
    checks.check("no command exits 2 with help", r.returncode == 2 and "Usage" in r.stderr, r.stderr)

    # standard output is the default for one context
    r = run(["count", "--quiet", "--ref", ref] + vcfs)
    lines = r.stdout.splitlines()
    checks.check("stdout matrix",
                 r.returncode == 0 and len(lines) == 97 and lines[0] == "MutationType\tTUMOUR_A\tTUMOUR_B\tTUMOUR_C"
                 and lines[1].startswith("A[C>A]A\t"), r.stderr)
    checks.check("--quiet prints nothing on stderr", r.stderr == "", r.stderr)
    plain = r.stdout

    # a --list file: comment and empty lines are skipped, a second column renames the sample
    lst = os.path.join(work, "inputs.list")
    e2e.write(lst, "# the cohort\n\n%s\tFIRST\n   \n# b and c\n%s\n%s\n" % tuple(vcfs))
    r = run(["count", "--quiet", "--ref", ref, "--list", lst])
    checks.check("--list skips comments and empty lines; a second column names the sample",
                 r.returncode == 0 and r.stdout == plain.replace("TUMOUR_A", "FIRST", 1), r.stderr)

    # .gz output decompresses to the same text
    gz = os.path.join(work, "m.tsv.gz")
    r = run(["count", "--quiet", "--ref", ref, "--out", gz] + vcfs)
    checks.check(".gz output", r.returncode == 0 and gzip.open(gz, "rt").read() == plain, r.stderr)

    # a config file is equivalent to its options on the command line; the command line wins
    cfg = os.path.join(work, "count.toml")
    e2e.write(cfg, 'context = "sbs6"\npass-only = true\nthreads = 2\nquiet = true\ninputs = [%s]\n'
              % ", ".join('"%s"' % v for v in vcfs))
    out_cfg = os.path.join(work, "cfg.tsv")
    out_cli = os.path.join(work, "cli.tsv")
    r1 = run(["count", "--config", cfg, "--ref", ref, "--out", out_cfg])
    r2 = run(["count", "--context", "sbs6", "--pass-only", "--threads", "2", "--quiet", "--ref", ref, "--out", out_cli] + vcfs)
    same = r1.returncode == 0 and r2.returncode == 0 and open(out_cfg).read() == open(out_cli).read()
    checks.check("--config equals the command line",
                 same and len(open(out_cfg).read().splitlines()) == 7, r1.stderr + r2.stderr)
    r = run(["count", "--config", cfg, "--context", "sbs96", "--ref", ref, "--out", out_cfg])
    checks.check("command line wins over --config",
                 r.returncode == 0 and len(open(out_cfg).read().splitlines()) == 97, r.stderr)

    # named pipes (and process substitutions) can be read only once: two of them as inputs must work
    fifos = [os.path.join(work, "p%d.vcf.gz" % i) for i in (1, 2)]
    for fifo in fifos:
        os.mkfifo(fifo)
    feeders = [threading.Thread(target=feed, args=(f, v)) for f, v in zip(fifos, vcfs[:2])]
    for t in feeders:
        t.start()
    r = run(["count", "--quiet", "--ref", ref] + fifos, timeout=60)
    for t in feeders:
        t.join()
    direct = run(["count", "--quiet", "--ref", ref] + vcfs[:2])
    checks.check("two named pipes as inputs", r.returncode == 0 and r.stdout == direct.stdout, r.stderr)

    # compare: a run folder gets cosmic.tsv; COSMIC v3.4 is found without configuration
    run_dir = os.path.join(work, "run")
    os.makedirs(run_dir)
    rows = e2e.read_tsv(e2e.COSMIC, skip_blank=True)
    col = {name: i for i, name in enumerate(rows[0])}
    e2e.write(os.path.join(run_dir, "signatures.tsv"),  # SBS4 and SBS13 as "extracted"
              "MutationType\tX\tY\n" + "".join("%s\t%s\t%s\n" % (r[0], r[col["SBS4"]], r[col["SBS13"]]) for r in rows[1:]))
    r = run(["compare", "--signatures", run_dir])
    table = open(os.path.join(run_dir, "cosmic.tsv")).read().splitlines() if r.returncode == 0 else []
    checks.check("compare a run folder",
                 len(table) == 3 and row_ok(table[1], "X", "SBS4") and row_ok(table[2], "Y", "SBS13"),
                 r.stderr + "\n".join(table))
    r = run(["compare", "--signatures", run_dir, "--reference", os.path.join(work, "none.tsv"), "--out", "-"])
    checks.check("compare: missing reference file exits 1",
                 r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr)
    # COSMIC against itself (`cosmic-v3.4` is accepted as --signatures too): each signature that is no artefact is its
    # own best and matched partner, at cosine 1 — within rounding, never above (1 − cosine is a distance)
    r = run(["compare", "--signatures", "cosmic-v3.4"])
    table = [line.split("\t") for line in r.stdout.splitlines()]
    artefacts = {"SBS27", "SBS43", "SBS95"} | {"SBS%d" % n for n in range(45, 61)}
    artefacts &= set(rows[0])
    own = [t for t in table[1:] if t[0] not in artefacts]
    checks.check("compare cosmic-v3.4 with itself",
                 r.returncode == 0 and len(table) == len(rows[0]) and len(own) == len(rows[0]) - 1 - len(artefacts) and
                 all(t[1] == t[0] and t[3] == t[0] and 1 - 1e-15 <= float(t[2]) <= 1 and float(t[4]) <= 1 for t in own),
                 r.stderr + r.stdout[:300])
    r = run(["compare"])
    checks.check("compare: no --signatures exits 2", r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr)

    # fit: exposures of the example tumours to two COSMIC signatures, into a new folder
    fit_dir = os.path.join(work, "fit")
    matrix = os.path.join(work, "m.tsv")
    e2e.write(matrix, plain)
    r = run(["fit", "--quiet", "--matrix", matrix, "--signatures", run_dir, "--out-dir", fit_dir])
    ok = r.returncode == 0 and os.path.isfile(os.path.join(fit_dir, "sample_stats.tsv"))
    rows_fit = open(os.path.join(fit_dir, "exposures.tsv")).read().splitlines() if ok else []
    checks.check("fit writes exposures and stats",
                 ok and rows_fit[0] == "Samples\tX\tY" and len(rows_fit) == 4, r.stderr)
    r = run(["fit", "--matrix", matrix, "--signatures", os.path.join(work, "none.tsv"), "--out-dir",
             os.path.join(work, "fit_bad")])
    checks.check("fit: missing signatures exits 1 and leaves no folder",
                 r.returncode == 1 and len(r.stderr.splitlines()) == 1 and not os.path.exists(os.path.join(work, "fit_bad")),
                 r.stderr)
    r = run(["fit", "--signatures", run_dir, "--out-dir", fit_dir])
    checks.check("fit: no --matrix exits 2", r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr)

    # progress and the closing summary line go to stderr without --quiet
    r = run(["count", "--ref", ref, "--out", os.path.join(work, "x.tsv")] + vcfs)
    checks.check("closing line on stderr", r.returncode == 0 and "3 sample(s)" in r.stderr, r.stderr)

    checks.finish()


if __name__ == "__main__":
    main()
