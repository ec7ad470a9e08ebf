#!/usr/bin/env python3
"""Generate test cases, with independently computed expected outputs, for `sigstream count`.

Usage:  make_count_cases.py OUTDIR [--seed N]

Python 3 standard library only. The output is a deterministic function of the seed.

Design
======
The generator has three layers, kept deliberately apart so that they check each other.

1. Planting (``Genome``, ``make_genome``, ``VcfBuilder``, ``plant_*``).
   A random genome is generated, then VCF files are built record by record. Every deliberate edge
   case ("decoy") gets a unique ID in the VCF ID column (e.g. ``main.doublet_pair.2``) and an
   *intent*: the outcome(s) the planter means it to have, per test case, e.g.
   ``{"default": ["Doublet"], "adjacent_keep": ["Counted"]}``. A few hundred random SNVs are added
   around the decoys (never within 2 bp of another record), so that the matrices are non-trivial.

2. Oracle (``Oracle``). A small re-implementation of docs/counting.md in plain Python. It knows
   nothing of the planting: it parses the files as written to disk (FASTA, VCF, BED, list files)
   and each case's command line as the tool would, and produces the three matrices and the summary
   table, or the exit status of a failed run. Alongside, it records a *trace*: the outcome of every
   record of every stream.

3. Self-check (``self_check``). For every case, each decoy's intent is compared with the outcome
   the oracle traced for it; totals are cross-checked (SBS6 total = SBS96 total = Counted, SBS1536
   total = Counted - NoSbs1536Context); every summary column must be non-zero in some case; error
   cases must fail in the oracle with the stated status. Any disagreement aborts the generator.

Outcome names are the summary columns: a skip reason (``Filtered``, ``Doublet`` ...), ``Counted``
(counted in SBS6, SBS96 and SBS1536) or ``NoSbs1536Context`` (counted in SBS6/SBS96 only). A record's
outcome is a list: one entry for a record skipped at record level (checks 1-3), else one entry per ALT
allele that it carries into the stream, where an allele that becomes SNVs contributes one entry per SNV
(in position order). An empty list means "the record is not in this stream" (``--per-genotype-sample``).

Files written to OUTDIR
=======================
genome.fa                   random genome (no .fai: building it is part of what is tested)
vcf/*.vcf                   inputs (plain text; the runner bgzips what a case needs)
regions/main.bed            BED for the --regions case
lists/*.tsv, lists/*.txt    --list files
cases.tsv                   case<TAB>arguments (paths relative to OUTDIR, which is the working
                            directory). The arguments include --ref; the runner adds
                            --context sbs6,sbs96,sbs1536 --out-prefix out/CASE --summary out/CASE.summary.tsv.
                            A trailing "< FILE" (shell syntax) means: feed FILE on standard input.
error_cases.tsv             case<TAB>expected exit status<TAB>arguments (same conventions)
bgzip.tsv                   case<TAB>space-separated files the case needs compressed with bgzip; each
                            X.gz or X.bgz is made from X. Cases listed here are skipped without bgzip.
expected/CASE.SBS6.tsv      expected outputs, byte for byte
expected/CASE.SBS96.tsv
expected/CASE.SBS1536.tsv
expected/CASE.summary.tsv
expected/CASE.trace.tsv     per record and stream, the oracle's outcome (for debugging a mismatch)

Interpretations of docs/counting.md made here (the C++ side must agree)
====================================================================
* ALT "." is one ALT allele that fails check 4 (Other); it is not "zero alleles" (Multiallelic).
* --per-genotype-sample: a record is in a sample's stream when the sample's GT contains at least one
  ALT index. Record-level skips (OutsideRegions, Filtered, Multiallelic) are counted once in each such
  stream. Without --split-multiallelic a multi-allelic record is Multiallelic even for a sample that
  carries only one of its ALTs. With it, only the alleles the sample carries go on. ##tumor_sample is
  not used in this mode (stream names are the VCF sample names).
* Duplicate (check 11) has no "different record" clause: with --split-mnv --split-multiallelic, REF CA
  ALT TG,TT gives two SNVs T at POS; the second is a Duplicate.
* A position beyond the end of its contig is not a ContigEdge (check 8 is about the first and last
  base); it fails check 9 (RefMismatch) and counts in the mismatch ratio.
* A FASTA N or IUPAC code at the SNV position itself is RefMismatch (check 9 comes before check 10).
* Whole-stream checks are strict: mismatch ratio > --max-ref-mismatch fails; unknown-contig SNVs
  exactly half of those that reached check 7 does not fail. A stream without SNVs fails neither.
* With --regions, only the record's POS is tested (MNVs crossing an interval edge are not generated).
  A doublet partner outside the regions is not a partner (it never passed checks 7-11).
* Two SNVs at one position with different ALTs are neither duplicates nor doublets: both count.
* Extra error cases with statuses the doc does not spell out: --sample with two inputs (2);
  --per-genotype-sample on a file with no samples and no GT (1); two --list names equal (1).
* Not exercised, deliberately (the oracle compares upper-cased, but no data depends on it):
  ALT equal to REF but for case; duplicates differing only in case; ALT "." with --per-genotype-sample;
  --sample or ##tumor_sample together with --per-genotype-sample; BCF input; contigs split in blocks.
"""

import argparse
import os
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------
# Channels and outcome names
# --------------------------------------------------------------------------------------------------

BASES = "ACGT"
ACGT = frozenset(BASES)
SUBSTITUTIONS = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
DINUCLEOTIDES = [a + b for a in BASES for b in BASES]
SBS6_CHANNELS = list(SUBSTITUTIONS)
SBS96_CHANNELS = [f"{a}[{s}]{b}" for a in BASES for s in SUBSTITUTIONS for b in BASES]
SBS1536_CHANNELS = [f"{a}[{s}]{b}" for a in DINUCLEOTIDES for s in SUBSTITUTIONS for b in DINUCLEOTIDES]
CONTEXTS = (("SBS6", SBS6_CHANNELS), ("SBS96", SBS96_CHANNELS), ("SBS1536", SBS1536_CHANNELS))
COMPLEMENT = str.maketrans("ACGT", "TGCA")

COUNTED = "Counted"
OUTSIDE_REGIONS = "OutsideRegions"
FILTERED = "Filtered"
MULTIALLELIC = "Multiallelic"
OTHER = "Other"
INDEL = "Indel"
MNV = "MNV"
UNKNOWN_CONTIG = "UnknownContig"
CONTIG_EDGE = "ContigEdge"
REF_MISMATCH = "RefMismatch"
AMBIGUOUS = "AmbiguousContext"
DUPLICATE = "Duplicate"
DOUBLET = "Doublet"
NO_SBS1536 = "NoSbs1536Context"
SUMMARY_COLUMNS = [COUNTED, OUTSIDE_REGIONS, FILTERED, MULTIALLELIC, OTHER, INDEL, MNV, UNKNOWN_CONTIG,
                   CONTIG_EDGE, REF_MISMATCH, AMBIGUOUS, DUPLICATE, DOUBLET, NO_SBS1536]

IUPAC_CODES = "RYKMSWBDHV"
IUPAC_FIRST_BASE = {"R": "A", "Y": "C", "K": "G", "M": "A", "S": "C", "W": "A",
                    "B": "C", "D": "A", "H": "A", "V": "A"}
MITO_NAMES = ("chrM", "chrMT", "M", "MT")


def revcomp(seq):
    return seq.translate(COMPLEMENT)[::-1]


# --------------------------------------------------------------------------------------------------
# Test cases. Arguments are relative to OUTDIR (the working directory when the tool runs).
# --------------------------------------------------------------------------------------------------

CASES = [
    # "default" runs first, while genome.fa has no .fai yet.
    ("default", "--ref genome.fa vcf/main.vcf"),
    ("pass_only", "--ref genome.fa --pass-only vcf/main.vcf"),
    ("all_filters", "--ref genome.fa --all-filters vcf/main.vcf"),
    ("adjacent_keep", "--ref genome.fa --adjacent-snvs keep vcf/main.vcf"),
    ("adjacent_drop", "--ref genome.fa --adjacent-snvs drop vcf/main.vcf"),
    ("split_mnv", "--ref genome.fa --split-mnv vcf/main.vcf"),
    ("split_multiallelic", "--ref genome.fa --split-multiallelic vcf/main.vcf"),
    ("split_both", "--ref genome.fa --split-mnv --split-multiallelic vcf/main.vcf"),
    ("regions", "--ref genome.fa --regions regions/main.bed vcf/main.vcf"),
    ("sample_name", "--ref genome.fa --sample MyTumour vcf/main.vcf"),
    ("ensembl_names", "--ref genome.fa vcf/ensembl.vcf"),
    ("multi_input", "--ref genome.fa vcf/second.vcf vcf/main.vcf vcf/ensembl.vcf vcf/header_only.vcf "
                    "vcf/multisample.vcf"),
    ("list_named", "--ref genome.fa --list lists/named.tsv"),
    ("list_plain", "--ref genome.fa --list lists/plain.txt"),
    ("multisample_default", "--ref genome.fa vcf/multisample.vcf"),
    ("per_sample", "--ref genome.fa --per-genotype-sample vcf/multisample.vcf"),
    ("per_sample_split", "--ref genome.fa --per-genotype-sample --split-multiallelic vcf/multisample.vcf"),
    ("max_ref_mismatch", "--ref genome.fa --max-ref-mismatch 0.25 vcf/mismatch.vcf"),
    ("half_unknown", "--ref genome.fa vcf/half_unknown.vcf"),
    ("header_only", "--ref genome.fa vcf/header_only.vcf"),
    ("threads", "--ref genome.fa --threads 4 vcf/main.vcf vcf/ensembl.vcf vcf/multisample.vcf"),
    ("stdin_with_sample", "--ref genome.fa --sample FromStdin - < vcf/main.vcf"),
    ("gz_inputs", "--ref genome.fa vcf/main.vcf.gz vcf/second.vcf.bgz"),
    ("plain_gzip_input", "--ref genome.fa vcf/main.pgz.vcf.gz vcf/multisample.pgz.vcf.gz"),
    ("gz_fasta", "--ref genome.fa.gz vcf/main.vcf"),
]

