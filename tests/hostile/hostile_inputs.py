"""Input makers of the hostile-input catalogue (tests/hostile/catalogue_test.py): a tiny genome and its .fai, VCFs
with an independently computed SBS96 count, count matrices and signature sets, BGZF, BCF, gzip bombs and huge
single lines, written fast. Standard library only; the generic helpers come from tests/cli (e2e.py, and the BGZF
writer of bad_input_test.py).
"""

import random
import struct
import zlib

import e2e
from bad_input_test import bgzf_blocks, bgzf_compress

# ------------------------------------------------------------------------------------------------- the genome

CONTIGS = [("chr1", 6000), ("chr2", 1500)]
WIDTH = 60  # FASTA line width


def make_genome(seed=5):
    """{contig: sequence} of random ACGT (seeded)."""
    rng = random.Random(seed)
    return {name: "".join(rng.choice("ACGT") for _ in range(length)) for name, length in CONTIGS}


GENOME = make_genome()


def fasta_text(genome=GENOME, width=WIDTH):
    lines = []
    for name, seq in genome.items():
        lines.append(">" + name)
        lines.extend(seq[i:i + width] for i in range(0, len(seq), width))
    return "\n".join(lines) + "\n"


def fai_text(genome=GENOME, width=WIDTH):
    """The .fai samtools would write for fasta_text(genome, width): name, length, offset, bases and bytes a line."""
    rows, offset = [], 0
    for name, seq in genome.items():
        offset += len(name) + 2  # '>' name '\n'
        rows.append("%s\t%d\t%d\t%d\t%d" % (name, len(seq), offset, width, width + 1))
        offset += len(seq) + (len(seq) + width - 1) // width
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------------------------------------- SBS96 oracle

COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


def sbs96_channel(genome, chrom, pos, alt):
    """The SBS96 label of an SNV at 1-based pos (pyrimidine convention), computed here from the genome."""
    seq = genome[chrom]
    five, ref, three = seq[pos - 2], seq[pos - 1], seq[pos]
    if ref in "AG":
        five, ref, alt, three = COMPLEMENT[three], COMPLEMENT[ref], COMPLEMENT[alt], COMPLEMENT[five]
    return "%s[%s>%s]%s" % (five, ref, alt, three)


def snv(genome, chrom, pos, k=0):
    """(chrom, pos, ref, alt) of an SNV whose REF is the genome's base; k picks one of the three ALTs."""
    ref = genome[chrom][pos - 1]
    alt = [b for b in "ACGT" if b != ref][(pos + k) % 3]
    return chrom, pos, ref, alt


def spaced_snvs(genome=GENOME, chrom="chr1", start=50, stop=5900, step=37):
    """SNVs far enough apart to be neither doublets nor duplicates."""
    return [snv(genome, chrom, p) for p in range(start, stop, step)]


def sbs96_counts(snvs, genome=GENOME):
    """{label: count} of a list of SNVs (each counted once)."""
    counts = {}
    for chrom, pos, _ref, alt in snvs:
        label = sbs96_channel(genome, chrom, pos, alt)
        counts[label] = counts.get(label, 0) + 1
    return counts


# ------------------------------------------------------------------------------------------------- VCF

def vcf_header(samples=(), contigs=CONTIGS, extra=()):
    lines = ["##fileformat=VCFv4.2"] + ["##contig=<ID=%s,length=%d>" % c for c in contigs] + list(extra)
    if samples:
        lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        cols += ["FORMAT"] + list(samples)
    return lines + ["\t".join(cols)]


def record(chrom, pos, ref, alt, genotypes=None):
    fields = [chrom, str(pos), ".", ref, alt, ".", "PASS", "."]
    if genotypes is not None:
        fields += ["GT"] + list(genotypes)
    return "\t".join(fields)


def vcf_text(snvs, samples=(), extra=(), eol="\n"):
    """A VCF of the SNVs (records in the order given)."""
    return eol.join(vcf_header(samples, extra=extra) + [record(*s) for s in snvs]) + eol


def bcf_bytes(header_text, records=b""):
    """A BCF 2.2 file: BGZF of the magic, the header text's length, the header text (NUL-terminated) and the
    records. header_text is taken as it is (a broken header is the point of some cases)."""
    text = header_text.encode() if isinstance(header_text, str) else header_text
    return bgzf_compress(b"BCF\x02\x02" + struct.pack("<I", len(text) + 1) + text + b"\x00" + records)


