#!/usr/bin/env bash
# Speed of the study's protocol: `sigstream crossval --preset paper` with all three backends (nmf, cnmf, aenmf),
# 30 splits, K = 5, on a generated 96 x 500 cohort (bench/speed/make_cohorts.py: accuracy scenario 4's model
# with 500 samples). Target: within 10 minutes on 2 cores at instruction-set level v3.
#
#   bench/crossval_speed.sh                     # the target's settings
#   bench/crossval_speed.sh --splits 4 --out /tmp/x.md   # a quick smoke run
#   bench/crossval_speed.sh --dry-run           # print the command, run nothing
# Options:
#   --splits S        crossval --splits [30]
#   --k K             crossval --k [5]
#   --backends LIST   crossval --backends [nmf,cnmf,aenmf]
#   --threads N       crossval --threads [2]
#   --isa LEVEL       SIGSTREAM_ISA: generic, v2, v3, v4 or cpu (the CPU's own) [v3, else cpu]
#   --work DIR        the cohort in DIR/speed/n500 (made if absent), the run in DIR/speed/crossval
#                     [$BENCH_DATA, else /work/bench-data]
#   --out FILE        Markdown results [bench/results/crossval_speed.md]
#   --dry-run         print the command, run nothing
# Environment: SIGSTREAM (binary, default build/sigstream), BENCH_DATA, BENCH_WAIT_IDLE (bench/lib.sh).
# Exit status: 0 the target met (or not judged: other settings), 3 it failed or the run failed, 1/2 other errors.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMDLINE="bench/crossval_speed.sh${1+ $*}"
SPLITS=30
K=5
BACKENDS=nmf,cnmf,aenmf
THREADS=2
ISA=""
WORK=${BENCH_DATA:-/work/bench-data}
OUT_MD=$REPO/bench/results/crossval_speed.md
DRY_RUN=0
TARGET_S=600

log() { printf '[crossval_speed] %s\n' "$*" >&2; }
die() { printf 'crossval_speed.sh: %s\n' "$*" >&2; exit 1; }
usage() { printf 'crossval_speed.sh: %s (--help lists the options)\n' "$*" >&2; exit 2; }
need() { [[ $# -ge 2 && -n $2 ]] || usage "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        --splits) need "$@"; SPLITS=$2; shift 2 ;;
        --k) need "$@"; K=$2; shift 2 ;;
        --backends) need "$@"; BACKENDS=$2; shift 2 ;;
        --threads) need "$@"; THREADS=$2; shift 2 ;;
        --isa) need "$@"; ISA=$2; shift 2 ;;
        --work) need "$@"; WORK=$2; shift 2 ;;
        --out) need "$@"; OUT_MD=$2; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --splits=*|--k=*|--backends=*|--threads=*|--isa=*|--work=*|--out=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        *) usage "unknown argument $1" ;;
    esac
done
[[ $SPLITS =~ ^[1-9][0-9]*$ ]] || usage "--splits: expected a positive integer, got '$SPLITS'"
[[ $K =~ ^[1-9][0-9]*$ ]] || usage "--k: expected a positive integer, got '$K'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || usage "--threads: expected a positive integer, got '$THREADS'"
[[ $BACKENDS =~ ^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$ ]] || usage "--backends: expected a comma-separated list, got '$BACKENDS'"

