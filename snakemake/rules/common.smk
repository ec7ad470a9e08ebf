# What every rule needs: the checked config, the sigstream binary, the pipeline file with every setting resolved
# (by `sigstream run --dry-run`, so the workflow reads exactly what `sigstream run` would), the inputs, and the plan
# of the scatter. Everything here runs when Snakemake reads the workflow, so a bad config, pipeline file or sample
# sheet stops it before any job starts.
import os
import re
import shlex
import shutil
import subprocess
import tomllib

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

validate(config, os.path.join(workflow.basedir, "schemas", "config.schema.yaml"))

OUT = config["out_dir"].rstrip("/") or "."
SUPPORTED_STAGES = ["count", "extract", "consensus", "select", "refine", "compare", "fit"]


def fail(message):
    raise WorkflowError("sigstream workflow: " + message)


def find_sigstream():
    given = config["sigstream"]
    if given:
        path = given if "/" in given else shutil.which(given)
        if not path or not (os.path.isfile(path) and os.access(path, os.X_OK)):
            fail("config sigstream: '%s' is not an executable file (give its path, or leave it empty to find "
                 "sigstream on PATH)" % given)
        return os.path.abspath(path)
    path = shutil.which("sigstream")
    if path:
        return os.path.abspath(path)
    built = os.path.join(workflow.basedir, os.pardir, "build", "sigstream")
    if os.path.isfile(built) and os.access(built, os.X_OK):
        return os.path.abspath(built)
    fail("sigstream is not on PATH and not built in %s — install it, or set sigstream: in the config to its path"
         % os.path.abspath(os.path.dirname(built)))


SIGSTREAM = find_sigstream()