# An input named X.pgz.vcf.gz is X.vcf compressed with plain gzip (not BGZF) by the runner.
PLAIN_GZIP_SUFFIX = ".pgz.vcf.gz"

ERROR_CASES = [
    ("ref_mismatch", 1, "--ref genome.fa vcf/mismatch.vcf"),
    ("wrong_reference", 1, "--ref genome.fa vcf/wrong_ref.vcf"),
    ("sample_name_collision", 1, "--ref genome.fa vcf/collide_a.vcf vcf/collide_b.vcf"),
    ("stdin_without_sample", 2, "--ref genome.fa - < vcf/main.vcf"),
    ("mismatch_in_second_input", 1, "--ref genome.fa vcf/main.vcf vcf/mismatch.vcf"),
    ("list_name_collision", 1, "--ref genome.fa --list lists/collide.tsv"),
    ("sample_with_two_inputs", 2, "--ref genome.fa --sample X vcf/main.vcf vcf/second.vcf"),
    ("per_sample_without_gt", 1, "--ref genome.fa --per-genotype-sample vcf/main.vcf"),
]

# Cases in which a decoy without an intent for the case itself is expected to behave as in "default".
# (In the others, only intents given explicitly for the case are checked.)
CASES_WITHOUT_DEFAULT_FALLBACK = {"regions", "split_both", "per_sample", "per_sample_split"}


# --------------------------------------------------------------------------------------------------
# Genome
# --------------------------------------------------------------------------------------------------

# (name, length, FASTA description). "7" has no chr prefix, to test aliasing chr7 -> 7.
GENOME_LAYOUT = [
    ("chr1", 50_000, ""),
    ("chr2", 20_000, "AC:CM000664.2 random test contig"),
    ("chr3", 12_345, ""),
    ("7", 8_000, ""),
    ("chrM", 4_020, "mitochondrion"),
]
FASTA_LINE_WIDTH = 60
TELOMERE_N = 300  # chr1 starts with a run of N, as real assemblies do


class Genome:
    """The generated sequences, with 1-based accessors. ``raw`` keeps soft-masking; ``base`` upper-cases."""

    def __init__(self, sequences):
        self.raw = sequences
        self.upper = {name: seq.upper() for name, seq in sequences.items()}

    def names(self):
        return list(self.raw)

    def length(self, contig):
        return len(self.raw[contig])

    def base(self, contig, pos):
        """Upper-case base at 1-based pos, or '' outside the contig."""
        seq = self.upper[contig]
        return seq[pos - 1] if 1 <= pos <= len(seq) else ""

    def raw_base(self, contig, pos):
        seq = self.raw[contig]
        return seq[pos - 1] if 1 <= pos <= len(seq) else ""

    def clean(self, contig, first, last):
        """True when every position first..last (inclusive) exists and is A/C/G/T (any case)."""
        return all(self.base(contig, p) in ACGT for p in range(first, last + 1))


