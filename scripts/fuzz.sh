#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -DSIGSTREAM_FUZZ=ON) in build-fuzz/ and runs each for a while.
#   scripts/fuzz.sh [--minutes N] [--jobs J] [TARGET...]
#     --minutes N   how long each target runs (default 1; decimals allowed)
#     --jobs J      fuzzing processes per target (libFuzzer -fork=J; default 1)
#     TARGET        fuzz_vcf fuzz_fai fuzz_matrix fuzz_shard fuzz_toml fuzz_params (default: all of them)
# Each target runs on build-fuzz/corpus/<target> (a copy of tests/fuzz/corpus/<target>, grown by the runs: nothing
# is written into tests/), with its dictionary tests/fuzz/dict/<target>.dict, -rss_limit_mb=2048 -timeout=10, and
# keeps going after a crash (-ignore_crashes=1); UBSan findings already reported are suppressed
# (tests/fuzz/ubsan.supp). Crash, timeout and out-of-memory inputs go to
# build-fuzz/artifacts/<target>/. Prints per target the runs executed, CPU seconds, coverage (cov:) and the
# findings of this run; exits 1 if any target found one, 2 for a usage or setup error. Works offline; needs only
# Debian packages (it names any that are missing).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
all_targets=(fuzz_vcf fuzz_fai fuzz_matrix fuzz_shard fuzz_toml fuzz_params)

minutes=1
jobs=1
targets=()
usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case "$1" in
    --minutes) (($# >= 2)) || usage; minutes="$2"; shift 2 ;;
    --minutes=*) minutes="${1#*=}"; shift ;;
    --jobs) (($# >= 2)) || usage; jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    -h|--help) usage ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage ;;
    *)
      known=0
      for t in "${all_targets[@]}"; do [[ "$1" == "$t" ]] && known=1; done
      ((known)) || { echo "fuzz.sh: unknown target $1 (targets: ${all_targets[*]})" >&2; exit 2; }
      targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")
[[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "fuzz.sh: --minutes takes a number, not '$minutes'" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs takes a whole number >= 1, not '$jobs'" >&2; exit 2; }
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print (s < 1 ? 1 : s) }')

# ---------------------------------------------------------------- what must be installed (Debian packages)
missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing+=("$1"); }
need_cmd clang clang
need_cmd clang++ clang
need_cmd cmake cmake
need_cmd pkg-config pkg-config
if command -v dpkg-query >/dev/null 2>&1; then
  for p in libhts-dev libeigen3-dev libboost-iostreams-dev libtomlplusplus-dev; do need_pkg "$p"; done
fi
if command -v clang++ >/dev/null 2>&1; then
  probe="$(mktemp -d)"
  printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n' \
    >"$probe/probe.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1 ||
    missing+=(libclang-rt-dev)
  rm -rf "$probe"
fi
if ((${#missing[@]})); then
  echo "fuzz.sh: missing Debian packages: ${missing[*]}" >&2
  echo "fuzz.sh: install them with: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 2
fi

# ---------------------------------------------------------------- configure and build
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -q '^SIGSTREAM_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "fuzz.sh: $build holds a build that is not a fuzz build (SIGSTREAM_FUZZ is not ON): remove it first" >&2
  exit 2
fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  echo "fuzz.sh: configuring $build" >&2
  mkdir -p "$build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" -DSIGSTREAM_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGSTREAM_BUILD_TESTS=OFF -DSIGSTREAM_BUILD_BENCH=OFF >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "fuzz.sh: configuring failed (log above)" >&2; exit 2; }
fi
echo "fuzz.sh: building ${targets[*]}" >&2
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >"$build/build.log" 2>&1 ||
  { tail -n 40 "$build/build.log" >&2; echo "fuzz.sh: the build failed (end of $build/build.log above)" >&2; exit 2; }

# ---------------------------------------------------------------- run
# UBSan reports are fatal (the targets' default options); known, already reported ones are suppressed.
ubsan_options="halt_on_error=1:print_stacktrace=1"
[[ -f "$root/tests/fuzz/ubsan.supp" ]] && ubsan_options+=":suppressions=$root/tests/fuzz/ubsan.supp"
summary=()
found_any=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  [[ -x "$bin" ]] || { echo "fuzz.sh: $t was not built ($bin is missing)" >&2; exit 2; }
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  scratch="$build/tmp/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$build/logs"
  rm -rf "$scratch" && mkdir -p "$scratch"
  # Seeds are copied in (never overwriting what earlier runs added); the runs write only under build-fuzz/.
  if [[ -d "$root/tests/fuzz/corpus/$t" ]]; then cp -n "$root/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true; fi
  dict=()
  [[ -f "$root/tests/fuzz/dict/$t.dict" ]] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
  marker="$build/tmp/$t.start"
  touch "$marker"
  echo "fuzz.sh: $t for ${seconds} s on $jobs process(es) (log: $log)" >&2
  times_file="$build/tmp/$t.times"
  TIMEFORMAT='%U %S'
  status=0
  { time TMPDIR="$scratch" UBSAN_OPTIONS="$ubsan_options" "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/" "${dict[@]}" \
      "$corpus" >"$log" 2>&1 || status=$?; } 2>"$times_file"
  cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$times_file")
  # The last status line: "#RUNS: cov: C ft: F corp: N exec/s E oom/timeout/crash: a/b/c time: Ts job: J ..."
  last="$(grep -E '^#[0-9]+:?[[:space:]]' "$log" | tail -n 1 || true)"
  runs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  crashes=$(find "$artifacts" -maxdepth 1 -type f -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' \) | wc -l)
  timeouts=$(find "$artifacts" -maxdepth 1 -type f -newer "$marker" -name 'timeout-*' | wc -l)
  ooms=$(find "$artifacts" -maxdepth 1 -type f -newer "$marker" -name 'oom-*' | wc -l)
  findings=$((crashes + timeouts + ooms))
  ((findings)) && found_any=1
  if [[ -z "$runs" ]] || { ((status)) && ((findings == 0)); }; then
    tail -n 20 "$log" >&2
    echo "fuzz.sh: $t did not run as expected (exit status $status; log above)" >&2
    found_any=1
  fi
  summary+=("$(printf '%-12s runs %10s  cpu %8s s  cov %6s  crashes %3d  timeouts %3d  ooms %3d' \
    "$t" "${runs:-?}" "$cpu" "${cov:-?}" "$crashes" "$timeouts" "$ooms")")
done

echo
echo "fuzz.sh: results (${seconds} s per target, $jobs process(es); inputs of findings in $build/artifacts/<target>/)"
for line in "${summary[@]}"; do echo "  $line"; done
if ((found_any)); then
  echo "fuzz.sh: FINDINGS — reproduce one with: build-fuzz/tests/fuzz/<target> <artifact file>; minimise with -minimize_crash=1 -runs=100000"
  exit 1
fi
echo "fuzz.sh: no findings"
