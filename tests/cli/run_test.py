#!/usr/bin/env python3
"""End-to-end test of `sigstream run` (a pipeline of stages in one process) and `sigstream merge`.

Usage: run_test.py --sigstream PATH --workdir DIR --plugins DIR

  --plugins  the folder of the real backends (build/plugins); without nmf.so nothing can run (SKIPPED)

Checks:
  * workflow/example.toml (count -> extract -> consensus -> select -> refine -> compare -> fit on the bundled
    example) runs and writes the documented files; metadata.toml names every stage with its settings;
  * the same steps as separate commands (count, extract, compare, fit, through files) give byte-identical files:
    handing data on in memory changes nothing; --threads 1 and 2 give the same files;
  * --dry-run prints every stage with its settings as a pipeline file that reads back to the same text, and
    writes nothing;
  * merge: counting the tumours one file each and merging the matrices (and their summaries) equals counting them
    together; summaries out of their matrices' order are refused; a sample
    in two matrices is an error naming both files;
  * bad pipeline files and requests fail with exit status 2 (1 for bad data), one line naming the file and line
    where there is one, and leave no folder and no temporary folder behind.
"""

import argparse
import os
import shutil

import e2e

EXAMPLE = os.path.join(e2e.ROOT, "data", "example")
PIPELINE = os.path.join(e2e.ROOT, "workflow", "example.toml")
TUMOURS = ["tumour_%s.vcf.gz" % t for t in "abcdefghijkl"]
PREFIX = "sigstream run: "


def example_run(checks, run, work):
    """The example pipeline, its files and its metadata. Returns the run folder."""
    out = os.path.join(work, "example")
    r = run(["run", PIPELINE, "--out-dir", out])
    if not checks.check("run workflow/example.toml", r.returncode == 0, r.stderr):
        return None
    files = set(e2e.tree(out))
    want = {"counts.SBS96.tsv", "counts.summary.tsv", "signatures.tsv", "exposures.tsv", "sample_stats.tsv",
            "stability.tsv", "medoids.tsv", "consensus.tsv", "selection.tsv", "cosmic.tsv", "fit/exposures.tsv",
            "fit/sample_stats.tsv", "metadata.toml"}
    checks.check("the run folder holds each stage's files", want <= files and any(f.startswith("solutions/K")
                                                                                   for f in files), sorted(files))
    lines = r.stderr.splitlines()
    checks.check("a line per stage on stderr, then one naming the run folder",
                 [l.split(": ")[1] for l in lines if l.count(": ") >= 2 and l.split(": ")[2][:1].isalpha()][:1]
                 == ["count"] and lines[-1].startswith(PREFIX + "7 stage(s) in ") and lines[-1].endswith(out),
                 r.stderr)
    try:
        import tomllib
    except ImportError:
        checks.skip("metadata.toml is not parsed: Python < 3.11 has no tomllib")
        return out
    meta = tomllib.loads(open(os.path.join(out, "metadata.toml")).read())
    checks.check("metadata.toml: every stage, in order, with its settings and findings",
                 meta["stages"] == ["count", "extract", "consensus", "select", "refine", "compare", "fit"]
                 and meta["count"]["samples"] == 12 and meta["extract"]["k-range"] == "2:6"
                 and meta["extract"]["replicates"] == 10 and meta["select"]["chosen_k"] >= 2
                 and meta["fit"]["signatures"] == "cosmic-v3.4" and meta["fit"]["sparse"] is True
                 and meta["argv"][:2] == ["sigstream", "run"], meta)
    return out