def make_genome(rng):
    sequences = {}
    for name, length, _ in GENOME_LAYOUT:
        seq = [rng.choice(BASES) for _ in range(length)]
        # Features stay at least 20 bp from both ends so that contig edges are clean A/C/G/T.
        lo, hi = 20 + (TELOMERE_N if name == "chr1" else 0), length - 21

        n_runs = []
        for _ in range(max(3, length // 5000)):
            start = rng.randint(lo, hi - 200)
            run = rng.randint(15, 150)
            n_runs.append((start, start + run))
            for i in range(start, start + run):
                seq[i] = "N"
        for _ in range(length // 300):
            seq[rng.randint(lo, hi)] = rng.choice(IUPAC_CODES)
        for _ in range(max(2, length // 1500)):
            start = rng.randint(lo, hi - 400)
            for i in range(start, start + rng.randint(40, 400)):
                seq[i] = seq[i].lower()
        # Guarantee soft-masked runs of N (lower-case 'n') with soft-masked bases around them.
        for start, end in n_runs[:2]:
            for i in range(start - 30, end + 30):
                seq[i] = seq[i].lower()
            for i in list(range(start - 6, start)) + list(range(end, end + 6)):
                seq[i] = rng.choice(BASES).lower()
        if name == "chr1":
            seq[:TELOMERE_N] = "N" * TELOMERE_N
        sequences[name] = "".join(seq)
    return Genome(sequences)


def write_fasta(path, genome):
    descriptions = {name: desc for name, _, desc in GENOME_LAYOUT}
    with open(path, "w", newline="\n") as out:
        for name, seq in genome.raw.items():
            out.write(f">{name} {descriptions[name]}\n" if descriptions[name] else f">{name}\n")
            for i in range(0, len(seq), FASTA_LINE_WIDTH):
                out.write(seq[i:i + FASTA_LINE_WIDTH] + "\n")


# --------------------------------------------------------------------------------------------------
# VCF building (planting)
# --------------------------------------------------------------------------------------------------

@dataclass
class Record:
    chrom: str
    pos: int
    ref: str
    alts: list
    filter: str = "PASS"
    id: str = "."
    qual: str = "."
    info: str = "."
    genotypes: list = None  # one GT string per sample, or None for a sites-only file


def want(default, **per_case):
    """An intent: outcomes in the default case, plus overrides per case name."""
    intent = {"default": list(default)}
    intent.update({case: list(outcomes) for case, outcomes in per_case.items()})
    return intent


class VcfBuilder:
    """Collects the records of one VCF file, placing decoys so that they never touch each other."""

    # Each decoy reserves MARGIN positions on both sides; random SNVs avoid reserved positions and
    # reserve 2 on both sides, so no two records come closer than intended.
    MARGIN = 3

    def __init__(self, label, genome, rng, contig_names, samples=(), tumor_sample=None, extra_contigs=None):
        self.label = label
        self.genome = genome
        self.rng = rng
        self.vcf_name = dict(contig_names)        # FASTA contig -> name used in this VCF
        self.samples = list(samples)
        self.tumor_sample = tumor_sample
        self.extra_contigs = dict(extra_contigs or {})  # contigs absent from the FASTA: name -> length
        self.records = []
        self.intents = {}                           # record ID -> intent
        self.reserved = defaultdict(set)            # FASTA contig -> reserved positions
        self.tag_count = Counter()

    # ---- positions ---------------------------------------------------------------------------

    def _free(self, contig, first, last):
        return not any(p in self.reserved[contig] for p in range(first, last + 1))

    def reserve(self, contig, first, last):
        assert self._free(contig, first, last), f"{self.label}: {contig}:{first}-{last} already used"
        self.reserved[contig].update(range(first, last + 1))

    def find(self, contig, ok, span=1, lo=None, hi=None):
        """A random position p (with p..p+span-1 free, plus margins) for which ok(p) holds; reserved."""
        length = self.genome.length(contig)
        lo = 3 if lo is None else lo
        hi = length - 2 if hi is None else hi
        first, last = lo, hi - span + 1
        # Random probes find common kinds of position quickly; rare ones need the scan that follows,
        # which starts at a random offset and wraps around.
        probes = [self.rng.randint(first, last) for _ in range(500)]
        offset = self.rng.randint(first, last)
        scan = list(range(offset, last + 1)) + list(range(first, offset))
        for p in probes + scan:
            if self._free(contig, p - self.MARGIN, p + span - 1 + self.MARGIN) and ok(p):
                self.reserve(contig, p - self.MARGIN, p + span - 1 + self.MARGIN)
                return p
        raise RuntimeError(f"{self.label}: no position on {contig} fits the predicate")

    def find_clean(self, contig, span=1, flank=2, **kw):
        """A position whose span and `flank` bases on both sides are A/C/G/T."""
        g = self.genome
        return self.find(contig, lambda p: g.clean(contig, p - flank, p + span - 1 + flank), span=span, **kw)

    # ---- records -----------------------------------------------------------------------------

    def other_base(self, *exclude):
        return self.rng.choice([b for b in BASES if b not in {e.upper() for e in exclude}])

    def add(self, contig, pos, ref, alts, tag=None, intent=None, filter="PASS", info=None, genotypes=None):
        """Add a record; `contig` is a FASTA contig (renamed as this VCF names it) or an unknown one."""
        rec = Record(chrom=self.vcf_name.get(contig, contig), pos=pos, ref=ref,
                     alts=list(alts) if isinstance(alts, (list, tuple)) else [alts], filter=filter)
        rec.qual = self.rng.choice([".", f"{self.rng.uniform(20, 900):.1f}"])
        rec.info = info or f"DP={self.rng.randint(15, 120)}"
        if self.samples:
            assert genotypes is not None and len(genotypes) == len(self.samples), "genotypes missing"
            rec.genotypes = list(genotypes)
        if tag is not None:
            self.tag_count[tag] += 1
            rec.id = f"{self.label}.{tag}.{self.tag_count[tag]}"
            if intent is not None:
                self.intents[rec.id] = intent
        self.records.append(rec)
        return rec

    def snv(self, contig, pos, alt=None, ref=None, lower=False, **kw):
        """An SNV whose REF is the FASTA base unless given; ALT random unless given."""
        ref = ref or self.genome.base(contig, pos)
        alt = alt or self.other_base(ref)
        if lower:
            ref, alt = ref.lower(), alt.lower()
        return self.add(contig, pos, ref, [alt], **kw)

    def ref_at(self, contig, pos, length):
        return "".join(self.genome.base(contig, p) for p in range(pos, pos + length))

    def add_random_snvs(self, count, contigs=None, filters=(("PASS", 85), (".", 8), ("LowQual", 7)),
                        genotype_maker=None):
        """Random SNVs (REF = FASTA base) anywhere, kept >= 3 bp from every other record."""
        contigs = contigs or [c for c in self.vcf_name if c in self.genome.raw]
        weights = [self.genome.length(c) for c in contigs]
        filter_values = [f for f, _ in filters]
        filter_weights = [w for _, w in filters]
        placed = 0
        while placed < count:
            contig = self.rng.choices(contigs, weights)[0]
            pos = self.rng.randint(1, self.genome.length(contig))
            if pos in self.reserved[contig] or self.genome.base(contig, pos) not in ACGT:
                continue
            self.reserved[contig].update(range(pos - 2, pos + 3))
            genotypes = genotype_maker() if genotype_maker else None
            self.snv(contig, pos, lower=self.rng.random() < 0.05,
                     filter=self.rng.choices(filter_values, filter_weights)[0], genotypes=genotypes)
            placed += 1

    # ---- output ------------------------------------------------------------------------------

    def contig_order(self):
        known = [self.vcf_name[c] for c in self.genome.names() if c in self.vcf_name]
        return known + list(self.extra_contigs)

    def write(self, path):
        order = self.contig_order()
        rank = {name: i for i, name in enumerate(order)}
        lengths = {self.vcf_name[c]: self.genome.length(c) for c in self.vcf_name}
        lengths.update(self.extra_contigs)
        records = sorted(self.records, key=lambda r: (rank[r.chrom], r.pos))  # stable: keeps planting order
        lines = ["##fileformat=VCFv4.2", "##fileDate=20240102", "##source=make_count_cases.py",
                 "##reference=file://genome.fa"]
        lines += [f"##contig=<ID={name},length={lengths[name]}>" for name in order]
        lines += ['##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
                  '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
                  '##FILTER=<ID=PASS,Description="All filters passed">',
                  '##FILTER=<ID=LowQual,Description="Low quality">',
                  '##FILTER=<ID=StrandBias,Description="Strand bias">']
        if self.samples:
            lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
                      '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">']
        if self.tumor_sample:
            lines.append(f"##tumor_sample={self.tumor_sample}")
        columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
        if self.samples:
            columns += ["FORMAT"] + self.samples
        lines.append("\t".join(columns))
        for r in records:
            fields = [r.chrom, str(r.pos), r.id, r.ref, ",".join(r.alts), r.qual, r.filter, r.info]
            if self.samples:
                fields.append("GT:DP")
                for gt in r.genotypes:
                    dp = "." if gt.startswith(".") else str(self.rng.randint(10, 90))
                    fields.append(f"{gt}:{dp}")
            lines.append("\t".join(fields))
        with open(path, "w", newline="\n") as out:
            out.write("\n".join(lines) + "\n")


UCSC_NAMES = {"chr1": "chr1", "chr2": "chr2", "chr3": "chr3", "7": "chr7", "chrM": "chrM"}
ENSEMBL_NAMES = {"chr1": "1", "chr2": "2", "chr3": "3", "7": "7", "chrM": "MT"}


def plant_main(genome, rng):
    """main.vcf: UCSC names (chr7 -> FASTA 7), no samples, no ##tumor_sample; every decoy kind."""
    b = VcfBuilder("main", genome, rng, UCSC_NAMES,
                   extra_contigs={"chrUn_KI270742v1": 186_739, "GL000220.1": 161_802})
    g = genome
    c1 = "chr1"

    # -- Pyrimidine convention: REF C and T as they are, A and G reverse-complemented.
    for ref in "CTAG":
        p = b.find(c1, lambda p: g.clean(c1, p - 2, p + 2) and g.base(c1, p) == ref)
        b.snv(c1, p, tag=f"ref_{ref}", intent=want([COUNTED]))

    # -- Lower-case REF/ALT in the VCF.
    for _ in range(2):
        b.snv(c1, b.find_clean(c1), lower=True, tag="lowercase_vcf", intent=want([COUNTED]))

    # -- Soft-masked (lower-case) FASTA bases: the whole pentanucleotide, then the base alone.
    p = b.find(c1, lambda p: g.clean(c1, p - 2, p + 2)
               and all(g.raw_base(c1, i).islower() for i in range(p - 2, p + 3)))
    b.snv(c1, p, tag="softmasked_context", intent=want([COUNTED]))
    p = b.find("chr3", lambda p: g.clean("chr3", p - 2, p + 2) and g.raw_base("chr3", p).islower())
    b.snv("chr3", p, tag="softmasked_base", intent=want([COUNTED]))

    # -- REF differs from the FASTA (kept on chr2/chr3, outside the --regions intervals).
    for contig in ("chr2", "chr3", "chr3"):
        p = b.find_clean(contig)
        wrong = b.other_base(g.base(contig, p))
        b.snv(contig, p, ref=wrong, alt=b.other_base(wrong), tag="ref_mismatch", intent=want([REF_MISMATCH]))
    p = b.find("chr2", lambda p: g.base("chr2", p) == "N")
    b.snv("chr2", p, ref="C", alt="T", tag="fasta_n_at_position", intent=want([REF_MISMATCH]))
    p = b.find("chr2", lambda p: g.base("chr2", p) in IUPAC_CODES)
    iupac_ref = IUPAC_FIRST_BASE[g.base("chr2", p)]
    b.snv("chr2", p, ref=iupac_ref, alt=b.other_base(iupac_ref), tag="fasta_iupac_at_position",
          intent=want([REF_MISMATCH]))
    b.snv("chr3", g.length("chr3") + 7, ref="C", alt="T", tag="beyond_contig_end", intent=want([REF_MISMATCH]))

    # -- N / IUPAC next to the SNV (AmbiguousContext) or two away (counted, but not in SBS1536).
    ambiguous = {
        "softmasked_n_at_minus1": lambda p: g.raw_base(c1, p - 1) == "n" and g.clean(c1, p, p + 1),
        "n_at_minus1": lambda p: g.base(c1, p - 1) == "N" and g.clean(c1, p, p + 1),
        "n_at_plus1": lambda p: g.base(c1, p + 1) == "N" and g.clean(c1, p - 1, p),
        "iupac_at_minus1": lambda p: g.base(c1, p - 1) in IUPAC_CODES and g.clean(c1, p, p + 1),
        "iupac_at_plus1": lambda p: g.base(c1, p + 1) in IUPAC_CODES and g.clean(c1, p - 1, p),
    }
    for tag, ok in ambiguous.items():
        b.snv(c1, b.find(c1, ok), tag=tag, intent=want([AMBIGUOUS]))
    no_1536 = {
        "n_at_minus2": lambda p: g.base(c1, p - 2) == "N" and g.clean(c1, p - 1, p + 2),
        "n_at_plus2": lambda p: g.base(c1, p + 2) == "N" and g.clean(c1, p - 2, p + 1),
        "iupac_at_minus2": lambda p: g.base(c1, p - 2) in IUPAC_CODES and g.clean(c1, p - 1, p + 2),
        "iupac_at_plus2": lambda p: g.base(c1, p + 2) in IUPAC_CODES and g.clean(c1, p - 2, p + 1),
    }
    for tag, ok in no_1536.items():
        b.snv(c1, b.find(c1, ok), tag=tag, intent=want([NO_SBS1536]))

    # -- Contig edges. Position 2 sits next to position 1, but a ContigEdge SNV makes no doublet.
    length2 = g.length("chr2")
    b.reserve("chr2", 1, 5)
    b.reserve("chr2", length2 - 4, length2)
    outside = {"regions": [OUTSIDE_REGIONS]}
    b.snv("chr2", 1, tag="first_base", intent=want([CONTIG_EDGE], **outside))
    b.snv("chr2", 2, tag="second_base", intent=want([NO_SBS1536], **outside))
    b.snv("chr2", length2 - 1, tag="second_to_last_base", intent=want([NO_SBS1536]))
    b.snv("chr2", length2, tag="last_base", intent=want([CONTIG_EDGE]))
    b.reserve("chr3", 1, 6)
    b.snv("chr3", 3, tag="third_base", intent=want([COUNTED]))

    # -- Contig aliasing: chr7 -> 7 (including its first base), chrM exact.
    b.reserve("7", 1, 5)
    b.snv("7", 1, tag="alias_first_base", intent=want([CONTIG_EDGE], **outside))
    for _ in range(2):
        b.snv("7", b.find_clean("7", lo=200, hi=4800), tag="alias_chr7",
              intent=want([COUNTED], regions=[COUNTED]))
    for _ in range(2):
        b.snv("chrM", b.find_clean("chrM"), tag="chrM", intent=want([COUNTED], regions=[COUNTED]))

    # -- Contigs absent from the FASTA: the record-level checks still come first.
    un = "chrUn_KI270742v1"
    for pos in (1_000, 2_500, 7_000):
        b.add(un, pos, "C", ["T"], tag="unknown_contig", intent=want([UNKNOWN_CONTIG], **outside))
    b.add(un, 9_000, "G", ["A", "T"], tag="unknown_contig_multiallelic",
          intent=want([MULTIALLELIC], split_multiallelic=[UNKNOWN_CONTIG, UNKNOWN_CONTIG]))
    b.add(un, 11_000, "GA", ["G"], tag="unknown_contig_indel", intent=want([INDEL]))
    b.add(un, 12_000, "A", ["C"], filter="LowQual", tag="unknown_contig_filtered",
          intent=want([FILTERED], all_filters=[UNKNOWN_CONTIG]))
    b.add("GL000220.1", 500, "T", ["C"], tag="unknown_contig", intent=want([UNKNOWN_CONTIG]))

    # -- Duplicates.
    p = b.find_clean(c1)
    alt = b.other_base(g.base(c1, p))
    b.snv(c1, p, alt=alt, tag="dup_pair", intent=want([COUNTED]))
    b.snv(c1, p, alt=alt, tag="dup_pair", intent=want([DUPLICATE]))
    p = b.find_clean(c1)
    alt = b.other_base(g.base(c1, p))
    for outcome in (COUNTED, DUPLICATE, DUPLICATE):
        b.snv(c1, p, alt=alt, tag="dup_triple", intent=want([outcome]))
    p = b.find_clean(c1)
    alt1 = b.other_base(g.base(c1, p))
    b.snv(c1, p, alt=alt1, tag="same_pos_other_alt", intent=want([COUNTED]))
    b.snv(c1, p, alt=b.other_base(g.base(c1, p), alt1), tag="same_pos_other_alt", intent=want([COUNTED]))
    p = b.find_clean(c1)
    alt = b.other_base(g.base(c1, p))
    b.snv(c1, p, alt=alt, filter="LowQual", tag="dup_of_filtered",
          intent=want([FILTERED], all_filters=[COUNTED]))
    b.snv(c1, p, alt=alt, tag="dup_of_filtered", intent=want([COUNTED], all_filters=[DUPLICATE]))
    p = b.find_clean("chr2")
    wrong = b.other_base(g.base("chr2", p))
    alt = b.other_base(g.base("chr2", p), wrong)
    b.snv("chr2", p, ref=wrong, alt=alt, tag="dup_of_ref_mismatch", intent=want([REF_MISMATCH]))
    b.snv("chr2", p, alt=alt, tag="dup_of_ref_mismatch", intent=want([COUNTED]))

    # -- Adjacent SNVs (doublets) and adjacency that must not make a doublet.
    keep = lambda outcomes: {"adjacent_keep": outcomes}  # noqa: E731
    p = b.find_clean(c1, span=2)
    for q in (p, p + 1):
        b.snv(c1, q, tag="doublet_pair", intent=want([DOUBLET], **keep([COUNTED])))
    p = b.find_clean(c1, span=3)
    for q in (p, p + 1, p + 2):
        b.snv(c1, q, tag="triplet", intent=want([DOUBLET], **keep([COUNTED])))
    p = b.find_clean(c1, span=3)
    for q in (p, p + 2):
        b.snv(c1, q, tag="one_bp_apart", intent=want([COUNTED]))
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, tag="next_to_lowqual", intent=want([COUNTED], all_filters=[DOUBLET]))
    b.snv(c1, p + 1, filter="LowQual", tag="next_to_lowqual", intent=want([FILTERED], all_filters=[DOUBLET]))
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, tag="next_to_dot_filter", intent=want([DOUBLET], pass_only=[COUNTED], **keep([COUNTED])))
    b.snv(c1, p + 1, filter=".", tag="next_to_dot_filter",
          intent=want([DOUBLET], pass_only=[FILTERED], **keep([COUNTED])))
    p = b.find_clean(c1, span=3)
    b.snv(c1, p, tag="next_to_deletion", intent=want([COUNTED]))
    b.add(c1, p + 1, b.ref_at(c1, p + 1, 2), [g.base(c1, p + 1)], tag="next_to_deletion", intent=want([INDEL]))
    p = b.find_clean(c1, span=2)  # a deletion starting at p spans the SNV at p + 1
    b.add(c1, p, b.ref_at(c1, p, 2), [g.base(c1, p)], tag="inside_deletion", intent=want([INDEL]))
    b.snv(c1, p + 1, tag="inside_deletion", intent=want([COUNTED]))
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, tag="next_to_insertion", intent=want([COUNTED]))
    b.add(c1, p + 1, g.base(c1, p + 1), [g.base(c1, p + 1) + "TG"], tag="next_to_insertion",
          intent=want([INDEL]))
    p = b.find_clean(c1, span=3)
    split_mnv_doublet = {"split_mnv": [DOUBLET, COUNTED], "split_both": [DOUBLET, COUNTED]}
    b.snv(c1, p, tag="next_to_mnv", intent=want([COUNTED], split_mnv=[DOUBLET], split_both=[DOUBLET]))
    mnv_ref = b.ref_at(c1, p + 1, 2)
    b.add(c1, p + 1, mnv_ref, [b.other_base(mnv_ref[0]) + b.other_base(mnv_ref[1])], tag="next_to_mnv",
          intent=want([MNV], **split_mnv_doublet))
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, tag="next_to_multiallelic",
          intent=want([COUNTED], split_multiallelic=[DOUBLET], split_both=[DOUBLET]))
    ref = g.base(c1, p + 1)
    alt1 = b.other_base(ref)
    b.add(c1, p + 1, ref, [alt1, b.other_base(ref, alt1)], tag="next_to_multiallelic",
          intent=want([MULTIALLELIC], split_multiallelic=[DOUBLET, DOUBLET], split_both=[DOUBLET, DOUBLET]))
    p = b.find_clean("chr2", span=2)
    b.snv("chr2", p, tag="next_to_ref_mismatch", intent=want([COUNTED]))
    wrong = b.other_base(g.base("chr2", p + 1))
    b.snv("chr2", p + 1, ref=wrong, alt=b.other_base(wrong), tag="next_to_ref_mismatch",
          intent=want([REF_MISMATCH]))
    p = b.find(c1, lambda p: g.base(c1, p - 1) == "N" and g.clean(c1, p, p + 3), span=2)
    b.snv(c1, p, tag="next_to_ambiguous", intent=want([AMBIGUOUS]))
    b.snv(c1, p + 1, tag="next_to_ambiguous", intent=want([NO_SBS1536]))  # the N is its -2 base
    p = b.find_clean(c1, span=2)
    alt = b.other_base(g.base(c1, p))
    b.snv(c1, p, alt=alt, tag="doublet_with_duplicate", intent=want([DOUBLET], **keep([COUNTED])))
    b.snv(c1, p, alt=alt, tag="doublet_with_duplicate", intent=want([DUPLICATE]))
    b.snv(c1, p + 1, tag="doublet_with_duplicate", intent=want([DOUBLET], **keep([COUNTED])))
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, tag="next_to_ref_eq_alt", intent=want([COUNTED]))
    b.snv(c1, p + 1, alt=g.base(c1, p + 1), tag="next_to_ref_eq_alt", intent=want([OTHER]))

    # -- Multi-allelic records.
    split_multi = lambda outcomes: {"split_multiallelic": outcomes, "split_both": outcomes}  # noqa: E731
    p = b.find_clean(c1)
    ref = g.base(c1, p)
    alt1 = b.other_base(ref)
    b.add(c1, p, ref, [alt1, b.other_base(ref, alt1)], tag="multiallelic_snvs",
          intent=want([MULTIALLELIC], **split_multi([COUNTED, COUNTED])))
    p = b.find_clean(c1)
    ref = g.base(c1, p)
    b.add(c1, p, ref, [b.other_base(ref), ref + "CA"], tag="multiallelic_snv_indel",
          intent=want([MULTIALLELIC], **split_multi([COUNTED, INDEL])))
    p = b.find_clean(c1)
    ref = g.base(c1, p)
    b.add(c1, p, ref, [b.other_base(ref), "*"], tag="multiallelic_snv_star",
          intent=want([MULTIALLELIC], **split_multi([COUNTED, OTHER])))
    p = b.find_clean(c1, span=2)
    ref = b.ref_at(c1, p, 2)
    first = b.other_base(ref[0])
    second1 = b.other_base(ref[1])
    second2 = b.other_base(ref[1], second1)
    b.add(c1, p, ref, [first + second1, first + second2], tag="multiallelic_mnvs",
          intent=want([MULTIALLELIC], split_multiallelic=[MNV, MNV],
                      split_both=[COUNTED, COUNTED, DUPLICATE, COUNTED]))
    p = b.find_clean(c1)
    ref = g.base(c1, p)
    alt1 = b.other_base(ref)
    b.add(c1, p, ref, [alt1, b.other_base(ref, alt1)], filter="LowQual", tag="multiallelic_filtered",
          intent=want([FILTERED], all_filters=[MULTIALLELIC]))

    # -- MNVs.
    split = lambda outcomes: {"split_mnv": outcomes, "split_both": outcomes}  # noqa: E731
    p = b.find(c1, lambda p: g.base(c1, p) == "C" and g.base(c1, p + 1) == "C"
               and g.clean(c1, p - 2, p + 3), span=2)
    b.add(c1, p, "CC", ["TT"], tag="mnv_CC_TT", intent=want([MNV], **split([COUNTED, COUNTED])))
    p = b.find_clean(c1, span=3)
    ref = b.ref_at(c1, p, 3)
    b.add(c1, p, ref, [b.other_base(ref[0]) + ref[1] + b.other_base(ref[2])], tag="mnv_gapped",
          intent=want([MNV], **split([COUNTED, COUNTED])))
    p = b.find_clean(c1, span=2)
    ref = b.ref_at(c1, p, 2)
    b.add(c1, p, ref, [ref[0] + b.other_base(ref[1])], tag="mnv_same_first_base",
          intent=want([MNV], **split([COUNTED])))
    p = b.find_clean("chr2", span=2)
    wrong = b.other_base(g.base("chr2", p + 1))
    b.add("chr2", p, g.base("chr2", p) + wrong, [b.other_base(g.base("chr2", p)) + b.other_base(wrong)],
          tag="mnv_partial_ref_mismatch", intent=want([MNV], split_mnv=[COUNTED, REF_MISMATCH]))
    p = b.find_clean(c1, span=2)
    ref = b.ref_at(c1, p, 2)
    b.add(c1, p, ref, [b.other_base(ref[0]) + "N"], tag="mnv_alt_with_n", intent=want([OTHER]))
    p = b.find_clean(c1, span=2)
    ref = b.ref_at(c1, p, 2)
    b.add(c1, p, ref.lower(), [(b.other_base(ref[0]) + b.other_base(ref[1])).lower()], tag="mnv_lowercase",
          intent=want([MNV], **split([COUNTED, COUNTED])))
    p = b.find_clean(c1, span=2)
    ref = b.ref_at(c1, p, 2)
    b.add(c1, p, ref, [b.other_base(ref[0]) + b.other_base(ref[1])], filter="LowQual", tag="mnv_filtered",
          intent=want([FILTERED], all_filters=[MNV]))

    # -- Indels, symbolic and other non-SNV alleles.
    p = b.find_clean(c1, span=3)
    b.add(c1, p, b.ref_at(c1, p, 3), [g.base(c1, p)], tag="deletion", intent=want([INDEL]))
    p = b.find_clean(c1)
    b.add(c1, p, g.base(c1, p), [g.base(c1, p) + "AC"], tag="insertion", intent=want([INDEL]))
    others = [
        ("symbolic_del", lambda ref: "<DEL>", "SVTYPE=DEL"),
        ("star_allele", lambda ref: "*", None),
        ("breakend", lambda ref: ref + "]chr2:5000]", "SVTYPE=BND"),
        ("alt_missing", lambda ref: ".", None),
        ("ref_equals_alt", lambda ref: ref, None),
    ]
    for tag, make_alt, info in others:
        p = b.find_clean(c1)
        b.add(c1, p, g.base(c1, p), [make_alt(g.base(c1, p))], info=info, tag=tag, intent=want([OTHER]))
    p = b.find_clean(c1)
    b.add(c1, p, "N", ["A"], tag="ref_n", intent=want([OTHER]))

    # -- FILTER values.
    p = b.find_clean(c1)
    b.snv(c1, p, filter="LowQual", tag="filter_lowqual", intent=want([FILTERED], all_filters=[COUNTED]))
    p = b.find_clean(c1)
    b.snv(c1, p, filter="LowQual;StrandBias", tag="filter_two_values",
          intent=want([FILTERED], all_filters=[COUNTED]))
    p = b.find_clean(c1)
    b.snv(c1, p, filter=".", tag="filter_dot", intent=want([COUNTED], pass_only=[FILTERED]))

    # -- Pairs at the edges of --regions intervals (the BED is written from these positions).
    q = b.find_clean(c1, span=2, lo=25_000, hi=36_000)
    b.snv(c1, q, tag="region_start_outside",
          intent=want([DOUBLET], regions=[OUTSIDE_REGIONS], **keep([COUNTED])))
    b.snv(c1, q + 1, tag="region_start_inside", intent=want([DOUBLET], regions=[COUNTED], **keep([COUNTED])))
    r = b.find_clean(c1, span=2, lo=38_000, hi=49_000)
    b.snv(c1, r, tag="region_end_inside", intent=want([DOUBLET], regions=[COUNTED], **keep([COUNTED])))
    b.snv(c1, r + 1, tag="region_end_outside",
          intent=want([DOUBLET], regions=[OUTSIDE_REGIONS], **keep([COUNTED])))
    # BED contigs are named the other way round from main.vcf: 1 (FASTA chr1), chr7 (FASTA 7), MT (chrM).
    bed = [("1", 0, 20_000), ("1", q, q + 400), ("1", r - 300, r),
           ("chr7", 100, 5_000), ("MT", 0, g.length("chrM"))]

    b.add_random_snvs(400)
    return b, bed