def truncated_bgzf(data, inside):
    """BGZF of data cut inside its third block (inside) or right after its second (no EOF marker either)."""
    z = bgzf_compress(data)
    offset, length = bgzf_blocks(z)[2]
    return z[:offset + length // 2] if inside else z[:offset]


def truncated_bgzf_line(data, inside):
    """The line number sigstream names for truncated_bgzf(data, inside): the whole lines of the two complete blocks,
    plus the line cut short when the cut is inside a block (at a block end, the last whole line)."""
    return data[:2 * 0xFF00].count(b"\n") + (1 if inside else 0)


# ------------------------------------------------------------------------------------------------- matrices

def random_profile(rng, n=96):
    w = [rng.random() ** 3 + 1e-3 for _ in range(n)]
    s = sum(w)
    return [x / s for x in w]


PROFILES = [random_profile(random.Random(s)) for s in (21, 22)]


def random_signatures_text(n, seed=1):
    """n random signatures (X0, X1, ...), each column summing to 1."""
    rng = random.Random(seed)
    return e2e.matrix_text([random_profile(rng) for _ in range(n)], names=["X%d" % i for i in range(n)])


def count_columns(n_samples, seed=3, profiles=PROFILES, total=(300, 900)):
    """n_samples columns of 96 whole counts: random mixes of the profiles, rounded."""
    rng = random.Random(seed)
    cols = []
    for _ in range(n_samples):
        w = [rng.random() + 0.1 for _ in profiles]
        t = rng.randint(*total)
        s = sum(w)
        cols.append([int(round(t * sum(w[k] / s * profiles[k][i] for k in range(len(profiles)))))
                     for i in range(96)])
    return cols


def signatures_text(profiles=PROFILES, names=("SigA", "SigB"), cell=None):
    """A signature file (columns sum to 1) in e2e.matrix_text's layout."""
    return e2e.matrix_text(profiles, names=list(names), cell=cell)


def wide_matrix_bytes(n_samples, seed=9):
    """A 96 x n_samples count matrix of small whole counts, made fast (one random row pattern, rotated)."""
    rng = random.Random(seed)
    base = [str(rng.randint(0, 9)) for _ in range(997)]
    header = "MutationType\t" + "\t".join("S%d" % (j + 1) for j in range(n_samples)) + "\n"
    out = [header.encode()]
    for i, label in enumerate(e2e.LABELS):
        row = [base[(i * 31 + j) % 997] for j in range(n_samples)]
        out.append((label + "\t" + "\t".join(row) + "\n").encode())
    return b"".join(out)


def wide_matrix_column(n_samples, j, seed=9):
    """Column j (0-based) of wide_matrix_bytes(n_samples, seed), as ints."""
    rng = random.Random(seed)
    base = [rng.randint(0, 9) for _ in range(997)]
    return [base[(i * 31 + j) % 997] for i in range(96)]


# ------------------------------------------------------------------------------------------------- big inputs

CHUNK = 1 << 24  # 16 MiB


def write_big_line(path, size, prefix=b"", byte=b"A", suffix=b"\n"):
    """prefix, then `size` copies of `byte` with no line end, then suffix: written in 16 MiB chunks."""
    block = byte * CHUNK
    with open(path, "wb") as f:
        f.write(prefix)
        left = size
        while left > 0:
            n = min(left, CHUNK)
            f.write(block if n == CHUNK else block[:n])
            left -= n
        f.write(suffix)
    return path


def write_gzip_bomb(path, size, byte=b"A", prefix=b""):
    """A gzip file (one member) that inflates to prefix + `size` bytes of `byte` (size a multiple of 16 MiB),
    a few MB on disk: one 16 MiB block is deflated once with a full flush (which makes the next blocks' bytes the
    same), and those bytes are repeated; the trailer carries the true CRC and length."""
    block = byte * CHUNK
    n = size // CHUNK
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = comp.compress(prefix + block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    third = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    if again != third:
        raise RuntimeError("deflate did not repeat itself: cannot make the gzip bomb")
    tail = comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    total = len(prefix) + n * CHUNK
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(n - 1):
            f.write(again)
        # the compressor's own trailer is for 3 blocks; write the true one
        f.write(tail[:-8])
        f.write(struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF))
    return path


def write_many_samples_vcf(path, n_samples, genome=GENOME, positions=(101, 211, 331, 457)):
    """A VCF with n_samples sample columns; sample j carries the ALT of the record at positions[j % len] only.
    Returns the SNVs (chrom, pos, ref, alt) in record order."""
    names = ["T%05d" % j for j in range(n_samples)]
    snvs = [snv(genome, "chr1", p) for p in positions]
    with open(path, "w") as f:
        f.write("\n".join(vcf_header(names)) + "\n")
        for r, s in enumerate(snvs):
            gts = ["0/1" if j % len(positions) == r else "0/0" for j in range(n_samples)]
            f.write(record(*s, genotypes=gts) + "\n")
    return snvs
