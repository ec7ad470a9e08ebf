#!/usr/bin/env python3
"""End-to-end test of the Snakemake workflow (snakemake/) with Debian's Snakemake.

Usage: snakemake_test.py --sigstream PATH --workdir DIR --plugins DIR

Checks:
  * the README's command, `cd snakemake && snakemake --cores 2`, on a copy of the project's snakemake/, workflow/
    and data/example (sigstream found on PATH), writes every result of workflow/example.toml, and every TSV is
    byte-identical to `sigstream run workflow/example.toml`'s (same seed);
  * the SLURM profile is read and its resources reach the jobs (a dry run);
  * scattered finer (K in ranges of 2, replicates 3 per job: 12 shards from 3 x 4 jobs) the results are the same
    bytes again; every job wrote its log and its benchmark file;
  * a changed seed makes Snakemake refit every shard (its parameters changed), so shards of two configs never meet
    in one gather;
  * bad input stops the workflow before any job, with a message naming the problem: an unknown config key, an
    unknown key in the pipeline file (sigstream's own line), a sample sheet naming a missing file or a sample
    twice, a stage the workflow does not run, splitting K without a k-range.
Exit status 77 (SKIPPED) when snakemake or the nmf backend is missing.
"""

import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import e2e  # noqa: E402

SNAKEMAKE = shutil.which("snakemake")

# run folder of `sigstream run` -> the workflow's results: extraction files are in extract/
def workflow_path(rel):
    if rel.startswith("counts.") or rel == "cosmic.tsv" or rel.startswith("fit/"):
        return rel
    return os.path.join("extract", rel)


def compare_results(run_dir, results):
    """'' when every TSV of the run folder has a byte-identical twin in the workflow's results, else what differs."""
    diffs = []
    tsvs = [f for f in e2e.tree(run_dir) if f.endswith(".tsv")]
    for rel in tsvs:
        other = os.path.join(results, workflow_path(rel))
        if not os.path.isfile(other):
            diffs.append("missing " + other)
        elif open(os.path.join(run_dir, rel), "rb").read() != open(other, "rb").read():
            diffs.append("differs: " + rel)
    if len(tsvs) < 40:
        diffs.append("only %d TSVs in the run folder" % len(tsvs))
    return "; ".join(diffs)