def plant_ensembl(genome, rng):
    """ensembl.vcf: Ensembl names (1 -> chr1, MT -> chrM, 7 exact) and ##tumor_sample."""
    b = VcfBuilder("ens", genome, rng, ENSEMBL_NAMES, tumor_sample="PD1234a",
                   extra_contigs={"HSCHR6_MHC_COX_CTG1": 4_795_371})
    g = genome
    length_m = g.length("chrM")
    b.reserve("chrM", 1, 5)
    b.reserve("chrM", length_m - 4, length_m)
    b.snv("chrM", 1, tag="mt_first_base", intent=want([CONTIG_EDGE]))
    b.snv("chrM", 2, tag="mt_second_base", intent=want([NO_SBS1536]))
    b.snv("chrM", length_m - 1, tag="mt_second_to_last_base", intent=want([NO_SBS1536]))
    b.snv("chrM", length_m, tag="mt_last_base", intent=want([CONTIG_EDGE]))
    b.snv("chrM", b.find_clean("chrM"), tag="mt", intent=want([COUNTED]))
    for contig in ("chr1", "chr1", "7", "chr2"):
        b.snv(contig, b.find_clean(contig), tag="alias", intent=want([COUNTED]))
    b.add("HSCHR6_MHC_COX_CTG1", 100_000, "A", ["G"], tag="unknown_contig", intent=want([UNKNOWN_CONTIG]))
    b.add_random_snvs(250)
    return b


