#!/usr/bin/env python3
"""Contract test of the Nextflow modules (nextflow/modules/sigstream/*): Nextflow is not a Debian package and cannot
be downloaded here, so each module's own `script:` block — read from its main.nf by tests/workflow/nfmodule.py, so
that module and test cannot drift — is turned into the shell text Nextflow would run and executed on the example.

Usage: nextflow_contract_test.py --sigstream PATH --workdir DIR --plugins DIR

Checks, for every module:
  * it is in nf-core form: `tuple val(meta), path(...)` inputs, task.ext.args and task.ext.prefix, a label, a tag,
    the container the project's Dockerfile builds, `when:`, a `stub:` block, versions.yml emitted; its meta.yml names
    the same inputs and outputs; an nf-test file runs it;
  * its script, run in a task folder with its inputs staged as Nextflow stages them (symlinks, stageAs folders),
    exits 0 and produces every output its `output:` block declares (versions.yml holds sigstream's version);
  * its stub, run the same way, produces every declared output too;
and together: the modules chained as nextflow/main.nf chains them (count per tumour, merge, two extraction shards,
consensus, compare, fit) give files byte-identical to `sigstream run workflow/example.toml`; the Dockerfile's build
step is the README's set-up command, word for word.
Exit status 77 (SKIPPED) without the nmf backend or PyYAML.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, HERE)
import e2e  # noqa: E402
import nfmodule  # noqa: E402

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

NEXTFLOW = os.path.join(e2e.ROOT, "nextflow")
EXAMPLE = os.path.join(e2e.ROOT, "data", "example")
LABELS = {"process_single", "process_low", "process_medium", "process_high", "process_long", "process_high_memory"}


def image_of_dockerfile():
    text = open(os.path.join(e2e.ROOT, "Dockerfile")).read()
    m = re.search(r'org\.opencontainers\.image\.ref\.name="([^"]+)"', text)
    return m.group(1) if m else None


def readme_setup_command():
    """The first command of the README's quick start (set up, build, run the example)."""
    text = open(os.path.join(e2e.ROOT, "README.md")).read()
    quick = text[text.index("## Quick start"):]
    m = re.search(r"```sh\n(.+?)\n```", quick, re.S)
    return m.group(1).strip()


def dockerfile_build_step():
    """The Dockerfile's RUN line that builds (joined continuation lines)."""
    text = open(os.path.join(e2e.ROOT, "Dockerfile")).read().replace("\\\n", " ")
    runs = [re.sub(r"\s+", " ", l[4:]).strip() for l in text.split("\n") if l.startswith("RUN ")]
    return [r for r in runs if "install-deps" in r]


class Task:
    """One task folder: inputs staged, the module's script or stub run in it."""

    def __init__(self, module, folder, env):
        self.module = module
        self.folder = e2e.fresh_folder(folder)
        self.env = env
        self.values = {}

    def stage(self, channel_values):
        """channel_values: one entry per input channel, each a list of the tuple's items (meta dicts, a path, a list
        of paths, or [] for an empty optional path)."""
        for channel, items in zip(self.module.inputs, channel_values):
            if len(channel) != len(items):
                raise nfmodule.ModuleError("%s: channel %r takes %d items" % (self.module.name, channel, len(channel)))
            for (kind, name, stage_as), value in zip(channel, items):
                if kind == "val":
                    self.values[name] = value
                    continue
                paths = value if isinstance(value, list) else [value]
                staged = []
                for p in paths:
                    rel = os.path.basename(p.rstrip("/"))
                    if stage_as:
                        rel = os.path.join(os.path.dirname(stage_as), rel)
                    os.makedirs(os.path.join(self.folder, os.path.dirname(rel)) or self.folder, exist_ok=True)
                    os.symlink(os.path.abspath(p), os.path.join(self.folder, rel))
                    staged.append(rel)
                self.values[name] = staged if isinstance(value, list) else staged[0]
        return self

    def run(self, args="", prefix=None, stub=False, cpus=2):
        scope = self.module.scope(self.values, cpus=cpus, args=args, prefix=prefix)
        text = self.module.stub(scope) if stub else self.module.script(scope)
        e2e.write(os.path.join(self.folder, ".command.sh"), text)
        r = subprocess.run(["bash", "-euo", "pipefail", ".command.sh"], cwd=self.folder, env=self.env,
                           capture_output=True, text=True, timeout=600)
        missing = []
        for emit, patterns, optional in self.module.output_patterns(scope):
            for p in patterns:
                if not glob.glob(os.path.join(self.folder, p)) and not optional:
                    missing.append("%s: %s" % (emit, p))
        return r, missing, text

    def outputs(self, pattern):
        return sorted(glob.glob(os.path.join(self.folder, pattern)))


