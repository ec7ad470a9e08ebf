#!/usr/bin/env bash
# Speed and memory of `sigstream extract` with its defaults (K 2:15, 20 replicates per K, GMM normalisation,
# consensus, choice of K, minimum-volume refinement, refit), with a per-stage time breakdown, on generated
# cohorts of 96 x 1000 (accuracy scenario 4: 8 COSMIC signatures, mean burden 5000) and 96 x 10 000 (the same
# model, bench/speed/make_cohorts.py). Targets (nmf, 2 threads, instruction-set level v3): 96 x 1000 within
# 2 minutes, 96 x 10 000 within 20 minutes (its peak memory reported).
#
#   bench/extract_speed.sh                          # the targets: nmf, both cohorts, v3, 2 threads
#   bench/extract_speed.sh --cohorts 1000 --backends nmf,cnmf,aenmf    # every backend on 96 x 1000
#   bench/extract_speed.sh --replicates 2 --k-range 2:4 --cohorts 1000 --out /tmp/x.md   # a quick smoke run
#   bench/extract_speed.sh --dry-run                # print the commands, run nothing
# Options:
#   --cohorts LIST       comma-separated sample counts: 1000 (scenario 4), 10000 [1000,10000]
#   --backends LIST      comma-separated backends [nmf]
#   --isa LEVEL          SIGSTREAM_ISA for the runs: generic, v2, v3, v4 or cpu (the CPU's own) [v3, else cpu]
#   --threads N          extract --threads [2]
#   --replicates R       extract --replicates [extract's default, 20]
#   --k-range A:B        extract --k-range [extract's default, 2:15]
#   --extract-args "..." more extract arguments, split at whitespace (no quoting)
#   --work DIR           cohorts and run folders under DIR: scenario 4 in DIR/accuracy/s4 (made by
#                        bench/accuracy/make_scenarios.py if absent), the others in DIR/speed/n<N>, runs in
#                        DIR/speed/extract [$BENCH_DATA, else /work/bench-data]
#   --out FILE           Markdown results [bench/results/extract_speed.md]
#   --dry-run            check the arguments and the binary, print the commands, run nothing
# Environment: SIGSTREAM (binary, default build/sigstream), BENCH_DATA, BENCH_WAIT_IDLE (seconds to wait for an
# idle machine before measuring; see bench/lib.sh).
# The stage times come from the run folder's metadata.toml (`seconds` of each stage): extract = the replicate
# fits; consensus = clustering every K's replicates and refitting every sample to every K's signatures by NNLS;
# select = the choice of K; refine = the minimum-volume refinement of the chosen K and the refit to its
# signatures.
# Exit status: 0 every judged target met (only nmf at the defaults, 2 threads and v3 is judged), 3 one failed or
# a run failed (table still written), 1/2 other errors.
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
COHORTS=1000,10000
BACKENDS=nmf
ISA=""
THREADS=2
REPLICATES=""
K_RANGE=""
EXTRACT_ARGS=""
WORK=${BENCH_DATA:-/work/bench-data}
OUT_MD=$REPO/bench/results/extract_speed.md
DRY_RUN=0

log() { printf '[extract_speed] %s\n' "$*" >&2; }
die() { printf 'extract_speed.sh: %s\n' "$*" >&2; exit 1; }
usage() { printf 'extract_speed.sh: %s (--help lists the options)\n' "$*" >&2; exit 2; }
need() { [[ $# -ge 2 && -n $2 ]] || usage "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        --cohorts) need "$@"; COHORTS=$2; shift 2 ;;
        --backends) need "$@"; BACKENDS=$2; shift 2 ;;
        --isa) need "$@"; ISA=$2; shift 2 ;;
        --threads) need "$@"; THREADS=$2; shift 2 ;;
        --replicates) need "$@"; REPLICATES=$2; shift 2 ;;
        --k-range) need "$@"; K_RANGE=$2; shift 2 ;;
        --extract-args) [[ $# -ge 2 ]] || usage "--extract-args needs a value"; EXTRACT_ARGS=$2; shift 2 ;;
        --work) need "$@"; WORK=$2; shift 2 ;;
        --out) need "$@"; OUT_MD=$2; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --cohorts=*|--backends=*|--isa=*|--threads=*|--replicates=*|--k-range=*|--extract-args=*|--work=*|--out=*)
            set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        *) usage "unknown argument $1" ;;
    esac
done

[[ $COHORTS =~ ^(1000|10000)(,(1000|10000))*$ ]] || usage "--cohorts: expected 1000 and/or 10000, got '$COHORTS'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || usage "--threads: expected a positive integer, got '$THREADS'"
[[ -z $REPLICATES || $REPLICATES =~ ^[1-9][0-9]*$ ]] || usage "--replicates: expected a positive integer, got '$REPLICATES'"
if [[ -n $K_RANGE ]]; then
    [[ $K_RANGE =~ ^([1-9][0-9]*):([1-9][0-9]*)$ ]] || usage "--k-range: expected A:B (e.g. 2:10), got '$K_RANGE'"
    ((BASH_REMATCH[1] <= BASH_REMATCH[2])) || usage "--k-range: A must not exceed B, got '$K_RANGE'"