def plant_second(genome, rng):
    """second.vcf: UCSC names with chrMT for the mitochondrion; sample name from the file name."""
    names = dict(UCSC_NAMES, chrM="chrMT")
    b = VcfBuilder("sec", genome, rng, names)
    for _ in range(2):
        b.snv("chrM", b.find_clean("chrM"), tag="chrMT", intent=want([COUNTED]))
    p = b.find_clean("chr2", span=2)
    for q in (p, p + 1):
        b.snv("chr2", q, tag="doublet_pair", intent=want([DOUBLET]))
    b.snv("chr3", b.find_clean("chr3"), filter="LowQual", tag="lowqual", intent=want([FILTERED]))
    b.add_random_snvs(200)
    return b


MULTISAMPLE = ["PD1_tumour", "PD2_tumour", "PD3_metastasis"]


def per_sample(case, *outcomes_per_sample):
    return {f"{case}:{sample}": list(o) for sample, o in zip(MULTISAMPLE, outcomes_per_sample)}


def plant_multisample(genome, rng):
    """multisample.vcf: three samples with GT, for --per-genotype-sample; mitochondrion named M."""
    names = dict(UCSC_NAMES, chrM="M")
    b = VcfBuilder("ms", genome, rng, names, samples=MULTISAMPLE)
    c1 = "chr1"
    none = []

    def intent(default, per_sample_outcomes, per_sample_split_outcomes=None):
        result = want(default)
        result.update(per_sample("per_sample", *per_sample_outcomes))
        result.update(per_sample("per_sample_split", *(per_sample_split_outcomes or per_sample_outcomes)))
        return result

    # Adjacent SNVs: a doublet for PD1 (carries both), a counted SNV for PD2 (carries one).
    p = b.find_clean(c1, span=2)
    b.snv(c1, p, genotypes=["0/1", "0/1", "0/0"], tag="doublet_in_pd1_only",
          intent=intent([DOUBLET], [[DOUBLET], [COUNTED], none]))
    b.snv(c1, p + 1, genotypes=["0/1", "0/0", "0/0"], tag="doublet_in_pd1_only",
          intent=intent([DOUBLET], [[DOUBLET], none, none]))
    # Duplicates are per stream.
    p = b.find_clean(c1)
    alt = b.other_base(genome.base(c1, p))
    b.snv(c1, p, alt=alt, genotypes=["0/1", "0/0", "0/0"], tag="duplicate_in_pd1_only",
          intent=intent([COUNTED], [[COUNTED], none, none]))
    b.snv(c1, p, alt=alt, genotypes=["0/1", "1/1", "0/0"], tag="duplicate_in_pd1_only",
          intent=intent([DUPLICATE], [[DUPLICATE], [COUNTED], none]))
    # Multi-allelic: 1/2, 0/1 and 0/2.
    p = b.find_clean(c1)
    ref = genome.base(c1, p)
    alt1 = b.other_base(ref)
    b.add(c1, p, ref, [alt1, b.other_base(ref, alt1)], genotypes=["1/2", "0/1", "0/2"],
          tag="multiallelic_gt", intent=intent([MULTIALLELIC], [[MULTIALLELIC]] * 3,
                                               [[COUNTED, COUNTED], [COUNTED], [COUNTED]]))
    p = b.find_clean(c1)
    ref = genome.base(c1, p)
    b.add(c1, p, ref, [b.other_base(ref), ref + "T"], genotypes=["1/2", "0/2", "0/0"],
          tag="multiallelic_snv_indel_gt", intent=intent([MULTIALLELIC], [[MULTIALLELIC], [MULTIALLELIC], none],
                                                         [[COUNTED, INDEL], [INDEL], none]))
    p = b.find_clean(c1)
    ref = genome.base(c1, p)
    alt1 = b.other_base(ref)
    b.add(c1, p, ref, [alt1, b.other_base(ref, alt1)], genotypes=["0/0", "./.", "0/0"],
          tag="multiallelic_carried_by_none", intent=intent([MULTIALLELIC], [none] * 3))
    # Genotype spellings.
    b.snv(c1, b.find_clean(c1), genotypes=["0|1", "1|0", "0|0"], tag="phased",
          intent=intent([COUNTED], [[COUNTED], [COUNTED], none]))
    b.snv(c1, b.find_clean(c1), genotypes=["1/1", "0/0", "1/1"], tag="homozygous",
          intent=intent([COUNTED], [[COUNTED], none, [COUNTED]]))
    b.snv(c1, b.find_clean(c1), genotypes=["0/0", "0/0", "0/0"], tag="all_hom_ref",
          intent=intent([COUNTED], [none] * 3))
    b.snv(c1, b.find_clean(c1), genotypes=["./.", "./.", "./."], tag="all_missing",
          intent=intent([COUNTED], [none] * 3))
    b.snv("chrM", b.find_clean("chrM"), genotypes=["1", "0", "."], tag="haploid",
          intent=intent([COUNTED], [[COUNTED], none, none]))
    b.snv("chrM", b.find_clean("chrM"), genotypes=["1", "1", "1"], tag="haploid_all",
          intent=intent([COUNTED], [[COUNTED]] * 3))
    b.snv(c1, b.find_clean(c1), filter="LowQual", genotypes=["0/1", "0/0", "0/0"], tag="filtered_pd1",
          intent=intent([FILTERED], [[FILTERED], none, none]))

    genotype_choices = ["0/1", "0/1", "0/1", "1/1", "0|1", "0/0", "0/0", "./."]
    b.add_random_snvs(300, genotype_maker=lambda: [rng.choice(genotype_choices) for _ in MULTISAMPLE])
    return b


