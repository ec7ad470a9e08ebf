#!/usr/bin/env bash
# Speed and memory of `sigstream extract` with replicates, consensus and the choice of K, on accuracy
# scenario 4's cohort (1000 samples, mean 5000 mutations, 8 true signatures; see bench/README.md), for the
# backends nmf, cnmf and aenmf. Target: nmf with --k-range 2:10 --replicates 50 --threads 2 within 10 minutes.
#
#   bench/extract_speed.sh                                   # the target's settings, all three backends
#   bench/extract_speed.sh --replicates 2 --k-range 2:4 --backends nmf --out /tmp/x.md   # a quick smoke run
#   bench/extract_speed.sh --dry-run                         # print the commands, run nothing
# Options:
#   --replicates R       extract --replicates [50]
#   --k-range A:B        extract --k-range [2:10]
#   --backends LIST      comma-separated backends [nmf,cnmf,aenmf]
#   --threads N          extract --threads [2]
#   --extract-args "..." more extract arguments, split at whitespace (no quoting)
#   --work DIR           scenario 4 in DIR/s4 (made by bench/accuracy/make_scenarios.py if absent), run
#                        folders in DIR/speed [$BENCH_ACCURACY_WORK, else $BENCH_DATA/accuracy, else
#                        /work/bench-data/accuracy]
#   --out FILE           Markdown results [bench/results/extract_speed.md]
#   --dry-run            check the arguments and the binary, print the commands, run nothing
# Environment: SIGSTREAM (binary, default build/sigstream), BENCH_DATA, BENCH_ACCURACY_WORK, BENCH_WAIT_IDLE
# (seconds to wait for an idle machine before measuring; see bench/lib.sh).
# Exit status: 0 the nmf target met (or not checked: other settings, or nmf not run), 3 it failed or a run
# failed (table still written), 1/2 other errors.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quote() {  # shell-quote only what needs it
    local a out=""
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+=" $a"; else out+=" '${a//\'/\'\\\'\'}'"; fi
    done
    printf '%s' "${out# }"
}
CMDLINE="bench/extract_speed.sh${1+ $(quote "$@")}"
REPLICATES=50
K_RANGE=2:10
BACKENDS=nmf,cnmf,aenmf
THREADS=2
EXTRACT_ARGS=""
WORK=${BENCH_ACCURACY_WORK:-${BENCH_DATA:-/work/bench-data}/accuracy}
OUT_MD=$REPO/bench/results/extract_speed.md
DRY_RUN=0
TARGET_S=600   # 10 minutes, nmf, --k-range 2:10 --replicates 50 --threads 2

log() { printf '[extract_speed] %s\n' "$*" >&2; }
die() { printf 'extract_speed.sh: %s\n' "$*" >&2; exit 1; }
usage() { printf 'extract_speed.sh: %s (--help lists the options)\n' "$*" >&2; exit 2; }
need() { [[ $# -ge 2 && -n $2 ]] || usage "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        --replicates) need "$@"; REPLICATES=$2; shift 2 ;;
        --k-range) need "$@"; K_RANGE=$2; shift 2 ;;
        --backends) need "$@"; BACKENDS=$2; shift 2 ;;
        --threads) need "$@"; THREADS=$2; shift 2 ;;
        --extract-args) [[ $# -ge 2 ]] || usage "--extract-args needs a value"; EXTRACT_ARGS=$2; shift 2 ;;
        --work) need "$@"; WORK=$2; shift 2 ;;
        --out) need "$@"; OUT_MD=$2; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --replicates=*|--k-range=*|--backends=*|--threads=*|--extract-args=*|--work=*|--out=*)
            set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        *) usage "unknown argument $1" ;;
    esac
done

