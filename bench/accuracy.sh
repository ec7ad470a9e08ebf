#!/usr/bin/env bash
# Accuracy benchmark of `sigstream extract` on eight synthetic cohorts drawn from COSMIC v3.4 (see
# bench/README.md): generates the scenarios if absent, runs extract on each, times and scores it, and writes
# bench/results/accuracy.md.
#
#   bench/accuracy.sh                                  # all 8 scenarios, extract's default settings
#   bench/accuracy.sh --scenarios 1,2 --true-k         # a single fit at each scenario's true K
#   bench/accuracy.sh --scenarios 4 --extract-args "--k-range 2:10 --replicates 10"
# Options:
#   --scenarios LIST     comma-separated scenario numbers, 1-8 [1,2,3,4,5,6,7,8]
#   --threads N          extract --threads [2]
#   --backend NAME       extract --backend [nmf]
#   --extract-args "..." more extract arguments, split at whitespace (no quoting), after the others
#   --true-k             pass --k <the scenario's true K> (a fixed-K sanity run; the K target is then not checked)
#   --work DIR           scenarios in DIR/sN, run folders and scores in DIR/runs
#                        [$BENCH_ACCURACY_WORK, else $BENCH_DATA/accuracy, else /work/bench-data/accuracy]
#   --data-seed S        make_scenarios.py --seed; scenarios made with another seed are regenerated [1]
#   --out FILE           Markdown results [bench/results/accuracy.md]; scores of every scenario next to it
#                        (accuracy_runs.json)
#   --dry-run            generate the scenarios if needed, print the extract commands, run nothing
# Environment: SIGSTREAM (binary, default build/sigstream), BENCH_DATA, BENCH_ACCURACY_WORK, BENCH_WAIT_IDLE
# (seconds to wait for an idle machine before measuring; see bench/lib.sh).
# Exit status: 0 every target checked is met, 3 one is not (table still written), 1/2 other errors.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quote() {  # shell-quote only what needs it (printf %q would escape commas too)
    local a out=""
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+=" $a"; else out+=" '${a//\'/\'\\\'\'}'"; fi
    done
    printf '%s' "${out# }"
}
CMDLINE="bench/accuracy.sh${1+ $(quote "$@")}"
SCENARIOS=1,2,3,4,5,6,7,8
THREADS=2
BACKEND=nmf
EXTRACT_ARGS=""
TRUE_K=0
WORK=${BENCH_ACCURACY_WORK:-${BENCH_DATA:-/work/bench-data}/accuracy}
DATA_SEED=1
OUT_MD=$REPO/bench/results/accuracy.md
DRY_RUN=0

log() { printf '[accuracy] %s\n' "$*" >&2; }
die() { printf 'accuracy.sh: %s\n' "$*" >&2; exit 1; }
usage() { printf 'accuracy.sh: %s (--help lists the options)\n' "$*" >&2; exit 2; }
need() { [[ $# -ge 2 && -n $2 ]] || usage "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        --scenarios) need "$@"; SCENARIOS=$2; shift 2 ;;
        --threads) need "$@"; THREADS=$2; shift 2 ;;
        --backend) need "$@"; BACKEND=$2; shift 2 ;;
        --extract-args) [[ $# -ge 2 ]] || usage "--extract-args needs a value"; EXTRACT_ARGS=$2; shift 2 ;;
        --true-k) TRUE_K=1; shift ;;
        --work) need "$@"; WORK=$2; shift 2 ;;
        --data-seed) need "$@"; DATA_SEED=$2; shift 2 ;;
        --out) need "$@"; OUT_MD=$2; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --scenarios=*|--threads=*|--backend=*|--extract-args=*|--work=*|--data-seed=*|--out=*)
            set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        *) usage "unknown argument $1" ;;
    esac
done

[[ $SCENARIOS =~ ^[1-8](,[1-8])*$ ]] || usage "--scenarios: expected numbers 1-8 separated by commas, got '$SCENARIOS'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || usage "--threads: expected a positive integer, got '$THREADS'"
[[ $DATA_SEED =~ ^[0-9]+$ ]] || usage "--data-seed: expected a non-negative integer, got '$DATA_SEED'"
read -ra EXTRA <<< "$EXTRACT_ARGS"
K_IN_ARGS=0
for x in "${EXTRA[@]}"; do
    case "$x" in --k|--k=*) K_IN_ARGS=1 ;; esac
done
((TRUE_K && K_IN_ARGS)) && usage "--true-k and --k in --extract-args together"
K_GIVEN=$((TRUE_K || K_IN_ARGS))
IFS=, read -ra LIST <<< "$SCENARIOS"
mapfile -t LIST < <(printf '%s\n' "${LIST[@]}" | sort -un)