def plant_simple(label, genome, rng, clean=0, mismatches=0, unknown=0, tumor_sample=None):
    """Small files for whole-stream checks: clean PASS SNVs, REF mismatches, SNVs on absent contigs."""
    b = VcfBuilder(label, genome, rng, UCSC_NAMES, tumor_sample=tumor_sample,
                   extra_contigs={"chr9": 138_394_717, "chr10": 133_797_422} if unknown else None)
    for _ in range(clean):
        b.snv("chr1", b.find_clean("chr1"), tag="clean", intent=want([COUNTED]))
    for _ in range(mismatches):
        contig = rng.choice(["chr1", "chr2"])
        p = b.find_clean(contig)
        wrong = b.other_base(genome.base(contig, p))
        b.snv(contig, p, ref=wrong, alt=b.other_base(wrong), tag="mismatch", intent=want([REF_MISMATCH]))
    for i in range(unknown):
        b.add("chr9" if i % 2 else "chr10", 10_000 + 1_000 * i, "C", ["A"], tag="absent_contig",
              intent=want([UNKNOWN_CONTIG]))
    return b


# --------------------------------------------------------------------------------------------------
# Oracle: docs/counting.md, from the files on disk
# --------------------------------------------------------------------------------------------------

class OracleError(Exception):
    """The run fails with this exit status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


@dataclass
class VcfFile:
    path: str
    tumor_sample: str
    samples: list
    has_gt: bool
    records: list


def read_vcf(path):
    tumor_sample, samples, has_gt, records = None, [], False, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("##"):
                if line.startswith("##tumor_sample="):
                    tumor_sample = line[len("##tumor_sample="):]
                elif line.startswith("##FORMAT=<ID=GT,"):
                    has_gt = True
                continue
            if line.startswith("#"):
                samples = line.split("\t")[9:]
                continue
            fields = line.split("\t")
            rec = Record(chrom=fields[0], pos=int(fields[1]), id=fields[2], ref=fields[3],
                         alts=fields[4].split(","), qual=fields[5], filter=fields[6], info=fields[7])
            if samples:
                keys = fields[8].split(":")
                gt_index = keys.index("GT") if "GT" in keys else None
                rec.genotypes = [value.split(":")[gt_index] if gt_index is not None else None
                                 for value in fields[9:]]
            records.append(rec)
    return VcfFile(path, tumor_sample, samples, has_gt and bool(samples), records)


def read_fasta(path):
    sequences, name, chunks = {}, None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(">"):
                if name is not None:
                    sequences[name] = "".join(chunks).upper()
                name, chunks = line[1:].split()[0], []
            else:
                chunks.append(line)
    if name is not None:
        sequences[name] = "".join(chunks).upper()
    return sequences


def resolve_contig(name, fasta):
    """The FASTA contig a VCF/BED contig name refers to, or None (docs: "Contig names")."""
    if name in fasta:
        return name
    candidates = [name[3:] if name.startswith("chr") else "chr" + name]
    if name in MITO_NAMES:
        candidates += MITO_NAMES
    for candidate in candidates:
        if candidate in fasta:
            return candidate
    return None


def read_bed(path, fasta):
    intervals = defaultdict(list)
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            contig, start, end = line.rstrip("\n").split("\t")[:3]
            resolved = resolve_contig(contig, fasta)
            if resolved is not None:
                intervals[resolved].append((int(start), int(end)))
    return intervals


def sample_name_from_path(path):
    base = os.path.basename(path)
    for suffix in (".vcf.gz", ".vcf.bgz", ".vcf", ".bcf"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base


def carried_alleles(rec, sample_index):
    """1-based ALT indices the stream carries: all of them, or those in the sample's GT."""
    if sample_index is None:
        return list(range(1, len(rec.alts) + 1))
    gt = rec.genotypes[sample_index]
    if gt is None:
        return []
    return sorted({int(a) for a in re.split(r"[/|]", gt) if a != "." and int(a) >= 1})