def resolve_pipeline(path):
    """The pipeline file with every setting resolved, as `sigstream run --dry-run` prints it (paths absolute,
    defaults included); sigstream's own checks of the file (unknown keys, wrong types, missing files) stop here."""
    if not os.path.isfile(path):
        fail("config pipeline: '%s' is not a file (a pipeline file of `sigstream run`, docs/pipeline.md)" % path)
    r = subprocess.run([SIGSTREAM, "run", "--dry-run", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise WorkflowError(r.stderr.strip() or "sigstream run --dry-run %s failed (exit %d)" % (path, r.returncode))
    return tomllib.loads(r.stdout)


PIPELINE_FILE = os.path.abspath(config["pipeline"])
PIPE = resolve_pipeline(PIPELINE_FILE)
STAGES = PIPE["stages"]


def table(stage):
    return PIPE.get(stage, {}) if stage in STAGES else {}


def check_stages():
    where = "%s: stages = %s: " % (PIPELINE_FILE, STAGES)
    for s in STAGES:
        if s not in SUPPORTED_STAGES:
            fail(where + "this workflow runs the stages %s; run a pipeline with '%s' with `sigstream run`"
                 % (", ".join(SUPPORTED_STAGES), s))
    order = [SUPPORTED_STAGES.index(s) for s in STAGES]
    if order != sorted(order):
        fail(where + "this workflow runs its stages in the order %s" % ", ".join(SUPPORTED_STAGES))
    if "extract" in STAGES and not {"consensus", "select"} <= set(STAGES):
        fail(where + "extract is scattered into shards, which consensus and select gather: list them after it")
    if ("consensus" in STAGES or "select" in STAGES or "refine" in STAGES) and "extract" not in STAGES:
        fail(where + "consensus, select and refine gather an extract stage's shards: list extract before them")
    x = table("extract")
    if "extract" in STAGES and x.get("k", 0) > 0 and x.get("replicates", 0) == 0:
        fail("%s: [extract] k alone is one fit of the matrix, nothing to scatter: give replicates, or run it with "
             "`sigstream run`" % PIPELINE_FILE)


check_stages()

# ---------------------------------------------------------------- count: the inputs (the sample sheet)


def sample_name_from_path(path):
    name = os.path.basename(path)
    for suffix in (".vcf.gz", ".vcf.bgz", ".vcf", ".bcf"):
        if len(name) > len(suffix) and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def read_inputs():
    """[(path, sample name or "", where it was given)] from the [count] table's `inputs`, then its `list` file (the
    sample sheet: one path per line, optionally a TAB and the sample's name; blank lines and # comments skipped),
    with the checks sigstream would make only after counting: every file exists, no file and no name twice."""
    c = table("count")
    entries = [(p, "", "%s: [count] inputs" % PIPELINE_FILE) for p in c.get("inputs", [])]
    sheet = c.get("list", "")
    if sheet:
        with open(sheet, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if not line.strip(" \t") or line.startswith("#"):
                    continue
                path, _, sample = line.partition("\t")
                path, sample = path.strip(" "), sample.strip(" ")
                if not path:
                    fail("%s:%d: empty path — one path per line, optional TAB and sample name" % (sheet, no))
                if "\t" in sample:
                    fail("%s:%d: more than two TAB-separated columns — give a path and, optionally, a sample name"
                         % (sheet, no))
                entries.append((path, sample, "%s:%d" % (sheet, no)))
    if c.get("sample"):
        entries = [(p, c["sample"], w) for p, _, w in entries]
    seen_path, seen_name = {}, {}
    for path, sample, where in entries:
        if path == "-":
            fail("%s: standard input cannot be scattered — give the VCF/BCF files" % where)
        if not os.path.isfile(path):
            fail("%s: the input %s does not exist (or is not a file) — fix the path" % (where, path))
        key = os.path.realpath(path)
        if key in seen_path:
            fail("%s: %s is also given at %s — give every file once" % (where, path, seen_path[key]))
        seen_path[key] = where
        if sample:
            if sample in seen_name:
                fail("%s: the sample name '%s' is also given at %s — give every sample one name"
                     % (where, sample, seen_name[sample]))
            seen_name[sample] = where
    return entries


def unit_ids(entries):
    """A file-name-safe, unique id per input, from its sample name or file name (the order is the inputs')."""
    ids, used = [], set()
    for path, sample, _ in entries:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", sample or sample_name_from_path(path)) or "input"
        uid, n = base, 1
        while uid in used:
            n += 1
            uid = "%s.%d" % (base, n)
        used.add(uid)
        ids.append(uid)
    return ids


COUNT_INPUTS = read_inputs() if "count" in STAGES else []
UNITS = dict(zip(unit_ids(COUNT_INPUTS), COUNT_INPUTS))  # id -> (path, sample, where); in input order
CONTEXTS = [c.upper() for c in table("count").get("context", ["sbs96"])]


def count_matrix():
    """The count matrix the stages after counting use: the count stage's first context, else a stage's own."""
    if "count" in STAGES:
        return "%s/counts.%s.tsv" % (OUT, CONTEXTS[0])
    for s in ("extract", "fit"):
        if table(s).get("matrix"):
            return table(s)["matrix"]
    fail("%s: no count stage and no matrix = ... in [extract] or [fit]: nothing to work on" % PIPELINE_FILE)


# ---------------------------------------------------------------- extract: the scatter plan


def extract_plan():
    """[(kset, first, last)]: each job's K's ("all" = the default range, clamped by extract itself; else "A-B")
    and replicate range."""
    x = table("extract")
    replicates = x.get("replicates", 0) or 20
    per_job = config["scatter"]["replicates_per_job"]
    ranges = [(i, min(i + per_job, replicates)) for i in range(0, replicates, per_job)]
    ks_per_job = config["scatter"]["ks_per_job"]
    if x.get("k", 0) > 0:
        ksets = ["%d-%d" % (x["k"], x["k"])]
    elif not x.get("k-range"):
        if ks_per_job:
            fail("%s: [extract] has no k-range: the default range is cut to what the matrix allows, which is known "
                 "only after counting — give k-range to split K over jobs, or set scatter: ks_per_job: 0"
                 % PIPELINE_FILE)
        ksets = ["all"]
    else:
        a, b = (int(v) for v in x["k-range"].split(":"))
        step = ks_per_job or (b - a + 1)
        ksets = ["%d-%d" % (k, min(k + step - 1, b)) for k in range(a, b + 1, step)]
    return [(kset, first, last) for kset in ksets for first, last in ranges]


EXTRACT_JOBS = extract_plan() if "extract" in STAGES else []


def shard_path(kset, first, last):
    return "%s/shards/K%s.R%d-%d.shard.tsv.gz" % (OUT, kset, first, last)


# ---------------------------------------------------------------- settings -> command-line options


def number(v):
    return repr(v) if isinstance(v, float) else str(v)


def cli_args(settings, skip=()):
    """A stage's resolved settings as the options of its subcommand (keys are option names without dashes):
    switches given when true, lists one option per item, everything shell-quoted."""
    args = []
    for key, value in settings.items():
        if key in skip:
            continue
        if isinstance(value, bool):
            if value:
                args.append("--" + key)
        elif isinstance(value, list):
            for item in value:
                args += ["--" + key, number(item)]
        else:
            args += ["--" + key, number(value)]
    return " ".join(shlex.quote(a) for a in args)


def job(rule_name):
    return config["resources"][rule_name]


def final_targets():
    targets = []
    if "count" in STAGES:
        targets += ["%s/counts.%s.tsv" % (OUT, c) for c in CONTEXTS] + ["%s/counts.summary.tsv" % OUT]
    if "extract" in STAGES:
        targets.append("%s/extract" % OUT)
    if "compare" in STAGES:
        targets.append("%s/cosmic.tsv" % OUT)
    if "fit" in STAGES:
        targets.append("%s/fit" % OUT)
    return targets


# ---------------------------------------------------------------- what each rule passes on

EXTRACT_SETTINGS = cli_args(
    table("extract"),
    skip={"matrix", "k", "k-range", "replicates", "replicate-range", "shard-out", "out-dir", "force", "threads"},
)


def shard_k_options(kset):
    x = table("extract")
    replicates = "--replicates %d" % (x.get("replicates", 0) or 20)
    if kset == "all":
        return replicates
    a, b = kset.split("-")
    return ("--k %s " % a if x.get("k", 0) > 0 else "--k-range %s:%s " % (a, b)) + replicates


def consensus_settings():
    args = cli_args(table("select"))
    # without a refine stage the pipeline keeps the consensus signatures
    return args + " " + (cli_args(table("refine")) if "refine" in STAGES else "--refine none")


def signatures_of(stage):
    """The signature set a stage uses: its own `signatures` (a file, a run folder or a shipped name such as
    cosmic-v3.4), else the extraction's run folder."""
    given = table(stage).get("signatures")
    return given if given else "%s/extract" % OUT


def signature_inputs(stage):
    """The same as the rule's inputs: files and folders (so that Snakemake waits for them), not shipped names."""
    path = signatures_of(stage)
    return [path] if not table(stage).get("signatures") or os.path.exists(path) else []


COUNT_SETTINGS = cli_args(table("count"), skip={"inputs", "list", "sample", "out", "out-prefix", "summary"})