[[ $REPLICATES =~ ^[1-9][0-9]*$ ]] || usage "--replicates: expected a positive integer, got '$REPLICATES'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || usage "--threads: expected a positive integer, got '$THREADS'"
[[ $K_RANGE =~ ^([1-9][0-9]*):([1-9][0-9]*)$ ]] || usage "--k-range: expected A:B (e.g. 2:10), got '$K_RANGE'"
((BASH_REMATCH[1] <= BASH_REMATCH[2])) || usage "--k-range: A must not exceed B, got '$K_RANGE'"
[[ $BACKENDS =~ ^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$ ]] || usage "--backends: expected a comma-separated list, got '$BACKENDS'"
IFS=, read -ra BACKEND_LIST <<< "$BACKENDS"
read -ra EXTRA <<< "$EXTRACT_ARGS"
for x in "${EXTRA[@]}"; do
    case "$x" in
        --k|--k=*|--k-range|--k-range=*|--replicates|--replicates=*|--threads|--threads=*|--backend|--backend=*|--out-dir|--out-dir=*)
            usage "--extract-args: $x is set by the script (use its own option)" ;;
    esac
done
# The target's settings (anything else is measured but not judged).
AT_TARGET=0
[[ $REPLICATES == 50 && $K_RANGE == 2:10 && $THREADS == 2 && -z ${EXTRACT_ARGS// /} ]] && AT_TARGET=1

cd "$REPO"
SIGSTREAM=${SIGSTREAM:-build/sigstream}
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || die "$PYTHON not found (apt-get install python3 python3-numpy)"
$PYTHON -c 'import numpy' 2>/dev/null || die "numpy missing for $PYTHON (apt-get install python3-numpy)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
WORK=$(realpath -m "$WORK")
case "$WORK" in "$REPO"|"$REPO"/*) die "--work must be outside the repository" ;; esac
if [[ ! -x $SIGSTREAM ]]; then
    ((DRY_RUN)) || die "$SIGSTREAM not found or not executable (build it: cmake --build build, or set SIGSTREAM)"
    log "warning: $SIGSTREAM not found or not executable"
elif ! "$SIGSTREAM" extract --help 2>&1 | grep -q -- '--k-range'; then
    ((DRY_RUN)) || die "$SIGSTREAM extract has no --k-range / --replicates yet: nothing to measure"
    log "warning: $SIGSTREAM extract has no --k-range / --replicates yet (a real run would stop here)"
fi

# ------------------------------------------------------------------ the cohort
SC=$WORK/s4
if [[ ! -f $SC/counts.tsv || ! -f $SC/scenario.json ]]; then
    log "generating scenario 4 into $SC"
    $PYTHON bench/accuracy/make_scenarios.py --out "$WORK" --scenarios 4 >/dev/null
fi

command_for() {  # fills CMD for backend $1
    CMD=("$SIGSTREAM" extract --matrix "$SC/counts.tsv" --backend "$1" --k-range "$K_RANGE"
         --replicates "$REPLICATES" --threads "$THREADS" --out-dir "$WORK/speed/$1" "${EXTRA[@]}")
}

if ((DRY_RUN)); then
    for b in "${BACKEND_LIST[@]}"; do
        command_for "$b"
        echo "/usr/bin/time -v $(quote "${CMD[@]}")"
    done
    if ((AT_TARGET)); then log "settings of the target: the nmf run is judged against $TARGET_S s"
    else log "not the target's settings (--k-range 2:10 --replicates 50 --threads 2): nothing is judged"; fi
    exit 0
fi

# ------------------------------------------------------------------ runs
source "$REPO/bench/lib.sh"
wait_for_idle
mkdir -p "$WORK/speed"
ROWS=()
STATUS=0
NMF_VERDICT="not checked (nmf not run)"
for b in "${BACKEND_LIST[@]}"; do
    command_for "$b"
    run=$WORK/speed/$b
    rm -rf "$run" "$run.time" "$run.score.json"
    log "$b: $(quote "${CMD[@]}")"
    set +e
    /usr/bin/time -v -o "$run.time" "${CMD[@]}" 2> "$run.log"
    status=$?
    set -e
    # /usr/bin/time -v: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34", user/system seconds, max RSS KiB
    read -r wall cpu rss < <(awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
        /User time \(seconds\)/ { u = $NF } /System time \(seconds\)/ { s = $NF }
        /Maximum resident set size/ { m = $NF }
        END { printf "%.2f %.2f %d\n", w, u + s, m }' "$run.time")
    if ((status)); then
        log "$b: extract failed (exit status $status; last lines of $run.log):"
        tail -n 3 "$run.log" >&2
        ROWS+=("| \`$b\` | failed (exit status $status) | – | – | – | – | – |")
        STATUS=3
        [[ $b == nmf ]] && NMF_VERDICT="**FAIL** (the run failed)"
        continue
    fi
    chosen=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "K") kc = i; if ($i == "Chosen") cc = i } next }
                         $cc == 1 { print $kc }' "$run/selection.tsv" 2>/dev/null || true)
    $PYTHON bench/accuracy/score.py --scenario "$SC" --run "$run" --json "$run.score.json" >/dev/null 2>&1 || true
    mincos=$($PYTHON -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.3f" % r["chosen"]["min_cosine"])' \
        "$run.score.json" 2>/dev/null || echo "–")
    log "$b: ${wall} s wall, ${cpu} s CPU, peak RSS $((rss / 1024)) MiB, chosen K ${chosen:-?}"
    verdict="–"
    if [[ $b == nmf ]]; then
        if ((AT_TARGET)); then
            if awk -v w="$wall" -v t="$TARGET_S" 'BEGIN { exit !(w <= t) }'; then verdict="**PASS** (≤ 10 min)"
            else verdict="**FAIL** (> 10 min)"; STATUS=3; fi
        else
            verdict="not checked (not the target's settings)"
        fi
        NMF_VERDICT=$verdict
    fi
    ROWS+=("| \`$b\` | $(awk -v w="$wall" 'BEGIN { printf (w < 600 ? "%.1f s" : "%.1f s (%.1f min)"), w, w / 60 }') | $(printf '%.1f s' "$cpu") | $((rss / 1024)) MiB | ${chosen:-?} | $mincos | $verdict |")
done
BUSY2=$(busy_cores)

# ------------------------------------------------------------------ report
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
VERSION=$("$SIGSTREAM" --version 2>&1 | head -n 1)
COMMIT=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
TRUE_K=$($PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["K"])' "$SC/scenario.json")
mkdir -p "$(dirname "$OUT_MD")"
{
    echo "## \`sigstream extract\` speed with replicates and the choice of K"
    echo
    echo "$(date +%F), $VERSION (binary \`$SIGSTREAM\`, repo at $COMMIT); $(nproc) cores ($CPU_MODEL), $MEM RAM." \
         "Cohort: accuracy scenario 4 (\`bench/accuracy/make_scenarios.py\`: 1000 samples, mean burden 5000," \
         "true K = $TRUE_K). One run per backend under \`/usr/bin/time -v\`; CPU = user + system." \
         "Other processes kept $BUSY1 cores busy just before and $BUSY2 just after (load average $LOAD1 before)."
    echo
    echo "| backend | wall time | CPU time | peak RSS | chosen K | min matched cosine (chosen K) | target (nmf: ≤ 10 min) |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| target | result |"
    echo "|---|---|"
    echo "| \`nmf\`, \`--k-range 2:10 --replicates 50 --threads 2\`, within 10 minutes on 2 cores | $NMF_VERDICT |"
    echo
    echo "Command: \`$CMDLINE\`; each backend B ran"
    echo "\`$SIGSTREAM extract --matrix <work>/s4/counts.tsv --backend B --k-range $K_RANGE --replicates $REPLICATES --threads $THREADS --out-dir <work>/speed/B${EXTRACT_ARGS:+ $EXTRACT_ARGS}\`" \
         "(work folder \`$WORK\`)."
} > "$OUT_MD.tmp.partial"
mv "$OUT_MD.tmp.partial" "$OUT_MD"
cat "$OUT_MD"
log "written to $OUT_MD"
exit "$STATUS"
