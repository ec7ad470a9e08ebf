#!/usr/bin/env python3
"""Catalogue of hostile and unusual inputs, across every subcommand of sigstream.

Usage: catalogue_test.py --sigstream PATH --workdir DIR --plugins DIR [--only TEXT] [-v]

  --plugins  the folder of the real backends (nmf.so, cnmf.so, aenmf.so); the cases that need a backend that is
             not there are skipped (reported)
  --only     run only the cases whose name contains TEXT (repeatable)
  -v         also print the message of every refused case, and the slowest cases

Every case is one entry of CASES below: the files it makes in its own folder DIR/cases/case_<name>/ (which is
also the working directory, with an empty out/ for outputs), the command line, and what must happen:

  * a refused case (status 1 = bad data or failed run, 2 = usage error): exactly that exit status; exactly one
    line on stderr, `sigstream <cmd>: ` + the pinned message (or, message=None, any message with that prefix);
    at most MAX_MESSAGE characters; nothing on stdout; the case folder exactly as it was (no output, no
    temporary `.NAME.tmp.XXXXXX` file or folder, no hidden `.sigstream-*` folder, every input byte for byte
    the same, links still links) and the shared inputs in DIR/inputs unchanged;
  * an accepted case (status 0): exit 0, stderr exactly `stderr` (empty by default: --quiet), the case's own
    check of the result (a count computed here, a column count, ...), every input unchanged and no litter.

A case marked defect="..." is a known defect: while it fails it is reported `xfail <name>` and not counted as a
failure; once it passes it is reported `FAIL <name>: fixed — remove its defect marker` (then pin its message).
Defect cases give message=None until the fix lands; `mentions`/`forbid` pin what the fix must (not) say.

Standard library only (and tests/cli/e2e.py, bad_input_test.py's BGZF writer). Prints `ok <name>`,
`xfail <name>: ...` or `FAIL <name>: reason` per case, then `N passed, M failed, X xfail[, S skipped]`; exits 1
when a case failed, 0 otherwise (77 when nothing could run). README.md in this folder describes the catalogue.
"""

import argparse
import hashlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "cli")]

import e2e  # noqa: E402
import hostile_inputs as H  # noqa: E402

TIMEOUT = 120  # seconds per case unless the case says otherwise (ASan builds are 3-5x slower)
# Under AddressSanitizer (CI sets ASAN_OPTIONS) runs are slower and take more memory (shadow, quarantine): a case's
# time and memory bounds are scaled, so that they still catch a hang or a blow-up, not the sanitizer's cost.
SANITIZED = "ASAN_OPTIONS" in os.environ
TIME_SCALE, MEMORY_SCALE = (5, 4) if SANITIZED else (1, 1)
MAX_MESSAGE = 2000  # characters of a one-line error message, at most
CAPTURE = 1 << 20  # bytes of stdout/stderr read back (the sizes are always known)
GiB = 1 << 30
NOBODY = 65534

# --------------------------------------------------------------------------------------------------- the inputs

SNVS = H.spaced_snvs()  # the shared VCF's SNVs: every one counted
GOOD_VCF = H.vcf_text(SNVS)
GOOD_COUNTS = H.sbs96_counts(SNVS)  # computed here, from the genome: the oracle of the accepted count cases
LONG_VCF = H.vcf_text(SNVS * 40).encode()  # ~250 KB: bgzipped, several blocks to cut
COLS = H.count_columns(10)  # the shared count matrix: 96 x 10 whole counts, samples S1..S10
MATRIX = e2e.matrix_text(COLS)
PROPORTIONS = e2e.matrix_text([[x / sum(c) for x in c] for c in COLS])
SUBS = ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"]
EXTRACT = "extract --quiet --matrix {matrix} --k-range 2:3 --replicates 2 --max-iter 30 "
ONE_FIT = "extract --quiet --k 2 --max-iter 30 "
CROSSVAL = "crossval --quiet --backends nmf --k 2 --splits 2 --max-iter 30 "


def matrix(cell=None, cols=COLS, names=None, scale=None):
    """The shared matrix's text with one cell replaced (row, column, text) or every count multiplied."""
    if scale is not None:
        cols = [[x * scale for x in c] for c in cols]
    return e2e.matrix_text(cols, names=names, cell=cell)


def renamed(text, old="S", new="T"):
    """A matrix text whose sample names S1.. are T1.. (to merge with the shared matrix)."""
    head, rest = text.split("\n", 1)
    return head.replace("\t" + old, "\t" + new) + "\n" + rest


def vcf_with(records, snvs=SNVS[:10], extra=()):
    """A VCF of the first SNVs, then the given raw record lines (text)."""
    return H.vcf_text(snvs, extra=extra) + "".join(r + "\n" for r in records)


def fai_edit(row, col, value, drop=False):
    """The shared genome's .fai with one field replaced (or the row cut after col)."""
    rows = [line.split("\t") for line in H.fai_text().splitlines()]
    if drop:
        rows[row] = rows[row][:col]
    else:
        rows[row][col] = value
    return "\n".join("\t".join(r) for r in rows) + "\n"


def random_bytes(n, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


# --------------------------------------------------------------------------------------------------- makers
# A file's content in Case(files={...}) is text, bytes, or a maker: a function (path, env) that makes it (and may
# return an object whose start()/finish() the runner calls around the run: a FIFO's writer).

def symlink(target):
    return lambda path, env: os.symlink(target, path)


def hardlink(target):
    return lambda path, env: os.link(os.path.join(os.path.dirname(path), target), path)


def folder(files=None):
    def make(path, env):
        os.makedirs(path)
        for name, content in (files or {}).items():
            e2e.write(os.path.join(path, name), content)
    return make


def copy(key):
    """A copy of a shared input (file or folder)."""
    def make(path, env):
        src = env.paths[key]
        (shutil.copytree if os.path.isdir(src) else shutil.copyfile)(src, path)
    return make


def unreadable(content):
    def make(path, env):
        e2e.write(path, content)
        os.chmod(path, 0)
    return make


def fifo():
    """A named pipe nobody writes to."""
    return lambda path, env: os.mkfifo(path)


class FifoFeed:
    """A named pipe and a thread that writes `data` into it once a reader opens it."""

    def __init__(self, path, data):
        self.path, self.data = path, data
        os.mkfifo(path)
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self):
        try:
            with open(self.path, "wb") as f:
                for i in range(0, len(self.data), 1 << 16):  # a pipe's worth at a time: a true stream
                    f.write(self.data[i:i + (1 << 16)])
        except OSError:  # the reader went away
            pass

    def start(self):
        self.thread.start()

    def finish(self):
        if self.thread.is_alive():  # nobody opened it: open it ourselves so that the writer's open returns
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            self.thread.join(10)
            os.close(fd)


def fifo_feed(data):
    return lambda path, env: FifoFeed(path, data.encode() if isinstance(data, str) else data)


def big_line(size, prefix=b"", suffix=b"\n"):
    return lambda path, env: H.write_big_line(path, size, prefix=prefix, suffix=suffix)


def gzip_bomb(size):
    return lambda path, env: H.write_gzip_bomb(path, size)


def many_samples_vcf(n):
    return lambda path, env: H.write_many_samples_vcf(path, n)


def wide_matrix(n):
    return lambda path, env: e2e.write(path, H.wide_matrix_bytes(n))


def edited_shard(path, env):
    """shard A with 0.001 moved between two rows of one replicate signature column: the column still sums to 1."""
    with open(env.paths["shard_a"]) as f:
        lines = f.read().split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("#replicate"))
    rows = [i for i in range(first + 1, first + 97) if float(lines[i].split("\t")[1]) > 0.002][:2]
    for i, delta in zip(rows, (0.001, -0.001)):
        fields = lines[i].split("\t")
        fields[1] = repr(float(fields[1]) + delta)
        lines[i] = "\t".join(fields)
    e2e.write(path, "\n".join(lines))


def resealed(text):
    """A shard's text with the MD5 on its #end line recomputed (docs/shards.md: of every line before it)."""
    at = text.rindex("#end\t")
    count = text[at:].split("\t")[1].strip()
    return "%s#end\t%s\t%s\n" % (text[:at], count, hashlib.md5(text[:at].encode()).hexdigest())


def elided(part):
    """A message part as sigstream shortens it (docs/trust.md): over 600 bytes, its first 400 and last 150 bytes
    around a note of how many were left out (ASCII here, so no character to keep whole)."""
    if len(part) <= 600:
        return part
    return part[:400] + "\u2026[%d bytes]\u2026" % (len(part) - 550) + part[-150:]


def shard_variant(key, edit, reseal=False):
    """A shared shard with its text passed through edit(text); with `reseal` its checksum is made to match again
    (an edit that only sigstream's other checks can catch)."""
    def make(path, env):
        with open(env.paths[key]) as f:
            text = edit(f.read())
        e2e.write(path, resealed(text) if reseal else text)
    return make


# --------------------------------------------------------------------------------------------------- checks
# An accepted case's check is a function (result) -> None when right, else what is wrong. result.dir is the case
# folder, result.stdout the standard output (text), result.paths the shared inputs.

def read_table(result, where):
    """The rows of a TSV: `where` = "stdout" or a path relative to the case folder."""
    if where == "stdout":
        text = result.stdout
    else:
        with open(os.path.join(result.dir, where), encoding="utf-8") as f:
            text = f.read()
    return [line.split("\t") for line in text.split("\n") if line]


def counts_are(where, column, expected):
    """The SBS96 matrix at `where` has `column` with exactly the counts `expected` ({label: n}, others 0)."""
    def check(result):
        rows = read_table(result, where)
        if not rows or column not in rows[0]:
            return "no column %r in %s: header %r" % (column, where, rows[0][:5] if rows else None)
        j = rows[0].index(column)
        got = {r[0]: r[j] for r in rows[1:]}
        want = {label: str(expected.get(label, 0)) for label in e2e.LABELS}
        return None if got == want else "counts differ: %r" % sorted(
            (k, got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k))[:5]
    return check


def table_shape(where, header_start=None, rows=None, columns=None, cell=None):
    """The table at `where`: its header starts with header_start, it has `rows` rows after the header and
    `columns` fields a row; cell = (row label, column name, text)."""
    def check(result):
        t = read_table(result, where)
        if header_start and t[0][:len(header_start)] != header_start:
            return "header %r does not start with %r" % (t[0][:6], header_start)
        if rows is not None and len(t) - 1 != rows:
            return "%d rows, expected %d" % (len(t) - 1, rows)
        if columns is not None and any(len(r) != columns for r in t):
            return "rows of %r fields, expected %d" % (sorted({len(r) for r in t}), columns)
        if cell:
            j = t[0].index(cell[1])
            got = [r[j] for r in t[1:] if r[0] == cell[0]]
            if got != [cell[2]]:
                return "cell %s/%s is %r, expected %r" % (cell[0], cell[1], got, cell[2])
        return None
    return check


def file_is(where, content):
    def check(result):
        with open(os.path.join(result.dir, where), "rb") as f:
            data = f.read()
        want = content.encode() if isinstance(content, str) else content
        return None if data == want else "%s differs: %r" % (where, data[:200])
    return check


def stdout_is(content):
    return lambda result: None if result.stdout == content else "stdout differs: %r" % result.stdout[:120]


def stdout_starts(text):
    return lambda result: None if result.stdout.startswith(text) else "stdout starts %r" % result.stdout[:80]


def all_of(*checks):
    def check(result):
        for c in checks:
            problem = c(result)
            if problem:
                return problem
        return None
    return check


WIDE_N = 50000
WIDE_COUNTS = {label: n for label, n in zip(e2e.LABELS, H.wide_matrix_column(WIDE_N, WIDE_N - 1))}
MANY_N = 10000
# sample j of the 10 000-sample VCF carries the ALT of record j % 4 only: T05001 has just the SNV at 211
MANY_SNVS = [H.snv(H.GENOME, "chr1", p) for p in (101, 211, 331, 457)]


