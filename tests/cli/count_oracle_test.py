#!/usr/bin/env python3
"""End-to-end test of `sigstream count` against the independent oracle in tests/data/make_count_cases.py.

Usage:  count_oracle_test.py --sigstream PATH/TO/sigstream --workdir DIR [--seed N] [--case NAME ...]

Standard library only (and tests/cli/e2e.py).

What it does
============
1. Runs the generator into DIR (which must be empty, absent, or a DIR of an earlier run of this test,
   recognised by the marker file .count_oracle_workdir; it is then wiped). The generator writes the
   genome, the VCF/BED/list inputs, cases.tsv, error_cases.tsv, bgzip.tsv and the expected outputs.
2. For each case of cases.tsv, makes the compressed files it needs (bgzip.tsv: X.gz / X.bgz from X;
   cases that need them are skipped, and reported, when `bgzip` is not installed — a failure under CI,
   which installs it), then runs, with DIR as the working directory:
       sigstream count --context sbs6,sbs96,sbs1536 --out-prefix DIR/out/CASE
                       --summary DIR/out/CASE.summary.tsv ARGUMENTS
   (ARGUMENTS include --ref; a trailing "< FILE" feeds FILE on standard input.) The case passes when
   the run exits 0 and out/CASE.{SBS6,SBS96,SBS1536,summary}.tsv are byte for byte the files in
   expected/. On a mismatch the first differing rows are printed per sample (channel, expected, got);
   expected/CASE.trace.tsv then tells what the oracle decided for every record.
3. For each case of error_cases.tsv, checks the exit status, that standard error is exactly one line
   starting with "sigstream count: ", and that no out/CASE.* file was left behind.

Prints `ok <kind> <case>` or `FAIL <kind> <case>:` and what differs, per case; the last line printed is
"N passed, M failed" (read by CI); the exit status is 1 if any case failed.
"""

import argparse
import gzip
import os
import shutil
import subprocess
import sys

import e2e

GENERATOR = os.path.join(e2e.ROOT, "tests", "data", "make_count_cases.py")
MARKER = ".count_oracle_workdir"
OUTPUTS = ("SBS6.tsv", "SBS96.tsv", "SBS1536.tsv", "summary.tsv")
ERROR_PREFIX = "sigstream count: "
CONTEXT_ARGUMENT = "sbs6,sbs96,sbs1536"
TIMEOUT = e2e.TIMEOUT  # seconds per run
MAX_ROWS_SHOWN = 8


# ---- setup -----------------------------------------------------------------------------------------

def prepare_workdir(workdir):
    if os.path.isdir(workdir) and os.listdir(workdir):
        if not os.path.exists(os.path.join(workdir, MARKER)):
            sys.exit(f"count_oracle_test.py: {workdir} is not empty and not a work directory of this test")
        shutil.rmtree(workdir)
    os.makedirs(os.path.join(workdir, "out"))
    open(os.path.join(workdir, MARKER), "w").close()


def read_table(path):
    """Rows of a TSV file as lists of fields (blank lines ignored); [] when there is no such file."""
    return e2e.read_tsv(path, skip_blank=True) if os.path.exists(path) else []


def split_stdin(argument_text):
    """('--ref g.fa - < vcf/x.vcf') -> (['--ref', 'g.fa', '-'], 'vcf/x.vcf')."""
    tokens = argument_text.split()
    if "<" in tokens:
        i = tokens.index("<")
        return tokens[:i], tokens[i + 1]
    return tokens, None


