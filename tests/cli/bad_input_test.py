#!/usr/bin/env python3
"""End-to-end test: `sigstream count` fails cleanly on bad input.

Usage: bad_input_test.py --sigstream PATH --workdir DIR

The script writes its own small inputs into DIR/inputs (a FASTA, valid VCFs, broken variants of them)
and runs one case per kind of bad input. Every failing run must
  * exit with the expected status (1 = bad data or failed run, 2 = usage error; never a crash),
  * print exactly one line on stderr: `sigstream count: <file>:<line>: <what> — <what to do>`
    (the file, and the line number, where the case knows them), and nothing on stdout,
  * leave no output file behind, nor a temporary `.NAME.tmp.XXXXXX` file anywhere.
Each case runs in its own folder DIR/cases/<name>/out, which is also the working directory and the folder
the outputs are sent to; it must be empty afterwards.

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` or `FAIL <name>: reason` per case and
a final `N passed, M failed` line; exits with status 1 when any case failed.
"""

import argparse
import gzip
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

import e2e

PREFIX = "sigstream count: "
DASH = e2e.DASH  # the em dash between the problem and the advice
TIMEOUT = 60  # seconds per run

# ---------------------------------------------------------------------------------------------------
# Test inputs
# ---------------------------------------------------------------------------------------------------

CONTIGS = [("chr1", 20000), ("chr2", 1000)]
VCF_HEADER = [
    "##fileformat=VCFv4.2",
    "##contig=<ID=chr1,length=20000>",
    "##contig=<ID=chr2,length=1000>",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
]
FIRST_RECORD_LINE = len(VCF_HEADER) + 1  # 1-based line number of the first record

# The 28-byte empty block that ends every BGZF file.
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def make_genome(seed=1):
    rng = random.Random(seed)
    return {name: "".join(rng.choice("ACGT") for _ in range(length)) for name, length in CONTIGS}


def fasta_text(genome, width=60):
    lines = []
    for name, seq in genome.items():
        lines.append(">" + name)
        lines.extend(seq[i:i + width] for i in range(0, len(seq), width))
    return "\n".join(lines) + "\n"


def snv_line(genome, chrom, pos, info=".", wrong_ref=False):
    """A VCF record of an SNV at 1-based `pos` whose REF agrees with the genome (unless wrong_ref)."""
    ref = genome[chrom][pos - 1]
    others = [b for b in "ACGT" if b != ref]
    alt = others[pos % 3]
    if wrong_ref:  # a REF that is not the genome's base, and not the ALT either
        ref = [b for b in others if b != alt][0]
    return "\t".join([chrom, str(pos), ".", ref, alt, ".", "PASS", info])


def vcf_text(records):
    return "\n".join(VCF_HEADER + list(records)) + "\n"


def bgzf_compress(data, chunk=0xFF00):
    """BGZF written by hand (what `bgzip` does): gzip members of at most 64 KiB carrying the BC field."""
    out = bytearray()
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(piece) + comp.flush()
        block_size = 18 + len(cdata) + 8
        out += b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
        out += struct.pack("<H", block_size - 1)
        out += cdata + struct.pack("<II", zlib.crc32(piece) & 0xFFFFFFFF, len(piece))
    return bytes(out) + BGZF_EOF


def bgzf_blocks(data):
    """(offset, length) of each BGZF block of `data`, the final EOF block included."""
    blocks, off = [], 0
    while off < len(data):
        if data[off:off + 4] != b"\x1f\x8b\x08\x04":
            raise ValueError("not a BGZF block at byte %d" % off)
        xlen = struct.unpack_from("<H", data, off + 10)[0]
        extra, i, bsize = data[off + 12:off + 12 + xlen], 0, None
        while i + 4 <= len(extra):
            slen = struct.unpack_from("<H", extra, i + 2)[0]
            if extra[i:i + 2] == b"BC" and slen == 2:
                bsize = struct.unpack_from("<H", extra, i + 4)[0]
            i += 4 + slen
        if bsize is None:
            raise ValueError("BGZF block at byte %d has no BC field" % off)
        blocks.append((off, bsize + 1))
        off += bsize + 1
    return blocks