def separate_commands(checks, run, work, pipeline_out):
    """The example's steps as separate commands, handing files on: the same bytes."""
    sep = e2e.fresh_folder(os.path.join(work, "separate"))
    counts = os.path.join(sep, "counts.SBS96.tsv")
    r = run(["count", "--quiet", "--ref", os.path.join(EXAMPLE, "genome.fa"), "--out", counts, "--summary",
             os.path.join(sep, "counts.summary.tsv")] + [os.path.join(EXAMPLE, t) for t in TUMOURS])
    ok = r.returncode == 0
    extract = os.path.join(sep, "extract")
    if ok:
        r = run(["extract", "--quiet", "--matrix", counts, "--k-range", "2:6", "--replicates", "10", "--seed", "1",
                 "--threads", "2", "--out-dir", extract])
        ok = r.returncode == 0
    if ok:
        r = run(["compare", "--quiet", "--signatures", extract, "--out", os.path.join(sep, "cosmic.tsv")])
        ok = r.returncode == 0
    if ok:
        r = run(["fit", "--quiet", "--matrix", counts, "--signatures", "cosmic-v3.4", "--sparse", "--out-dir",
                 os.path.join(sep, "fit")])
        ok = r.returncode == 0
    if not checks.check("the same steps as separate commands run", ok, r.stderr) or pipeline_out is None:
        return
    differ = []
    for name in e2e.tree(extract):  # the extraction's run folder
        if name != "metadata.toml" and open(os.path.join(extract, name), "rb").read() != \
                open(os.path.join(pipeline_out, name), "rb").read():
            differ.append(name)
    for name in ["counts.SBS96.tsv", "counts.summary.tsv", "cosmic.tsv", "fit/exposures.tsv", "fit/sample_stats.tsv"]:
        if open(os.path.join(sep, name), "rb").read() != open(os.path.join(pipeline_out, name), "rb").read():
            differ.append(name)
    checks.check("in memory or through files: byte-identical results", not differ, differ)


def threads(checks, run, work, pipeline_out):
    one = os.path.join(work, "one_thread")
    r = run(["run", "--quiet", "--threads", "1", PIPELINE, "--out-dir", one])
    checks.check("--threads 1 gives the files of --threads 2", r.returncode == 0 and pipeline_out is not None
                 and not e2e.tree_diff(one, pipeline_out), r.stderr or e2e.tree_diff(one, pipeline_out))


def dry_run(checks, run, work):
    r = run(["run", "--dry-run", PIPELINE, "--out-dir", os.path.join(work, "never")])
    ok = r.returncode == 0 and not os.path.exists(os.path.join(work, "never"))
    checks.check("--dry-run writes nothing", ok, r.stderr)
    text = r.stdout
    checks.check("--dry-run shows every stage and every setting, defaults included",
                 all("\n[%s]\n" % s in text for s in ["count", "extract", "consensus", "select", "refine", "compare",
                                                        "fit"])
                 and 'max-iter = 10000' in text and 'tol-window = 100' in text and 'normalise = "gmm"' in text
                 and 'min-gain = 2.0' in text, text)
    copy = os.path.join(work, "dry.toml")
    e2e.write(copy, text)
    r2 = run(["run", "--dry-run", copy])
    checks.check("what --dry-run prints reads back to the same pipeline", r2.returncode == 0 and r2.stdout == text,
                 r2.stderr + r2.stdout[:2000])