def make_compressed(workdir, target, bgzip):
    """Create target (X.gz or X.bgz) from X with bgzip, once."""
    full = os.path.join(workdir, target)
    if os.path.exists(full):
        return
    if full.endswith(".pgz.vcf.gz"):  # plain gzip, not BGZF: made with Python's gzip module
        with open(full[:-len(".pgz.vcf.gz")] + ".vcf", "rb") as src, gzip.open(full + ".tmp", "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(full + ".tmp", full)
        return
    source = full[:-len(".bgz")] if full.endswith(".bgz") else full[:-len(".gz")]
    with open(source, "rb") as src, open(full + ".tmp", "wb") as dst:
        subprocess.run([bgzip, "-c"], stdin=src, stdout=dst, check=True)
    os.replace(full + ".tmp", full)


def run_count(run, workdir, case, argument_text):
    """`sigstream count` of a case, in workdir; standard input is the case's "< FILE" (a file, which sigstream
    can seek), else /dev/null."""
    tokens, stdin_file = split_stdin(argument_text)
    prefix = os.path.join(workdir, "out", case)
    args = ["count", "--context", CONTEXT_ARGUMENT, "--out-prefix", prefix, "--summary", prefix + ".summary.tsv"]
    with open(os.path.join(workdir, stdin_file) if stdin_file else os.devnull, "rb") as stdin:
        return run(args + tokens, cwd=workdir, stdin=stdin)


# ---- comparison -----------------------------------------------------------------------------------

def describe_matrix_difference(expected, got):
    """Per sample, the first rows (channels) whose counts differ."""
    lines = []
    exp_header, got_header = expected[0], got[0] if got else []
    if exp_header != got_header:
        lines.append(f"    header: expected {exp_header}")
        lines.append(f"            got      {got_header}")
    exp_channels = [row[0] for row in expected[1:]]
    got_channels = [row[0] for row in got[1:]]
    if exp_channels != got_channels:
        for i, (e, g) in enumerate(zip(exp_channels + [None] * len(got_channels),
                                       got_channels + [None] * len(exp_channels))):
            if e != g:
                lines.append(f"    row order differs first at data row {i + 1}: expected {e}, got {g} "
                             f"({len(exp_channels)} rows expected, {len(got_channels)} got)")
                break
    got_rows = {row[0]: row for row in got[1:]}
    for column, sample in enumerate(exp_header[1:], start=1):
        if sample not in got_header:
            lines.append(f"    sample {sample}: column missing")
            continue
        got_column = got_header.index(sample)
        differences = []
        for row in expected[1:]:
            got_row = got_rows.get(row[0])
            got_value = got_row[got_column] if got_row and got_column < len(got_row) else "(none)"
            if got_value != row[column]:
                differences.append((row[0], row[column], got_value))
        if differences:
            lines.append(f"    sample {sample}: {len(differences)} row(s) differ")
            lines.append(f"      {'channel':<14}{'expected':>10}{'got':>10}")
            for channel, e, g in differences[:MAX_ROWS_SHOWN]:
                lines.append(f"      {channel:<14}{e:>10}{g:>10}")
            if len(differences) > MAX_ROWS_SHOWN:
                lines.append(f"      ... {len(differences) - MAX_ROWS_SHOWN} more")
    return lines


def describe_summary_difference(expected, got):
    """Per sample (row), the columns whose values differ."""
    lines = []
    header = expected[0]
    got_header = got[0] if got else []
    if header != got_header:
        lines.append(f"    header: expected {header}")
        lines.append(f"            got      {got_header}")
    if [row[0] for row in expected[1:]] != [row[0] for row in got[1:]]:
        lines.append(f"    samples: expected {[row[0] for row in expected[1:]]}, got {[row[0] for row in got[1:]]}")
    got_rows = {row[0]: row for row in got[1:]}
    for row in expected[1:]:
        got_row = got_rows.get(row[0])
        if got_row is None:
            continue
        differences = []
        for i, column in enumerate(header[1:], start=1):
            got_i = got_header.index(column) if column in got_header else None
            got_value = got_row[got_i] if got_i is not None and got_i < len(got_row) else "(none)"
            if got_value != row[i]:
                differences.append((column, row[i], got_value))
        if differences:
            lines.append(f"    sample {row[0]}:")
            lines.append(f"      {'column':<18}{'expected':>10}{'got':>10}")
            for column, e, g in differences:
                lines.append(f"      {column:<18}{e:>10}{g:>10}")
    return lines


def describe_byte_difference(expected_bytes, got_bytes):
    """For files whose fields agree but bytes do not (line ends, spacing, final newline)."""
    exp_lines = expected_bytes.split(b"\n")
    got_lines = got_bytes.split(b"\n")
    for i, (e, g) in enumerate(zip(exp_lines, got_lines)):
        if e != g:
            return [f"    bytes differ at line {i + 1}: expected {e[:80]!r}, got {g[:80]!r}"]
    return [f"    bytes differ at the end of the file: expected {len(exp_lines)} '\\n'-separated parts, "
            f"got {len(got_lines)} (a missing or extra final newline?)"]


def compare_output(expected_path, got_path):
    """[] when identical, else lines describing the difference."""
    if not os.path.exists(got_path):
        return [f"  {os.path.basename(got_path)}: not written"]
    with open(expected_path, "rb") as f:
        expected_bytes = f.read()
    with open(got_path, "rb") as f:
        got_bytes = f.read()
    if expected_bytes == got_bytes:
        return []
    expected, got = read_table(expected_path), read_table(got_path)
    if got_path.endswith("summary.tsv"):
        details = describe_summary_difference(expected, got)
    else:
        details = describe_matrix_difference(expected, got)
    if not details:
        details = describe_byte_difference(expected_bytes, got_bytes)
    return [f"  {os.path.basename(got_path)} differs from expected/{os.path.basename(expected_path)}:"] + details


def show_stderr(stderr, indent="    "):
    text = stderr.rstrip("\n")
    return [indent + line for line in text.split("\n")] if text else [indent + "(empty)"]


# ---- cases ----------------------------------------------------------------------------------------

def run_or_explain(run, workdir, case, argument_text):
    """(completed process, None) or (None, problem lines) when the binary could not be run to the end."""
    try:
        return run_count(run, workdir, case, argument_text), None
    except subprocess.TimeoutExpired:
        return None, [f"  no exit within {TIMEOUT} s"]
    except OSError as e:
        return None, [f"  could not run {run.exe}: {e}"]


def check_case(run, workdir, case, argument_text):
    """[] when the case's outputs are the expected ones, else lines describing what is wrong."""
    result, problems = run_or_explain(run, workdir, case, argument_text)
    if result is None:
        return problems
    if result.returncode != 0:
        return [f"  exit status {result.returncode}, expected 0; stderr:"] + show_stderr(result.stderr)
    problems = []
    for suffix in OUTPUTS:
        problems += compare_output(os.path.join(workdir, "expected", f"{case}.{suffix}"),
                                   os.path.join(workdir, "out", f"{case}.{suffix}"))
    if problems:
        problems.append(f"  (the oracle's decision for every record: expected/{case}.trace.tsv)")
    return problems


def check_error_case(run, workdir, case, expected_status, argument_text):
    """[] when the case fails as it should (status, one line on stderr, no output left), else what is wrong."""
    result, problems = run_or_explain(run, workdir, case, argument_text)
    if result is None:
        return problems
    problems = []
    if result.returncode != expected_status:
        problems.append(f"  exit status {result.returncode}, expected {expected_status}")
    stderr_lines = result.stderr.splitlines()
    if len(stderr_lines) != 1 or not stderr_lines[0].startswith(ERROR_PREFIX):
        problems.append(f"  standard error should be one line starting with {ERROR_PREFIX!r}; it was:")
        problems += show_stderr(result.stderr)
    left = sorted(name for name in os.listdir(os.path.join(workdir, "out"))
                  if name == case or name.startswith(case + "."))
    if left:
        problems.append(f"  output left behind: {', '.join(left)}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigstream", required=True, help="the sigstream binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (wiped and re-created if it is this test's)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--case", action="append", help="run only this case (repeatable)")
    a = ap.parse_args()
    exe = os.path.abspath(a.sigstream)
    work = os.path.abspath(a.workdir)
    if not os.access(exe, os.X_OK):
        sys.exit(f"count_oracle_test.py: {exe} is not an executable")
    prepare_workdir(work)
    subprocess.run([sys.executable, GENERATOR, work, "--seed", str(a.seed)], check=True)
    run = e2e.Runner(exe, timeout=TIMEOUT)
    checks = e2e.Checks(detail_limit=None)

    def report(name, problems):
        checks.check(name, not problems, "\n" + "\n".join(problems))

    cases = read_table(os.path.join(work, "cases.tsv"))
    error_cases = read_table(os.path.join(work, "error_cases.tsv"))
    bgzip_needs = {row[0]: row[1].split() for row in read_table(os.path.join(work, "bgzip.tsv"))}
    bgzip = shutil.which("bgzip")
    wanted = set(a.case) if a.case else None

    for case, argument_text in cases:
        if wanted is not None and case not in wanted:
            continue
        if case in bgzip_needs:
            if bgzip is None:
                if os.environ.get("CI"):  # CI installs tabix: a missing bgzip there is a set-up defect
                    report("case " + case, ["    bgzip not found under CI (install Debian's tabix package)"])
                    continue
                checks.skip(f"case {case}: bgzip not found (install Debian's tabix package)")
                continue
            for target in bgzip_needs[case]:
                make_compressed(work, target, bgzip)
        report("case " + case, check_case(run, work, case, argument_text))

    for case, status, argument_text in error_cases:
        if wanted is not None and case not in wanted:
            continue
        report("error case " + case, check_error_case(run, work, case, int(status), argument_text))

    checks.finish()


if __name__ == "__main__":
    main()
