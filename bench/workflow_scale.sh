#!/usr/bin/env bash
# The Snakemake workflow (snakemake/) at scale: a generated cohort of 100 genomes (GRCh38-sized genome, Mutect2-like
# VCFs of realistic size, SNVs from COSMIC signature mixtures; bench/workflow_scale/make_cohort.py), the whole
# pipeline — count per genome, merge, extraction K 2:15 x 20 replicates scattered into shards, consensus, compare,
# fit — with `snakemake --cores 2`, then per-rule time and memory from the rules' benchmark files
# (bench/workflow_scale/summarise.py) into a Markdown table.
#
#   bench/workflow_scale.sh                      # 100 genomes, 5 replicates x 7 K's per extraction job
#   bench/workflow_scale.sh --tumours 10 --scale 0.05 --out /tmp/ws.md     # a quick trial
# Options:
#   --tumours N           genomes in the cohort [100]
#   --scale F             genome size relative to GRCh38 (a trial: 0.05) [1]
#   --replicates-per-job R, --ks-per-job K   the scatter [5, 7]
#   --isa LEVEL           SIGSTREAM_ISA for every job: generic, v2, v3, v4 or cpu [cpu]
#   --work DIR            cohort and runs under DIR/workflow_scale [$BENCH_DATA, else /work/bench-data]
#   --out FILE            Markdown results [bench/results/workflow_scale.md]
# Environment: SIGSTREAM (binary, default build/sigstream), BENCH_WAIT_IDLE (bench/lib.sh).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "workflow_scale: $*" >&2; }
die() { log "$*"; exit 1; }
usage() { log "$*"; sed -n '2,18p' "$0" >&2; exit 2; }
source "$REPO/bench/lib.sh"

tumours=100 scale=1 rpj=5 kpj=7 isa=cpu work=${BENCH_DATA:-/work/bench-data} out=$REPO/bench/results/workflow_scale.md
while (($#)); do
    case "$1" in
        --tumours) tumours=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        --replicates-per-job) rpj=$2; shift 2 ;;
        --ks-per-job) kpj=$2; shift 2 ;;
        --isa) isa=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) usage "unknown argument $1" ;;
    esac
done
SIGSTREAM=${SIGSTREAM:-build/sigstream}
[[ "$SIGSTREAM" = /* ]] || SIGSTREAM="$REPO/$SIGSTREAM"
[[ -x $SIGSTREAM ]] || die "no sigstream binary at $SIGSTREAM (build it first)"
command -v snakemake >/dev/null || die "snakemake is not installed (scripts/install-deps.sh --tests)"
use_isa "$isa"

data="$work/workflow_scale/n${tumours}_s${scale}"
if [[ ! -f $data/pipeline.toml ]]; then
    log "generating $tumours genomes in $data"
    /usr/bin/python3 "$REPO/bench/workflow_scale/make_cohort.py" "$data" --tumours "$tumours" --scale "$scale" >&2
fi
run="$data/run_${LEVEL}_r${rpj}_k${kpj}"
rm -rf "$run" && mkdir -p "$run"
cat >"$run/config.yaml" <<CONFIG
pipeline: $data/pipeline.toml
out_dir: results
sigstream: $SIGSTREAM
scatter:
  replicates_per_job: $rpj
  ks_per_job: $kpj
resources:
  count:     {threads: 1, mem_mb: 4096}
  merge:     {threads: 1, mem_mb: 1024}
  extract:   {threads: 1, mem_mb: 2048}
  consensus: {threads: 1, mem_mb: 4096}
  compare:   {threads: 1, mem_mb: 512}
  fit:       {threads: 1, mem_mb: 2048}
CONFIG
wait_for_idle
log "snakemake --cores 2 in $run (kernels: $LEVEL)"
/usr/bin/time -v -o "$run/time.txt" snakemake -s "$REPO/snakemake/Snakefile" --directory "$run" --configfile "$run/config.yaml" \
    --cores 2 --quiet >"$run/snakemake.log" 2>&1 || { tail -n 30 "$run/snakemake.log" >&2; die "the workflow failed"; }
read -r wall cpu rss < <(time_fields "$run/time.txt")

# exact peak memory of single jobs: the largest genome's count, one extraction job, the consensus
exact="$run/exact.tsv"
: >"$exact"
measure() {  # measure NAME COMMAND...
    local t="$run/exact.$1.time"
    /usr/bin/time -v -o "$t" "${@:2}" >/dev/null 2>&1 || die "$1 failed when rerun alone"
    printf '%s\t%s\n' "$1" "$(time_fields "$t" | tr ' ' '\t')" >>"$exact"
}
largest=$(ls -S "$data"/vcf/*.vcf.gz | head -n 1)
scratch="$run/exact" && rm -rf "$scratch" && mkdir -p "$scratch"
measure "count $(basename "$largest")" "$SIGSTREAM" count --quiet --ref "$data/genome.fa" --out "$scratch/c.tsv" "$largest"
shard=$(ls "$run"/results/shards/*.shard.tsv.gz | tail -n 1)
measure "extract $(basename "$shard" .shard.tsv.gz)" "$SIGSTREAM" extract --quiet \
    --matrix "$run/results/counts.SBS96.tsv" --k-range "$(basename "$shard" | sed -E 's/^K([0-9]+)-([0-9]+).*/\1:\2/')" \
    --replicates 20 --replicate-range "$(basename "$shard" | sed -E 's/.*\.R([0-9]+)-([0-9]+)\..*/\1:\2/')" \
    --seed 1 --shard-out "$scratch/s.shard.tsv.gz"
measure consensus "$SIGSTREAM" consensus --quiet --out-dir "$scratch/extract" "$run"/results/shards/*.shard.tsv.gz
/usr/bin/python3 "$REPO/bench/workflow_scale/summarise.py" --run "$run" --data "$data" --wall "$wall" --cpu "$cpu" \
    --exact "$exact" --cpu-model "$(cpu_model)" --level "$LEVEL" --busy "$BUSY1" --commit "$(git -C "$REPO" rev-parse --short HEAD)" \
    --out "$out"
log "wrote $out"