def merge(checks, run, work):
    folder = e2e.fresh_folder(os.path.join(work, "merge"))
    parts = []
    for t in TUMOURS[:4]:
        out = os.path.join(folder, t.replace(".vcf.gz", ".tsv"))
        r = run(["count", "--quiet", "--ref", os.path.join(EXAMPLE, "genome.fa"), "--out", out,
                 os.path.join(EXAMPLE, t)])
        if not checks.check("count %s alone" % t, r.returncode == 0, r.stderr):
            return
        parts.append(out)
    together = os.path.join(folder, "together.tsv")
    r = run(["count", "--quiet", "--ref", os.path.join(EXAMPLE, "genome.fa"), "--out", together]
            + [os.path.join(EXAMPLE, t) for t in TUMOURS[:4]])
    merged = os.path.join(folder, "merged.tsv")
    r2 = run(["merge", "--quiet", "--out", merged] + parts)
    checks.check("merge of the per-file matrices equals counting them together",
                 r.returncode == 0 and r2.returncode == 0 and open(merged).read() == open(together).read(),
                 r.stderr + r2.stderr)
    r = run(["merge"] + parts)
    checks.check("merge writes to standard output by default, and says what it did",
                 r.returncode == 0 and r.stdout == open(together).read() and r.stderr.startswith("sigstream merge: 4 "),
                 r.stderr)
    case = e2e.case_folder(folder, "duplicate")
    r = run(["merge", "--out", os.path.join(case, "m.tsv"), parts[0], parts[1], parts[0]])
    ok, detail = e2e.clean_failure(r, 1, "sigstream merge: " + parts[0] + ": ", ["TUMOUR_A", "also a sample of",
                                                                                  parts[0]], case, advice=True)
    checks.check("merge: a sample in two matrices names both files", ok, detail)

    # summaries: counting each tumour with --summary and merging matrices and summaries gives both files of
    # counting them together, byte for byte
    sums = []
    for t, part in zip(TUMOURS[:4], parts):
        s = part.replace(".tsv", ".summary.tsv")
        r = run(["count", "--quiet", "--ref", os.path.join(EXAMPLE, "genome.fa"), "--out", part + ".again",
                 "--summary", s, os.path.join(EXAMPLE, t)])
        checks.check("count %s alone, with its summary" % t, r.returncode == 0, r.stderr)
        sums.append(s)
    together_summary = os.path.join(folder, "together.summary.tsv")
    r = run(["count", "--quiet", "--ref", os.path.join(EXAMPLE, "genome.fa"), "--out", together + ".again",
             "--summary", together_summary] + [os.path.join(EXAMPLE, t) for t in TUMOURS[:4]])
    merged_summary = os.path.join(folder, "merged.summary.tsv")
    r2 = run(["merge", "--quiet", "--out", merged + ".2", "--summary", merged_summary] + parts + sums)
    checks.check("merge of per-file summaries equals the summary of counting them together",
                 r.returncode == 0 and r2.returncode == 0 and open(merged_summary).read() ==
                 open(together_summary).read() and open(merged + ".2").read() == open(together).read(),
                 r.stderr + r2.stderr)
    case = e2e.case_folder(folder, "summary_order")
    r = run(["merge", "--out", os.path.join(case, "m.tsv"), "--summary", os.path.join(case, "s.tsv"), parts[0],
             parts[1], sums[1], sums[0]])
    ok, detail = e2e.clean_failure(r, 1, "sigstream merge: " + sums[1] + ": ",
                                   ["do not list the matrices' samples in order", "TUMOUR_A", "TUMOUR_B"], case,
                                   advice=True)
    checks.check("merge: summaries in another order than their matrices are refused, nothing written", ok, detail)
    case = e2e.case_folder(folder, "summary_without_out")
    r = run(["merge", "--out", os.path.join(case, "m.tsv"), parts[0], sums[0]])
    ok, detail = e2e.clean_failure(r, 2, "sigstream merge: " + sums[0] + ": ", ["--summary FILE"], case,
                                   advice=True)
    checks.check("merge: a summary among the inputs without --summary is a usage error", ok, detail)


def matrix_handed_on(checks, run, work):
    # an extract stage that reads its own matrix hands it on: the fit after it needs none, and its exposures are
    # those `sigstream fit` gives on the same file
    folder = e2e.fresh_folder(os.path.join(work, "handed_on"))
    matrix = os.path.join(e2e.ROOT, "tests", "golden", "inputs", "matrix.tsv")
    pipeline = os.path.join(folder, "p.toml")
    e2e.write(pipeline, 'stages = ["extract", "fit"]\n[extract]\nmatrix = "%s"\nk = 2\nmax-iter = 50\n'
                        '[fit]\nsignatures = "cosmic-v3.4"\nsparse = true\n' % matrix)
    r = run(["run", "--quiet", pipeline, "--out-dir", os.path.join(folder, "out")])
    r2 = run(["fit", "--quiet", "--matrix", matrix, "--signatures", "cosmic-v3.4", "--sparse", "--out-dir",
              os.path.join(folder, "alone")])
    same = r.returncode == 0 and r2.returncode == 0 and all(
        open(os.path.join(folder, "out", "fit", f)).read() == open(os.path.join(folder, "alone", f)).read()
        for f in ("exposures.tsv", "sample_stats.tsv"))
    checks.check("a fit after an extract that read its own matrix fits that matrix", same, r.stderr + r2.stderr)


