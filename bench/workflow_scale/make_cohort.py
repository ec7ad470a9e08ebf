#!/usr/bin/env python3
"""Generates the cohort of bench/workflow_scale.sh: a genome of GRCh38's contig names and lengths (random bases, N
runs at the telomeres, 60 bases per line, with its .fai) and tumour VCFs of realistic size and content — Mutect2-like
records (two sample columns, INFO and FORMAT fields), SNVs drawn from mixtures of COSMIC v3.4 signatures with
log-normal burdens (median 6 000, a few hypermutated tumours past 100 000), indels and MNVs among them, and a sixth
of the records failing a filter — bgzipped. Also writes the sample sheet (sigstream's --list format), the pipeline
file and the Snakemake config. Deterministic for a seed; standard library and bgzip only.

    make_cohort.py OUT [--tumours 100] [--scale 1.0] [--seed 1]

--scale shrinks the genome (0.1: a tenth of every contig) for a quick trial.
"""
import argparse
import math
import mmap
import os
import random
import subprocess

GRCH38 = [("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555), ("chr5", 181538259),
          ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636), ("chr9", 138394717), ("chr10", 133797422),
          ("chr11", 135086622), ("chr12", 133275309), ("chr13", 114364328), ("chr14", 107043718),
          ("chr15", 101991189), ("chr16", 90338345), ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616),
          ("chr20", 64444167), ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895), ("chrY", 57227415)]