# --------------------------------------------------------------------------------------------------- the table

class Case:
    """One entry of the catalogue.

    name     unique; the case folder is cases/case_<name>
    argv     the command after `sigstream` (a string split at spaces, or a list); {ref} {vcf} {matrix} {sigs}
             {shard_a} {shard_b} {run} {inputs} stand for the shared inputs (also in `message`)
    files    {name: content or maker} made in the case folder, in order (see the makers above)
    status   the exit status required: 0 accepted, 1 bad data or failed run, 2 usage error
    message  refused: the one stderr line after `sigstream <cmd>: ` (None: not pinned yet, for defects)
    stderr   accepted: the whole of stderr (default: nothing)
    check    accepted: a function (result) -> None or what is wrong (see the checks above)
    mentions strings the message must hold (a tuple in the list: one of them); forbid: strings it must not hold
    defect   a known defect: a short description (the case is `xfail` while it fails)
    stdin    bytes or text piped to the command; stdout: "/dev/full" sends standard output there
    env      extra environment (SIGSTREAM_PLUGIN_PATH is --plugins unless given here)
    needs    backends the case needs (default: nmf for extract, consensus, crossval)
    big      delete the case folder afterwards (large inputs)
    unreadable the case relies on file permissions: as root it runs as user nobody, or is skipped
    timeout  seconds before the run is killed (a timeout fails the case; for a defect it is the defect)
    max_rss_mb the most resident memory the run may take (peak, from wait4)
    prefix   the message prefix when it is not `sigstream <argv[0]>: `
    """

    def __init__(self, name, argv, files=None, status=0, message="", stderr="", check=None, mentions=(),
                 forbid=(), defect=None, stdin=None, stdout=None, env=None, timeout=TIMEOUT, needs=None,
                 big=False, unreadable=False, prefix=None, max_rss_mb=None):
        self.name, self.files, self.status, self.message, self.stderr = name, files or {}, status, message, stderr
        self.argv = argv.split() if isinstance(argv, str) else list(argv)
        self.check, self.mentions, self.forbid, self.defect = check, list(mentions), list(forbid), defect
        self.stdin, self.stdout, self.env, self.timeout, self.big = stdin, stdout, env or {}, timeout, big
        self.unreadable, self.max_rss_mb = unreadable, max_rss_mb and max_rss_mb * MEMORY_SCALE
        self.timeout = timeout * TIME_SCALE
        cmd = self.argv[0] if self.argv else ""
        self.needs = needs if needs is not None else (("nmf",) if cmd in ("extract", "consensus", "crossval")
                                                      else ())
        self.prefix = prefix if prefix is not None else "sigstream %s: " % cmd


DEFECT_FULL = "a failed write to a full device is not noticed: exit 0"
DEFECT_FORCE = "--force replaces a folder of unrelated files (no metadata.toml): the user's files are deleted"
DEFECT_PROPORTIONS = "a matrix of proportions (columns sum to 1) is fitted as if it were counts"
DEFECT_FRACTIONS = "non-integer counts (2.5) are accepted"
DEFECT_NUL = "the message is cut at a NUL byte read from the input (the rest of the line is lost)"
DEFECT_NEWLINE = "a newline in a path is printed as is: the message spans two lines"
DEFECT_BIG_VALUE = "values >= 1e160 (or 1e300) are accepted and fitted (exit 0)"
DEFECT_BIG_MESSAGE = "the refusal of values >= 1e160 names neither the matrix nor the sample"
DEFECT_BOMB = ("a line of gigabytes is read whole into memory (4 GiB gzip bomb: 4.1 GB peak memory, 15-40 s) "
               "before the refusal")
DEFECT_HARDLINK = "an output over a hard link to an input is accepted (exit 0): the link is replaced"

STALE_FAI = "delete g.fa.fai and sigstream rebuilds it (or run `samtools faidx`)"
MALFORMED_FAI = ("malformed FASTA index line (NAME, LENGTH, OFFSET, LINEBASES, LINEWIDTH: whole numbers, LINEWIDTH >= "
                 "LINEBASES > 0) — " + STALE_FAI)
EARLIER_RUN = "# Written by `sigstream extract`.\nsigstream_version = \"0.1.0\"\n"  # what --force may replace