def check_form(checks, m, image):
    problems = []
    if not m.inputs or m.inputs[0][0][:2] != ("val", "meta") or any(
            len(ch) > 1 and not (ch[0][0] == "val" and ch[0][1].startswith("meta")) for ch in m.inputs):
        problems.append("inputs must be tuples starting with val(meta)")
    if "task.ext.args" not in m.text or "task.ext.prefix" not in m.text:
        problems.append("no task.ext.args / task.ext.prefix")
    if m.label not in LABELS:
        problems.append("label %r" % m.label)
    if m.tag != '"$meta.id"':
        problems.append("tag %r" % m.tag)
    if m.container != image:
        problems.append("container %r is not the Dockerfile's image %r" % (m.container, image))
    if "task.ext.when == null || task.ext.when" not in "\n".join(m.parts["when"]):
        problems.append("when: is not the nf-core one")
    if not any(emit == "versions" for emit, _, _ in m.outputs):
        problems.append("no versions emitted")
    # meta.yml: the same inputs and outputs
    meta = yaml.safe_load(open(os.path.join(os.path.dirname(m.path), "meta.yml")))
    if meta.get("name") != "sigstream_" + m.command:
        problems.append("meta.yml name %r" % meta.get("name"))
    yml_inputs = [[list(item.keys())[0] for item in (ch if isinstance(ch, list) else [ch])] for ch in meta["input"]]
    nf_inputs = [[name for _, name, _ in ch] for ch in m.inputs]
    if yml_inputs != nf_inputs:
        problems.append("meta.yml inputs %r, main.nf %r" % (yml_inputs, nf_inputs))
    yml_outputs = [list(o.keys())[0] for o in meta["output"]]
    if yml_outputs != [emit for emit, _, _ in m.outputs]:
        problems.append("meta.yml outputs %r, main.nf %r" % (yml_outputs, [e for e, _, _ in m.outputs]))
    for o, (emit, patterns, _) in zip(meta["output"], m.outputs):
        declared = [list(item.keys())[0] for item in o[emit] if list(item.keys())[0] != "meta"]
        if declared != patterns:
            problems.append("meta.yml %s patterns %r, main.nf %r" % (emit, declared, patterns))
    test = os.path.join(os.path.dirname(m.path), "tests", "main.nf.test")
    if not os.path.isfile(test):
        problems.append("no tests/main.nf.test")
    else:
        t = open(test).read()
        if 'script "../main.nf"' not in t or 'process "%s"' % m.name not in t or "-stub" not in t:
            problems.append("tests/main.nf.test does not run this process (and its stub)")
    checks.check("%s is an nf-core style module, meta.yml and nf-test agree with it" % m.name, not problems,
                 "; ".join(problems))


