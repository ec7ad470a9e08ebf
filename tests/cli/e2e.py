"""Shared helpers of the end-to-end test scripts in tests/cli/ (standard library only).

Every script follows one style: it parses its own arguments (at least --sigstream and --workdir), makes its
inputs in the work folder, and reports each check through a Checks object, which prints `ok <name>` or
`FAIL <name>: reason` and, at the end, `N passed, M failed`. The exit status is 0 when every check passed, 1
when one failed, and SKIP (77, the tests' SKIP_RETURN_CODE in CTest) when the script could not run what it is
for (a plugin or NumPy missing): CTest then reports SKIPPED, never PASS.
"""

import os
import shutil
import subprocess
import sys

SKIP = 77
TIMEOUT = 600
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COSMIC = os.path.join(ROOT, "data", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt")


class Checks:
    """Counts and prints checks; finish() exits with the right status."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok %s" % name)
        else:
            self.failed += 1
            text = str(detail)
            print("FAIL %s: %s" % (name, text[:3000]))
        sys.stdout.flush()
        return ok

    def skip(self, what):
        """Notes that `what` could not be checked here (printed, and the exit status is SKIP if nothing ran)."""
        self.skipped.append(what)
        print("skipped: %s" % what)
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed%s" % (self.passed, self.failed,
                                          ", %d skipped" % len(self.skipped) if self.skipped else ""))
        if self.failed:
            sys.exit(1)
        if self.skipped and self.passed == 0:
            sys.exit(SKIP)
        sys.exit(0)


def sbs96_labels():
    bases = "ACGT"
    subs = ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"]
    return ["%s[%s]%s" % (f, s, t) for f in bases for s in subs for t in bases]


def run(argv, cwd=None, env=None, stdin=None, timeout=TIMEOUT):
    """Runs a command; returns the CompletedProcess with text stdout and stderr."""
    return subprocess.run(argv, cwd=cwd, env=env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout)


def fresh_folder(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f]


def tree(folder):
    """Every file under folder, as sorted relative paths."""
    out = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            out.append(os.path.relpath(os.path.join(root, name), folder))
    return sorted(out)


def tree_diff(a, b, skip=("metadata.toml",)):
    """'' when folders a and b hold the same files with the same bytes (but those named in `skip`), else what
    differs."""
    if not (os.path.isdir(a) and os.path.isdir(b)):
        return "missing folder: %s" % (a if not os.path.isdir(a) else b)
    ta, tb = tree(a), tree(b)
    if ta != tb:
        return "files in one folder only: %r" % sorted(set(ta) ^ set(tb))
    diff = []
    for rel in ta:
        if os.path.basename(rel) in skip:
            continue
        with open(os.path.join(a, rel), "rb") as fa, open(os.path.join(b, rel), "rb") as fb:
            if fa.read() != fb.read():
                diff.append(rel)
    return "files differ: %r" % diff if diff else ""
