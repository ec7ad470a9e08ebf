"""Shared helpers of the end-to-end test scripts in tests/cli/ and tests/plugins/mu_numpy_test.py (standard library
only).

Every script follows one style: an argparse main() that takes at least --sigstream and --workdir (mu_numpy_test.py:
--driver and --workdir), makes its inputs in the work folder, and reports each check through one Checks object,
which prints `ok <name>` or `FAIL <name>: reason` and, at the end, `N passed, M failed` (`, K skipped` when some
part could not run). The exit status is 0 when every check passed, 1 when one failed, and SKIP (77, the tests'
SKIP_RETURN_CODE in CTest) when nothing could be checked because what the script is for is missing (a plugin,
NumPy): CTest then reports SKIPPED, never PASS. A script that could check only part of what it is for calls
skip() for the rest, which is printed, and exits 0 when the checks that did run passed.

Helpers: Checks; Runner (runs the binary with an environment, one command or several two at a time), run(),
plugin_env() and backend_params(); clean_failure() and case_folder() for the bad-input cases; fresh_folder(),
write(), read_tsv(), tree(), tree_diff(); sbs96_labels(), LABELS, matrix_text(), read_signatures(), cosine(); ROOT,
COSMIC, DASH.
"""

import math
import os
import shutil
import subprocess
import sys

SKIP = 77
TIMEOUT = 600
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COSMIC = os.path.join(ROOT, "data", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt")
DASH = " \u2014 "  # the em dash between an error message's problem and its advice


# ---------------------------------------------------------------------------------------------------------- checks

class Checks:
    """Counts and prints checks; finish() exits with the right status.

    detail_limit: how many characters of a failure's detail are printed (None: all of it)."""

    def __init__(self, detail_limit=3000):
        self.passed = 0
        self.failed = 0
        self.skipped = []
        self.detail_limit = detail_limit

    def check(self, name, ok, detail=""):
        """Prints `ok name` or `FAIL name: detail`; returns ok as a bool."""
        ok = bool(ok)
        if ok:
            self.passed += 1
            print("ok %s" % name)
        else:
            self.failed += 1
            text = str(detail)
            if self.detail_limit is not None and len(text) > self.detail_limit:
                text = text[:self.detail_limit] + " ..."
            print("FAIL %s:%s%s" % (name, "" if text.startswith("\n") else " ", text))
        sys.stdout.flush()
        return ok

    def skip(self, what):
        """Notes that `what` could not be checked here (printed, and the exit status is SKIP if nothing ran)."""
        self.skipped.append(what)
        print("skipped: %s" % what)
        sys.stdout.flush()

    def finish(self):
        """Prints the counts and exits: 1 if a check failed, SKIP if nothing ran but something was skipped, else 0."""
        print("%d passed, %d failed%s" % (self.passed, self.failed,
                                          ", %d skipped" % len(self.skipped) if self.skipped else ""))
        sys.stdout.flush()
        if self.failed:
            sys.exit(1)
        if self.skipped and self.passed == 0:
            sys.exit(SKIP)
        sys.exit(0)


# ---------------------------------------------------------------------------------------------------------- running

def run(argv, cwd=None, env=None, stdin=None, timeout=TIMEOUT):
    """Runs a command; returns the CompletedProcess with stdout and stderr as text (UTF-8, undecodable bytes
    replaced, line ends made '\\n').

    stdin: None (this process's standard input), text or bytes (sent through a pipe), or an open file (the command
    reads the file itself, which it can seek)."""
    if stdin is None or isinstance(stdin, (str, bytes)):
        feed = {"input": stdin.encode("utf-8") if isinstance(stdin, str) else stdin}
    else:
        feed = {"stdin": stdin}
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       **feed)
    return subprocess.CompletedProcess(p.args, p.returncode, _text(p.stdout), _text(p.stderr))


def _text(data):
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def plugin_env(plugin_path=None):
    """os.environ with SIGSTREAM_PLUGIN_PATH set to plugin_path (a folder or a ':'-separated list), or removed when
    it is None (the binary then searches <its folder>/plugins)."""
    env = dict(os.environ)
    env.pop("SIGSTREAM_PLUGIN_PATH", None)
    if plugin_path is not None:
        env["SIGSTREAM_PLUGIN_PATH"] = plugin_path
    return env