def bad_pipelines(checks, run, work):
    bad = e2e.fresh_folder(os.path.join(work, "bad"))
    matrix = os.path.join(e2e.ROOT, "tests", "golden", "inputs", "matrix.tsv")
    cases = [
        # name, pipeline text, extra args, exit status, things the message mentions (LINE: the line number)
        ("an unknown top-level key", 'stages = ["compare"]\ncolour = "blue"\n', [], 2, [":2: colour"]),
        ("a setting of the wrong type", 'stages = ["extract"]\n[extract]\nmatrix = "%s"\nmax-iter = "ten"\n' % matrix,
         [], 2, [":4: max-iter", "whole number"]),
        ("a value out of range", 'stages = ["extract"]\n[extract]\nmatrix = "%s"\nk = 0\n' % matrix, [], 2,
         [":4: k = 0", "below 1"]),
        ("an unknown setting", 'stages = ["extract"]\n[extract]\nmatrix = "%s"\nkk = 3\n' % matrix, [], 2,
         [":4: kk", "not a setting of stage extract"]),
        ("an unknown stage", 'stages = ["count", "extrakt"]\n', [], 2, ["extrakt", "not a stage kind"]),
        ("a table not listed", 'stages = ["compare"]\n[compare]\nsignatures = "x.tsv"\n[fit]\nsparse = true\n', [], 2,
         [":4:", "[fit]", "not one of the stages"]),
        ("a stage that needs what no stage gives", 'stages = ["compare"]\n', [], 2, ["--signatures is required"]),
        ("a consensus with nothing to gather", 'stages = ["select"]\n', [], 2,
         ["stage 'select'", "needs consensus solutions", "consensus stage before it"]),
        ("a missing input file", 'stages = ["extract"]\n[extract]\nmatrix = "no_such.tsv"\nk = 2\n', [], 2,
         [":3: matrix", "no_such.tsv", "does not exist"]),
        ("TOML syntax", 'stages = ["compare"\n', [], 2, ["invalid TOML"]),
        ("no stages", 'threads = 2\n', [], 2, ["lists no stages"]),
    ]
    for name, text, extra, status, mentions in cases:
        case = e2e.case_folder(bad, name)
        path = os.path.join(bad, "p_%s.toml" % os.path.basename(case))
        e2e.write(path, text)
        r = run(["run", path, "--out-dir", os.path.join(case, "out")] + extra)
        ok, detail = e2e.clean_failure(r, status, PREFIX, mentions, case)
        checks.check("bad pipeline: " + name, ok, detail)
    case = e2e.case_folder(bad, "missing pipeline file")
    r = run(["run", os.path.join(case, "nope.toml"), "--out-dir", os.path.join(case, "out")])
    ok, detail = e2e.clean_failure(r, 2, PREFIX + os.path.join(case, "nope.toml"), ["cannot open"], case)
    checks.check("bad pipeline: a missing file", ok, detail)
    case = e2e.case_folder(bad, "no out-dir")
    r = run(["run", PIPELINE])
    ok, detail = e2e.clean_failure(r, 2, PREFIX, ["--out-dir"], case)
    checks.check("bad request: no run folder given", ok, detail)
    case = e2e.case_folder(bad, "existing out-dir")
    os.makedirs(os.path.join(case, "out"))
    e2e.write(os.path.join(case, "out", "keep.txt"), "mine\n")
    r = run(["run", PIPELINE, "--out-dir", os.path.join(case, "out")])
    ok = r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "--force" in r.stderr and \
        open(os.path.join(case, "out", "keep.txt")).read() == "mine\n" and os.listdir(case) == ["out"]
    checks.check("bad request: an existing folder is kept (without --force)", ok, r.stderr)
    checks.check("no temporary folder left by the failed runs",
                 not [n for n in os.listdir(bad) if n.startswith(".")], os.listdir(bad))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigstream", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--plugins", required=True)
    a = ap.parse_args()
    checks = e2e.Checks()
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    if not os.path.exists(os.path.join(a.plugins, "nmf.so")):
        checks.skip("the nmf plugin is not built (%s)" % a.plugins)
        checks.finish()
    run = e2e.Runner(os.path.abspath(a.sigstream), e2e.plugin_env(os.path.abspath(a.plugins)))
    out = example_run(checks, run, work)
    separate_commands(checks, run, work, out)
    threads(checks, run, work, out)
    dry_run(checks, run, work)
    merge(checks, run, work)
    matrix_handed_on(checks, run, work)
    bad_pipelines(checks, run, work)
    checks.finish()


if __name__ == "__main__":
    main()