def snakemake(args, cwd, env, timeout=900):
    return subprocess.run([SNAKEMAKE] + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def copy_project(dest):
    """The parts of the project the workflow reads, so that its runs write nothing into the source tree."""
    e2e.fresh_folder(dest)
    shutil.copytree(os.path.join(e2e.ROOT, "snakemake"), os.path.join(dest, "snakemake"),
                    ignore=shutil.ignore_patterns("results", ".snakemake"))
    shutil.copytree(os.path.join(e2e.ROOT, "workflow"), os.path.join(dest, "workflow"))
    shutil.copytree(os.path.join(e2e.ROOT, "data", "example"), os.path.join(dest, "data", "example"),
                    ignore=shutil.ignore_patterns("*.fai"))
    return dest


def write_config(path, pipeline, sigstream, replicates_per_job=5, ks_per_job=0, extra=""):
    e2e.write(path, """pipeline: %s
out_dir: results
sigstream: %s
scatter:
  replicates_per_job: %d
  ks_per_job: %d
resources:
  count:     {threads: 1, mem_mb: 1024}
  merge:     {threads: 1, mem_mb: 512}
  extract:   {threads: 2, mem_mb: 1024}
  consensus: {threads: 1, mem_mb: 1024}
  compare:   {threads: 1, mem_mb: 512}
  fit:       {threads: 1, mem_mb: 512}
%s""" % (pipeline, sigstream, replicates_per_job, ks_per_job, extra))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigstream", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--plugins", required=True)
    a = ap.parse_args()
    checks = e2e.Checks()
    if SNAKEMAKE is None:
        print("SKIPPED: snakemake is not installed (scripts/install-deps.sh --tests installs it)")
        return e2e.SKIP
    if not os.path.isfile(os.path.join(a.plugins, "nmf.so")):
        print("SKIPPED: no nmf backend in %s" % a.plugins)
        return e2e.SKIP
    sigstream = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    env = e2e.plugin_env(os.path.abspath(a.plugins))
    env["PATH"] = os.path.dirname(sigstream) + os.pathsep + env.get("PATH", "")

    # the one-process run to compare with
    run_dir = os.path.join(work, "run")
    r = e2e.run([sigstream, "run", "--quiet", os.path.join(e2e.ROOT, "workflow", "example.toml"), "--out-dir",
                 run_dir], env=env)
    if not checks.check("sigstream run workflow/example.toml", r.returncode == 0, r.stderr):
        return checks.finish()

    # the README's command on a copy of the project
    project = copy_project(os.path.join(work, "project"))
    here = os.path.join(project, "snakemake")
    r = snakemake(["--cores", "2"], here, env)
    results = os.path.join(here, "results")
    ok = checks.check("cd snakemake && snakemake --cores 2 runs the example", r.returncode == 0,
                      r.stderr[-3000:])
    if ok:
        checks.check("its result TSVs are byte-identical to sigstream run's", compare_results(run_dir, results) == "",
                     compare_results(run_dir, results))
        shards = sorted(os.listdir(os.path.join(results, "shards")))
        checks.check("by default extraction is scattered over replicates (5 per job)",
                     shards == ["K2-6.R0-5.shard.tsv.gz", "K2-6.R5-10.shard.tsv.gz"], shards)

    # the SLURM profile: read by Snakemake, its resources reach the jobs (a dry run: no sbatch here)
    r = snakemake(["--profile", os.path.join(here, "profiles", "slurm"), "-n", "--forceall"], here, env)
    out = r.stdout + r.stderr
    checks.check("the SLURM profile is a valid profile: account, partition and wall time reach every job",
                 r.returncode == 0 and "slurm_partition=YOUR_PARTITION" in out and "runtime=480" in out
                 and "slurm_account=YOUR_ACCOUNT" in out, out[-3000:])

    # scattered finer, through a config file of one's own
    fine = os.path.join(work, "fine")
    e2e.fresh_folder(fine)
    config = write_config(os.path.join(fine, "config.yaml"), os.path.join(project, "workflow", "example.toml"),
                          sigstream, replicates_per_job=3, ks_per_job=2)
    r = snakemake(["-s", os.path.join(here, "Snakefile"), "--configfile", config, "--cores", "2"], fine, env)
    results = os.path.join(fine, "results")
    if checks.check("a finer scatter (--configfile) runs", r.returncode == 0, r.stderr[-3000:]):
        checks.check("its result TSVs are byte-identical to sigstream run's too",
                     compare_results(run_dir, results) == "", compare_results(run_dir, results))
        shards = sorted(os.listdir(os.path.join(results, "shards")))
        expected = sorted("K%s.R%s.shard.tsv.gz" % (k, rr) for k in ("2-3", "4-5", "6-6")
                          for rr in ("0-3", "3-6", "6-9", "9-10"))
        checks.check("K 2:6 in ranges of 2 x replicates 3 per job: 12 shards", shards == expected, shards)
        logs = e2e.tree(os.path.join(results, "logs"))
        bench = e2e.tree(os.path.join(results, "benchmarks"))
        jobs = 12 + 1 + 12 + 1 + 1 + 1  # count, merge, extract, consensus, compare, fit
        header_ok = all(open(os.path.join(results, "benchmarks", b)).readline().startswith("s\th:m:s\tmax_rss")
                        for b in bench)
        checks.check("every job wrote a log and a benchmark (time, max_rss)",
                     len(logs) == jobs and len(bench) == jobs and header_ok, (logs, bench))

        # a changed seed: every shard is refitted (Snakemake sees its parameters change)
        reseeded = os.path.join(fine, "seed2.toml")
        text = open(os.path.join(project, "workflow", "example.toml")).read().replace("seed = 1", "seed = 2")
        e2e.write(reseeded, text.replace('"../data/', '"%s/data/' % project))
        config2 = write_config(os.path.join(fine, "config2.yaml"), reseeded, sigstream, 3, 2)
        r = snakemake(["-s", os.path.join(here, "Snakefile"), "--configfile", config2, "--cores", "2", "-n"],
                      fine, env)
        out = r.stdout + r.stderr
        table = [line.split() for line in out.splitlines()]
        planned = {row[0]: row[1] for row in table if len(row) == 4 and row[1].isdigit()}
        checks.check("a changed seed refits all 12 shards and gathers again (no count job reruns)",
                     r.returncode == 0 and planned.get("extract_shard") == "12" and planned.get("consensus") == "1"
                     and "count" not in planned, out[-3000:])

    # bad input: stopped before any job, nothing written
    bad = os.path.join(work, "bad")
    pipeline = os.path.join(project, "workflow", "example.toml")
    cases = []

    def case(name, config_text_args, expect, pipeline_text=None, sheet=None):
        folder = e2e.fresh_folder(os.path.join(bad, name))
        p = pipeline
        if pipeline_text is not None:
            p = e2e.write(os.path.join(folder, "p.toml"), pipeline_text)
        if sheet is not None:
            e2e.write(os.path.join(folder, "samples.tsv"), sheet)
        cfg = write_config(os.path.join(folder, "config.yaml"), p, sigstream, **config_text_args)
        r = snakemake(["-s", os.path.join(here, "Snakefile"), "--configfile", cfg, "--cores", "2"], folder, env)
        left = sorted(set(os.listdir(folder)) - {"config.yaml", "p.toml", "samples.tsv", ".snakemake"})
        text = r.stdout + r.stderr
        ok = r.returncode != 0 and all(e in text for e in expect) and left == [] and "Finished job" not in text
        checks.check("bad input stops before any job: " + name, ok,
                     "exit %d, left %r, output %s" % (r.returncode, left, text[-2000:]))
        cases.append(name)

    example = os.path.join(project, "data", "example")
    head = 'stages = ["count", "extract", "consensus", "select"]\n[count]\nref = "%s/genome.fa"\n' % example
    case("unknown config key", {"extra": "scater: {replicates_per_job: 2}\n"},
         ["Additional properties are not allowed", "scater"])
    case("unknown key in the pipeline file", {}, ["p.toml:6", "replicate = 5", "is not a setting of stage extract"],
         pipeline_text=head + 'inputs = ["%s/tumour_a.vcf.gz"]\n[extract]\nreplicate = 5\n' % example)
    sheet_pipeline = head + 'list = "samples.tsv"\n[extract]\nk-range = "2:3"\n'
    case("a sample sheet naming a missing file", {}, ["samples.tsv:2", "missing.vcf.gz", "does not exist"],
         pipeline_text=sheet_pipeline,
         sheet="%s/tumour_a.vcf.gz\tA\n%s/missing.vcf.gz\tB\n" % (example, example))
    case("a sample sheet naming a sample twice", {}, ["samples.tsv:3", "'A'", "samples.tsv:1"],
         pipeline_text=sheet_pipeline,
         sheet="%s/tumour_a.vcf.gz\tA\n# a comment\n%s/tumour_b.vcf.gz\tA\n" % (example, example))
    case("a stage the workflow does not run", {}, ["crossval", "sigstream run"],
         pipeline_text='stages = ["crossval"]\n[crossval]\nmatrix = "%s"\nk = 2\n'
         % os.path.join(e2e.ROOT, "tests", "golden", "inputs", "matrix.tsv"))
    case("splitting K without a k-range", {"ks_per_job": 2}, ["no k-range", "ks_per_job"],
         pipeline_text=head.replace('"select"]', '"select"]') + 'inputs = ["%s/tumour_a.vcf.gz"]\n' % example)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