class Inputs:
    """Writes every input file once; the cases refer to them by attribute."""

    def __init__(self, folder):
        self.dir = folder
        os.makedirs(folder)
        g = self.genome = make_genome()
        self.ref = self.write("genome.fa", fasta_text(g))
        good = [snv_line(g, "chr1", p) for p in range(100, 4000, 97)]
        self.good_vcf = self.write("good.vcf", vcf_text(good))
        self.good2_vcf = self.write("good2.vcf", vcf_text(good[:10]))

        # A bgzipped VCF of several BGZF blocks, to cut in various places.
        info = "DP=%d;NOTE=padding_to_make_the_file_span_several_bgzf_blocks"
        big = [snv_line(g, "chr1", p, info % (p % 97)) for p in range(2, 19990, 3)]
        text = vcf_text(big).encode()
        self.bgzip_tool = shutil.which("bgzip")
        if self.bgzip_tool:
            plain = self.write("big.vcf", text)
            data = subprocess.run([self.bgzip_tool, "-c", plain], stdout=subprocess.PIPE, check=True).stdout
        else:
            data = bgzf_compress(text)
        self.big_vcf_gz = self.write("big.vcf.gz", data)
        self.big_blocks = bgzf_blocks(data)
        if len(self.big_blocks) < 4 or data[-28:] != BGZF_EOF:
            raise RuntimeError("big.vcf.gz should have at least 3 data blocks and an EOF block")
        self.big_data = data

    def write(self, name, content):
        return e2e.write(os.path.join(self.dir, name), content)


# ---------------------------------------------------------------------------------------------------
# Running sigstream and checking a failure
# ---------------------------------------------------------------------------------------------------


class Failure(Exception):
    pass


class Env:
    """The inputs, and the current case's folders; runs `sigstream count` in the case's output folder."""

    def __init__(self, exe, workdir):
        self.runner = e2e.Runner(exe, timeout=TIMEOUT)
        self.workdir = workdir
        for sub in ("inputs", "cases"):  # leave anything else in the folder alone
            shutil.rmtree(os.path.join(self.workdir, sub), ignore_errors=True)
        self.inp = Inputs(os.path.join(self.workdir, "inputs"))
        self.case_dir = None
        self.out_dir = None
        self.last_message = ""

    def start_case(self, name):
        self.case_dir = os.path.join(self.workdir, "cases", name)
        self.out_dir = os.path.join(self.case_dir, "out")
        os.makedirs(self.out_dir)
        self.last_message = ""

    def out(self, name="out.tsv"):
        return os.path.join(self.out_dir, name)

    def file(self, name, content):
        """Writes a case's own input file next to (not inside) its output folder."""
        return e2e.write(os.path.join(self.case_dir, name), content)

    def run(self, args, stdin=b""):
        """(exit status, stdout, stderr) of `sigstream count args...` with `stdin` piped in."""
        args = ["count"] + list(args)
        try:
            p = self.runner(args, cwd=self.out_dir, stdin=stdin)
        except subprocess.TimeoutExpired:
            raise Failure("no answer within %d s: sigstream %s" % (TIMEOUT, " ".join(args)))
        return p.returncode, p.stdout, p.stderr

    def leftovers(self, keep=()):
        """Files left in the case's output folder (but those in `keep`), and temporary files elsewhere."""
        found = sorted(f for f in os.listdir(self.out_dir) if f not in keep)
        for top in (self.case_dir, self.inp.dir):
            for folder, _, files in os.walk(top):
                for f in files:
                    if ".tmp." in f and folder != self.out_dir:
                        found.append(os.path.relpath(os.path.join(folder, f), self.workdir))
        return found

    def default_args(self, *inputs):
        """A run that would succeed: --ref, --out and --summary into the case's output folder."""
        return ["--ref", self.inp.ref, "--out", self.out(), "--summary", self.out("summary.tsv")] + list(inputs)