def run_task(checks, m, folder, env, inputs, args="", prefix=None):
    """Runs a module's script and then its stub on the same inputs; returns the script's task."""
    task = Task(m, folder, env).stage(inputs)
    r, missing, text = task.run(args=args, prefix=prefix)
    versions = os.path.join(task.folder, "versions.yml")
    version_ok = os.path.isfile(versions) and yaml.safe_load(open(versions)) == {m.name: {"sigstream": "0.1.0"}}
    checks.check("%s: its script runs and makes every declared output, versions.yml included" % m.name,
                 r.returncode == 0 and not missing and version_ok,
                 "exit %d, missing %r, versions ok %s\n%s\n%s" % (r.returncode, missing, version_ok, text,
                                                                   r.stderr[-2000:]))
    stub = Task(m, folder + ".stub", env).stage(inputs)
    r2, missing2, text2 = stub.run(args=args, prefix=prefix, stub=True)
    checks.check("%s: its stub makes every declared output" % m.name, r2.returncode == 0 and not missing2,
                 "exit %d, missing %r\n%s\n%s" % (r2.returncode, missing2, text2, r2.stderr[-2000:]))
    return task


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sigstream", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--plugins", required=True)
    a = ap.parse_args()
    checks = e2e.Checks()
    if yaml is None:
        print("SKIPPED: PyYAML is missing (Debian python3-yaml); run with /usr/bin/python3")
        return e2e.SKIP
    if not os.path.isfile(os.path.join(a.plugins, "nmf.so")):
        print("SKIPPED: no nmf backend in %s" % a.plugins)
        return e2e.SKIP
    sigstream = os.path.abspath(a.sigstream)
    work = e2e.fresh_folder(os.path.abspath(a.workdir))
    env = e2e.plugin_env(os.path.abspath(a.plugins))
    env["PATH"] = os.path.dirname(sigstream) + os.pathsep + env.get("PATH", "")

    # the image and the README's command
    image = image_of_dockerfile()
    steps = dockerfile_build_step()
    checks.check("the Dockerfile's build step is the README's set-up command, word for word",
                 steps == [readme_setup_command()], "Dockerfile %r, README %r" % (steps, readme_setup_command()))
    snakefile = open(os.path.join(e2e.ROOT, "snakemake", "Snakefile")).read()
    checks.check("the Dockerfile names its image, and the Snakefile's container is that image",
                 image is not None and 'container: "docker://%s"' % image in snakefile, image)

    mods = {m.command: m for m in nfmodule.modules(NEXTFLOW)}
    expected = ["compare", "consensus", "count", "crossval", "extract", "fit", "merge"]
    checks.check("one module per subcommand that makes data: %s" % ", ".join(expected), sorted(mods) == expected,
                 sorted(mods))
    for m in mods.values():
        check_form(checks, m, image)
    if sorted(mods) != expected:
        return checks.finish()

    # the pipeline: it includes every module it runs, configures each, and its test profile is workflow/example.toml
    pipeline = open(os.path.join(NEXTFLOW, "main.nf")).read()
    modules_config = open(os.path.join(NEXTFLOW, "conf", "modules.config")).read()
    used = re.findall(r"include \{ (\w+)\s*\} from '\./modules/sigstream/(\w+)/main'", pipeline)
    checks.check("main.nf includes the modules it runs, and conf/modules.config configures each",
                 sorted(c for _, c in used) == ["compare", "consensus", "count", "extract", "fit", "merge"]
                 and all(name == mods[c].name and "withName: '%s'" % name in modules_config for name, c in used),
                 used)
    config = open(os.path.join(NEXTFLOW, "nextflow.config")).read()
    declared = re.findall(r"^    (\w+)\s+=", config[config.index("params {"):config.index("}", config.index("params {"))],
                          re.M)
    known = re.search(r"def knownParams\(\) \{\s*return \[(.*?)\]", pipeline, re.S)
    known = re.findall(r"'(\w+)'", known.group(1)) if known else []
    checks.check("main.nf refuses unknown parameters, and knows exactly those nextflow.config declares",
                 declared and known == declared and "checkParams()" in pipeline, (declared, known))
    import tomllib
    example = tomllib.load(open(os.path.join(e2e.ROOT, "workflow", "example.toml"), "rb"))
    test_config = open(os.path.join(NEXTFLOW, "conf", "test.config")).read()
    mirrored = ["k_range            = '%s'" % example["extract"]["k-range"],
                "replicates         = %d" % example["extract"]["replicates"],
                "seed               = %d" % example["extract"]["seed"]]
    sheet = [line.split(",") for line in open(os.path.join(NEXTFLOW, "assets", "samplesheet_test.csv")).read().split()]
    sheet_files = [os.path.normpath(os.path.join(NEXTFLOW, "assets", v)) for _, v in sheet[1:]]
    toml_files = [os.path.normpath(os.path.join(e2e.ROOT, "workflow", v)) for v in example["count"]["inputs"]]
    checks.check("the test profile has workflow/example.toml's settings and tumours",
                 all(m in test_config for m in mirrored) and sheet[0] == ["sample", "vcf"] and sheet_files == toml_files
                 and example["extract"]["backend"] == "nmf", (mirrored, sheet_files))

    # the chain of nextflow/main.nf on the example, then the comparison with sigstream run
    run_dir = os.path.join(work, "run")
    r = e2e.run([sigstream, "run", "--quiet", os.path.join(e2e.ROOT, "workflow", "example.toml"), "--out-dir",
                 run_dir], env=env)
    checks.check("sigstream run workflow/example.toml", r.returncode == 0, r.stderr)
    fasta = [{"id": "genome"}, os.path.join(EXAMPLE, "genome.fa"), []]
    matrices, summaries = [], []
    for t in "abcdefghijkl":
        sample = "TUMOUR_" + t.upper()
        task = run_task(checks, mods["count"], os.path.join(work, "count", sample), env,
                        [[{"id": sample}, os.path.join(EXAMPLE, "tumour_%s.vcf.gz" % t)], fasta])
        matrices += task.outputs("%s.SBS*.tsv" % sample)
        summaries += task.outputs("%s.summary.tsv" % sample)
    merge = run_task(checks, mods["merge"], os.path.join(work, "merge"), env,
                     [[{"id": "cohort"}, matrices, summaries]], prefix="counts.SBS96")
    matrix = os.path.join(merge.folder, "counts.SBS96.tsv")
    shards = []
    for first, last in ((0, 5), (5, 10)):
        task = run_task(checks, mods["extract"], os.path.join(work, "extract", "R%d-%d" % (first, last)), env,
                        [[{"id": "cohort"}, matrix]],
                        args="--backend nmf --seed 1 --replicates 10 --k-range 2:6 --replicate-range %d:%d"
                        % (first, last), prefix="cohort.K2-6.R%d-%d" % (first, last))
        shards += task.outputs("*.shard.tsv.gz")
    consensus = run_task(checks, mods["consensus"], os.path.join(work, "consensus"), env,
                         [[{"id": "cohort"}, shards]], prefix="extract")
    extracted = os.path.join(consensus.folder, "extract")
    compare = run_task(checks, mods["compare"], os.path.join(work, "compare"), env,
                       [[{"id": "cohort"}, extracted], [[]]])
    fit = run_task(checks, mods["fit"], os.path.join(work, "fit"), env, [[{"id": "cohort"}, matrix, []]],
                   args="--sparse", prefix="fit")
    run_task(checks, mods["crossval"], os.path.join(work, "crossval"), env, [[{"id": "cohort"}, matrix]],
             args="--backends nmf --k 2 --splits 2 --max-iter 200")

    pairs = [("counts.SBS96.tsv", matrix), ("counts.summary.tsv", os.path.join(merge.folder, "counts.SBS96.summary.tsv")),
             ("cosmic.tsv", os.path.join(compare.folder, "cohort.cosmic.tsv"))]
    pairs += [(os.path.join("fit", f), os.path.join(fit.folder, "fit", f)) for f in ("exposures.tsv", "sample_stats.tsv")]
    for rel in e2e.tree(run_dir):
        if rel.endswith(".tsv") and not (rel.startswith("counts.") or rel == "cosmic.tsv" or rel.startswith("fit/")):
            pairs.append((rel, os.path.join(extracted, rel)))
    diffs = [rel for rel, other in pairs if not os.path.isfile(other) or
             open(os.path.join(run_dir, rel), "rb").read() != open(other, "rb").read()]
    checks.check("the modules chained as nextflow/main.nf chains them give sigstream run's files, byte for byte "
                 "(%d TSVs)" % len(pairs), not diffs and len(pairs) > 40, diffs)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