COMP = bytes.maketrans(b"ACGT", b"TGCA")
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COSMIC = os.path.join(ROOT, "data", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt")
ALWAYS = ["SBS1", "SBS5"]
SOMETIMES = ["SBS2", "SBS13", "SBS3", "SBS4", "SBS7a", "SBS8", "SBS17b", "SBS18", "SBS40a"]


def write_genome(path, contigs, rng):
    table = bytes((b"ACGT"[i % 4]) for i in range(256))
    offset = 0
    fai = []
    with open(path, "wb") as fa:
        for name, length in contigs:
            fa.write(b">%s\n" % name.encode())
            offset += len(name) + 2
            telomere = min(10000, length // 10)
            seq = bytearray(os.urandom(length).translate(table))
            seq[:telomere] = b"N" * telomere
            seq[-telomere:] = b"N" * telomere
            body = b"\n".join(bytes(seq[i:i + 60]) for i in range(0, length, 60)) + b"\n"
            fa.write(body)
            fai.append("%s\t%d\t%d\t60\t61\n" % (name, length, offset))
            offset += len(body)
    with open(path + ".fai", "w") as f:
        f.writelines(fai)


def read_cosmic():
    rows = [l.rstrip("\n").split("\t") for l in open(COSMIC) if l.strip()]
    names = rows[0][1:]
    return {n: {r[0]: float(r[1 + j]) for r in rows[1:]} for j, n in enumerate(names)}


class Genome:
    def __init__(self, path, contigs):
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.contigs = []
        offset = 0
        for name, length in contigs:
            offset += len(name) + 2
            self.contigs.append((name, length, offset))
            offset += length + (length + 59) // 60
        total = sum(l for _, l, _ in self.contigs)
        self.cum = []
        acc = 0
        for name, length, off in self.contigs:
            acc += length
            self.cum.append(acc / total)

    def base(self, c, pos):  # 1-based
        name, length, off = self.contigs[c]
        i = pos - 1
        return self.m[off + i + i // 60:off + i + i // 60 + 1]

    def random_site(self, rng):
        u = rng.random()
        c = next(i for i, x in enumerate(self.cum) if u <= x)
        return c, rng.randrange(2, self.contigs[c][1])


def mutation_at(genome, rng, channel):
    """A site whose trinucleotide is the channel's (either strand): (contig, pos, ref, alt)."""
    left, sub, right = channel[0], channel[2:5], channel[6]
    ref, alt = sub[0], sub[2]
    want = (left + ref + right).encode()
    want_rc = want[::-1].translate(COMP)
    while True:
        c, pos = genome.random_site(rng)
        tri = genome.base(c, pos - 1) + genome.base(c, pos) + genome.base(c, pos + 1)
        if tri == want:
            return c, pos, ref, alt
        if tri == want_rc:
            return c, pos, ref.translate(str.maketrans("ACGT", "TGCA")), alt.translate(str.maketrans("ACGT", "TGCA"))


HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
##FILTER=<ID=germline,Description="Evidence indicates this site is germline, not somatic">
##FILTER=<ID=strand_bias,Description="Evidence for alt allele comes from one read direction only">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">
##INFO=<ID=ECNT,Number=1,Type=Integer,Description="Number of events in this haplotype">
##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 --reference GRCh38.fa ...",Version="4.4.0.0">
{contigs}##normal_sample={name}_NORMAL
##reference=genome.fa
##source=Mutect2
##tumor_sample={name}
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	{name}_NORMAL	{name}
"""


def write_tumour(path, name, genome, sigs, rng):
    burden = int(min(200000, max(300, math.exp(rng.gauss(math.log(6000), 1.0)))))
    chosen = ALWAYS + rng.sample(SOMETIMES, rng.randint(1, 3))
    weights = [rng.gammavariate(1.0, 1.0) for _ in chosen]
    total = sum(weights)
    channels = list(sigs["SBS1"].keys())
    mixture = [sum(w / total * sigs[s][ch] for s, w in zip(chosen, weights)) for ch in channels]
    records = []
    for ch in rng.choices(channels, weights=mixture, k=burden):
        c, pos, ref, alt = mutation_at(genome, rng, ch)
        records.append((c, pos, ref, alt))
    for _ in range(burden // 12):  # indels and MNVs: about 8 % of the records
        c, pos = genome.random_site(rng)
        ref = genome.base(c, pos).decode().upper()
        if ref == "N":
            continue
        kind = rng.random()
        if kind < 0.45:
            alt = ref + rng.choice("ACGT") * rng.randint(1, 3)
        elif kind < 0.9:
            alt, ref = ref, ref + (genome.base(c, pos + 1) + genome.base(c, pos + 2)).decode().upper()
        else:
            ref = ref + genome.base(c, pos + 1).decode().upper()
            alt = "".join(rng.choice([b for b in "ACGT" if b != r]) for r in ref)
        if "N" not in ref:
            records.append((c, pos, ref, alt))
    records.sort()
    contig_lines = "".join("##contig=<ID=%s,length=%d>\n" % (n, l) for n, l, _ in genome.contigs)
    lines = [HEADER.format(contigs=contig_lines, name=name)]
    last = None
    for c, pos, ref, alt in records:
        if (c, pos) == last:
            continue
        last = (c, pos)
        u = rng.random()
        flt = "PASS" if u < 0.83 else ("weak_evidence" if u < 0.93 else rng.choice(["germline", "strand_bias"]))
        dp, dpn = rng.randint(25, 90), rng.randint(20, 60)
        alt_reads = max(3, int(dp * rng.uniform(0.08, 0.5)))
        lines.append("%s\t%d\t.\t%s\t%s\t.\t%s\tDP=%d;ECNT=1;TLOD=%.2f\tGT:AD:AF:DP\t0/0:%d,0:0.021:%d\t0/1:%d,%d:%.3f:%d\n"
                     % (genome.contigs[c][0], pos, ref, alt, flt, dp + dpn, rng.uniform(6, 60), dpn, dpn,
                        dp - alt_reads, alt_reads, alt_reads / dp, dp))
    with open(path, "wb") as out:
        subprocess.run(["bgzip", "-c"], input="".join(lines).encode(), stdout=out, check=True)
    return len(lines) - 1, burden


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tumours", type=int, default=100)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "vcf"), exist_ok=True)
    contigs = [(n, max(100000, int(l * a.scale))) for n, l in GRCH38]
    fasta = os.path.join(a.out, "genome.fa")
    if not os.path.isfile(fasta + ".fai"):
        write_genome(fasta, contigs, rng)
    genome = Genome(fasta, contigs)
    sigs = read_cosmic()
    sheet = []
    sizes = []
    for t in range(1, a.tumours + 1):
        name = "T%04d" % t
        path = os.path.join(a.out, "vcf", name + ".vcf.gz")
        trng = random.Random(a.seed * 1000003 + t)
        n, burden = write_tumour(path, name, genome, sigs, trng)
        sheet.append("%s\t%s\n" % (os.path.abspath(path), name))
        sizes.append((n, os.path.getsize(path)))
    with open(os.path.join(a.out, "samples.tsv"), "w") as f:
        f.writelines(sheet)
    with open(os.path.join(a.out, "pipeline.toml"), "w") as f:
        f.write('stages = ["count", "extract", "consensus", "select", "refine", "compare", "fit"]\n\n'
                '[count]\nref = "genome.fa"\nlist = "%s"\n\n[extract]\nk-range = "2:15"\nreplicates = 20\nseed = 1\n\n'
                '[compare]\nreference = "cosmic-v3.4"\n\n[fit]\nsignatures = "cosmic-v3.4"\nsparse = true\n'
                % os.path.abspath(os.path.join(a.out, "samples.tsv")))
    records = sorted(n for n, _ in sizes)
    print("%d tumours: records per VCF median %d (min %d, max %d), %.1f MB of bgzipped VCF in all"
          % (len(sizes), records[len(records) // 2], records[0], records[-1], sum(s for _, s in sizes) / 1e6))


if __name__ == "__main__":
    main()