@dataclass
class Snv:
    record_index: int
    contig: str          # FASTA name, or None when the contig is unknown
    pos: int
    ref: str
    alt: str
    outcome: str = None  # None while it has passed checks 7-11


@dataclass
class StreamResult:
    name: str
    vcf: VcfFile
    matrices: dict = field(default_factory=lambda: {name: Counter() for name, _ in CONTEXTS})
    summary: Counter = field(default_factory=Counter)
    trace: list = field(default_factory=list)   # (record, [outcome or Snv, ...]) in file order
    reached_check7: int = 0
    reached_check9: int = 0

    def outcomes(self, entry):
        return [o.outcome if isinstance(o, Snv) else o for o in entry]


def channels(fasta, snv):
    """(SBS6, SBS96, SBS1536 or None) channels of a counted SNV."""
    seq = fasta[snv.contig]
    ref, alt, pos = snv.ref.upper(), snv.alt.upper(), snv.pos
    tri = seq[pos - 2:pos + 1]
    penta = seq[pos - 3:pos + 2] if pos >= 3 and pos + 2 <= len(seq) else None
    if penta is not None and not set(penta) <= ACGT:
        penta = None
    if ref in "AG":
        ref, alt, tri = ref.translate(COMPLEMENT), alt.translate(COMPLEMENT), revcomp(tri)
        penta = revcomp(penta) if penta else None
    sub = f"{ref}>{alt}"
    return (sub, f"{tri[0]}[{sub}]{tri[2]}",
            f"{penta[:2]}[{sub}]{penta[3:]}" if penta else None)


class Oracle:
    """Runs one `sigstream count` command line, per docs/counting.md, on the files in `workdir`."""

    def __init__(self, workdir):
        self.workdir = workdir
        self._fasta_cache = {}

    def path(self, relative, needs_bgzip):
        """A file the tool will open. X.gz / X.bgz is read from X: the runner makes it with bgzip."""
        full = os.path.join(self.workdir, relative)
        if os.path.exists(full):
            return full
        if relative.endswith(PLAIN_GZIP_SUFFIX):  # X.pgz.vcf.gz: plain gzip (not BGZF) of X.vcf
            source = full[:-len(PLAIN_GZIP_SUFFIX)] + ".vcf"
            if os.path.exists(source):
                needs_bgzip.append(relative)
                return source
        for suffix in (".gz", ".bgz"):
            if relative.endswith(suffix) and os.path.exists(full[:-len(suffix)]):
                needs_bgzip.append(relative)
                return full[:-len(suffix)]
        raise OracleError(1, f"cannot open {relative}")

    @staticmethod
    def parse_arguments(argument_text):
        tokens = argument_text.split()
        stdin = None
        if "<" in tokens:
            i = tokens.index("<")
            stdin, tokens = tokens[i + 1], tokens[:i]
        parser = argparse.ArgumentParser(prog="sigstream count", add_help=False)
        parser.add_argument("--ref", required=True)
        parser.add_argument("--sample")
        parser.add_argument("--list")
        parser.add_argument("--per-genotype-sample", action="store_true")
        parser.add_argument("--pass-only", action="store_true")
        parser.add_argument("--all-filters", action="store_true")
        parser.add_argument("--adjacent-snvs", choices=["drop", "keep"], default="drop")
        parser.add_argument("--split-mnv", action="store_true")
        parser.add_argument("--split-multiallelic", action="store_true")
        parser.add_argument("--regions")
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--max-ref-mismatch", type=float, default=0.05)
        parser.add_argument("inputs", nargs="*")
        return parser.parse_args(tokens), stdin

    def run(self, argument_text):
        """Returns (list of StreamResult, files needing bgzip); raises OracleError for a failed run."""
        opts, stdin = self.parse_arguments(argument_text)
        needs_bgzip = []

        inputs = [(path, None) for path in opts.inputs]
        if opts.list:
            with open(self.path(opts.list, needs_bgzip)) as f:
                for line in f:
                    if line.strip():
                        columns = line.rstrip("\n").split("\t")
                        inputs.append((columns[0], columns[1] if len(columns) > 1 else None))
        if not inputs:
            raise OracleError(2, "no input")
        if opts.sample is not None and len(inputs) != 1:
            raise OracleError(2, "--sample needs exactly one input")
        if any(path == "-" for path, _ in inputs) and opts.sample is None:
            raise OracleError(2, "standard input needs --sample")

        ref_path = self.path(opts.ref, needs_bgzip)
        if ref_path not in self._fasta_cache:
            self._fasta_cache[ref_path] = read_fasta(ref_path)
        fasta = self._fasta_cache[ref_path]
        regions = read_bed(self.path(opts.regions, needs_bgzip), fasta) if opts.regions else None

        streams = []
        for path, list_name in inputs:
            vcf = read_vcf(os.path.join(self.workdir, stdin) if path == "-" else self.path(path, needs_bgzip))
            if opts.per_genotype_sample:
                if not vcf.has_gt:
                    raise OracleError(1, f"{path} has no GT field")
                streams += [(sample, vcf, i) for i, sample in enumerate(vcf.samples)]
            else:
                name = opts.sample or list_name or vcf.tumor_sample or sample_name_from_path(path)
                streams.append((name, vcf, None))
        names = [name for name, _, _ in streams]
        if len(set(names)) != len(names):
            raise OracleError(1, "two streams have one sample name")

        results = [self.count_stream(name, vcf, sample_index, opts, fasta, regions)
                   for name, vcf, sample_index in streams]
        for r in results:
            if r.reached_check9 and r.summary[REF_MISMATCH] / r.reached_check9 > opts.max_ref_mismatch:
                raise OracleError(1, f"{r.name}: wrong genome build")
            if 2 * r.summary[UNKNOWN_CONTIG] > r.reached_check7:
                raise OracleError(1, f"{r.name}: wrong reference")
        return results, needs_bgzip

    @staticmethod
    def in_regions(rec, fasta, regions):
        contig = resolve_contig(rec.chrom, fasta)
        return any(start < rec.pos <= end for start, end in regions.get(contig, ()))

    @staticmethod
    def filter_passes(value, opts):
        if opts.all_filters:
            return True
        return value == "PASS" or (value == "." and not opts.pass_only)

    @staticmethod
    def allele_check(ref, alt, opts):
        """Checks 4-6: a skip reason, or None when the allele becomes SNVs."""
        plain = re.compile(r"[ACGTacgt]+")
        if not plain.fullmatch(ref) or not plain.fullmatch(alt) or alt.upper() == ref.upper():
            return OTHER
        if len(ref) != len(alt):
            return INDEL
        if len(ref) > 1 and not opts.split_mnv:
            return MNV
        return None

    @staticmethod
    def snv_check(snv, fasta):
        """Checks 7-10: a skip reason, or None."""
        if snv.contig is None:
            return UNKNOWN_CONTIG
        seq = fasta[snv.contig]
        if snv.pos == 1 or snv.pos == len(seq):
            return CONTIG_EDGE
        if not 1 <= snv.pos <= len(seq) or seq[snv.pos - 1] != snv.ref.upper():
            return REF_MISMATCH
        if seq[snv.pos - 2] not in ACGT or seq[snv.pos] not in ACGT:
            return AMBIGUOUS
        return None

    def count_stream(self, name, vcf, sample_index, opts, fasta, regions):
        result = StreamResult(name, vcf)
        summary = result.summary
        snvs = []
        for record_index, rec in enumerate(vcf.records):
            alleles = carried_alleles(rec, sample_index)
            if not alleles:
                continue  # not in this stream
            outcomes = []
            result.trace.append((rec, outcomes))
            # Record level: checks 1-3.
            if regions is not None and not self.in_regions(rec, fasta, regions):
                reason = OUTSIDE_REGIONS
            elif not self.filter_passes(rec.filter, opts):
                reason = FILTERED
            elif len(rec.alts) != 1 and not opts.split_multiallelic:
                reason = MULTIALLELIC
            else:
                reason = None
            if reason:
                summary[reason] += 1
                outcomes.append(reason)
                continue
            # Allele level: checks 4-6; then one SNV per differing position.
            for allele in alleles:
                alt = rec.alts[allele - 1]
                reason = self.allele_check(rec.ref, alt, opts)
                if reason:
                    summary[reason] += 1
                    outcomes.append(reason)
                    continue
                contig = resolve_contig(rec.chrom, fasta)
                for offset, (r, a) in enumerate(zip(rec.ref, alt)):
                    if r.upper() != a.upper():
                        snv = Snv(record_index, contig, rec.pos + offset, r, a)
                        snvs.append(snv)
                        outcomes.append(snv)

        # SNV level, checks 7-11, in file order.
        result.reached_check7 = len(snvs)
        seen = set()
        passed = defaultdict(set)  # (contig, pos) -> record indices of SNVs that passed checks 7-11
        for snv in snvs:
            snv.outcome = self.snv_check(snv, fasta)
            if snv.outcome not in (UNKNOWN_CONTIG, CONTIG_EDGE):
                result.reached_check9 += 1
            if snv.outcome is None:
                key = (snv.contig, snv.pos, snv.alt.upper())
                if key in seen:
                    snv.outcome = DUPLICATE
                else:
                    seen.add(key)
                    passed[(snv.contig, snv.pos)].add(snv.record_index)
        # Check 12 (doublets, looking both ways), counting, check 13.
        for snv in snvs:
            if snv.outcome is None:
                neighbours = passed[(snv.contig, snv.pos - 1)] | passed[(snv.contig, snv.pos + 1)]
                if neighbours - {snv.record_index} and opts.adjacent_snvs == "drop":
                    snv.outcome = DOUBLET
                else:
                    sbs6, sbs96, sbs1536 = channels(fasta, snv)
                    result.matrices["SBS6"][sbs6] += 1
                    result.matrices["SBS96"][sbs96] += 1
                    summary[COUNTED] += 1
                    if sbs1536:
                        result.matrices["SBS1536"][sbs1536] += 1
                        snv.outcome = COUNTED
                    else:
                        snv.outcome = NO_SBS1536
            if snv.outcome != COUNTED:
                summary[snv.outcome] += 1  # NoSbs1536Context is counted *and* reported
        return result