CASES = [
    # ---------------------------------------------------------------------------------------- count: accepted
    Case("count_vcf_crlf_line_ends", "count --quiet --ref {ref} --sample S crlf.vcf",
         files={"crlf.vcf": H.vcf_text(SNVS, eol="\r\n")}, check=counts_are("stdout", "S", GOOD_COUNTS)),
    Case("count_list_with_utf8_bom", "count --quiet --ref {ref} --list list.txt",
         files={"list.txt": "\ufeff{vcf}\tA\n"}, check=counts_are("stdout", "A", GOOD_COUNTS)),
    Case("count_10000_samples_per_genotype_sample",
         "count --quiet --ref {ref} --per-genotype-sample --out out/m.tsv many.vcf",
         files={"many.vcf": many_samples_vcf(MANY_N)},
         check=all_of(table_shape("out/m.tsv", header_start=["MutationType", "T00000"], rows=96,
                                  columns=MANY_N + 1),
                      counts_are("out/m.tsv", "T05001", H.sbs96_counts(MANY_SNVS[1:2])))),
    Case("count_vcf_through_fifo", "count --quiet --ref {ref} --sample F stream.vcf",
         files={"stream.vcf": fifo_feed(GOOD_VCF)}, check=counts_are("stdout", "F", GOOD_COUNTS)),
    Case("count_list_through_fifo", "count --quiet --ref {ref} --list list.fifo",
         files={"g.vcf": GOOD_VCF, "list.fifo": fifo_feed("g.vcf\tL\n")},
         check=counts_are("stdout", "L", GOOD_COUNTS)),
    Case("count_vcf_from_a_fifo_nobody_writes", "count --quiet --ref {ref} --sample F silent.vcf",
         files={"silent.vcf": fifo()}, env={"SIGSTREAM_FIFO_WAIT": "1"}, timeout=20, status=1,
         message="silent.vcf: no process wrote to this FIFO within 1 s — start the program that writes to it, or "
                 "give a regular file ($SIGSTREAM_FIFO_WAIT sets the wait)"),
    Case("count_vcf_on_stdin", "count --quiet --ref {ref} --sample S -", stdin=GOOD_VCF,
         check=counts_are("stdout", "S", GOOD_COUNTS)),
    Case("count_header_only_bcf_written_here", "count --quiet --ref {ref} --sample B empty.bcf",
         files={"empty.bcf": H.bcf_bytes("\n".join(H.vcf_header()) + "\n")},
         check=counts_are("stdout", "B", {})),
    Case("count_builds_the_missing_fai", "count --quiet --ref g.fa --out out/m.tsv {vcf}",
         files={"g.fa": H.fasta_text()}, check=file_is("g.fa.fai", H.fai_text())),

    # ---------------------------------------------------------------------------------------- count: bad VCFs
    Case("count_vcf_without_header", "count --quiet --ref {ref} noheader.vcf",
         files={"noheader.vcf": "".join(H.record(*s) + "\n" for s in SNVS[:10])}, status=1,
         message="noheader.vcf:1: not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x) — give a "
                 "VCF, bgzipped VCF or BCF file"),
    Case("count_vcf_header_without_chrom_line", "count --quiet --ref {ref} nochrom.vcf",
         files={"nochrom.vcf": "\n".join(H.vcf_header()[:-1] + [H.record(*s) for s in SNVS[:3]]) + "\n"},
         status=1, message="nochrom.vcf:4: a record comes before the #CHROM header line — a VCF needs its ## meta "
                           "lines and #CHROM line before the records"),
    Case("count_empty_ref_allele", "count --quiet --ref {ref} emptyref.vcf",
         files={"emptyref.vcf": vcf_with(["chr1\t5990\t.\t\tA\t.\tPASS\t."])}, status=1,
         message="emptyref.vcf:15: malformed record: empty REF or ALT — fix or remove this line (check it with "
                 "`bcftools view`)"),
    Case("count_pos_zero", "count --quiet --ref {ref} pos0.vcf",
         files={"pos0.vcf": vcf_with(["chr2\t0\t.\tA\tC\t.\tPASS\t."])}, status=1,
         message="pos0.vcf:15: malformed record: POS must be at least 1 — fix or remove this line (check it "
                 "with `bcftools view`)"),
    # docs/counting.md: a position past the contig's end is a RefMismatch, which counts toward the wrong-build rule
    Case("count_pos_past_contig_end", "count --quiet --ref {ref} pastend.vcf",
         files={"pastend.vcf": vcf_with(["chr2\t1600\t.\tA\tC\t.\tPASS\t."], snvs=SNVS[:5])}, status=1,
         message="pastend.vcf: sample 'pastend': 1 of 6 SNVs (16.7%) disagree with the reference FASTA at their "
                 "position (wrong genome build?) — give --ref the FASTA the variants were called against, or "
                 "raise --max-ref-mismatch"),
    Case("count_pos_beyond_any_contig", "count --quiet --ref {ref} bigpos.vcf",
         files={"bigpos.vcf": vcf_with(["chr1\t99999999999999\t.\tA\tC\t.\tPASS\t."])}, status=1,
         message="bigpos.vcf:15: malformed record: POS '99999999999999' is not a position — fix or remove this "
                 "line (check it with `bcftools view`)"),
    Case("count_1mb_pos_field_is_not_quoted_whole", "count --quiet --ref {ref} longpos.vcf",
         files={"longpos.vcf": vcf_with(["chr1\t1" + "x" * (1 << 20) + "\t.\tA\tC\t.\tPASS\t."])}, status=1,
         message="longpos.vcf:15: " + elided("malformed record: POS '1" + "x" * (1 << 20) + "' is not a position")
                 + " — fix or remove this line (check it with `bcftools view`)"),
    Case("count_record_with_100_alt_alleles", "count --quiet --ref {ref} --per-genotype-sample alts.vcf",
         files={"alts.vcf": "\n".join(H.vcf_header(["X"]) + [H.record(*s, genotypes=["0/1"]) for s in SNVS[:3]]
                                      + ["chr1\t5000\t.\tA\t%s\t.\tPASS\t.\tGT\t0/99" % ",".join(
                                          "A" * (i + 2) for i in range(100))]) + "\n"},
         check=counts_are("stdout", "X", H.sbs96_counts(SNVS[:3]))),
    Case("count_1gb_single_line_vcf", "count --quiet --ref {ref} huge.vcf",
         files={"huge.vcf": big_line(GiB, prefix=b"##fileformat=VCFv4.2\n##")}, status=1, big=True,
         message="huge.vcf:2: the line is longer than 64 MiB (is this a VCF?) — check the file: VCF lines end in a "
                 "newline"),
    Case("count_gzip_bomb_vcf", "count --quiet --ref {ref} bomb.vcf.gz",
         files={"bomb.vcf.gz": gzip_bomb(4 * GiB)}, status=1, big=True,
         message="bomb.vcf.gz:1: not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x) — give a "
                 "VCF, bgzipped VCF or BCF file"),
    Case("count_bgzip_vcf_cut_inside_a_block", "count --quiet --ref {ref} cut.vcf.gz",
         files={"cut.vcf.gz": H.truncated_bgzf(LONG_VCF, inside=True)}, status=1,
         message="cut.vcf.gz:%d: the file is truncated or its compressed data is corrupt — check it with `bgzip -t` "
                 "and re-create or re-download it" % H.truncated_bgzf_line(LONG_VCF, True)),
    Case("count_bgzip_vcf_cut_at_a_block_end", "count --quiet --ref {ref} cut.vcf.gz",
         files={"cut.vcf.gz": H.truncated_bgzf(LONG_VCF, inside=False)}, status=1,
         message="cut.vcf.gz:%d: the file is truncated (the BGZF end-of-file marker is missing) — re-create or "
                 "re-download the file" % H.truncated_bgzf_line(LONG_VCF, False)),
    Case("count_random_bytes_as_vcf", "count --quiet --ref {ref} random.vcf",
         files={"random.vcf": random_bytes(4000, seed=0)}, status=1, message="random.vcf:1: not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x) — give a VCF, bgzipped VCF or BCF file",
         forbid=["Exec format error"]),
    Case("count_bcf_with_broken_header", "count --quiet --ref {ref} broken.bcf",
         files={"broken.bcf": H.bcf_bytes("this is not a VCF header\n")}, status=1,
         message="broken.bcf: cannot read the BCF header — check the file with `bcftools view -h`"),
    Case("count_bcf_header_longer_than_the_file", "count --quiet --ref {ref} long.bcf",
         files={"long.bcf": H.bgzf_compress(b"BCF\x02\x02\xf0\xff\xff\xff##fileformat=VCFv4.2\n")}, status=1,
         message="long.bcf: the BCF header claims %d bytes (more than 256 MiB): the file is damaged, or not a BCF — "
                 "check the file with `bcftools view -h`" % 0xfffffff0),
    Case("count_bcf_header_a_little_longer_than_the_file", "count --quiet --ref {ref} long.bcf",
         files={"long.bcf": H.bgzf_compress(b"BCF\x02\x02\x00\x10\x00\x00##fileformat=VCFv4.2\n")}, status=1,
         message="long.bcf: cannot read the BCF header — check the file with `bcftools view -h`"),
    Case("count_nonexistent_vcf", "count --quiet --ref {ref} missing.vcf", status=1,
         message="missing.vcf: cannot open: No such file or directory — check the path and permissions"),
    Case("count_nonexistent_reference", "count --quiet --ref missing.fa {vcf}", status=1,
         message="missing.fa: reference FASTA not found — check the path given to --ref"),
    Case("count_unreadable_vcf", "count --quiet --ref {ref} secret.vcf",
         files={"secret.vcf": unreadable(GOOD_VCF)}, status=1, unreadable=True,
         message="secret.vcf: cannot open: Permission denied — check the path and permissions"),
    Case("count_input_that_fails_to_read", "count --quiet --ref {ref} /proc/self/mem", status=1,
         message="/proc/self/mem: cannot open: Input/output error — check the path and permissions"),
    Case("count_list_names_itself", "count --quiet --ref {ref} --list self.txt",
         files={"self.txt": "self.txt\n"}, status=1,
         message="self.txt:1: not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x) — give a VCF, "
                 "bgzipped VCF or BCF file"),
    Case("count_list_entry_is_a_folder", "count --quiet --ref {ref} --list list.txt",
         files={"adir": folder(), "list.txt": "adir\n"}, status=1,
         message="adir: cannot open: Is a directory — check the path and permissions"),
    Case("count_duplicate_sample_names_in_list", "count --quiet --ref {ref} --list list.txt",
         files={"list.txt": "{vcf}\tA\n{vcf}\tA\n"}, status=1,
         message="{vcf}: sample name 'A' is also a sample of {vcf} — name the samples apart with a --list "
                 "file's second column (or --sample)"),
    Case("count_duplicate_sample_names_from_file_names", "count --quiet --ref {ref} a/t.vcf b/t.vcf",
         files={"a": folder({"t.vcf": GOOD_VCF}), "b": folder({"t.vcf": GOOD_VCF})}, status=1,
         message="b/t.vcf: sample name 't' is also a sample of a/t.vcf — name the samples apart with a --list "
                 "file's second column (or --sample)"),
    Case("count_out_into_missing_folder", "count --quiet --ref {ref} --out nowhere/m.tsv {vcf}", status=1,
         message="nowhere/m.tsv: cannot write the output: folder 'nowhere' does not exist — create it first "
                 "or choose another path"),

    # ---------------------------------------------------------------------------------------- count: flags
    Case("count_threads_negative", "count --quiet --ref {ref} --threads -1 {vcf}", status=2,
         message="--threads -1 is not a whole number from 1 to 1024 — see --help"),
    Case("count_threads_huge", "count --quiet --ref {ref} --threads 99999999999999999999 {vcf}", status=2,
         message="--threads 99999999999999999999 is not a whole number from 1 to 1024 — see --help"),
    Case("count_threads_not_a_number", "count --quiet --ref {ref} --threads two {vcf}", status=2,
         message="--threads two is not a whole number from 1 to 1024 — see --help"),
    Case("count_max_ref_mismatch_nan", "count --quiet --ref {ref} --max-ref-mismatch nan {vcf}", status=2,
         message="--max-ref-mismatch nan is not a number from 0 to 1 — see --help"),
    Case("count_config_nan", "count --quiet --ref {ref} --config c.toml {vcf}",
         files={"c.toml": "max-ref-mismatch = nan\n"}, status=2,
         message="c.toml:1: max-ref-mismatch = nan: is not a number from 0 to 1 — fix the config file"),
    Case("count_config_unknown_key", "count --quiet --ref {ref} --config c.toml {vcf}",
         files={"c.toml": "quiet = true\ncolour = \"blue\"\n"}, status=2,
         message="c.toml:2: colour = blue: is not an option of `sigstream count` — keys are the option names of "
                 "`sigstream count --help` without the dashes"),

    # ---------------------------------------------------------------------------------------- count: outputs
    Case("count_out_over_the_reference", "count --quiet --ref g.fa --out g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": H.fai_text()}, status=2,
         message="g.fa: an output of the run would be written over this input — write the output somewhere else"),
    Case("count_out_over_an_input_through_a_symlink", "count --quiet --ref {ref} --out link.vcf t.vcf",
         files={"t.vcf": GOOD_VCF, "link.vcf": symlink("t.vcf")}, status=2,
         message="t.vcf: an output of the run would be written over this input — write the output somewhere "
                 "else"),
    Case("count_out_over_an_input_through_a_hard_link", "count --quiet --ref {ref} --out hard.vcf t.vcf",
         files={"t.vcf": GOOD_VCF, "hard.vcf": hardlink("t.vcf")}, status=2, message='t.vcf: an output of the run would be written over this input — write the output somewhere else'),
    Case("count_out_over_the_list_file", "count --quiet --ref {ref} --out list.txt --list list.txt",
         files={"list.txt": "{vcf}\tA\n"}, status=2,
         message="list.txt: an output of the run would be written over this input — write the output somewhere "
                 "else"),
    Case("count_summary_over_an_input", "count --quiet --ref {ref} --out out/m.tsv --summary t.vcf t.vcf",
         files={"t.vcf": GOOD_VCF}, status=2,
         message="t.vcf: an output of the run would be written over this input — write the output somewhere "
                 "else"),
    Case("count_out_over_the_regions_bed", "count --quiet --ref {ref} --regions r.bed --out r.bed {vcf}",
         files={"r.bed": "chr1\t0\t6000\n"}, status=2,
         message="r.bed: an output of the run would be written over this input — write the output somewhere "
                 "else"),
    Case("count_out_over_the_references_fai", "count --quiet --ref g.fa --out g.fa.fai {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": H.fai_text()}, status=2, message='g.fa.fai: an output of the run would be written over this input — write the output somewhere else'),
    Case("count_stdout_on_a_full_device", "count --quiet --ref {ref} {vcf}", stdout="/dev/full", status=1,
         message='<stdout>: cannot write the output: No space left on device — check the receiving pipe or disk'),
    Case("count_out_on_a_full_device", "count --quiet --ref {ref} --out /dev/full {vcf}", status=1,
         message="/dev/full: cannot write the output: No space left on device — check the receiving pipe or disk"),
    Case("count_large_table_on_a_full_device",
         "count --quiet --ref {ref} --context sbs1536 --out /dev/full --list list.txt",
         files={"list.txt": "".join("{vcf}\tS%d\n" % i for i in range(8))}, status=1, message='/dev/full: cannot write the output: No space left on device — check the receiving pipe or disk'),

    # ---------------------------------------------------------------------------------------- count: reference
    Case("fai_negative_offset", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(0, 2, "-100")}, status=1, message='g.fa.fai:1: malformed FASTA index line (NAME, LENGTH, OFFSET, LINEBASES, LINEWIDTH: whole numbers, LINEWIDTH >= LINEBASES > 0) — delete g.fa.fai and sigstream rebuilds it (or run `samtools faidx`)'),
    Case("fai_length_1e19", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(0, 1, "10000000000000000000")}, status=1,
         message="g.fa.fai:1: " + MALFORMED_FAI),
    Case("fai_length_2_pow_63_minus_1", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(0, 1, "9223372036854775807")}, status=1,
         message="g.fa.fai:1: the index does not match the FASTA: contig 'chr1' would end past 2^63 bytes — delete g.fa.fai and sigstream rebuilds it (or run `samtools faidx`)"),
    Case("fai_length_past_the_file", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(0, 1, "4294967296")}, status=1,
         message="g.fa.fai:1: the index does not match the FASTA: contig 'chr1' runs past the FASTA's end (%d "
                 "bytes) — %s" % (len(H.fasta_text().encode()), STALE_FAI)),
    Case("fai_stale_after_the_fasta_was_edited", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(dict(H.GENOME, chr1="ACGT" * 30 + H.GENOME["chr1"])),
                "g.fa.fai": H.fai_text()}, status=1, message="g.fa.fai:2: the index does not match the FASTA: contig 'chr2' does not start after its header line at byte 6112 — delete g.fa.fai and sigstream rebuilds it (or run `samtools faidx`)", mentions=[".fai"]),
    Case("fai_missing_column", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(0, 4, None, drop=True)}, status=1,
         message="g.fa.fai:1: " + MALFORMED_FAI),
    Case("fai_non_numeric_field", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": fai_edit(1, 3, "sixty")}, status=1,
         message="g.fa.fai:2: " + MALFORMED_FAI),
    Case("fai_empty", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text(), "g.fa.fai": ""}, status=1, message='g.fa.fai: the index lists no sequences — delete g.fa.fai and sigstream rebuilds it (or run `samtools faidx`)', mentions=[".fai"]),
    Case("fasta_with_a_contig_twice", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": H.fasta_text() + ">chr1\nACGTACGTAC\n"}, status=1, message="g.fa:128: contig 'chr1' is in the FASTA twice — give every sequence its own name: sigstream will not guess which copy the VCFs mean"),
    Case("fasta_that_cannot_be_indexed_leaves_nothing", "count --quiet --ref g.fa {vcf}",
         files={"g.fa": ">chr1\n" + "ACGT" * 15 + "\n" + "ACG" * 10 + "\n" + "ACGT" * 15 + "\n"}, status=1,
         message='g.fa: cannot index the reference FASTA (is it a FASTA file?) — check the file, or index it with `samtools faidx`'),
    Case("reference_is_a_fifo_nobody_writes", "count --quiet --ref ref.fa {vcf}", files={"ref.fa": fifo()},
         status=2, message='ref.fa: the reference FASTA is a FIFO, not a regular file: it is read at random places, not streamed — give a regular file', timeout=20),

    # ---------------------------------------------------------------------------------------- count: messages
    Case("nul_byte_in_pos", "count --quiet --ref {ref} nul.vcf",
         files={"nul.vcf": vcf_with(["chr1\t5\x0000\t.\tA\tC\t.\tPASS\t."])}, status=1, message="nul.vcf:15: malformed record: POS '5\\000' is not a position — fix or remove this line (check it with `bcftools view`)",
         mentions=["00", e2e.DASH]),
    Case("nul_byte_in_tumor_sample_names", "count --quiet --ref {ref} a.vcf b.vcf",
         files={"a.vcf": H.vcf_text(SNVS, extra=["##tumor_sample=T\x00tail"]),
                "b.vcf": H.vcf_text(SNVS, extra=["##tumor_sample=T\x00tail"])}, status=1,
         message="a.vcf: the sample name 'T\\0tail' holds a control character (a TAB, newline or NUL would break the "
                 "matrix's header) — rename the sample (a --list file's second column, or --sample)",
         mentions=["tail", e2e.DASH]),
    Case("nul_byte_in_contig_names", "count --quiet --ref {ref} nul.vcf",
         files={"nul.vcf": H.vcf_text([]) + "".join("chr1\x00tail\t%d\t.\tA\tC\t.\tPASS\t.\n" % p
                                                     for p in range(100, 200, 10))}, status=1, message="nul.vcf: sample 'nul': 10 of 10 SNVs are on contigs absent from the reference FASTA ('chr1\\0tail') — give --ref the FASTA the variants were called against",
         mentions=["tail", e2e.DASH]),
    Case("nul_byte_in_list_path", "count --quiet --ref {ref} --list list.txt",
         files={"list.txt": "nul\x00tail.vcf\n"}, status=1, message='nul\\0tail.vcf: cannot open: No such file or directory — check the path and permissions', mentions=["tail", e2e.DASH]),
    Case("nul_byte_in_list_sample_name", "count --quiet --ref {ref} --list list.txt",
         files={"list.txt": "{vcf}\tA\x00B\n"}, status=1,
         message="{vcf}: the sample name 'A\\0B' holds a control character (a TAB, newline or NUL would break the "
                 "matrix's header) — rename the sample (a --list file's second column, or --sample)"),
    Case("newline_in_input_path", ["count", "--quiet", "--ref", "{ref}", "miss\ning.vcf"], status=1,
         message='miss\\ning.vcf: cannot open: No such file or directory — check the path and permissions'),
    Case("empty_regions_bed", "count --quiet --ref {ref} --regions empty.bed {vcf}", files={"empty.bed": ""},
         status=1, message='empty.bed: the BED file has no regions, so nothing would be counted — give a BED with at least one interval, or leave out --regions to count everywhere'),

    # ---------------------------------------------------------------------------------------- merge
    Case("merge_matrix_crlf_line_ends", "merge --quiet crlf.tsv",
         files={"crlf.tsv": MATRIX.replace("\n", "\r\n")}, check=stdout_is(MATRIX)),
    Case("merge_matrix_with_utf8_bom", "merge --quiet bom.tsv", files={"bom.tsv": "\ufeff" + MATRIX},
         check=stdout_is(MATRIX)),
    Case("merge_50000_samples", "merge --quiet --out out/m.tsv wide.tsv t.tsv",
         files={"wide.tsv": wide_matrix(WIDE_N), "t.tsv": renamed(MATRIX)}, big=True,
         check=all_of(table_shape("out/m.tsv", header_start=["MutationType", "S1"], rows=96,
                                  columns=WIDE_N + 11, cell=("T[T>G]T", "T10", str(COLS[9][95]))),
                      counts_are("out/m.tsv", "S%d" % WIDE_N, WIDE_COUNTS))),
    Case("merge_matrix_on_stdin", "merge --quiet - t.tsv", stdin=MATRIX, files={"t.tsv": renamed(MATRIX)},
         check=table_shape("stdout", header_start=["MutationType", "S1"], rows=96, columns=21)),
    Case("merge_duplicate_samples_across_matrices", "merge --quiet {matrix} copy.tsv",
         files={"copy.tsv": MATRIX}, status=1,
         message="copy.tsv: sample 'S1' is also a sample of {matrix} — give every sample one name across the "
                 "matrices (rename one of them)"),
    Case("merge_duplicate_samples_within_a_matrix", "merge --quiet dup.tsv",
         files={"dup.tsv": matrix(names=["S1"] * 2 + ["S%d" % i for i in range(3, 11)])}, status=1,
         message="dup.tsv:1: the column name 'S1' appears twice — give every sample or signature a distinct name"),
    Case("merge_empty_matrix", "merge --quiet empty.tsv", files={"empty.tsv": ""}, status=1,
         message="empty.tsv: the file is empty, not a count matrix — give a TSV with a header line and one row "
                 "per channel"),
    Case("merge_negative_value", "merge --quiet neg.tsv", files={"neg.tsv": matrix(cell=(5, 2, "-3"))},
         status=1, message="neg.tsv:7: the value '-3' of column 'S3' is negative — every cell must be a "
                           "finite, non-negative number"),
    Case("merge_1gb_single_line_matrix", "merge --quiet huge.tsv", files={"huge.tsv": big_line(GiB)},
         status=1, big=True, message="huge.tsv:1: the line is longer than 64 MiB (is this a text table?) — check "
                                     "the file: a table's lines end in a newline"),
    Case("merge_gzip_bomb_matrix", "merge --quiet bomb.tsv.gz", files={"bomb.tsv.gz": gzip_bomb(4 * GiB)},
         status=1, message="bomb.tsv.gz:1: the line is longer than 64 MiB (is this a text table?) — check the file: a table's lines end in a newline", big=True, timeout=10, max_rss_mb=512),
    Case("merge_16mb_cell_is_not_quoted_whole", "merge --quiet cell.tsv",
         files={"cell.tsv": big_line(1 << 24, prefix=b"MutationType\tS1\nA[C>A]A\t")}, status=1,
         message="cell.tsv:2: " + elided("the value '" + "A" * (1 << 24) + "' of column 'S1' is not a number")
                 + " — every cell must be a non-negative number"),
    Case("merge_out_over_an_input", "merge --quiet --out t.tsv t.tsv {matrix}", files={"t.tsv": renamed(MATRIX)},
         status=2,
         message="t.tsv: an output of the run would be written over this input — write the output somewhere else"),
    Case("merge_out_over_a_hard_link_to_an_input", "merge --quiet --out hard.tsv t.tsv",
         files={"t.tsv": MATRIX, "hard.tsv": hardlink("t.tsv")}, status=2, message='t.tsv: an output of the run would be written over this input — write the output somewhere else'),
    Case("merge_stdout_on_a_full_device", "merge --quiet --out - {matrix}", stdout="/dev/full", status=1,
         message='<stdout>: cannot write the output: No space left on device — check the receiving pipe or disk'),
    Case("merge_out_on_a_full_device", "merge --quiet --out /dev/full {matrix}", status=1, message='/dev/full: cannot write the output: No space left on device — check the receiving pipe or disk'),
    Case("merge_catalogues_differ", "merge --quiet {matrix} six.tsv",
         files={"six.tsv": e2e.matrix_text([[5, 6, 7, 8, 9, 10]], names=["X"], labels=SUBS)}, status=1,
         message="six.tsv: this matrix is SBS6 but {matrix} is SBS96 — merge matrices of one catalogue"),
    Case("merge_folder_as_matrix", "merge --quiet adir", files={"adir": folder()}, status=1,
         message="adir: this is a folder, not a file — give the path of a file"),
    Case("merge_nonexistent_matrix", "merge --quiet missing.tsv", status=1,
         message="missing.tsv: cannot open: No such file or directory — check the path and permissions"),
    Case("merge_unreadable_matrix", "merge --quiet secret.tsv", files={"secret.tsv": unreadable(MATRIX)},
         status=1, unreadable=True,
         message="secret.tsv: cannot open: Permission denied — check the path and permissions"),
    Case("merge_newline_in_path", ["merge", "--quiet", "miss\ning.tsv"], status=1, message='miss\\ning.tsv: cannot open: No such file or directory — check the path and permissions'),

    # ---------------------------------------------------------------------------------------- extract
    Case("extract_matrix_crlf_and_bom", ONE_FIT + "--matrix m.tsv --out-dir out/run",
         files={"m.tsv": "\ufeff" + MATRIX.replace("\n", "\r\n")},
         check=table_shape("out/run/signatures.tsv", header_start=["MutationType", "SBS96A", "SBS96B"], rows=96,
                           columns=3)),
    Case("extract_matrix_on_stdin", ONE_FIT + "--matrix - --out-dir out/run", stdin=MATRIX,
         check=table_shape("out/run/exposures.tsv", header_start=["Samples", "SBS96A", "SBS96B"], rows=10)),
    Case("extract_k_larger_than_the_samples", ONE_FIT.replace("--k 2", "--k 12") + "--matrix {matrix} "
         "--out-dir out/run", status=2,
         message="{matrix}: K = 12 is out of range: with 96 channels and 10 non-empty samples K must be from 1 "
                 "to 9 — K must be at least 1 and below min(channels, non-empty samples)"),
    Case("extract_k_range_beyond_the_samples", "extract --quiet --matrix {matrix} --k-range 2:11 --replicates 2 "
         "--out-dir out/run", status=2,
         message="{matrix}: --k-range 2:11 goes beyond what 10 non-empty samples and 96 channels allow: K can be "
                 "at most 9 — give K from 1 to 9"),
    Case("extract_threads_negative", EXTRACT + "--threads -4 --out-dir out/run", status=2,
         message="--threads -4 is not a whole number from 1 to 1024 — see --help"),
    Case("extract_threads_huge", EXTRACT + "--threads 1000000 --out-dir out/run", status=2,
         message="--threads 1000000 is not a whole number from 1 to 1024 — see --help"),
    Case("extract_k_range_reversed", "extract --quiet --matrix {matrix} --k-range 3:2 --out-dir out/run",
         status=2, message="--k-range 3:2 is empty (its end is below its start) — give A:B with A <= B, e.g. 2:15"),
    Case("extract_k_range_negative", "extract --quiet --matrix {matrix} --k-range -1:3 --out-dir out/run",
         status=2, message="--k-range -1:3 starts below 1: K is at least 1 — e.g. 2:15"),
    Case("extract_k_range_huge", "extract --quiet --matrix {matrix} --k-range 2:99999999999999999999 "
         "--out-dir out/run", status=2,
         message="--k-range 2:99999999999999999999 is not a range A:B of whole numbers — e.g. 2:15"),
    Case("extract_k_range_not_a_range", "extract --quiet --matrix {matrix} --k-range two:five --out-dir out/run",
         status=2, message="--k-range two:five is not a range A:B of whole numbers — e.g. 2:15"),
    Case("extract_replicates_negative", "extract --quiet --matrix {matrix} --k-range 2:3 --replicates -5 "
         "--out-dir out/run", status=2,
         message="--replicates -5 gives no stability: the consensus needs at least 2 replicates — give "
                 "--replicates 2 or more, or --k K without --replicates for one fit"),
    Case("extract_replicates_huge", "extract --quiet --matrix {matrix} --k-range 2:3 "
         "--replicates 99999999999999999999 --out-dir out/run", status=2, message='--replicates 99999999999999999999 is not a whole number from 0 to 100000 — see --help',
         forbid=["-9223372036854775808"]),
    Case("extract_replicates_not_a_number", "extract --quiet --matrix {matrix} --k-range 2:3 --replicates 1e3 "
         "--out-dir out/run", status=2, message='--replicates 1e3 is not a whole number from 0 to 100000 — see --help', forbid=["-9223372036854775808"]),
    Case("extract_seed_negative", EXTRACT + "--seed -1 --out-dir out/run", status=2,
         message="--seed -1 is not a whole number from 0 to 9223372036854775807 — see --help"),
    Case("extract_seed_overflow", EXTRACT + "--seed 18446744073709551616 --out-dir out/run", status=2,
         message="--seed 18446744073709551616 is not a whole number from 0 to 9223372036854775807 — see --help"),
    Case("extract_seed_not_a_number", EXTRACT + "--seed 1.5 --out-dir out/run", status=2,
         message="--seed 1.5 is not a whole number from 0 to 9223372036854775807 — see --help"),
    Case("extract_tol_nan", EXTRACT + "--tol nan --out-dir out/run", status=2,
         message="--tol nan is not a number from 0 to 1 — see --help"),
    Case("extract_bad_backend_parameter_value", EXTRACT + "--param nmf.objective=bogus --out-dir out/run",
         status=2, message="backend 'nmf' rejected a parameter: nmf: objective=bogus is not accepted; accepted: "
                           "kl, frobenius — see `sigstream backends` for its parameters and their values"),
    Case("extract_unknown_backend_parameter", EXTRACT + "--param nmf.nosuch=1 --out-dir out/run", status=2,
         message="backend 'nmf' has no parameter 'nosuch' — its parameters are objective, solver, init (see "
                 "`sigstream backends`)"),
    Case("extract_backend_parameter_nan", EXTRACT.replace("--k-range 2:3 --replicates 2", "--k 2") +
         "--backend aenmf --param lr=nan --out-dir out/run", status=2, needs=("aenmf",),
         message="backend 'aenmf' rejected a parameter: aenmf: lr=nan is not accepted; accepted: auto or a "
                 "positive number — see `sigstream backends` for its parameters and their values"),
    Case("extract_parameter_not_key_value", EXTRACT + "--param =kl --out-dir out/run", status=2,
         message="--param '=kl' is not KEY=VALUE — e.g. --param nmf.objective=frobenius"),
    Case("extract_unknown_backend", EXTRACT + "--backend nosuch --out-dir out/run", status=2,
         message="unknown backend 'nosuch' — available: aenmf, cnmf, nmf (see `sigstream backends`)",
         needs=("nmf", "cnmf", "aenmf")),
    Case("extract_config_nan", EXTRACT + "--config c.toml --out-dir out/run", files={"c.toml": "tol = nan\n"},
         status=2, message="c.toml:1: tol = nan: is not a number from 0 to 1 — fix the config file"),
    Case("extract_config_unknown_key", EXTRACT + "--config c.toml --out-dir out/run",
         files={"c.toml": "seed = 3\ncolour = \"blue\"\n"}, status=2,
         message="c.toml:2: colour = blue: is not an option of `sigstream extract` — keys are the option names "
                 "of `sigstream extract --help` without the dashes"),
    Case("extract_config_number_too_big_for_toml", EXTRACT + "--config c.toml --out-dir out/run",
         files={"c.toml": "tol = 1e400\n"}, status=2,
         message="c.toml:1: invalid TOML: Error while parsing floating-point: '1e400' could not be interpreted "
                 "as a value — fix the syntax"),
    Case("extract_config_nested_too_deep", EXTRACT + "--config c.toml --out-dir out/run",
         files={"c.toml": "tol = " + "[" * 100000 + "]" * 100000 + "\n"}, status=2,
         message="c.toml:1: invalid TOML: Error while parsing value: exceeded maximum nested value depth of 256 "
                 "(TOML_MAX_NESTED_VALUES) — fix the syntax"),
    Case("extract_empty_matrix", ONE_FIT + "--matrix empty.tsv --out-dir out/run", files={"empty.tsv": ""},
         status=1, message="empty.tsv: the file is empty, not a count matrix — give a TSV with a header line and "
                           "one row per channel"),
    Case("extract_matrix_with_negative_value", ONE_FIT + "--matrix neg.tsv --out-dir out/run",
         files={"neg.tsv": matrix(cell=(40, 0, "-0.5"))}, status=1,
         message="neg.tsv:42: the value '-0.5' of column 'S1' is negative — every cell must be a finite, "
                 "non-negative number"),
    Case("extract_matrix_of_zeros", ONE_FIT.replace("--k 2", "--k 1") + "--matrix zero.tsv --out-dir out/run",
         files={"zero.tsv": e2e.matrix_text([[0] * 96] * 4)}, status=1,
         message="zero.tsv: only 0 of the 4 samples have any mutations; extraction needs at least two — add "
                 "samples with mutations, or check that the counting step found SNVs"),
    Case("extract_shard_out_over_the_matrix", EXTRACT.replace("{matrix}", "m.tsv") + "--replicate-range 0:1 "
         "--shard-out m.tsv", files={"m.tsv": MATRIX}, status=2,
         message="m.tsv: an output of the run would be written over this input — write the output somewhere else"),
    Case("extract_out_dir_is_a_file", EXTRACT + "--out-dir notes.txt", files={"notes.txt": "mine\n"}, status=2,
         message="notes.txt: --out-dir exists and is not a folder — choose another --out-dir"),
    Case("extract_out_dir_in_missing_folder", EXTRACT + "--out-dir nowhere/run", status=1,
         message="nowhere/run: cannot create the run folder: folder 'nowhere' does not exist — create it first "
                 "or choose another --out-dir"),
    Case("extract_out_dir_not_empty", EXTRACT + "--out-dir D", files={"D": folder({"notes.txt": "mine\n"})},
         status=2, message="D: the output folder already exists and is not empty — choose another --out-dir, "
                           "empty it, or give --force to replace it"),
    Case("extract_force_over_the_folder_holding_the_matrix",
         "extract --quiet --matrix D/m.tsv --k-range 2:3 --replicates 2 --max-iter 30 --out-dir D --force",
         files={"D": folder({"m.tsv": MATRIX, "metadata.toml": EARLIER_RUN})}, status=2,
         message="D: --force would replace the folder holding the input D/m.tsv — choose another --out-dir"),
    Case("extract_force_over_a_folder_of_unrelated_files", EXTRACT + "--out-dir D --force",
         files={"D": folder({"notes.txt": "mine\n", "thesis.tex": "\\begin{document}\n"})}, status=2,
         message='D: --force replaces only a run folder sigstream made (one with its metadata.toml), and this folder has none — choose another --out-dir, or empty the folder yourself'),
    Case("extract_out_dir_symlink_to_an_empty_folder", ONE_FIT + "--matrix {matrix} --out-dir link",
         files={"target": folder(), "link": symlink("target")},
         check=table_shape("target/signatures.tsv", header_start=["MutationType", "SBS96A", "SBS96B"], rows=96)),
    Case("extract_newline_in_out_dir", ONE_FIT.split() + ["--matrix", "{matrix}", "--out-dir", "a\nb/run"],
         status=1, message="a\\nb/run: cannot create the run folder: folder 'a\\nb' does not exist — create it first or choose another --out-dir"),
    Case("extract_matrix_of_proportions", EXTRACT.replace("{matrix}", "p.tsv") + "--out-dir out/run",
         files={"p.tsv": PROPORTIONS}, status=1, message="p.tsv:2: the value '0.020710059171597635' of column 'S1' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    Case("extract_non_integer_counts", EXTRACT.replace("{matrix}", "h.tsv") + "--out-dir out/run",
         files={"h.tsv": matrix(cell=(5, 2, "2.5"))}, status=1, message="h.tsv:7: the value '2.5' of column 'S3' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    Case("extract_values_1e160", EXTRACT.replace("{matrix}", "b.tsv") + "--out-dir out/run",
         files={"b.tsv": matrix(scale=1e160)}, status=1, message="b.tsv:2: the value '1.4e+161' of column 'S1' is larger than 2^53 (9007199254740992), beyond which counts are not exact — give counts of mutations; a matrix of larger values is not a mutation catalogue", mentions=["b.tsv"]),
    Case("extract_value_1e300", EXTRACT.replace("{matrix}", "b.tsv") + "--out-dir out/run",
         files={"b.tsv": matrix(cell=(7, 1, "1e300"))}, status=1, message="b.tsv:9: the value '1e300' of column 'S2' is larger than 2^53 (9007199254740992), beyond which counts are not exact — give counts of mutations; a matrix of larger values is not a mutation catalogue", mentions=["b.tsv"]),
    Case("extract_one_fit_value_1e300", ONE_FIT + "--matrix b.tsv --out-dir out/run",
         files={"b.tsv": matrix(cell=(7, 1, "1e300"))}, status=1, message="b.tsv:9: the value '1e300' of column 'S2' is larger than 2^53 (9007199254740992), beyond which counts are not exact — give counts of mutations; a matrix of larger values is not a mutation catalogue"),

    # ---------------------------------------------------------------------------------------- consensus
    Case("consensus_of_two_shards", "consensus --quiet --refine none --out-dir out/run {shard_a} {shard_b}",
         check=table_shape("out/run/selection.tsv", header_start=["K", "MeanStability"], rows=2)),
    Case("consensus_hand_edited_shard", "consensus --quiet --out-dir out/run edited.tsv {shard_b}",
         files={"edited.tsv": edited_shard}, status=1, message="edited.tsv:310: the shard's content does not match its MD5 on the #end line: it was edited or damaged — rerun the extraction that wrote it (same --replicate-range and seed)"),
    Case("consensus_out_dir_over_the_shards_folder", "consensus --quiet --out-dir S --force S/a.tsv S/b.tsv",
         files={"S": folder({"metadata.toml": EARLIER_RUN}), "S/a.tsv": copy("shard_a"), "S/b.tsv": copy("shard_b")},
         status=2,
         message="S: --force would replace the folder holding the input S/a.tsv — choose another --out-dir"),
    Case("consensus_out_dir_is_a_shard", "consensus --quiet --out-dir a.tsv --force a.tsv {shard_b}",
         files={"a.tsv": copy("shard_a")}, status=2,
         message="a.tsv: --out-dir exists and is not a folder — choose another --out-dir"),
    Case("consensus_truncated_shard", "consensus --quiet --out-dir out/run cut.tsv {shard_b}",
         files={"cut.tsv": shard_variant("shard_a", lambda t: "\n".join(t.split("\n")[:150]) + "\n")}, status=1,
         message="cut.tsv:150: the shard ends early (truncated?) — give shards written by `sigstream extract "
                 "--shard-out`, complete and unchanged"),
    Case("consensus_shard_of_another_format", "consensus --quiet --out-dir out/run v99.tsv {shard_b}",
         files={"v99.tsv": shard_variant("shard_a", lambda t: t.replace("##sigstream-shard\t4", "##sigstream-"
                                                                         "shard\t99", 1))}, status=1,
         message="v99.tsv:1: shard format 99 is not the format 4 this sigstream reads — merge shards with the "
                 "sigstream version that wrote them"),
    Case("consensus_shards_of_two_seeds", "consensus --quiet --out-dir out/run {shard_a} seed2.tsv",
         files={"seed2.tsv": shard_variant("shard_b", lambda t: t.replace("##seed\t1\n", "##seed\t2\n", 1), reseal=True)},
         status=1, message="seed2.tsv: the shards come from different runs: --seed is 1 in {shard_a} but 2 here — "
                           "merge only shards written by one scattered run (same matrix, backend, parameters, "
                           "--seed, --replicates, stop rule and sigstream version)"),
    Case("consensus_same_shard_twice", "consensus --quiet --out-dir out/run {shard_a} {shard_a}", status=2,
         message="{shard_a}: this shard is given twice — give each shard file once"),
    Case("consensus_replicates_missing", "consensus --quiet --out-dir out/run {shard_a}", status=1,
         message="replicates 1:2 of K = 2 are in none of the shards (the run has 2 replicates) — add the shards "
                 "of those --replicate-range's"),
    Case("consensus_matrix_given_as_shard", "consensus --quiet --out-dir out/run {matrix}", status=1,
         message="{matrix}:1: this is not a sigstream extraction shard — give files written by `sigstream "
                 "extract --shard-out`"),
    Case("consensus_no_shards", "consensus --quiet --out-dir out/run", status=2,
         message="no shards given — list the shard files after the options"),
    Case("consensus_shards_claiming_1e9_replicates", "consensus --quiet --out-dir out/run a.tsv b.tsv",
         files={"a.tsv": shard_variant("shard_a", lambda t: t.replace("##replicates\t2\n",
                                                                      "##replicates\t1000000000\n", 1), True),
                "b.tsv": shard_variant("shard_b", lambda t: t.replace("##replicates\t2\n",
                                                                      "##replicates\t1000000000\n", 1), True)},
         status=1, message='a.tsv:18: the ##replicates line is above 100000, the most extract fits — give shards written by `sigstream extract --shard-out`, complete and unchanged', timeout=5, max_rss_mb=512),
    Case("consensus_force_over_a_folder_of_unrelated_files",
         "consensus --quiet --out-dir D --force {shard_a} {shard_b}",
         files={"D": folder({"notes.txt": "mine\n"})}, status=2, message='D: --force replaces only a run folder sigstream made (one with its metadata.toml), and this folder has none — choose another --out-dir, or empty the folder yourself'),

    # ---------------------------------------------------------------------------------------- fit
    Case("fit_50000_samples", "fit --quiet --matrix wide.tsv --signatures {sigs} --out-dir out/fit",
         files={"wide.tsv": wide_matrix(WIDE_N)}, big=True,
         check=table_shape("out/fit/exposures.tsv", header_start=["Samples", "SigA", "SigB"], rows=WIDE_N,
                           columns=3)),
    Case("fit_matrix_crlf_and_bom", "fit --quiet --matrix m.tsv --signatures {sigs} --out-dir out/fit",
         files={"m.tsv": "\ufeff" + MATRIX.replace("\n", "\r\n")},
         check=table_shape("out/fit/sample_stats.tsv", header_start=["Sample", "Total"], rows=10,
                           cell=("S1", "Total", str(sum(COLS[0]))))),
    Case("fit_sparse_1000_signatures", "fit --quiet --sparse --matrix {matrix} --signatures s.tsv --out-dir out/fit",
         files={"s.tsv": H.random_signatures_text(1000)}, timeout=10,
         check=table_shape("out/fit/exposures.tsv", header_start=["Samples", "X0"], rows=10, columns=1001),
         defect="fit --sparse grows steeply with the signatures (10 samples: 100 in 0.3 s, 300 in 4.9 s, "
                "1000 not done in 120 s)"),
    Case("fit_signatures_that_do_not_sum_to_1", "fit --quiet --matrix {matrix} --signatures s.tsv "
         "--out-dir out/fit", files={"s.tsv": e2e.matrix_text([[x * 1.01 for x in H.PROFILES[0]], H.PROFILES[1]],
                                                                names=["SigA", "SigB"])}, status=1,
         message="s.tsv: signature 'SigA' sums to 1.01, not 1 — signature columns are probabilities over the "
                 "channels; is this a count matrix?"),
    Case("fit_counts_given_as_signatures", "fit --quiet --matrix {matrix} --signatures {matrix} "
         "--out-dir out/fit", status=1,
         message="{matrix}: signature 'S1' sums to %d, not 1 — signature columns are probabilities over the "
                 "channels; is this a count matrix?" % sum(COLS[0])),
    Case("fit_nan_in_matrix", "fit --quiet --matrix n.tsv --signatures {sigs} --out-dir out/fit",
         files={"n.tsv": matrix(cell=(5, 2, "nan"))}, status=1,
         message="n.tsv:7: the value 'nan' of column 'S3' is not a number — every cell must be a finite, "
                 "non-negative number"),
    Case("fit_header_but_no_rows", "fit --quiet --matrix h.tsv --signatures {sigs} --out-dir out/fit",
         files={"h.tsv": MATRIX.split("\n")[0] + "\n"}, status=1,
         message="h.tsv:1: the count matrix has a header but no rows — give one row per mutation channel"),
    Case("fit_matrix_named_like_its_output", "fit --quiet --matrix exposures.tsv --signatures {sigs} --out-dir .",
         files={"exposures.tsv": MATRIX}, status=2,
         message=".: the output folder already exists and is not empty — choose another --out-dir, empty it, or "
                 "give --force to replace it"),
    Case("fit_signatures_named_like_its_output", "fit --quiet --matrix {matrix} --signatures sample_stats.tsv "
         "--out-dir .", files={"sample_stats.tsv": H.signatures_text()}, status=2,
         message=".: the output folder already exists and is not empty — choose another --out-dir, empty it, or "
                 "give --force to replace it"),
    Case("fit_out_dir_over_a_run_folder", "fit --quiet --matrix {matrix} --signatures run --out-dir run",
         files={"run": copy("run")}, status=2, message='run: the output folder already exists and is not empty — choose another --out-dir, empty it, or give --force to replace it', needs=("nmf",)),
    Case("fit_out_dir_is_a_file", "fit --quiet --matrix {matrix} --signatures {sigs} --out-dir notes.txt",
         files={"notes.txt": "mine\n"}, status=2,
         message="notes.txt: --out-dir exists and is not a folder — choose another --out-dir"),
    Case("fit_out_dir_in_missing_folder", "fit --quiet --matrix {matrix} --signatures {sigs} --out-dir no/fit",
         status=1, message="no/fit: cannot create the run folder: folder 'no' does not exist — create it first or "
                           "choose another --out-dir"),
    Case("fit_catalogues_differ", "fit --quiet --matrix six.tsv --signatures {sigs} --out-dir out/fit",
         files={"six.tsv": e2e.matrix_text([[5, 6, 7, 8, 9, 10]], names=["X"], labels=SUBS)}, status=2,
         message='{inputs}/sigs.tsv: these signatures are SBS96 but the matrix six.tsv is SBS6 — fit a matrix with signatures of the same catalogue', mentions=[("six.tsv", "{sigs}")]),
    Case("fit_matrix_of_proportions", "fit --quiet --matrix p.tsv --signatures {sigs} --out-dir out/fit",
         files={"p.tsv": PROPORTIONS}, status=1, message="p.tsv:2: the value '0.020710059171597635' of column 'S1' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    Case("fit_non_integer_counts", "fit --quiet --matrix h.tsv --signatures {sigs} --out-dir out/fit",
         files={"h.tsv": matrix(cell=(5, 2, "2.5"))}, status=1, message="h.tsv:7: the value '2.5' of column 'S3' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    Case("fit_values_1e160", "fit --quiet --matrix b.tsv --signatures {sigs} --out-dir out/fit",
         files={"b.tsv": matrix(scale=1e160)}, status=1, message="b.tsv:2: the value '1.4e+161' of column 'S1' is larger than 2^53 (9007199254740992), beyond which counts are not exact — give counts of mutations; a matrix of larger values is not a mutation catalogue"),
    Case("fit_value_1e300", "fit --quiet --matrix b.tsv --signatures {sigs} --out-dir out/fit",
         files={"b.tsv": matrix(cell=(7, 1, "1e300"))}, status=1, message="b.tsv:9: the value '1e300' of column 'S2' is larger than 2^53 (9007199254740992), beyond which counts are not exact — give counts of mutations; a matrix of larger values is not a mutation catalogue"),

    # ---------------------------------------------------------------------------------------- compare
    Case("compare_signatures_on_stdin", "compare --quiet --signatures - --reference {sigs}",
         stdin=H.signatures_text(),
         check=lambda r: None if [l.split("\t")[:2] for l in r.stdout.splitlines()] == [
             ["Signature", "BestMatch"], ["SigA", "SigA"], ["SigB", "SigB"]] else "stdout %r" % r.stdout),
    Case("compare_3000_signatures", "compare --quiet --signatures s.tsv --out out/c.tsv",
         files={"s.tsv": H.random_signatures_text(3000)},
         check=table_shape("out/c.tsv", header_start=["Signature", "BestMatch", "BestCosine", "Matched"], rows=3000,
                           columns=5)),
    Case("compare_signatures_that_do_not_sum_to_1", "compare --quiet --signatures s.tsv",
         files={"s.tsv": e2e.matrix_text([H.PROFILES[0], [x * 0.98 for x in H.PROFILES[1]]],
                                         names=["SigA", "SigB"])}, status=1,
         message="s.tsv: signature 'SigB' sums to 0.98, not 1 — signature columns are probabilities over the "
                 "channels; is this a count matrix?"),
    Case("compare_reference_that_does_not_sum_to_1", "compare --quiet --signatures {sigs} --reference r.tsv",
         files={"r.tsv": e2e.matrix_text([[x * 1.01 for x in H.PROFILES[0]]], names=["R"])}, status=1,
         message="r.tsv: signature 'R' sums to 1.01, not 1 — signature columns are probabilities over the "
                 "channels; is this a count matrix?"),
    Case("compare_signature_of_zeros", "compare --quiet --signatures z.tsv",
         files={"z.tsv": e2e.matrix_text([[0] * 96, H.PROFILES[1]], names=["SigA", "SigB"])}, status=1,
         message="z.tsv: signature 'SigA' sums to 0, not 1 — signature columns are probabilities over the "
                 "channels; is this a count matrix?"),
    Case("compare_nan_in_signatures", "compare --quiet --signatures n.tsv",
         files={"n.tsv": H.signatures_text(cell=(3, 0, "nan"))}, status=1,
         message="n.tsv:5: the value 'nan' of column 'SigA' is not a number — every cell must be a finite, "
                 "non-negative number"),
    Case("compare_out_over_its_signatures", "compare --quiet --signatures s.tsv --out s.tsv",
         files={"s.tsv": H.signatures_text()}, status=2,
         message="s.tsv: an output of the run would be written over this input — write the output somewhere else"),
    Case("compare_out_over_its_reference", "compare --quiet --signatures {sigs} --reference r.tsv --out r.tsv",
         files={"r.tsv": H.signatures_text()}, status=2,
         message="r.tsv: an output of the run would be written over this input — write the output somewhere else"),
    Case("compare_stdout_on_a_full_device", "compare --quiet --signatures {sigs}", stdout="/dev/full",
         status=1, message='<stdout>: cannot write the output: No space left on device — check the receiving pipe or disk'),
    Case("compare_out_on_a_full_device", "compare --quiet --signatures {sigs} --out /dev/full", status=1,
         message="/dev/full: cannot write the output: No space left on device — check the receiving pipe or disk"),
    Case("compare_nonexistent_signatures", "compare --quiet --signatures missing.tsv", status=1,
         message="missing.tsv: cannot open: No such file or directory — check the path and permissions"),
    Case("compare_folder_without_signatures", "compare --quiet --signatures adir", files={"adir": folder()},
         status=1, message="adir/signatures.tsv: cannot open: No such file or directory — check the path and "
                           "permissions"),

    # ---------------------------------------------------------------------------------------- crossval
    Case("crossval_k_too_large_for_the_samples", CROSSVAL.replace("--k 2", "--k 9") + "--matrix {matrix} "
         "--out-dir out/cv", status=1,
         message="{matrix}: only 10 non-empty sample(s); with --k 9 and --test-fraction 0.2 every split needs at "
                 "least 10 training samples and 1 test sample, i.e. at least 12 non-empty samples — add samples, "
                 "lower --k, or change --test-fraction"),
    Case("crossval_one_split", CROSSVAL.replace("--splits 2", "--splits 1") + "--matrix {matrix} --out-dir out/cv",
         status=2, message="--splits 1 is below 2 — give at least 2 splits (consistency compares pairs of splits)"),
    Case("crossval_test_fraction_nan", CROSSVAL + "--test-fraction nan --matrix {matrix} --out-dir out/cv",
         status=2, message="--test-fraction nan is not strictly between 0 and 1 — e.g. --test-fraction 0.2 holds "
                           "out a fifth of the samples"),
    Case("crossval_backend_twice", CROSSVAL.replace("nmf", "nmf,nmf", 1) + "--matrix {matrix} --out-dir out/cv",
         status=2, message="--backends nmf,nmf lists backend nmf twice — list each backend once"),
    Case("crossval_unknown_backend", CROSSVAL.replace("nmf", "nmf,nosuch", 1) + "--matrix {matrix} "
         "--out-dir out/cv", status=2, needs=("nmf", "cnmf", "aenmf"),
         message="unknown backend 'nosuch' — available: aenmf, cnmf, nmf (see `sigstream backends`)"),
    Case("crossval_bad_backend_parameter", CROSSVAL + "--param nmf.solver=bogus --matrix {matrix} "
         "--out-dir out/cv", status=2,
         message="backend 'nmf' rejected a parameter: nmf: solver=bogus is not accepted; accepted: ccd, mu, "
                 "ccd-her — see `sigstream backends` for its parameters and their values"),
    Case("crossval_unknown_preset", CROSSVAL + "--preset bogus --matrix {matrix} --out-dir out/cv", status=2,
         message="--preset bogus is not known — give --preset paper (or none)"),
    Case("crossval_out_dir_is_a_file", CROSSVAL + "--matrix {matrix} --out-dir notes.txt",
         files={"notes.txt": "mine\n"}, status=2,
         message="notes.txt: --out-dir exists and is not a folder — choose another --out-dir"),
    Case("crossval_force_over_a_folder_of_unrelated_files", CROSSVAL + "--matrix {matrix} --out-dir D --force",
         files={"D": folder({"notes.txt": "mine\n"})}, status=2, message='D: --force replaces only a run folder sigstream made (one with its metadata.toml), and this folder has none — choose another --out-dir, or empty the folder yourself'),
    Case("crossval_matrix_of_proportions", CROSSVAL + "--matrix p.tsv --out-dir out/cv",
         files={"p.tsv": PROPORTIONS}, status=1, message="p.tsv:2: the value '0.020710059171597635' of column 'S1' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    Case("crossval_non_integer_counts", CROSSVAL + "--matrix h.tsv --out-dir out/cv",
         files={"h.tsv": matrix(cell=(5, 2, "2.5"))}, status=1, message="h.tsv:7: the value '2.5' of column 'S3' is not a whole number: a count matrix holds numbers of mutations — give counts; a matrix already normalised (proportions, scaled counts) is taken by `extract` and `fit` with --input-normalised"),
    # counts near 1e12 (below 2^53: exact) are taken and cross-validated in well under a second: the binomial
    # split of a count is O(1), whatever the count
    Case("crossval_counts_near_1e12", "crossval --quiet --k 2 --splits 2 --matrix t.tsv --out-dir out/cv",
         files={"t.tsv": matrix(scale=10 ** 12)}, timeout=60, needs=("nmf", "cnmf", "aenmf"),
         check=table_shape("out/cv/summary.tsv", header_start=["Backend", "TrainMSE"], rows=3)),

    # ---------------------------------------------------------------------------------------- run
    Case("run_pipeline_with_bom_and_crlf", "run --quiet --out-dir out/run p.toml",
         files={"p.toml": "\ufeffstages = [\"merge\"]\r\n[merge]\r\ninputs = [\"{matrix}\"]\r\n"},
         check=file_is("out/run/merged.tsv", MATRIX)),
    Case("run_nan_setting", "run --quiet --out-dir out/run p.toml", needs=("nmf",),
         files={"p.toml": "stages = [\"extract\"]\n[extract]\nmatrix = \"{matrix}\"\nk = 2\ntol = nan\n"},
         status=2, message="p.toml:5: tol = nan: is not a number from 0 to 1 — fix the config file"),
    Case("run_unknown_stage_setting", "run --quiet --out-dir out/run p.toml", needs=("nmf",),
         files={"p.toml": "stages = [\"extract\"]\n[extract]\nmatrix = \"{matrix}\"\nk = 2\ncolour = 1\n"},
         status=2, message="p.toml:5: colour = 1: is not a setting of stage extract — see `sigstream run --help`"),
    Case("run_unknown_top_setting", "run --quiet --out-dir out/run p.toml",
         files={"p.toml": "stages = [\"merge\"]\ncolour = 1\n[merge]\ninputs = [\"{matrix}\"]\n"}, status=2,
         message="p.toml:2: colour = 1: is not a pipeline setting — the top of a pipeline file takes stages, "
                 "out-dir, force and threads; a stage's settings go in its [table] (docs/pipeline.md)"),
    Case("run_unknown_stage", "run --quiet --out-dir out/run p.toml",
         files={"p.toml": "stages = [\"merge\", \"bogus\"]\n[merge]\ninputs = [\"{matrix}\"]\n"}, status=2,
         message="p.toml:1: stages = [merge, bogus]: names 'bogus', which is not a stage kind — the kinds are "
                 "count, merge, extract, consensus, select, refine, fit, compare, crossval; a table of another "
                 "name says stage = \"KIND\""),
    Case("run_table_not_in_stages", "run --quiet --out-dir out/run p.toml",
         files={"p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\n[fit]\n"}, status=2,
         message="p.toml:4: the table [fit] is not one of the stages — add \"fit\" to stages = [...], or remove "
                 "the table"),
    Case("run_toml_syntax_error", "run --quiet --out-dir out/run p.toml", files={"p.toml": "stages = [\"merge\"\n"},
         status=2, message="p.toml:1: invalid TOML: Error while parsing array: encountered end-of-file — fix the "
                           "syntax"),
    Case("run_duplicate_key", "run --quiet --out-dir out/run p.toml",
         files={"p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\ninputs = [\"x\"]\n"}, status=2,
         message="p.toml:4: invalid TOML: Error while parsing key-value pair: cannot redefine existing array "
                 "'inputs' — fix the syntax"),
    Case("run_empty_file", "run --quiet --out-dir out/run p.toml", files={"p.toml": ""}, status=2,
         message="p.toml: the pipeline file lists no stages — add e.g. stages = [\"count\", \"extract\", "
                 "\"consensus\", \"select\", \"refine\"]"),
    Case("run_empty_stage_list", "run --quiet --out-dir out/run p.toml", files={"p.toml": "stages = []\n"},
         status=2, message='p.toml: the pipeline has no stages — list them: stages = ["count", …]', mentions=["p.toml"]),
    Case("run_stage_without_its_data", "run --quiet --out-dir out/run p.toml", files={"p.toml": "stages = "
                                                                                      "[\"fit\"]\n"},
         status=2, message="p.toml:1: stage 'fit': --matrix is required — see `sigstream fit --help`", mentions=["p.toml"]),
    Case("run_threads_negative", "run --quiet --threads -3 --out-dir out/run p.toml",
         files={"p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\n"}, status=2,
         message="--threads -3 is not a whole number from 1 to 1024 — see --help"),
    Case("run_out_dir_is_a_file", "run --quiet --out-dir notes.txt p.toml",
         files={"notes.txt": "mine\n", "p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\n"},
         status=2, message="notes.txt: --out-dir exists and is not a folder — choose another --out-dir"),
    Case("run_nonexistent_pipeline", "run --quiet --out-dir out/run missing.toml", status=2,
         message="missing.toml: cannot open the config file (missing, or not a file) — check the path"),
    Case("run_force_over_a_folder_of_unrelated_files", "run --quiet --out-dir D --force p.toml",
         files={"D": folder({"notes.txt": "mine\n"}),
                "p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\n"}, status=2, message='D: --force replaces only a run folder sigstream made (one with its metadata.toml), and this folder has none — choose another --out-dir, or empty the folder yourself'),
    Case("run_dry_run_on_a_full_device", "run --dry-run p.toml", stdout="/dev/full",
         files={"p.toml": "stages = [\"merge\"]\n[merge]\ninputs = [\"{matrix}\"]\n"}, status=1,
         prefix="sigstream: ", message="cannot write to standard output — check the receiving pipe or disk"),

    # ---------------------------------------------------------------------------------------- backends, main
    Case("backends_folder_of_broken_plugins", "backends", env={"SIGSTREAM_PLUGIN_PATH": "plugins"},
         files={"plugins": folder({"empty.so": b"", "junk.so": random_bytes(3000, seed=1), "text.so": MATRIX}),
                "plugins/dir.so": folder()},
         stderr="".join("sigstream backends: warning: plugin refused: plugins/%s: cannot load the plugin: "
                        "plugins/%s: %s — remove it from the plugin folder, or rebuild it for this machine\n"
                        % (f, f, why) for f, why in (("empty.so", "file too short"),
                                                     ("junk.so", "invalid ELF header"),
                                                     ("text.so", "invalid ELF header"))),
         check=stdout_starts("No backends found.\n")),
    Case("backends_path_of_missing_folders", "backends", env={"SIGSTREAM_PLUGIN_PATH": "nowhere:no/such:"
                                                              "notes.txt"},
         files={"notes.txt": "mine\n"}, check=stdout_starts("No backends found.\n")),
    Case("backends_extra_argument", "backends extra", status=2,
         message="unexpected argument 'extra' — see `sigstream backends --help`"),
    Case("backends_stdout_on_a_full_device", "backends", stdout="/dev/full", status=1, prefix="sigstream: ",
         message="cannot write to standard output — check the receiving pipe or disk"),
    Case("extract_with_only_broken_plugins", EXTRACT + "--out-dir out/run", env={"SIGSTREAM_PLUGIN_PATH":
                                                                                  "plugins"},
         files={"plugins": folder({"junk.so": random_bytes(3000, seed=1)})}, status=2, needs=(),
         message="unknown backend 'nmf': no usable backend plugins were found — set SIGSTREAM_PLUGIN_PATH to the "
                 "folder holding nmf.so, cnmf.so, aenmf.so (`sigstream backends` shows the folders searched)"),
    Case("unknown_command", "frobnicate --quiet", status=2, prefix="sigstream: ",
         message="unknown command 'frobnicate' — run `sigstream help` for the list"),
    Case("empty_command", [""], status=2, prefix="sigstream: ",
         message="unknown command '' — run `sigstream help` for the list"),
]