def expect_failure(env, args, status, file=None, line=None, mentions=(), stdin=b"", keep=()):
    """Runs sigstream and checks the failure contract.

    status:   the exit status required (an int, or a tuple of the accepted ones)
    file:     the path the message must name, right after `sigstream count: ` (as `<file>:`)
    line:     the line number that must follow it (`<file>:<line>: `)
    mentions: further strings the message must contain (an option, a value, advice)
    keep:     names in the output folder that the case put there itself
    """
    code, out, err = env.run(args, stdin)
    problems = []
    accepted = status if isinstance(status, tuple) else (status,)
    if code < 0:
        problems.append("crashed (signal %d)" % -code)
    elif code not in accepted:
        problems.append("exit status %d, expected %s" % (code, " or ".join(map(str, accepted))))
    lines = err.splitlines()
    if len(lines) != 1:
        problems.append("%d lines on stderr, expected 1" % len(lines))
    msg = lines[0] if lines else ""
    if lines:
        if not msg.startswith(PREFIX):
            problems.append("message does not start with %r" % PREFIX)
        if file is not None:
            where = PREFIX + file + (":%d: " % line if line is not None else ":")
            if not msg.startswith(where):
                problems.append("message does not start with %r" % where)
        if DASH not in msg or not msg.split(DASH, 1)[1].strip():
            problems.append("no ' \u2014 <advice>' in the message")
        for m in mentions:
            if m not in msg:
                problems.append("message does not mention %r" % m)
    if out:
        problems.append("%d bytes on stdout" % len(out))
    left = env.leftovers(keep)
    if left:
        problems.append("left behind: " + ", ".join(left))
    env.last_message = msg
    if problems:
        raise Failure("; ".join(problems) + "\n    command: sigstream count " + " ".join(args) +
                      "\n    status %d, stderr: %s" % (code, err.rstrip("\n").replace("\n", "\n            ")))


def expect_success(env, args, outputs):
    code, _, err = env.run(args)
    if code != 0:
        raise Failure("exit status %d: %s" % (code, err.strip()))
    missing = [o for o in outputs if not os.path.isfile(o)]
    if missing:
        raise Failure("outputs not written: " + ", ".join(missing))


# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# Controls: the inputs the other cases break are themselves fine.

@case
def control_plain_vcf_succeeds(env):
    expect_success(env, env.default_args(env.inp.good_vcf), [env.out(), env.out("summary.tsv")])
    for f in os.listdir(env.out_dir):
        os.remove(os.path.join(env.out_dir, f))


@case
def control_bgzipped_vcf_succeeds(env):
    expect_success(env, env.default_args(env.inp.big_vcf_gz), [env.out(), env.out("summary.tsv")])
    for f in os.listdir(env.out_dir):
        os.remove(os.path.join(env.out_dir, f))


# Missing or unreadable files.

@case
def missing_input_file(env):
    missing = os.path.join(env.case_dir, "no_such.vcf")
    expect_failure(env, env.default_args(missing), 1, file=missing)


@case
def missing_reference_fasta(env):
    missing = os.path.join(env.case_dir, "no_such.fa")
    args = ["--ref", missing, "--out", env.out(), env.inp.good_vcf]
    expect_failure(env, args, 1, file=missing)


@case
def reference_is_a_folder(env):
    args = ["--ref", env.case_dir, "--out", env.out(), env.inp.good_vcf]
    expect_failure(env, args, 1, file=env.case_dir)


@case
def gzip_not_bgzip_reference(env):
    ref = env.file("genome.fa.gz", gzip.compress(fasta_text(env.inp.genome).encode()))
    args = ["--ref", ref, "--out", env.out(), env.inp.good_vcf]
    expect_failure(env, args, 1, file=ref, mentions=["bgzip"])


@case
def list_names_a_missing_vcf(env):
    missing = os.path.join(env.case_dir, "gone.vcf")
    lst = env.file("inputs.txt", "%s\tA\n%s\tB\n" % (env.inp.good_vcf, missing))
    expect_failure(env, env.default_args("--list", lst), 1, file=missing)


@case
def list_of_one_missing_vcf(env):
    missing = os.path.join(env.case_dir, "gone.vcf")
    lst = env.file("inputs.txt", missing + "\n")
    expect_failure(env, env.default_args("--list", lst), 1, file=missing)