class Runner:
    """Runs the sigstream binary `exe` with the environment `env` (default: this process's)."""

    def __init__(self, exe, env=None, timeout=TIMEOUT):
        self.exe = exe
        self.env = env
        self.timeout = timeout

    def __call__(self, args, cwd=None, stdin=None, timeout=None):
        """`exe args...`; the CompletedProcess with text stdout and stderr."""
        return run([self.exe] + list(args), cwd=cwd, env=self.env, stdin=stdin, timeout=timeout or self.timeout)

    def many(self, arg_lists, jobs=2):
        """Runs the commands `jobs` at a time (the machines have 2 cores); returns their results in order, as
        __call__ does."""
        results = [None] * len(arg_lists)
        pending = list(enumerate(arg_lists))
        running = []
        while pending or running:
            while pending and len(running) < jobs:
                i, args = pending.pop(0)
                running.append((i, subprocess.Popen([self.exe] + list(args), stdout=subprocess.PIPE,
                                                    stderr=subprocess.PIPE, env=self.env)))
            i, p = running.pop(0)
            out, err = p.communicate(timeout=self.timeout)
            results[i] = subprocess.CompletedProcess(p.args, p.returncode, _text(out), _text(err))
        return results


def backend_params(listing, backend):
    """The parameter names that `sigstream backends` (its stdout: `listing`) shows for `backend`: the lines
    `    KEY = ...` of the backend's paragraph."""
    block = listing.split("\n" + backend + " ", 1)[-1] if not listing.startswith(backend + " ") \
        else listing[len(backend) + 1:]
    return [line.strip().split(" = ")[0] for line in block.split("\n\n")[0].splitlines()
            if line.startswith("    ") and " = " in line]


def case_folder(parent, name):
    """Makes and returns parent/case_<name>, every character of name that is not a letter or digit made '_'."""
    folder = os.path.join(parent, "case_" + "".join(c if c.isalnum() else "_" for c in name))
    os.makedirs(folder)
    return folder


def clean_failure(r, status, prefix, mentions, folder, advice=False, no_warning=False):
    """(ok, detail) of a run `r` that should fail cleanly: exit status `status`, exactly one line on stderr, which
    starts with `prefix` and contains every string of `mentions` (and the ' — ' before the advice when `advice`; not
    the word 'warning' when `no_warning`), nothing on stdout, and nothing left in `folder`."""
    lines = r.stderr.splitlines()
    left = os.listdir(folder)
    ok = (r.returncode == status and len(lines) == 1 and lines[0].startswith(prefix)
          and all(m in lines[0] for m in mentions) and (not advice or DASH in lines[0])
          and (not no_warning or "warning" not in lines[0]) and r.stdout == "" and left == [])
    return ok, "exit %d, stderr %r, left %r" % (r.returncode, r.stderr, left)


# ---------------------------------------------------------------------------------------------------------- files

def fresh_folder(path):
    """Removes path (if there) and makes it again, empty."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(path, content):
    """Writes text (UTF-8) or bytes to path; returns path."""
    with open(path, "wb") as f:
        f.write(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read_tsv(path, skip_blank=False):
    """The rows of a TAB-separated file as lists of fields (line ends removed; blank lines too when skip_blank)."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n").split("\t") for line in f if not skip_blank or line.strip()]


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


# ---------------------------------------------------------------------------------------------------------- matrices

def sbs96_labels():
    """The 96 SBS channels in SigProfiler order."""
    bases = "ACGT"
    subs = ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"]
    return ["%s[%s]%s" % (f, s, t) for f in bases for s in subs for t in bases]


LABELS = sbs96_labels()


def matrix_text(cols, names=None, labels=None, corner="MutationType", cell=None):
    """A count matrix as text: one column per list of `cols` (named S1, S2, ... unless `names`), one row per label
    (LABELS unless `labels`). cell = (row, column, text) replaces that one cell (0-based, data rows and columns)."""
    names = names or ["S%d" % (j + 1) for j in range(len(cols))]
    labels = labels or LABELS
    lines = ["\t".join([corner] + names)]
    for i, label in enumerate(labels):
        row = [str(c[i]) for c in cols]
        if cell and cell[0] == i:
            row[cell[1]] = cell[2]
        lines.append("\t".join([label] + row))
    return "\n".join(lines) + "\n"


def read_signatures(path=COSMIC):
    """A signature table (COSMIC's layout: Type<TAB>SBS1…): (labels in file order, {name: column as floats})."""
    rows = read_tsv(path, skip_blank=True)
    labels = [r[0] for r in rows[1:]]
    return labels, {name: [float(r[1 + c]) for r in rows[1:]] for c, name in enumerate(rows[0][1:])}


def cosine(a, b):
    """The cosine of two vectors (0 when one of them is zero)."""
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(x * x for x in b))
    return 0.0 if na == 0 or nb == 0 else sum(x * y for x, y in zip(a, b)) / (na * nb)
