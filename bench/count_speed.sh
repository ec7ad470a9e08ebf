#!/usr/bin/env bash
# Speed benchmark of `sigstream count` against `bcftools query`, on generated data.
#
#   bench/count_speed.sh                  # build generator, generate data if missing, measure, write table
#   bench/count_speed.sh --generate-only  # only build the generator and generate the data
# Exit status: 0 all requirements met, 3 a requirement failed (table still written), 1/2 other errors.
#
# Environment (defaults in brackets):
#   SIGSTREAM            binary to test, relative to the repo root or absolute [build/sigstream]
#   BENCH_DATA           where generated data lives (never inside the repo) [/work/bench-data]
#   BENCH_RECORDS        records in the big VCF [10000000]
#   BENCH_SMALL_RECORDS  records in each of the small VCFs [1000000]
#   BENCH_SMALL_FILES    number of small VCFs [16]
#   BENCH_RUNS           measured runs per command, after one warm-up run [3]
#   BENCH_GENOME_LENGTH  total FASTA length, 3 contigs [300000000]
#   BENCH_OUT            Markdown result file [bench/results/count_speed.md]
#   BENCH_WAIT_IDLE      wait up to this many seconds for other processes to leave the CPUs idle [no wait]
#
# Requirements checked (issue): on the big file, single-threaded `sigstream count` wall time <= that of
# `bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\n' big.vcf.gz > /dev/null`; sigstream peak RSS <= FASTA size
# + 64 MiB; on the small files, `--threads 2` at least 1.7x faster than `--threads 1`.
# Commands are run alternately (A B, B A, ...) so that drift and background load hit both alike.
set -euo pipefail