cd "$REPO"
SIGSTREAM=${SIGSTREAM:-build/sigstream}
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || die "$PYTHON not found (apt-get install python3 python3-numpy)"
$PYTHON -c 'import numpy' 2>/dev/null || die "numpy missing for $PYTHON (apt-get install python3-numpy)"
[[ -x $SIGSTREAM ]] || die "$SIGSTREAM not found or not executable (build it: cmake --build build, or set SIGSTREAM)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
WORK=$(realpath -m "$WORK")
case "$WORK" in "$REPO"|"$REPO"/*) die "--work must be outside the repository" ;; esac
if ! ((K_GIVEN)) && ! "$SIGSTREAM" extract --help 2>&1 | grep -q -- '--k-range'; then
    die "$SIGSTREAM extract has no --k-range (no choice of K yet): run with --true-k or --extract-args '--k N'"
fi

# ------------------------------------------------------------------ scenarios
for n in "${LIST[@]}"; do
    sc=$WORK/s$n
    seed=$([[ -f $sc/scenario.json ]] && $PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["seed"])' "$sc/scenario.json" 2>/dev/null || true)
    if [[ ! -f $sc/counts.tsv || ! -f $sc/truth_signatures.tsv || $seed != "$DATA_SEED" ]]; then
        log "generating scenario $n into $sc (seed $DATA_SEED)"
        $PYTHON bench/accuracy/make_scenarios.py --out "$WORK" --seed "$DATA_SEED" --scenarios "$n" >/dev/null
    fi
done

true_k() { $PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["K"])' "$WORK/s$1/scenario.json"; }

command_for() {  # fills CMD for scenario $1
    local n=$1
    CMD=("$SIGSTREAM" extract --matrix "$WORK/s$n/counts.tsv" --backend "$BACKEND" --out-dir "$WORK/runs/s$n"
         --threads "$THREADS" --seed 1)
    ((TRUE_K)) && CMD+=(--k "$(true_k "$n")")
    CMD+=("${EXTRA[@]}")
    return 0
}

if ((DRY_RUN)); then
    for n in "${LIST[@]}"; do
        command_for "$n"
        quote "${CMD[@]}"; echo
    done
    exit 0
fi

# ------------------------------------------------------------------ runs
source "$REPO/bench/lib.sh"
wait_for_idle
mkdir -p "$WORK/runs"
JSONS=()
for n in "${LIST[@]}"; do
    command_for "$n"
    run=$WORK/runs/s$n
    rm -rf "$run" "$run.time" "$run.score.json"
    log "scenario $n: $(quote "${CMD[@]}")"
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$run.time" "${CMD[@]}" 2> "$run.log"
    status=$?
    set -e
    read -r wall user sys rss < <(tail -n 1 "$run.time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    if ((status)); then
        log "scenario $n: extract failed (exit status $status; last lines of $run.log):"
        tail -n 3 "$run.log" >&2
    fi
    log "scenario $n: ${wall} s wall, ${cpu} s CPU, peak RSS $((rss / 1024)) MiB"
    set +e
    $PYTHON bench/accuracy/score.py --scenario "$WORK/s$n" --run "$run" --json "$run.score.json" \
        --wall-time "$wall" --cpu-time "$cpu" --peak-rss-kib "$rss" --exit-status "$status" >&2
    set -e
    [[ -f $run.score.json ]] || die "scoring scenario $n wrote no $run.score.json"
    JSONS+=("$run.score.json")
done
BUSY2=$(busy_cores)

# ------------------------------------------------------------------ report
mkdir -p "$(dirname "$OUT_MD")"
KFLAG=()
((K_GIVEN)) && KFLAG=(--k-given)
set +e
TABLE=$($PYTHON bench/accuracy/score.py --markdown "${JSONS[@]}" "${KFLAG[@]}")
STATUS=$?
set -e
((STATUS == 0 || STATUS == 3)) || die "writing the table failed (exit status $STATUS)"
CPU_MODEL=$(cpu_model)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
VERSION=$("$SIGSTREAM" --version 2>&1 | head -n 1)
COMMIT=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
if ((TRUE_K)); then
    MODE="a single fit at each scenario's true K (\`--true-k\`: \`--k <true K>\`)"
elif ((K_GIVEN)); then
    MODE="K fixed by \`--extract-args\`"
else
    MODE="extract's default choice of K"
fi
{
    echo "## \`sigstream extract\` accuracy on synthetic cohorts"
    echo
    echo "$(date +%F), $VERSION (binary \`$SIGSTREAM\`, repo at $COMMIT); backend \`$BACKEND\`, $MODE;" \
         "$(nproc) cores ($CPU_MODEL), $MEM RAM. Scenarios from \`bench/accuracy/make_scenarios.py --seed $DATA_SEED\`" \
         "(COSMIC v3.4 signatures, log-normal burdens σ = 0.6, Dirichlet(0.8) proportions, Poisson counts; see" \
         "bench/README.md). Cosines after one-to-one Hungarian matching of true to extracted signatures." \
         "Other processes kept $BUSY1 cores busy just before and $BUSY2 just after (load average $LOAD1 before)."
    echo
    echo "$TABLE"
    echo
    echo "Command: \`$CMDLINE\`; each scenario ran"
    echo "\`$SIGSTREAM extract --matrix <work>/sN/counts.tsv --backend $BACKEND --out-dir <work>/runs/sN --threads $THREADS --seed 1$( ((TRUE_K)) && printf ' --k <true K>')${EXTRACT_ARGS:+ $EXTRACT_ARGS}\`" \
         "(work folder \`$WORK\`), timed by \`/usr/bin/time\`."
} > "$OUT_MD.tmp.partial"
mv "$OUT_MD.tmp.partial" "$OUT_MD"
RUNS_JSON="${OUT_MD%.md}_runs.json"
$PYTHON -c 'import json,sys; json.dump([json.load(open(p)) for p in sys.argv[2:]], open(sys.argv[1], "w"), indent=1)' \
    "$RUNS_JSON" "${JSONS[@]}"
cat "$OUT_MD"
log "written to $OUT_MD (scores of every scenario in $RUNS_JSON)"
case $STATUS in
    0) log "every target checked is met" ;;
    3) log "at least one target FAILED (exit status 3)" ;;
esac
exit "$STATUS"