# --------------------------------------------------------------------------------------------------- running

class Checks(e2e.Checks):
    """e2e.Checks with expected failures: xfail() prints `xfail <name>: ...`; the summary counts them."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.xfailed = 0

    def xfail(self, name, detail):
        self.xfailed += 1
        print("xfail %s: %s" % (name, detail))
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed, %d xfail%s" % (self.passed, self.failed, self.xfailed,
                                                     ", %d skipped" % len(self.skipped) if self.skipped else ""))
        sys.stdout.flush()
        if self.failed:
            sys.exit(1)
        if self.skipped and self.passed == 0 and self.xfailed == 0:
            sys.exit(e2e.SKIP)
        sys.exit(0)


class Result:
    """What a run did: returncode (None: timed out), stdout/stderr (text, the first CAPTURE bytes), their sizes,
    and the case folder and shared paths for the checks."""

    def __init__(self, returncode, out, out_size, err, err_size, seconds, folder, paths):
        self.returncode, self.stdout, self.stdout_size = returncode, out, out_size
        self.stderr, self.stderr_size, self.seconds = err, err_size, seconds
        self.dir, self.paths = folder, paths


def text(data):
    return data.decode("utf-8", "replace")


def shown(s, limit=400):
    """s with control characters escaped, cut to `limit` characters."""
    r = repr(s)[1:-1]
    return r if len(r) <= limit else r[:limit] + "..."


def signature(path, st):
    """What must not change about one folder entry."""
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("dir",)
    if not stat.S_ISREG(st.st_mode):
        return ("special", stat.S_IFMT(st.st_mode))
    if st.st_size > (64 << 20):  # big generated inputs: size, identity, time and both ends
        with open(path, "rb") as f:
            head = f.read(1 << 20)
            f.seek(-(1 << 20), os.SEEK_END)
            tail = f.read()
        return ("big", st.st_size, st.st_ino, st.st_mtime_ns, hashlib.sha1(head + tail).hexdigest())
    h = hashlib.sha1()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except PermissionError:  # not root: a chmod 000 input
        return ("unreadable", st.st_size, st.st_ino, st.st_mtime_ns)
    return ("file", st.st_size, st.st_ino, h.hexdigest())


def snapshot(top):
    """{relative path: signature} of every entry under top (symlinks not followed)."""
    snap = {}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            snap[os.path.relpath(path, top)] = signature(path, os.lstat(path))
    return snap


def litter(names):
    return sorted(n for n in names if ".tmp." in os.path.basename(n) or os.path.basename(n).startswith(".sigstream"))


def compare_snapshots(before, after, accepted):
    """Problems: entries changed or gone, litter; for a refused case also any new entry."""
    problems = []
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    gone = sorted(k for k in before if k not in after)
    new = sorted(k for k in after if k not in before)
    if changed:
        problems.append("inputs changed: %s" % ", ".join(map(shown, changed)))
    if gone:
        problems.append("inputs gone: %s" % ", ".join(map(shown, gone)))
    bad = litter(new) if accepted else new
    if bad:
        problems.append("left behind: %s" % ", ".join(map(shown, bad)))
    return problems


class Env:
    """The shared inputs and how to run a case."""

    def __init__(self, exe, work, plugins):
        self.exe, self.work, self.plugins = exe, work, plugins
        self.inputs = os.path.join(work, "inputs")
        self.cases = os.path.join(work, "cases")
        self.capture = os.path.join(work, "capture")
        self.have = {b for b in ("nmf", "cnmf", "aenmf") if os.path.exists(os.path.join(plugins, b + ".so"))}
        self.paths = {}
        self.root = os.geteuid() == 0
        self.timings = []  # (seconds the case took, seconds its run took, name)

    def setup(self):
        """Writes the shared inputs; makes the shards and run folder with the binary (when nmf is there).
        Returns what went wrong, or ''."""
        for sub in (self.inputs, self.cases, self.capture):
            e2e.fresh_folder(sub)
        p = self.paths = {"inputs": self.inputs}
        p["ref"] = e2e.write(os.path.join(self.inputs, "genome.fa"), H.fasta_text())
        e2e.write(p["ref"] + ".fai", H.fai_text())
        p["vcf"] = e2e.write(os.path.join(self.inputs, "tumour.vcf"), GOOD_VCF)
        p["matrix"] = e2e.write(os.path.join(self.inputs, "cohort.tsv"), MATRIX)
        p["sigs"] = e2e.write(os.path.join(self.inputs, "sigs.tsv"), H.signatures_text())
        p["shard_a"] = os.path.join(self.inputs, "shard_a.tsv")
        p["shard_b"] = os.path.join(self.inputs, "shard_b.tsv")
        p["run"] = os.path.join(self.inputs, "run")
        if "nmf" in self.have:
            run = e2e.Runner(self.exe, e2e.plugin_env(self.plugins), timeout=TIMEOUT)
            base = ["extract", "--quiet", "--matrix", p["matrix"], "--k-range", "2:3", "--replicates", "2",
                    "--max-iter", "30"]
            for args in (base + ["--replicate-range", "0:1", "--shard-out", p["shard_a"]],
                         base + ["--replicate-range", "1:2", "--shard-out", p["shard_b"]],
                         ["extract", "--quiet", "--matrix", p["matrix"], "--k", "2", "--max-iter", "30",
                          "--out-dir", p["run"]]):
                r = run(args, cwd=self.inputs)
                if r.returncode != 0:
                    return "sigstream %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip())
        self.inputs_snapshot = snapshot(self.inputs)
        return ""

    def sub(self, s):
        for key, value in self.paths.items():
            s = s.replace("{%s}" % key, value)
        return s

    def demotion(self, folder):
        """As root, a preexec function that runs the case as user nobody (who permissions stop), or None when
        nobody could not reach the case folder or the binary."""
        for path in (folder, self.inputs, os.path.dirname(self.exe)):
            while path and path != "/":
                if not os.stat(path).st_mode & stat.S_IXOTH:
                    return None
                path = os.path.dirname(path)

        def demote():
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        return demote

    def run(self, case, folder, preexec=None):
        argv = [self.exe] + [self.sub(a) for a in case.argv]
        env = e2e.plugin_env(self.plugins)
        env.update(case.env)
        data = case.stdin.encode() if isinstance(case.stdin, str) else case.stdin
        out_path, err_path = os.path.join(self.capture, "stdout"), os.path.join(self.capture, "stderr")
        with open(err_path, "wb") as err, open(case.stdout or out_path, "wb") as out:
            start = time.monotonic()
            p = subprocess.Popen(argv, cwd=folder, env=env, stdout=out, stderr=err, start_new_session=True,
                                 stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                                 preexec_fn=preexec)
            if data is not None:
                threading.Thread(target=feed_stdin, args=(p.stdin, data), daemon=True).start()
            code, rss_kb = wait_for(p, start + case.timeout)
            seconds = time.monotonic() - start
        results = []
        for path in ((out_path,) if not case.stdout else ()) + (err_path,):
            with open(path, "rb") as f:
                results.append((text(f.read(CAPTURE)), os.path.getsize(path)))
        out, err = results if len(results) == 2 else (("", 0), results[0])
        result = Result(code, out[0], out[1], err[0], err[1], seconds, folder, self.paths)
        result.rss_mb = rss_kb / 1024.0
        return result


def feed_stdin(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the command stopped reading
        pass


def wait_for(p, deadline):
    """Waits for the Popen p until the deadline (then kills its process group: only what this script started).
    Returns (exit status, negative for a signal, or None when it was killed at the deadline; its peak resident
    memory in KiB), from wait4(2)."""
    pause = 0.001
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(p.pid, signal.SIGKILL)  # its own process group (start_new_session)
            _, status, usage = os.wait4(p.pid, 0)
            code = None
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.02)
    p.returncode = code if code is not None else -signal.SIGKILL  # reaped here: Popen must not wait again
    if p.stdin:
        try:
            p.stdin.close()
        except OSError:
            pass
    return code, usage.ru_maxrss


def judge(case, env, r, before_case, before_inputs):
    """What is wrong with the run r of case (a list; empty when it did what the case requires)."""
    problems = []
    if r.returncode is None:
        return ["no answer within %d s (killed; peak memory %.0f MB)" % (case.timeout, r.rss_mb)]
    if case.max_rss_mb is not None and r.rss_mb > case.max_rss_mb:
        problems.append("peak memory %.0f MB, more than %d MB" % (r.rss_mb, case.max_rss_mb))
    if r.returncode < 0:
        problems.append("crashed (signal %d)" % -r.returncode)
    elif r.returncode != case.status:
        problems.append("exit %d, expected %d" % (r.returncode, case.status))
    accepted = case.status == 0
    if accepted:
        if r.stderr != env.sub(case.stderr):
            problems.append("stderr %r, expected %r" % (shown(r.stderr), shown(env.sub(case.stderr))))
        if not problems and case.check:
            try:
                problem = case.check(r)
            except Exception as e:  # a missing output file, an unparsable table
                problem = "%s: %s" % (type(e).__name__, e)
            if problem:
                problems.append(problem)
    else:
        prefix = case.prefix
        basic_ok, _ = e2e.clean_failure(r, case.status, prefix, [], os.path.join(case_dir(env, case), "out"))
        line = r.stderr[:-1] if r.stderr.endswith("\n") else None
        if line is None or "\n" in line:
            problems.append("stderr is not one line: %r (%d bytes)" % (shown(r.stderr), r.stderr_size))
        elif r.stderr_size > MAX_MESSAGE:
            problems.append("the message is %d bytes long: %r" % (r.stderr_size, shown(line, 200)))
        elif case.message is not None:
            want = prefix + env.sub(case.message)
            if line != want:
                problems.append("message %r, expected %r" % (shown(line), shown(want)))
        elif not line.startswith(prefix):
            problems.append("message %r does not start with %r" % (shown(line), prefix))
        if line is not None:
            for m in case.mentions:
                options = [env.sub(x) for x in (m if isinstance(m, tuple) else (m,))]
                if not any(o in line for o in options):
                    problems.append("the message does not mention %s" % " or ".join(map(repr, options)))
            for m in case.forbid:
                if env.sub(m) in line:
                    problems.append("the message says %r" % env.sub(m))
        if r.stdout_size:
            problems.append("%d bytes on stdout: %r" % (r.stdout_size, shown(r.stdout, 100)))
        if not basic_ok and not problems:
            problems.append("e2e.clean_failure: exit %d, stderr %r" % (r.returncode, shown(r.stderr)))
    problems += compare_snapshots(before_case, snapshot(case_dir(env, case)), accepted)
    problems += ["shared " + p for p in compare_snapshots(before_inputs, snapshot(env.inputs), False)]
    return problems


def case_dir(env, case):
    return os.path.join(env.cases, "case_" + "".join(c if c.isalnum() else "_" for c in case.name))


def run_case(case, env, checks, verbose):
    missing = [b for b in case.needs if b not in env.have]
    if missing:
        checks.skip("%s: needs the backend(s) %s, not in %s" % (case.name, ", ".join(missing), env.plugins))
        return
    folder = e2e.case_folder(env.cases, case.name)
    os.makedirs(os.path.join(folder, "out"))
    preexec = None
    if case.unreadable and env.root:
        preexec = env.demotion(folder)
        if preexec is None:
            checks.skip("%s: running as root, and user nobody cannot reach %s" % (case.name, folder))
            return
        os.chmod(folder, 0o777)  # the case folder is writable for nobody too (what a user's own folder is)
        os.chmod(os.path.join(folder, "out"), 0o777)
    feeders = []
    case_start = time.monotonic()
    try:
        for name, content in case.files.items():
            path = os.path.join(folder, env.sub(name))
            if callable(content):
                made = content(path, env)
                if hasattr(made, "start"):
                    feeders.append(made)
            else:
                e2e.write(path, env.sub(content) if isinstance(content, str) else content)
    except Exception as e:  # a maker failed: the case's own fault, reported as such
        checks.check(case.name, False, "cannot make the case's files: %s: %s" % (type(e).__name__, e))
        return
    before_case = snapshot(folder)
    for f in feeders:
        f.start()
    try:
        r = env.run(case, folder, preexec)
    finally:
        for f in feeders:
            f.finish()
    problems = judge(case, env, r, before_case, env.inputs_snapshot)
    env.timings.append((time.monotonic() - case_start, r.seconds, case.name))
    if case.big:
        shutil.rmtree(folder, ignore_errors=True)
    if any(p.startswith("shared ") for p in problems):  # the next cases need them as they were
        env.setup()
    if case.defect:
        if problems:
            today = "exit %s" % ("timeout after %d s" % case.timeout if r.returncode is None else r.returncode)
            if case.max_rss_mb is not None:
                today += ", peak memory %.0f MB" % r.rss_mb
            first = r.stderr.split("\n")[0]
            checks.xfail(case.name, "%s [today: %s, %s; %s]" % (case.defect, today,
                                                              "stderr %r" % shown(first, 160) if first else "no message",
                                                              shown("; ".join(problems), 300)))
        else:
            checks.check(case.name, False, "fixed — remove its defect marker (and pin its message: %r)"
                         % shown(r.stderr.rstrip("\n")))
        return
    if checks.check(case.name, not problems, "; ".join(problems) + "\n    command: sigstream %s (in %s)"
                    % (" ".join(shown(env.sub(a), 100) for a in case.argv), folder)) and verbose and r.stderr:
        print("    " + shown(r.stderr.rstrip("\n"), 300))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (its inputs/, cases/ and capture/ are replaced)")
    ap.add_argument("--plugins", required=True, help="the folder of the real backends (nmf.so, cnmf.so, aenmf.so)")
    ap.add_argument("--only", action="append", default=[], help="run only the cases whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print the message of each passing case")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    if not os.access(exe, os.X_OK):
        sys.exit("catalogue_test.py: %s is not an executable" % exe)
    names = [c.name for c in CASES]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        sys.exit("catalogue_test.py: case names used twice: %s" % ", ".join(dup))
    checks = Checks(detail_limit=3000)
    env = Env(exe, os.path.abspath(a.workdir), os.path.abspath(a.plugins))
    os.makedirs(env.work, exist_ok=True)
    problem = env.setup()
    if problem:
        checks.check("setup: shards and run folder", False, problem)
        checks.finish()
    if "nmf" not in env.have:
        print("note: %s has no nmf.so: the cases of extract, consensus and crossval are skipped" % env.plugins)
    if env.root:
        print("note: running as root: the permission cases run as user nobody (uid %d)" % NOBODY)
    start = time.monotonic()
    for case in CASES:
        if a.only and not any(o in case.name for o in a.only):
            continue
        run_case(case, env, checks, a.verbose)
    if a.verbose:
        print("slowest cases (whole case / the run, seconds):")
        for whole, run, name in sorted(env.timings, reverse=True)[:12]:
            print("  %6.1f %6.1f  %s" % (whole, run, name))
    print("%d cases in %.0f s" % (len([c for c in CASES if not a.only or any(o in c.name for o in a.only)]),
                                  time.monotonic() - start))
    checks.finish()


if __name__ == "__main__":
    main()