GENERATE_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --generate-only) GENERATE_ONLY=1 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "count_speed.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
SIGSTREAM=${SIGSTREAM:-build/sigstream}
[[ "$SIGSTREAM" = /* ]] || SIGSTREAM="$REPO/$SIGSTREAM"
DATA=${BENCH_DATA:-/work/bench-data}
N_BIG=${BENCH_RECORDS:-10000000}
N_SMALL=${BENCH_SMALL_RECORDS:-1000000}
N_FILES=${BENCH_SMALL_FILES:-16}
RUNS=${BENCH_RUNS:-3}
GENOME_LEN=${BENCH_GENOME_LENGTH:-300000000}
OUT_MD=${BENCH_OUT:-$REPO/bench/results/count_speed.md}
TIME=/usr/bin/time
QUERY_FMT='%CHROM\t%POS\t%REF\t%ALT\n'

log() { printf '[count_speed] %s\n' "$*" >&2; }
die() { printf 'count_speed.sh: %s\n' "$*" >&2; exit 1; }

for tool in g++ bgzip bcftools python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install g++ tabix bcftools python3)"
done
[[ -x $TIME ]] || die "$TIME not found (apt-get install time)"
case "$DATA" in "$REPO"|"$REPO"/*) die "BENCH_DATA must be outside the repository" ;; esac

# ------------------------------------------------------------------ (a) build the generator
mkdir -p "$DATA/bin"
GEN="$DATA/bin/gen_count_bench"
SRC="$REPO/bench/gen_count_bench.cpp"
if [[ ! -x $GEN || $SRC -nt $GEN ]]; then
    log "building $GEN"
    g++ -O2 -std=c++17 -o "$GEN.tmp" "$SRC"
    mv "$GEN.tmp" "$GEN"
fi

# ------------------------------------------------------------------ (b) generate data if missing
# Non-default genome lengths get their own folder so that their VCFs never mix with the default set.
if [[ $GENOME_LEN == 300000000 ]]; then SET="$DATA"; else SET="$DATA/genome_$GENOME_LEN"; fi
mkdir -p "$SET"
FASTA="$SET/genome.fa"
BIG="$SET/big_${N_BIG}.vcf.gz"
SMALL=()
for ((i = 1; i <= N_FILES; i++)); do SMALL+=("$SET/small_${N_SMALL}_$(printf %02d "$i").vcf.gz"); done

if [[ ! -s $FASTA || ! -s $FASTA.fai ]]; then
    log "generating $FASTA (3 contigs, $GENOME_LEN bp)"
    "$GEN" fasta "$FASTA.tmp" --contigs 3 --length "$GENOME_LEN" --seed 42
    mv "$FASTA.tmp.fai" "$FASTA.fai"   # the .fai is byte-identical to what `samtools faidx` writes
    mv "$FASTA.tmp" "$FASTA"
fi
gen_vcf() {  # OUT RECORDS SEED PREFIX
    [[ -s $1 ]] && return 0
    log "generating $1 ($2 records, seed $3)"
    "$GEN" vcf - --fasta "$FASTA" --records "$2" --seed "$3" --sample-prefix "$4" | bgzip -@2 -c > "$1.tmp"
    mv "$1.tmp" "$1"
}
gen_vcf "$BIG" "$N_BIG" 1 ""
for ((i = 1; i <= N_FILES; i++)); do
    gen_vcf "${SMALL[i-1]}" "$N_SMALL" $((1000 + i)) "S$(printf %02d "$i")_"
done
if [[ $SRC -nt $BIG ]]; then
    log "note: $SRC is newer than the data; delete $SET/*.vcf.gz (and genome.fa*) to regenerate"
fi
log "data ready in $SET"
if ((GENERATE_ONLY)); then exit 0; fi

# ------------------------------------------------------------------ (c) measure
[[ -x $SIGSTREAM ]] || die "sigstream binary $SIGSTREAM not found; build it first (or set SIGSTREAM=...)"
WORK=$(mktemp -d /tmp/count_speed.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
RUNS_TSV="$WORK/runs.tsv"
printf 'label\tround\twall_s\tuser_s\tsys_s\tmaxrss_kb\n' > "$RUNS_TSV"

# measure LABEL ROUND STDOUT_FILE CMD...: one run under /usr/bin/time, appended to runs.tsv
measure() {
    local label=$1 round=$2 stdout=$3; shift 3
    if ! $TIME -f '%e\t%U\t%S\t%M' -o "$WORK/time.txt" "$@" > "$stdout" 2> "$WORK/stderr.txt"; then
        cat "$WORK/stderr.txt" >&2
        die "command failed: $*"
    fi
    printf '%s\t%s\t%s\n' "$label" "$round" "$(tail -n 1 "$WORK/time.txt")" >> "$RUNS_TSV"
}

cmd_bcftools=(bcftools query -f "$QUERY_FMT" "$BIG")
cmd_sig1=("$SIGSTREAM" count --threads 1 --ref "$FASTA" --out "$WORK/big.tsv" "$BIG")
cmd_multi1=("$SIGSTREAM" count --threads 1 --ref "$FASTA" --out "$WORK/multi_t1.tsv" "${SMALL[@]}")
cmd_multi2=("$SIGSTREAM" count --threads 2 --ref "$FASTA" --out "$WORK/multi_t2.tsv" "${SMALL[@]}")

source "$REPO/bench/lib.sh"
wait_for_idle

log "warm-up: reading data into the page cache, one unmeasured run of each command"
cat "$FASTA" "$FASTA.fai" "$BIG" "${SMALL[@]}" > /dev/null
measure warmup_bcftools 0 /dev/null "${cmd_bcftools[@]}"
measure warmup_sig1 0 /dev/null "${cmd_sig1[@]}"

log "big file: $RUNS alternating runs of bcftools query and sigstream count --threads 1"
for ((r = 1; r <= RUNS; r++)); do
    if ((r % 2)); then
        measure bcftools "$r" /dev/null "${cmd_bcftools[@]}"
        measure sig_t1 "$r" /dev/null "${cmd_sig1[@]}"
    else
        measure sig_t1 "$r" /dev/null "${cmd_sig1[@]}"
        measure bcftools "$r" /dev/null "${cmd_bcftools[@]}"
    fi
done

log "$N_FILES small files: warm-up, then $RUNS alternating runs of --threads 1 and --threads 2"
measure warmup_multi1 0 /dev/null "${cmd_multi1[@]}"
measure warmup_multi2 0 /dev/null "${cmd_multi2[@]}"
for ((r = 1; r <= RUNS; r++)); do
    if ((r % 2)); then
        measure multi_t1 "$r" /dev/null "${cmd_multi1[@]}"
        measure multi_t2 "$r" /dev/null "${cmd_multi2[@]}"
    else
        measure multi_t2 "$r" /dev/null "${cmd_multi2[@]}"
        measure multi_t1 "$r" /dev/null "${cmd_multi1[@]}"
    fi
done
SAME_OUTPUT=no
cmp -s "$WORK/multi_t1.tsv" "$WORK/multi_t2.tsv" && SAME_OUTPUT=yes
[[ $SAME_OUTPUT == yes ]] || log "WARNING: --threads 1 and --threads 2 outputs differ"

BUSY2=$(busy_cores)
read -r LOAD2 _ < /proc/loadavg
mkdir -p "$(dirname "$OUT_MD")"
cp "$RUNS_TSV" "${OUT_MD%.md}_runs.tsv"

# ------------------------------------------------------------------ report
CPU=$(cpu_model)
export RUNS_TSV OUT_MD N_BIG N_SMALL N_FILES RUNS SAME_OUTPUT LOAD1 LOAD2 BUSY1 BUSY2 CPU
export FASTA_BYTES=$(stat -c %s "$FASTA")
export BIG_BYTES=$(stat -c %s "$BIG")
export SMALL_BYTES=$(cat "${SMALL[@]}" | wc -c)
export NPROC=$(nproc)
export MEM_GIB=$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
export BCFTOOLS_VERSION=$(bcftools --version | head -n 1)
SIG_VERSION=$("$SIGSTREAM" --version 2>/dev/null | head -n 1 || true)
export SIG_VERSION="${SIG_VERSION:-sigstream} (binary ${SIGSTREAM#$REPO/}, repo at $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown))"
export DATE=$(date -u +%Y-%m-%d)

set +e
python3 - <<'PY'
import csv, os, statistics

env = os.environ
rows = list(csv.DictReader(open(env["RUNS_TSV"]), delimiter="\t"))
def runs(label):
    return [r for r in rows if r["label"] == label]
def med(label):
    return statistics.median(float(r["wall_s"]) for r in runs(label))
def lo(label):
    return min(float(r["wall_s"]) for r in runs(label))
def cpu(label):
    return statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in runs(label))
WARMUP = {"bcftools": "warmup_bcftools", "sig_t1": "warmup_sig1", "multi_t1": "warmup_multi1", "multi_t2": "warmup_multi2"}
def rss(label):  # bytes, worst of all runs of the command, warm-up included
    return max(int(r["maxrss_kb"]) * 1024 for r in rows if r["label"] in (label, WARMUP[label]))
MiB = 1024 * 1024
def mib(b): return f"{b / MiB:,.0f} MiB"
def rate(n, s): return f"{n / s / 1e6:.2f} M/s"
def ok(b): return "**PASS**" if b else "**FAIL**"

n_big, n_small, n_files = int(env["N_BIG"]), int(env["N_SMALL"]), int(env["N_FILES"])
fasta = int(env["FASTA_BYTES"])
b_wall, s_wall = med("bcftools"), med("sig_t1")
s_rss = rss("sig_t1")
rss_limit = fasta + 64 * MiB
t1, t2 = med("multi_t1"), med("multi_t2")
speedup = t1 / t2
n_multi = n_small * n_files
q = "'%CHROM\\t%POS\\t%REF\\t%ALT\\n'"

out = []
out.append("## `sigstream count` speed\n")
out.append(f"{env['DATE']}, {env['SIG_VERSION']}, {env['BCFTOOLS_VERSION']}; "
           f"{env['NPROC']} cores ({env['CPU']}), {env['MEM_GIB']} GiB RAM. "
           f"Generated data (`bench/gen_count_bench.cpp`): 3-contig FASTA of {fasta:,} bytes with `.fai`; "
           f"big VCF: {n_big:,} records, {int(env['BIG_BYTES']) / MiB:,.0f} MiB bgzipped; "
           f"{n_files} small VCFs of {n_small:,} records, {int(env['SMALL_BYTES']) / MiB:,.0f} MiB in all; "
           f"two samples, Mutect2-like INFO/FORMAT. Files in page cache; one warm-up run, then the median "
           f"(and fastest) of {env['RUNS']} runs, the two commands of each comparison alternating. "
           f"Other processes kept {env['BUSY1']} cores busy just before and {env['BUSY2']} just after "
           f"(load average {env['LOAD1']} before, {env['LOAD2']} after).\n")
out.append("| run | wall, median (min) | CPU user+sys | variants/s | peak RSS |")
out.append("|---|---:|---:|---:|---:|")
def row(name, label, n):
    out.append(f"| {name} | {med(label):.2f} s ({lo(label):.2f} s) | {cpu(label):.2f} s | {rate(n, med(label))} | {mib(rss(label))} |")
row(f"`bcftools query -f {q}` big.vcf.gz > /dev/null", "bcftools", n_big)
row("`sigstream count --threads 1` big.vcf.gz", "sig_t1", n_big)
row(f"`sigstream count --threads 1` {n_files} small files", "multi_t1", n_multi)
row(f"`sigstream count --threads 2` {n_files} small files", "multi_t2", n_multi)
out.append("")
out.append("| requirement | measured | result |")
out.append("|---|---|---|")
out.append(f"| `--threads 1` wall ≤ `bcftools query` wall (big file) | {s_wall:.2f} s vs {b_wall:.2f} s "
           f"({b_wall / s_wall:.2f}× bcftools speed) | {ok(s_wall <= b_wall)} |")
out.append(f"| peak RSS ≤ FASTA + 64 MiB | {mib(s_rss)} vs {mib(rss_limit)} | {ok(s_rss <= rss_limit)} |")
out.append(f"| `--threads 2` ≥ 1.7× faster than `--threads 1` ({n_files} files) | {speedup:.2f}× "
           f"({t1:.2f} s → {t2:.2f} s; same output: {env['SAME_OUTPUT']}) | {ok(speedup >= 1.7 and env['SAME_OUTPUT'] == 'yes')} |")
out.append("")
text = "\n".join(out)
open(env["OUT_MD"], "w").write(text)
print(text)
all_ok = s_wall <= b_wall and s_rss <= rss_limit and speedup >= 1.7 and env["SAME_OUTPUT"] == "yes"
raise SystemExit(0 if all_ok else 3)
PY
STATUS=$?
set -e
log "written $OUT_MD and ${OUT_MD%.md}_runs.tsv"
((STATUS == 0)) || log "at least one requirement FAILED (exit status 3)"
exit "$STATUS"