@case
def missing_list_file(env):
    lst = os.path.join(env.case_dir, "no_such_list.txt")
    expect_failure(env, env.default_args("--list", lst), 1, file=lst)


# Not a VCF at all.

@case
def fasta_given_as_input(env):
    expect_failure(env, env.default_args(env.inp.ref), 1, file=env.inp.ref)


@case
def random_text_given_as_input(env):
    path = env.file("notes.vcf", "Dear colleague,\nplease find the variants attached.\n")
    expect_failure(env, env.default_args(path), 1, file=path)


@case
def random_bytes_given_as_input(env):
    path = env.file("junk.vcf", bytes(random.Random(7).randrange(256) for _ in range(4000)))
    expect_failure(env, env.default_args(path), 1, file=path)


@case
def empty_file(env):
    path = env.file("empty.vcf", b"")
    expect_failure(env, env.default_args(path), 1, file=path)


@case
def header_without_chrom_line(env):
    path = env.file("headless.vcf", "\n".join(VCF_HEADER[:3]) + "\n")
    expect_failure(env, env.default_args(path), 1, file=path)


# Truncated bgzip files. The message must say so: the last line read is cut short too, and blaming it as
# a malformed record ("fix or remove this line") would send the user the wrong way.

@case
def bgzip_cut_in_the_middle_of_a_block(env):
    offset, length = env.inp.big_blocks[2]  # a data block well after the header
    path = env.file("cut_mid.vcf.gz", env.inp.big_data[:offset + length // 2])
    expect_failure(env, env.default_args(path), 1, file=path, mentions=["truncated"])


@case
def bgzip_cut_at_a_block_boundary(env):
    offset, _ = env.inp.big_blocks[2]  # two whole data blocks, then nothing (no EOF marker)
    path = env.file("cut_boundary.vcf.gz", env.inp.big_data[:offset])
    expect_failure(env, env.default_args(path), 1, file=path, mentions=["truncated"])


@case
def bgzip_missing_only_the_eof_marker(env):
    path = env.file("no_eof.vcf.gz", env.inp.big_data[:-len(BGZF_EOF)])
    expect_failure(env, env.default_args(path), 1, file=path, mentions=["truncated"])


@case
def bgzip_cut_at_a_block_boundary_through_a_pipe(env):
    # A pipe cannot seek to look for the end-of-file marker: the last block read must be that marker.
    offset, _ = env.inp.big_blocks[2]
    args = ["--ref", env.inp.ref, "--out", env.out(), "--sample", "S", "-"]
    expect_failure(env, args, 1, file="<stdin>", mentions=["truncated"], stdin=env.inp.big_data[:offset])


@case
def two_outputs_to_one_file(env):
    args = ["--ref", env.inp.ref, "--out", env.out(), "--summary", env.out(), env.inp.good_vcf]
    expect_failure(env, args, 2, mentions=["same place"])


@case
def summary_and_matrix_both_on_stdout(env):
    args = ["--ref", env.inp.ref, "--summary", "/dev/stdout", env.inp.good_vcf]
    expect_failure(env, args, 2, mentions=["same place"])


@case
def list_with_three_columns(env):
    lst = env.file("three.tsv", (env.inp.good_vcf + "\tA\tbatch1\n").encode())
    args = ["--ref", env.inp.ref, "--out", env.out(), "--list", lst]
    expect_failure(env, args, 1, file=lst, line=1, mentions=["two TAB-separated columns"])


# Malformed records: the message carries the line of the bad record.

def vcf_with_bad_line(env, bad, index=5):
    """A valid VCF whose record number `index` (0-based) is replaced by `bad`; returns (text, line)."""
    g = env.inp.genome
    records = [snv_line(g, "chr1", p) for p in range(200, 2000, 150)]
    records[index] = bad
    return vcf_text(records), FIRST_RECORD_LINE + index


@case
def record_with_fewer_than_8_columns(env):
    text, line = vcf_with_bad_line(env, "chr1\t1000\t.\tA\tC\t.\tPASS")
    path = env.file("seven_columns.vcf", text)
    expect_failure(env, env.default_args(path), 1, file=path, line=line)


@case
def record_separated_by_spaces(env):
    text, line = vcf_with_bad_line(env, "chr1 1000 . A C . PASS .")
    path = env.file("spaces.vcf", text)
    expect_failure(env, env.default_args(path), 1, file=path, line=line)


@case
def record_with_non_numeric_pos(env):
    text, line = vcf_with_bad_line(env, "chr1\t1O00\t.\tA\tC\t.\tPASS\t.")
    path = env.file("bad_pos.vcf", text)
    expect_failure(env, env.default_args(path), 1, file=path, line=line, mentions=["1O00"])


@case
def record_with_non_numeric_pos_in_bgzip(env):
    text, line = vcf_with_bad_line(env, "chr1\tabc\t.\tA\tC\t.\tPASS\t.", index=8)
    path = env.file("bad_pos.vcf.gz", bgzf_compress(text.encode()))
    expect_failure(env, env.default_args(path), 1, file=path, line=line, mentions=["abc"])


# Well-formed data that cannot give a sound answer.

@case
def wrong_genome_build(env):
    g = env.inp.genome
    # 40 SNVs, 10 of them (25 %) with a REF that disagrees with the FASTA.
    records = [snv_line(g, "chr1", p, wrong_ref=(i % 4 == 0)) for i, p in enumerate(range(300, 12300, 300))]
    path = env.file("other_build.vcf", vcf_text(records))
    expect_failure(env, env.default_args(path), 1, file=path)


@case
def wrong_reference_contigs(env):
    records = ["chr9\t%d\t.\tC\tT\t.\tPASS\t." % p for p in range(100, 2000, 100)]
    path = env.file("other_contigs.vcf", vcf_text(records))
    expect_failure(env, env.default_args(path), 1, file=path)


# Output paths that cannot be written.

@case
def out_in_missing_folder(env):
    out = os.path.join(env.case_dir, "missing", "out.tsv")
    expect_failure(env, ["--ref", env.inp.ref, "--out", out, env.inp.good_vcf], 1, file=out)


@case
def out_prefix_in_missing_folder(env):
    prefix = os.path.join(env.case_dir, "missing", "cohort")
    args = ["--ref", env.inp.ref, "--out-prefix", prefix, "--context", "sbs6,sbs96", env.inp.good_vcf]
    expect_failure(env, args, 1, file=prefix + ".SBS6.tsv")


@case
def summary_in_missing_folder(env):
    summary = os.path.join(env.case_dir, "missing", "summary.tsv")
    args = ["--ref", env.inp.ref, "--out", env.out(), "--summary", summary, env.inp.good_vcf]
    expect_failure(env, args, 1, file=summary)


@case
def out_is_an_existing_folder(env):
    folder = os.path.join(env.out_dir, "taken")
    os.makedirs(folder)
    args = ["--ref", env.inp.ref, "--out", folder, env.inp.good_vcf]
    try:
        expect_failure(env, args, 1, file=folder, keep=[os.path.basename(folder)])
    finally:
        os.rmdir(folder)


@case
def summary_is_an_existing_folder(env):
    # The matrix could be written, the summary cannot: neither may be left behind.
    folder = os.path.join(env.out_dir, "taken")
    os.makedirs(folder)
    args = ["--ref", env.inp.ref, "--out", env.out(), "--summary", folder, env.inp.good_vcf]
    try:
        expect_failure(env, args, 1, file=folder, keep=[os.path.basename(folder)])
    finally:
        os.rmdir(folder)


@case
def out_prefix_second_matrix_is_an_existing_folder(env):
    prefix = env.out("cohort")
    folder = prefix + ".SBS96.tsv"
    os.makedirs(folder)
    args = ["--ref", env.inp.ref, "--out-prefix", prefix, "--context", "sbs6,sbs96", env.inp.good_vcf]
    try:
        expect_failure(env, args, 1, file=folder, keep=[os.path.basename(folder)])
    finally:
        os.rmdir(folder)


# Usage errors (exit status 2): the message names the offending option or value.

def usage_error(env, extra, mentions, inputs=None):
    inputs = [env.inp.good_vcf] if inputs is None else inputs
    expect_failure(env, env.default_args(*extra) + inputs, 2, mentions=mentions)


@case
def unknown_option(env):
    usage_error(env, ["--frobnicate"], ["--frobnicate"])


@case
def option_without_its_value(env):
    expect_failure(env, [env.inp.good_vcf, "--ref"], 2, mentions=["--ref"])


@case
def threads_zero(env):
    usage_error(env, ["--threads", "0"], ["--threads 0 "])


@case
def threads_not_a_number(env):
    usage_error(env, ["--threads", "abc"], ["--threads", "abc"])


@case
def unknown_context(env):
    usage_error(env, ["--context", "sbs7"], ["sbs7"])


@case
def adjacent_snvs_bad_value(env):
    usage_error(env, ["--adjacent-snvs", "maybe"], ["maybe"])


@case
def pass_only_with_all_filters(env):
    usage_error(env, ["--pass-only", "--all-filters"], ["--pass-only", "--all-filters"])


@case
def several_contexts_without_out_prefix(env):
    usage_error(env, ["--context", "sbs6,sbs96"], ["--out-prefix"])


@case
def out_with_out_prefix(env):
    usage_error(env, ["--out-prefix", env.out("cohort")], ["--out", "--out-prefix"])


@case
def sample_with_two_inputs(env):
    usage_error(env, ["--sample", "S1"], ["--sample"], inputs=[env.inp.good_vcf, env.inp.good2_vcf])


@case
def stdin_without_sample(env):
    with open(env.inp.good_vcf, "rb") as f:
        vcf = f.read()
    expect_failure(env, env.default_args("-"), 2, file="<stdin>", mentions=["--sample"], stdin=vcf)


@case
def stdin_without_sample_nothing_piped(env):
    # The usage error does not depend on what arrives on standard input.
    expect_failure(env, env.default_args("-"), 2, file="<stdin>", mentions=["--sample"], stdin=b"")


@case
def no_inputs(env):
    usage_error(env, [], ["input"], inputs=[])


@case
def no_ref(env):
    args = ["--out", env.out(), env.inp.good_vcf]
    expect_failure(env, args, 2, mentions=["--ref"])


@case
def max_ref_mismatch_above_one(env):
    usage_error(env, ["--max-ref-mismatch", "1.5"], ["--max-ref-mismatch", "1.5"])


@case
def max_ref_mismatch_not_a_number(env):
    usage_error(env, ["--max-ref-mismatch", "five%"], ["--max-ref-mismatch", "five%"])


@case
def config_invalid_toml(env):
    config = env.file("bad.toml", 'threads = 2\nquiet = true\ncontext = "sbs96\n')  # unterminated string
    expect_failure(env, env.default_args("--config", config, env.inp.good_vcf), 2, file=config, line=3)


@case
def config_unknown_key(env):
    config = env.file("unknown.toml", 'threads = 2\ncolour = "blue"\n')
    expect_failure(env, env.default_args("--config", config, env.inp.good_vcf), 2, file=config,
                   mentions=["colour"])


@case
def config_bad_value(env):
    config = env.file("bad_value.toml", "threads = 0\n")
    expect_failure(env, env.default_args("--config", config, env.inp.good_vcf), 2, mentions=["threads"])


@case
def config_missing_file(env):
    config = os.path.join(env.case_dir, "no_such.toml")
    expect_failure(env, env.default_args("--config", config, env.inp.good_vcf), 2, file=config)


# ---------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="folder for the test's files (its inputs/ and cases/ are replaced)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also show the message of each passing case")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = os.path.abspath(a.workdir)
    if not os.access(exe, os.X_OK):
        sys.exit("bad_input_test.py: %s is not an executable" % exe)
    checks = e2e.Checks(detail_limit=None)

    env = Env(exe, work)
    if not env.inp.bgzip_tool:
        print("note: bgzip not found; the bgzipped inputs are BGZF written by this script")
    for fn in CASES:
        env.start_case(fn.__name__)
        try:
            fn(env)
        except Failure as e:
            checks.check(fn.__name__, False, e)
        else:
            checks.check(fn.__name__, True)
            if a.verbose and env.last_message:
                print("    " + env.last_message)
    checks.finish()


if __name__ == "__main__":
    main()
