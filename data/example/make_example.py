#!/usr/bin/env python3
"""Writes sigstream's bundled example: a small random genome and twelve tumour VCFs whose SNVs are drawn
from mixtures of COSMIC v3.4 signatures (SBS1, SBS4, SBS5, SBS2 + SBS13), so that the counted spectra look like
real ones and a signature extraction has something to find. Deterministic (the gzip headers carry no time);
standard library only. The outputs are committed; this script documents how they were made:
python3 data/example/make_example.py data/example
"""
import gzip
import os
import random
import sys

COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


def read_cosmic(path):
    with open(path, newline="") as f:
        rows = [line.rstrip("\r\n").split("\t") for line in f if line.strip()]
    names = rows[0][1:]
    sigs = {n: {} for n in names}
    for r in rows[1:]:
        for n, v in zip(names, r[1:]):
            sigs[n][r[0]] = float(v)
    return sigs


def main(out):
    here = os.path.dirname(os.path.abspath(__file__))
    sigs = read_cosmic(os.path.join(here, "..", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt"))
    rng = random.Random(20261128)
    contigs = [("chr1", 120000), ("chr2", 80000)]
    genome = {}
    with open(os.path.join(out, "genome.fa"), "w") as fa:
        for name, length in contigs:
            seq = "".join(rng.choice("ACGT") for _ in range(length))
            genome[name] = seq
            fa.write(">%s\n" % name)
            for i in range(0, length, 60):
                fa.write(seq[i:i + 60] + "\n")
    # positions (contig, 1-based pos) by pyrimidine-oriented trinucleotide
    by_context = {}
    for name, seq in genome.items():
        for i in range(1, len(seq) - 1):
            tri = seq[i - 1:i + 2]
            strand = "+"
            if tri[1] in "AG":
                tri = "".join(COMP[b] for b in reversed(tri))
                strand = "-"
            by_context.setdefault(tri, []).append((name, i + 1, strand))
    tumours = [
        ("TUMOUR_A", {"SBS1": 0.6, "SBS5": 0.4}, 1500),
        ("TUMOUR_B", {"SBS4": 0.7, "SBS5": 0.3}, 2500),
        ("TUMOUR_C", {"SBS2": 0.35, "SBS13": 0.35, "SBS5": 0.3}, 1000),
        ("TUMOUR_D", {"SBS1": 0.5, "SBS5": 0.5}, 1200),
        ("TUMOUR_E", {"SBS4": 0.8, "SBS5": 0.2}, 3000),
        ("TUMOUR_F", {"SBS2": 0.4, "SBS13": 0.4, "SBS5": 0.2}, 800),
        ("TUMOUR_G", {"SBS1": 0.3, "SBS4": 0.4, "SBS5": 0.3}, 2000),
        ("TUMOUR_H", {"SBS1": 0.7, "SBS5": 0.3}, 900),
        ("TUMOUR_I", {"SBS2": 0.3, "SBS13": 0.3, "SBS1": 0.2, "SBS5": 0.2}, 1400),
        ("TUMOUR_J", {"SBS4": 0.5, "SBS1": 0.2, "SBS5": 0.3}, 1800),
        ("TUMOUR_K", {"SBS5": 0.8, "SBS1": 0.2}, 700),
        ("TUMOUR_L", {"SBS13": 0.5, "SBS2": 0.3, "SBS5": 0.2}, 1100),
    ]
    channels = list(next(iter(sigs.values())).keys())
    for sample, mix, n in tumours:
        weights = [sum(w * sigs[s][ch] for s, w in mix.items()) for ch in channels]
        chosen = {}
        for ch in rng.choices(channels, weights=weights, k=n):
            tri = ch[0] + ch[2] + ch[6]
            alt = ch[4]
            name, pos, strand = rng.choice(by_context[tri])
            if strand == "-":
                alt = COMP[alt]
            chosen[(name, pos)] = alt
        lines = [
            "##fileformat=VCFv4.2",
            "##source=sigstream-example",
            "##tumor_sample=%s" % sample,
        ]
        lines += ["##contig=<ID=%s,length=%d>" % c for c in contigs]
        lines += [
            '##FILTER=<ID=PASS,Description="All filters passed">',
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t%s" % sample,
        ]
        for (name, pos) in sorted(chosen, key=lambda k: ([c[0] for c in contigs].index(k[0]), k[1])):
            ref = genome[name][pos - 1]
            lines.append("%s\t%d\t.\t%s\t%s\t.\tPASS\tDP=%d\tGT\t0/1" % (name, pos, ref, chosen[(name, pos)], rng.randint(20, 90)))
        with open(os.path.join(out, "%s.vcf.gz" % sample.lower()), "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
                f.write(("\n".join(lines) + "\n").encode())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
