#!/usr/bin/env python3
"""Per-rule time and memory of a Snakemake run of snakemake/ (its benchmark files), as the Markdown table of
bench/results/workflow_scale.md, with the cohort's size and the whole run's wall and CPU time."""
import argparse
import datetime
import glob
import gzip
import os
import statistics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exact", default="", help="lines 'job<TAB>wall s<TAB>CPU s<TAB>max RSS KiB' measured by time -v")
    for k in ("run", "data", "wall", "cpu", "cpu-model", "level", "busy", "commit", "out"):
        ap.add_argument("--" + k, required=True)
    a = ap.parse_args()
    results = os.path.join(a.run, "results")
    rows = []
    for rule in sorted(os.listdir(os.path.join(results, "benchmarks"))):
        path = os.path.join(results, "benchmarks", rule)
        files = [path] if os.path.isfile(path) else sorted(glob.glob(os.path.join(path, "*.tsv")))
        stats = []
        for f in files:
            lines = open(f).read().split("\n")
            head, vals = lines[0].split("\t"), lines[1].split("\t")
            d = dict(zip(head, vals))
            stats.append((float(d["s"]), float(d["max_rss"]), float(d["cpu_time"])))
        name = rule[:-4] if rule.endswith(".tsv") else rule
        rows.append((name, len(stats), sum(s for s, _, _ in stats), statistics.median(s for s, _, _ in stats),
                     max(s for s, _, _ in stats), max(m for _, m, _ in stats), sum(c for _, _, c in stats)))
    vcfs = sorted(glob.glob(os.path.join(a.data, "vcf", "*.vcf.gz")))
    records = []
    for v in vcfs:
        with gzip.open(v, "rt") as f:
            records.append(sum(1 for line in f if not line.startswith("#")))
    records.sort()
    genome = os.path.getsize(os.path.join(a.data, "genome.fa"))
    summary = open(os.path.join(results, "counts.summary.tsv")).read().split("\n")[1:]
    counted = sorted(int(r.split("\t")[1]) for r in summary if r)
    selection = [l.split("\t") for l in open(os.path.join(results, "extract", "selection.tsv")).read().split("\n") if l]
    chosen = [r[0] for r in selection[1:] if r[selection[0].index("Chosen")] == "1"]
    text = ["# The Snakemake workflow at scale (`bench/workflow_scale.sh`)", "",
            "%s, commit %s, on an `%s`, kernels %s, 2 cores (%s cores busy with other work before the run); "
            "Snakemake 7.21, `--cores 2`." % (datetime.date.today().isoformat(), a.commit, a.cpu_model, a.level,
                                               a.busy), "",
            "Cohort: %d genomes; a %.2f GB genome (GRCh38's contigs and lengths, random bases); VCFs of %d records "
            "(median; %d–%d), %.0f MB bgzipped in all; SNVs counted per genome: median %d (%d–%d)." %
            (len(vcfs), genome / 1e9, records[len(records) // 2], records[0], records[-1],
             sum(os.path.getsize(v) for v in vcfs) / 1e6, counted[len(counted) // 2], counted[0], counted[-1]),
            "Pipeline: count, merge, extract (nmf, K 2:15, 20 replicates, seed 1) scattered into shards, consensus, "
            "select (chosen K = %s), refine, compare, fit (COSMIC, sparse)." % ",".join(chosen), "",
            "Whole run: **%.0f s wall**, %.0f s CPU (Snakemake included)." % (float(a.wall), float(a.cpu)), "",
            "| rule | jobs | total s | median s | max s | max RSS (MB) | CPU s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, n, total, med, mx, rss, cpu in rows:
        text.append("| %s | %d | %.1f | %.2f | %.2f | %.0f | %.1f |" % (name, n, total, med, mx, rss, cpu))
    text += ["", "Snakemake samples a job's memory every 0.5 s, so jobs shorter than that show too little in `max RSS`; "
             "peak memory of single jobs measured exactly (`/usr/bin/time -v`, the same commands rerun alone):", "",
             "| job | wall s | CPU s | max RSS (MB) |", "|---|---:|---:|---:|"]
    for line in open(a.exact).read().split("\n") if a.exact else []:
        if line:
            job, wall, cpu, rss = line.split("\t")
            text.append("| %s | %.2f | %.2f | %.0f |" % (job, float(wall), float(cpu), int(rss) / 1024))
    text.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
