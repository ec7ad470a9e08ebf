#!/usr/bin/env bash
# Speed benchmark of sigstream's extraction backends (nmf, cnmf, aenmf plugins) against scikit-learn, PyTorch
# and a plain Eigen implementation of nmf's multiplicative updates, on generated data, side by side in one run,
# one thread, at every instruction-set level the CPU has (see bench/README.md).
#
#   bench/backends_speed.sh            # build the drivers, generate the data, measure, write the tables
#   BENCH_QUICK=1 bench/backends_speed.sh   # a quick smoke run (< 1 min; fewer iterations and runs; not for figures)
# Exit status: 0 all targets met (a target whose peer is not installed is reported as not checked),
# 3 a target failed (table still written), 1/2 other errors.
#
# Environment (defaults in brackets):
#   BENCH_BUILD      CMake build folder, relative to the repo root or absolute; configured (Release) if
#                    missing; the script builds its targets backend_bench (with the plugins) and mu_eigen
#                    there [build]
#   BENCH_LEVELS     comma-separated instruction-set levels to measure (generic, v2, v3, v4) [every level
#                    the CPU has]: at level L sigstream runs with SIGSTREAM_ISA=L, the peers' OpenBLAS with
#                    OPENBLAS_CORETYPE=Prescott, Nehalem, Haswell or SkylakeX, the Eigen reference as mu_eigen_L
#   BENCH_DATA       where generated data lives (never inside the repo); this benchmark uses
#                    $BENCH_DATA/backends [/work/bench-data]
#   BENCH_RUNS       measured runs per tool and comparison, alternating [5]
#   BENCH_OUT        Markdown result file [bench/results/backends_speed.md]; raw runs next to it (_runs.json)
#   BENCH_WAIT_IDLE  before each comparison wait (up to this many seconds in all) for other processes at
#                    normal priority to leave the CPUs idle; niced ones are counted and reported, not
#                    waited for [no wait]
#   BENCH_SIG_VERSION  how the results name the sigstream under test [repo at `git describe --dirty`, build]
#   BENCH_QUICK      1: a smoke run (a few hundred iterations, 1 run, n up to 2000, every level); writes
#                    to a temporary file unless BENCH_OUT is set
#
# Targets (issue), at every level: on 96 x 1000, K = 10, (a) nmf solver=mu per iteration no slower than
# scikit-learn's NMF(solver='mu') on OpenBLAS and than plain Eigen (bench/mu_eigen.cpp) for KL and Frobenius,
# same start, equal iterations; (b) nmf's default KL solver reaches the
# KL scikit-learn's MU reaches after 5000 iterations >= 5x sooner; (c) on 96 x 300, K = 5, aenmf >= 3x faster
# per Adam step than the same loop in PyTorch float64, and with its defaults reaches PyTorch's 20 000-step loss
# (paper settings) >= 20x sooner; (d) cnmf and aenmf time per iteration linear in n (300, 2000, 20 000; 200 000 added).
# Peers run as well-tuned users would run them: one thread, OpenBLAS with the level's kernel, GLIBC_TUNABLES
# raising malloc's mmap/trim thresholds. Times are CPU times of the measured process (wall clock beside them).
set -euo pipefail

for arg in "$@"; do
    case "$arg" in
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "backends_speed.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
BUILD=${BENCH_BUILD:-build}
[[ "$BUILD" = /* ]] || BUILD="$REPO/$BUILD"
DATA=${BENCH_DATA:-/work/bench-data}/backends
RUNS=${BENCH_RUNS:-5}
PYTHON=/usr/bin/python3   # numpy, scikit-learn and torch are Debian packages

log() { printf '[backends_speed] %s\n' "$*" >&2; }
die() { printf 'backends_speed.sh: %s\n' "$*" >&2; exit 1; }

for tool in cmake g++; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install cmake g++)"
done
[[ -x $PYTHON ]] || die "$PYTHON not found (apt-get install python3 python3-numpy)"
$PYTHON -c 'import numpy' 2>/dev/null || die "numpy missing for $PYTHON (apt-get install python3-numpy)"
case "$DATA" in "$REPO"|"$REPO"/*) die "BENCH_DATA must be outside the repository" ;; esac

EXTRA=()
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
    RUNS=${BENCH_RUNS:-1}
    EXTRA=(--iter-kl 100 --iter-frobenius 200 --check-iter 20 --sk-iter 300 --torch-steps 1000 --sizes 300,2000
           --d-work 1e5 --smoke)
    OUT_MD=${BENCH_OUT:-$(mktemp /tmp/backends_speed_quick.XXXXXX.md)}
else
    OUT_MD=${BENCH_OUT:-$REPO/bench/results/backends_speed.md}
fi

# ------------------------------------------------------------------ build the driver (and the plugins)
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD (Release)"
    cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
[[ $BUILD_TYPE == Release ]] || die "$BUILD is a '$BUILD_TYPE' build; benchmark a Release build (BENCH_BUILD=...)"
if grep -q '^SIGSTREAM_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    die "$BUILD is a sanitizer build; benchmark a plain Release build"
fi
log "building backend_bench, the plugins and mu_eigen in $BUILD"
cmake --build "$BUILD" -j2 --target backend_bench mu_eigen >/dev/null ||
    die "build failed (cmake --build $BUILD --target backend_bench mu_eigen)"
DRIVER="$BUILD/bench/backend_bench"
PLUGINS="$BUILD/plugins"
for p in nmf cnmf aenmf; do [[ -f $PLUGINS/$p.so ]] || die "$PLUGINS/$p.so missing"; done

# ------------------------------------------------------------------ wait for a quiet machine
source "$REPO/bench/lib.sh"
# How busy the machine is; the waiting (BENCH_WAIT_IDLE) is done before each comparison by backends_speed.py, which
# waits for work at normal priority only.
WAIT_IDLE=${BENCH_WAIT_IDLE:-0}
unset BENCH_WAIT_IDLE
wait_for_idle

# ------------------------------------------------------------------ measure and report
SIG_VERSION=${BENCH_SIG_VERSION:-"repo at $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown), build ${BUILD#$REPO/}"}
set +e
$PYTHON "$REPO/bench/backends_speed.py" --driver "$DRIVER" --plugins "$PLUGINS" --eigen "$BUILD/bench" \
    --levels "${BENCH_LEVELS:-}" --data "$DATA" --out "$OUT_MD" \
    --runs "$RUNS" --busy-before "$BUSY1" --load-before "$LOAD1" --sig-version "$SIG_VERSION" \
    --wait-idle "$WAIT_IDLE" "${EXTRA[@]}"
STATUS=$?
set -e
case $STATUS in
    0) log "all targets met" ;;
    3) log "at least one target FAILED (exit status 3)" ;;
    *) die "measurement failed (exit status $STATUS)" ;;
esac
exit "$STATUS"