cd "$REPO"
SIGSTREAM=${SIGSTREAM:-build/sigstream}
PYTHON=/usr/bin/python3
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
[[ -x $SIGSTREAM ]] || die "$SIGSTREAM not found or not executable (build it: cmake --build build, or set SIGSTREAM)"
WORK=$(realpath -m "$WORK")
case "$WORK" in "$REPO"|"$REPO"/*) die "--work must be outside the repository" ;; esac
source "$REPO/bench/lib.sh"
use_isa "$ISA"
AT_TARGET=0
[[ $SPLITS == 30 && $K == 5 && $BACKENDS == nmf,cnmf,aenmf && $THREADS == 2 && $LEVEL == v3 ]] && AT_TARGET=1

COHORT=$WORK/speed/n500
RUN=$WORK/speed/crossval
CMD=("$SIGSTREAM" crossval --matrix "$COHORT/counts.tsv" --preset paper --backends "$BACKENDS" --k "$K"
     --splits "$SPLITS" --threads "$THREADS" --out-dir "$RUN")
if ((DRY_RUN)); then
    echo "SIGSTREAM_ISA=${SIGSTREAM_ISA:-} /usr/bin/time -v ${CMD[*]}"
    exit 0
fi
if [[ ! -f $COHORT/counts.tsv ]]; then
    log "generating the 96 x 500 cohort into $COHORT"
    $PYTHON bench/speed/make_cohorts.py --out "$WORK/speed" --cohorts n500 >/dev/null
fi

wait_for_idle
rm -rf "$RUN" "$RUN.time"
log "SIGSTREAM_ISA=${SIGSTREAM_ISA:-} ${CMD[*]}"
STATUS=0
set +e
/usr/bin/time -v -o "$RUN.time" "${CMD[@]}" 2> "$RUN.log"
status=$?
set -e
BUSY2=$(busy_cores)
read -r wall cpu rss < <(time_fields "$RUN.time")
if ((status)); then
    log "crossval failed (exit status $status; last lines of $RUN.log):"
    tail -n 3 "$RUN.log" >&2
    verdict="**FAIL** (the run failed)"
    STATUS=3
elif ((AT_TARGET)); then
    if awk -v w="$wall" -v t="$TARGET_S" 'BEGIN { exit !(w <= t) }'; then verdict="**PASS** (≤ 10 min)"
    else verdict="**FAIL** (> 10 min)"; STATUS=3; fi
else
    verdict="not judged (not the target's settings)"
fi
log "${wall} s wall, ${cpu} s CPU, peak RSS $((rss / 1024)) MiB: $verdict"

CPU_MODEL=$(cpu_model)
VERSION=$("$SIGSTREAM" --version 2>&1 | head -n 1)
COMMIT=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$OUT_MD")"
{
    echo "## \`sigstream crossval --preset paper\` speed"
    echo
    echo "$(date +%F), $VERSION (binary \`$SIGSTREAM\`, repo at $COMMIT); $(nproc) cores, $CPU_MODEL;" \
         "kernels at level **$LEVEL**${SIGSTREAM_ISA:+ (forced: SIGSTREAM_ISA=$SIGSTREAM_ISA)}. Cohort: 96 × 500" \
         "(\`bench/speed/make_cohorts.py\` n500). One run under \`/usr/bin/time -v\`; CPU = user + system." \
         "Other processes kept $BUSY1 cores busy just before and $BUSY2 just after (load average $LOAD1 before)."
    echo
    echo "| backends | splits | K | wall time | CPU time | peak RSS | target (≤ 10 min) |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    echo "| $BACKENDS | $SPLITS | $K | $(printf '%.1f s' "$wall") | $(printf '%.1f s' "$cpu") | $((rss / 1024)) MiB | $verdict |"
    if [[ -f $RUN/summary.tsv ]]; then
        echo
        echo "Per backend (\`summary.tsv\`): mean iterations per fit and fits stopped at \`--max-iter\` (preset: 100 000)."
        echo
        echo "| backend | mean iterations | unconverged | TestMSE | Consistency |"
        echo "|---|---:|---:|---:|---:|"
        awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            { printf "| `%s` | %.0f | %s | %.4g | %.4f |\n", $c["Backend"], $c["MeanIterations"], $c["Unconverged"], $c["TestMSE"], $c["Consistency"] }' \
            "$RUN/summary.tsv"
    fi
    echo
    echo "Command: \`$CMDLINE\`; it ran \`SIGSTREAM_ISA=${SIGSTREAM_ISA:-} ${CMD[*]}\`."
} > "$OUT_MD.tmp.partial"
mv "$OUT_MD.tmp.partial" "$OUT_MD"
cat "$OUT_MD"
log "written to $OUT_MD"
exit "$STATUS"
