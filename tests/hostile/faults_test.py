#!/usr/bin/env python3
"""End-to-end test: faults during a run — a full file system, the output folder removed mid-run, SIGTERM and SIGINT
during `count`, `extract` and `crossval`.

Usage: faults_test.py --sigstream PATH --workdir DIR --plugins DIR

For every fault: a non-zero exit status (1 for a failed write, 128 + N for signal N), exactly one line on stderr
saying what happened, nothing on stdout, no output file, no partial or temporary file anywhere (`.NAME.tmp.XXXXXX`
files and folders included), and a rerun without the fault succeeds. The full file system is a 16 KiB tmpfs the
test mounts (root only; skipped with a message elsewhere). The inputs are the bundled example (data/example).

Standard library only (and tests/cli/e2e.py). Prints `ok <name>` / `FAIL <name>: reason` / `skipped: …` and the
summary; exit 0, 1, or 77 when nothing could run.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import e2e  # noqa: E402

EXAMPLE = os.path.join(e2e.ROOT, "data", "example")
SIGNALS = [("SIGTERM", signal.SIGTERM), ("SIGINT", signal.SIGINT)]
STOP_WITHIN = 20 if "ASAN_OPTIONS" in os.environ else 5  # seconds from the signal to the exit (ASan is slower)


def litter(*folders):
    """Every temporary name (a '.tmp.' or '.sigstream-' entry) under the folders."""
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            found += [os.path.join(root, n) for n in dirs + files if ".tmp." in n or n.startswith(".sigstream-")]
    return found


def one_line(r, status, words):
    lines = r.stderr.splitlines()
    ok = r.returncode == status and len(lines) == 1 and all(w in lines[0] for w in words) and r.stdout == ""
    return ok, "exit %s, stderr %r" % (r.returncode, r.stderr)


class Interrupted:
    """Starts `argv`, sends `sig` once the process has run `after` seconds, and waits for it (at most 60 s)."""

    def __init__(self, argv, sig, after, env):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(after)
        self.still_running = p.poll() is None
        p.send_signal(sig)
        start = time.monotonic()
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        self.seconds = time.monotonic() - start
        self.returncode, self.stdout, self.stderr = p.returncode, out.decode(), err.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigstream", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--plugins", required=True)
    args = ap.parse_args()
    checks = e2e.Checks()
    work = e2e.fresh_folder(os.path.abspath(args.workdir))
    env = e2e.plugin_env(args.plugins)
    run = e2e.Runner(os.path.abspath(args.sigstream), env)
    exe = os.path.abspath(args.sigstream)

    # Inputs: the example's reference and VCFs, their matrix, and a list naming them 40 000 times (a count of ~60
    # million records, ~10 s).
    inputs = e2e.fresh_folder(os.path.join(work, "inputs"))
    ref = os.path.join(inputs, "genome.fa")
    shutil.copy(os.path.join(EXAMPLE, "genome.fa"), ref)
    vcfs = sorted(os.path.join(EXAMPLE, n) for n in os.listdir(EXAMPLE) if n.endswith(".vcf.gz"))
    matrix = os.path.join(inputs, "example.tsv")
    r = run(["count", "--quiet", "--ref", ref, "--out", matrix] + vcfs)
    if not checks.check("count the example", r.returncode == 0, r.stderr):
        checks.finish()
    long_list = e2e.write(os.path.join(inputs, "long.list"),
                          "".join("%s\tS%06d\n" % (vcfs[i % len(vcfs)], i) for i in range(40000)))

    # The long runs each fault interrupts (a few seconds to minutes without the fault), each with its output.
    def count_job(out):
        return ["count", "--ref", ref, "--list", long_list, "--out", os.path.join(out, "m.tsv")]

    def extract_job(out):
        return ["extract", "--matrix", matrix, "--out-dir", os.path.join(out, "run"), "--k-range", "2:6",
                "--replicates", "40", "--tol", "0", "--max-iter", "20000"]

    def crossval_job(out):
        return ["crossval", "--matrix", matrix, "--k", "3", "--splits", "30", "--tol", "0", "--max-iter", "50000",
                "--out-dir", os.path.join(out, "cv")]

    jobs = [("count", count_job, 1.0), ("extract", extract_job, 2.0), ("crossval", crossval_job, 2.0)]

    # ------------------------------------------------------------------ 1. SIGTERM and SIGINT
    for command, job, after in jobs:
        for name, sig in SIGNALS:
            case = "%s stopped by %s" % (command, name)
            out = e2e.fresh_folder(os.path.join(work, "signal", command + "_" + name))
            r = Interrupted([exe] + job(out), sig, after, env)
            if not r.still_running:
                checks.check(case, False, "the run ended before the signal (%s): make it longer" % r.stderr)
                continue
            last = r.stderr.splitlines()[-1] if r.stderr else ""
            ok = (r.returncode == 128 + int(sig) and last == "sigstream %s: stopped by %s; no output was written %s"
                  "rerun the command to do the work" % (command, name, "\u2014 ") and r.stdout == "")
            checks.check(case + ": exit 128 + signal, one line", ok, "exit %s, last line %r" % (r.returncode, last))
            checks.check(case + ": within %d s of the signal" % STOP_WITHIN, r.seconds < STOP_WITHIN,
                         "%.1f s" % r.seconds)
            checks.check(case + ": nothing left", os.listdir(out) == [] and not litter(out, inputs),
                         os.listdir(out) + litter(out, inputs))
    # a rerun succeeds (a short one: the fault left nothing in its way)
    out = e2e.fresh_folder(os.path.join(work, "signal", "rerun"))
    r = run(["extract", "--quiet", "--matrix", matrix, "--out-dir", os.path.join(out, "run"), "--k", "3",
             "--replicates", "4", "--max-iter", "500"])
    checks.check("a rerun after the signals succeeds", r.returncode == 0 and os.path.isfile(
        os.path.join(out, "run", "signatures.tsv")), r.stderr)

    # ------------------------------------------------------------------ 2. the output folder removed mid-run
    gone = os.path.join(work, "gone")
    os.makedirs(gone)
    p = subprocess.Popen([exe, "extract", "--quiet", "--matrix", matrix, "--out-dir", os.path.join(gone, "run"),
                          "--k-range", "2:4", "--replicates", "20", "--tol", "0", "--max-iter", "6000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # ~3 s
    time.sleep(1.0)
    running = p.poll() is None
    shutil.rmtree(gone)
    out_text, err_text = p.communicate(timeout=600)
    r = subprocess.CompletedProcess(p.args, p.returncode, out_text.decode(), err_text.decode())
    ok, detail = one_line(r, 1, ["sigstream extract: ", gone, "No such file or directory"])
    checks.check("extract whose output folder is removed mid-run: exit 1, one line", running and ok, detail)
    checks.check("... and the folder is not made again", not os.path.exists(gone), os.path.exists(gone))
    os.makedirs(gone)
    r = run(["extract", "--quiet", "--matrix", matrix, "--out-dir", os.path.join(gone, "run"), "--k", "3",
             "--replicates", "4", "--max-iter", "500"])
    checks.check("... a rerun succeeds", r.returncode == 0, r.stderr)

    # ------------------------------------------------------------------ 3. a full file system
    full = e2e.fresh_folder(os.path.join(work, "full"))
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", full],
                                                   capture_output=True).returncode == 0
    if not mounted:
        checks.skip("a full file system: mounting a 16 KiB tmpfs needs root (and a kernel that lets it)")
    else:
        try:
            cases = [
                ("count --out-prefix (SBS1536 of 12 samples is ~50 KiB)", "count",
                 ["count", "--quiet", "--ref", ref, "--context", "sbs6,sbs96,sbs1536", "--out-prefix",
                  os.path.join(full, "cohort")] + vcfs),
                ("count --out FILE --summary FILE", "count",
                 ["count", "--quiet", "--ref", ref, "--context", "sbs1536", "--out", os.path.join(full, "m.tsv"),
                  "--summary", os.path.join(full, "summary.tsv")] + vcfs),
                ("extract --out-dir", "extract",
                 ["extract", "--quiet", "--matrix", matrix, "--out-dir", os.path.join(full, "run"), "--k-range",
                  "2:4", "--replicates", "3", "--max-iter", "200"]),
            ]
            for name, command, argv in cases:
                e2e.write(os.path.join(full, "filler"), b"x" * 4096)  # some room used, as on a real disk
                r = run(argv)
                os.remove(os.path.join(full, "filler"))
                ok, detail = one_line(r, 1, ["sigstream %s: " % command, "No space left on device"])
                checks.check("full file system, %s: exit 1, one line" % name, ok, detail)
                checks.check("full file system, %s: nothing left" % name, os.listdir(full) == [], os.listdir(full))
        finally:
            subprocess.run(["umount", full])
        r = run(["count", "--quiet", "--ref", ref, "--context", "sbs6,sbs96,sbs1536", "--out-prefix",
                 os.path.join(full, "cohort")] + vcfs)
        checks.check("a rerun with room succeeds", r.returncode == 0 and len(os.listdir(full)) == 3, r.stderr)

    checks.finish()


if __name__ == "__main__":
    main()