fi
[[ $BACKENDS =~ ^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$ ]] || usage "--backends: expected a comma-separated list, got '$BACKENDS'"
IFS=, read -ra BACKEND_LIST <<< "$BACKENDS"
IFS=, read -ra COHORT_LIST <<< "$COHORTS"
read -ra EXTRA <<< "$EXTRACT_ARGS"
for x in "${EXTRA[@]}"; do
    case "$x" in
        --k|--k=*|--k-range|--k-range=*|--replicates|--replicates=*|--threads|--threads=*|--backend|--backend=*|--out-dir|--out-dir=*)
            usage "--extract-args: $x is set by the script (use its own option)" ;;
    esac
done

cd "$REPO"
SIGSTREAM=${SIGSTREAM:-build/sigstream}
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || die "$PYTHON not found (apt-get install python3 python3-numpy)"
$PYTHON -c 'import numpy' 2>/dev/null || die "numpy missing for $PYTHON (apt-get install python3-numpy)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
WORK=$(realpath -m "$WORK")
case "$WORK" in "$REPO"|"$REPO"/*) die "--work must be outside the repository" ;; esac
[[ -x $SIGSTREAM ]] || die "$SIGSTREAM not found or not executable (build it: cmake --build build, or set SIGSTREAM)"
source "$REPO/bench/lib.sh"
use_isa "$ISA"
# Only the targets' settings are judged.
AT_TARGET=0
[[ -z $REPLICATES && -z $K_RANGE && $THREADS == 2 && $LEVEL == v3 && -z ${EXTRACT_ARGS// /} ]] && AT_TARGET=1

# ------------------------------------------------------------------ the cohorts
cohort_dir() { if [[ $1 == 1000 ]]; then echo "$WORK/accuracy/s4"; else echo "$WORK/speed/n$1"; fi; }
target_s() { if [[ $1 == 1000 ]]; then echo 120; else echo 1200; fi; }
if ((!DRY_RUN)); then
    for c in "${COHORT_LIST[@]}"; do
        d=$(cohort_dir "$c")
        [[ -f $d/counts.tsv && -f $d/scenario.json ]] && continue
        log "generating the cohort of $c samples into $d"
        if [[ $c == 1000 ]]; then $PYTHON bench/accuracy/make_scenarios.py --out "$WORK/accuracy" --scenarios 4 >/dev/null
        else $PYTHON bench/speed/make_cohorts.py --out "$WORK/speed" --cohorts "n$c" >/dev/null; fi
    done
fi

command_for() {  # fills CMD for backend $1 on cohort $2
    CMD=("$SIGSTREAM" extract --matrix "$(cohort_dir "$2")/counts.tsv" --backend "$1" --threads "$THREADS"
         --out-dir "$WORK/speed/extract/$1-n$2")
    [[ -n $K_RANGE ]] && CMD+=(--k-range "$K_RANGE")
    [[ -n $REPLICATES ]] && CMD+=(--replicates "$REPLICATES")
    CMD+=("${EXTRA[@]}")
}

if ((DRY_RUN)); then
    for c in "${COHORT_LIST[@]}"; do
        for b in "${BACKEND_LIST[@]}"; do
            command_for "$b" "$c"
            echo "SIGSTREAM_ISA=${SIGSTREAM_ISA:-} /usr/bin/time -v $(quote "${CMD[@]}")"
        done
    done
    if ((AT_TARGET)); then log "the targets' settings: nmf runs are judged"
    else log "not the targets' settings (extract's defaults, --threads 2, level v3): nothing is judged"; fi
    exit 0
fi

# ------------------------------------------------------------------ runs
wait_for_idle
mkdir -p "$WORK/speed/extract"
ROWS=()
VERDICTS=()
STATUS=0
# stage seconds from metadata.toml: prints "extract consensus select refine" (– where a stage is missing)
stage_seconds() {
    awk '/^\[/ { t = $0; gsub(/[][]/, "", t) } /^seconds = / { s[t] = $3 }
         END { n = split("extract consensus select refine", k, " ")
               for (i = 1; i <= n; i++) printf "%s%s", (k[i] in s ? s[k[i]] : "–"), (i < n ? " " : "\n") }' "$1"
}
for c in "${COHORT_LIST[@]}"; do
    for b in "${BACKEND_LIST[@]}"; do
        command_for "$b" "$c"
        run=$WORK/speed/extract/$b-n$c
        rm -rf "$run" "$run.time" "$run.score.json"
        log "$b on 96 x $c: SIGSTREAM_ISA=${SIGSTREAM_ISA:-} $(quote "${CMD[@]}")"
        set +e
        /usr/bin/time -v -o "$run.time" "${CMD[@]}" 2> "$run.log"
        status=$?
        set -e
        read -r wall cpu rss < <(time_fields "$run.time")
        if ((status)); then
            log "$b: extract failed (exit status $status; last lines of $run.log):"
            tail -n 3 "$run.log" >&2
            ROWS+=("| 96 × $c | \`$b\` | failed (exit status $status) | – | – | – | – | – | – | – | – | – |")
            STATUS=3
            continue
        fi
        read -r t_fit t_cons t_sel t_ref < <(stage_seconds "$run/metadata.toml")
        chosen=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "K") kc = i; if ($i == "Chosen") cc = i } next }
                             $cc == 1 { print $kc }' "$run/selection.tsv" 2>/dev/null || true)
        $PYTHON bench/accuracy/score.py --scenario "$(cohort_dir "$c")" --run "$run" --json "$run.score.json" >/dev/null 2>&1 || true
        mincos=$($PYTHON -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.3f" % r["chosen"]["min_cosine"])' \
            "$run.score.json" 2>/dev/null || echo "–")
        log "$b on 96 x $c: ${wall} s wall, ${cpu} s CPU, peak RSS $((rss / 1024)) MiB; stages: fits $t_fit s," \
            "consensus $t_cons s, select $t_sel s, refine $t_ref s; chosen K ${chosen:-?}"
        verdict="–"
        if [[ $b == nmf ]] && ((AT_TARGET)); then
            t=$(target_s "$c")
            if awk -v w="$wall" -v t="$t" 'BEGIN { exit !(w <= t) }'; then verdict="**PASS** (≤ $((t / 60)) min)"
            else verdict="**FAIL** (> $((t / 60)) min)"; STATUS=3; fi
            VERDICTS+=("| \`nmf\` defaults on 96 × $c, 2 threads, v3, within $((t / 60)) minutes | $verdict ($(printf '%.1f' "$wall") s) |")
        fi
        fmt_wall=$(awk -v w="$wall" 'BEGIN { printf (w < 600 ? "%.1f s" : "%.1f s (%.1f min)"), w, w / 60 }')
        ROWS+=("| 96 × $c | \`$b\` | $fmt_wall | $(printf '%.1f s' "$cpu") | $((rss / 1024)) MiB | $t_fit | $t_cons | $t_sel | $t_ref | ${chosen:-?} | $mincos | $verdict |")
    done
done
BUSY2=$(busy_cores)

# ------------------------------------------------------------------ report
CPU_MODEL=$(cpu_model)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
VERSION=$("$SIGSTREAM" --version 2>&1 | head -n 1)
COMMIT=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
KR=${K_RANGE:-2:15 (default)}
RP=${REPLICATES:-20 (default)}
mkdir -p "$(dirname "$OUT_MD")"
{
    echo "## \`sigstream extract\` speed with its defaults, stage by stage"
    echo
    echo "$(date +%F), $VERSION (binary \`$SIGSTREAM\`, repo at $COMMIT); $(nproc) cores, $CPU_MODEL," \
         "$MEM RAM; kernels at level **$LEVEL**${SIGSTREAM_ISA:+ (forced: SIGSTREAM_ISA=$SIGSTREAM_ISA)}." \
         "K range $KR, replicates $RP, --threads $THREADS${EXTRACT_ARGS:+, $EXTRACT_ARGS}." \
         "Cohorts: 96 × 1000 = accuracy scenario 4 (\`bench/accuracy/make_scenarios.py\`: 8 COSMIC signatures," \
         "mean burden 5000); 96 × 10 000 = the same model (\`bench/speed/make_cohorts.py\`)." \
         "One run each under \`/usr/bin/time -v\`; CPU = user + system; stage times from \`metadata.toml\`" \
         "(fits = the extract stage; consensus includes the NNLS refit of every K; refine includes the chosen K's refit)." \
         "Other processes kept $BUSY1 cores busy just before and $BUSY2 just after (load average $LOAD1 before)."
    echo
    echo "| cohort | backend | wall time | CPU time | peak RSS | fits (s) | consensus (s) | select (s) | refine (s) | chosen K | min matched cosine | target |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${ROWS[@]}"
    if ((${#VERDICTS[@]})); then
        echo
        echo "| target | result |"
        echo "|---|---|"
        printf '%s\n' "${VERDICTS[@]}"
    fi
    echo
    echo "Command: \`$CMDLINE\`; each run: \`SIGSTREAM_ISA=${SIGSTREAM_ISA:-} $SIGSTREAM extract --matrix <cohort>/counts.tsv --backend B --threads $THREADS${K_RANGE:+ --k-range $K_RANGE}${REPLICATES:+ --replicates $REPLICATES} --out-dir <work>/speed/extract/B-n<samples>${EXTRACT_ARGS:+ $EXTRACT_ARGS}\`" \
         "(work folder \`$WORK\`)."
} > "$OUT_MD.tmp.partial"
mv "$OUT_MD.tmp.partial" "$OUT_MD"
cat "$OUT_MD"
log "written to $OUT_MD"
exit "$STATUS"