# --------------------------------------------------------------------------------------------------
# Output formatting
# --------------------------------------------------------------------------------------------------

def format_matrix(results, context):
    channel_list = dict(CONTEXTS)[context]
    lines = ["\t".join(["MutationType"] + [r.name for r in results])]
    for channel in channel_list:
        lines.append("\t".join([channel] + [str(r.matrices[context][channel]) for r in results]))
    return "\n".join(lines) + "\n"


def format_summary(results):
    lines = ["\t".join(["Sample"] + SUMMARY_COLUMNS)]
    for r in results:
        lines.append("\t".join([r.name] + [str(r.summary[c]) for c in SUMMARY_COLUMNS]))
    return "\n".join(lines) + "\n"


def format_trace(results):
    lines = ["\t".join(["Sample", "Chrom", "Pos", "ID", "Ref", "Alt", "Filter", "Outcomes"])]
    for r in results:
        for rec, entry in r.trace:
            lines.append("\t".join([r.name, rec.chrom, str(rec.pos), rec.id, rec.ref, ",".join(rec.alts),
                                    rec.filter, ",".join(r.outcomes(entry))]))
    return "\n".join(lines) + "\n"


def write_text(path, text):
    with open(path, "w", newline="\n") as out:
        out.write(text)


# --------------------------------------------------------------------------------------------------
# Self-check: planting intents versus the oracle, and internal consistency
# --------------------------------------------------------------------------------------------------

class SelfCheckError(Exception):
    pass


def intended(intent, case, stream_name):
    for key in (f"{case}:{stream_name}", case):
        if key in intent:
            return key
    if case not in CASES_WITHOUT_DEFAULT_FALLBACK:
        return "default"
    return None


def self_check(case_results, error_results, intents):
    problems = []
    used = set()
    columns_seen = Counter()
    for case, results in case_results.items():
        for r in results:
            # Totals add up.
            totals = {ctx: sum(r.matrices[ctx].values()) for ctx, _ in CONTEXTS}
            if not totals["SBS6"] == totals["SBS96"] == r.summary[COUNTED]:
                problems.append(f"{case}/{r.name}: SBS6/SBS96 totals {totals} != Counted {r.summary[COUNTED]}")
            if totals["SBS1536"] != r.summary[COUNTED] - r.summary[NO_SBS1536]:
                problems.append(f"{case}/{r.name}: SBS1536 total {totals['SBS1536']} != Counted - NoSbs1536")
            # Every traced unit has exactly one summary entry (NoSbs1536Context is also Counted).
            traced = Counter(o for _, entry in r.trace for o in r.outcomes(entry))
            traced[COUNTED] += traced[NO_SBS1536]
            if +traced != +r.summary:
                problems.append(f"{case}/{r.name}: trace {dict(traced)} != summary {dict(r.summary)}")
            columns_seen.update(r.summary)
            # Decoys behave as planted.
            got = {rec.id: r.outcomes(entry) for rec, entry in r.trace}
            for rec in r.vcf.records:
                if rec.id not in intents:
                    continue
                key = intended(intents[rec.id], case, r.name)
                if key is None:
                    continue
                used.add((rec.id, key))
                expected = intents[rec.id][key]
                if got.get(rec.id, []) != expected:
                    problems.append(f"{case}/{r.name}: {rec.id} ({rec.chrom}:{rec.pos} {rec.ref}>"
                                    f"{','.join(rec.alts)} {rec.filter}) intended {expected}, "
                                    f"oracle says {got.get(rec.id, [])} [intent key {key}]")
    for record_id, intent in intents.items():
        for key in intent:
            if key != "default" and (record_id, key) not in used:
                problems.append(f"intent {key} of {record_id} was never checked (typo in a case name?)")
    for column in SUMMARY_COLUMNS:
        if not columns_seen[column]:
            problems.append(f"no case exercises summary column {column}")
    for case, (expected_status, got_status, message) in error_results.items():
        if got_status != expected_status:
            problems.append(f"error case {case}: oracle exit {got_status} ({message}), expected {expected_status}")
    if problems:
        raise SelfCheckError("self-check failed:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def generate(outdir, seed):
    rng = random.Random(seed)
    for sub in ("vcf", "regions", "lists", "expected"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    genome = make_genome(rng)
    write_fasta(os.path.join(outdir, "genome.fa"), genome)

    main, bed = plant_main(genome, rng)
    builders = {
        "main": main,
        "ensembl": plant_ensembl(genome, rng),
        "second": plant_second(genome, rng),
        "multisample": plant_multisample(genome, rng),
        "header_only": VcfBuilder("header_only", genome, rng, UCSC_NAMES),
        "mismatch": plant_simple("mismatch", genome, rng, clean=40, mismatches=8),
        "wrong_ref": plant_simple("wrong_ref", genome, rng, clean=10, unknown=15),
        "half_unknown": plant_simple("half_unknown", genome, rng, clean=10, unknown=10),
        "collide_a": plant_simple("collide_a", genome, rng, clean=20, tumor_sample="SAME_DONOR"),
        "collide_b": plant_simple("collide_b", genome, rng, clean=20, tumor_sample="SAME_DONOR"),
    }
    intents = {}
    for name, builder in builders.items():
        builder.write(os.path.join(outdir, "vcf", f"{name}.vcf"))
        intents.update(builder.intents)

    write_text(os.path.join(outdir, "regions", "main.bed"),
               "".join(f"{c}\t{s}\t{e}\n" for c, s, e in bed))
    write_text(os.path.join(outdir, "lists", "named.tsv"),
               "vcf/main.vcf\tAlpha\nvcf/ensembl.vcf\tBeta\nvcf/multisample.vcf\tGamma\n")
    write_text(os.path.join(outdir, "lists", "plain.txt"),
               "vcf/ensembl.vcf\nvcf/second.vcf\nvcf/header_only.vcf\n")
    write_text(os.path.join(outdir, "lists", "collide.tsv"),
               "vcf/main.vcf\tSame\nvcf/second.vcf\tSame\n")

    oracle = Oracle(outdir)
    case_results, bgzip_needs = {}, {}
    for case, arguments in CASES:
        results, needs = oracle.run(arguments)  # an OracleError here is a bug in the generator
        case_results[case] = results
        if needs:
            bgzip_needs[case] = needs
        for context, _ in CONTEXTS:
            write_text(os.path.join(outdir, "expected", f"{case}.{context}.tsv"), format_matrix(results, context))
        write_text(os.path.join(outdir, "expected", f"{case}.summary.tsv"), format_summary(results))
        write_text(os.path.join(outdir, "expected", f"{case}.trace.tsv"), format_trace(results))
    error_results = {}
    for case, status, arguments in ERROR_CASES:
        try:
            oracle.run(arguments)
            error_results[case] = (status, 0, "the oracle's run succeeded")
        except OracleError as e:
            error_results[case] = (status, e.status, str(e))

    self_check(case_results, error_results, intents)

    write_text(os.path.join(outdir, "cases.tsv"), "".join(f"{c}\t{a}\n" for c, a in CASES))
    write_text(os.path.join(outdir, "error_cases.tsv"), "".join(f"{c}\t{s}\t{a}\n" for c, s, a in ERROR_CASES))
    write_text(os.path.join(outdir, "bgzip.tsv"),
               "".join(f"{c}\t{' '.join(files)}\n" for c, files in bgzip_needs.items()))
    return case_results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        case_results = generate(args.outdir, args.seed)
    except SelfCheckError as e:
        print(f"make_count_cases.py: {e}", file=sys.stderr)
        return 1
    streams = sum(len(r) for r in case_results.values())
    print(f"make_count_cases.py: {len(CASES)} cases ({streams} streams), {len(ERROR_CASES)} error cases "
          f"written to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
