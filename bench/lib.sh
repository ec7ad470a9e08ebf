# Shared by the bench/*.sh scripts (sourced; they define log()).

# busy_cores: CPU cores kept busy by anything (other than idle/iowait) over the next 2 s, e.g. "0.03"
busy_cores() {
    local a b
    a=($(head -n 1 /proc/stat)); sleep 2; b=($(head -n 1 /proc/stat))
    awk -v n="$(nproc)" -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        split(a, x, " "); split(b, y, " "); tot = 0; idle = 0
        for (i = 2; i <= 9; i++) tot += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        printf "%.2f", (tot > 0 ? n * (tot - idle) / tot : 0) }'
}

# wait_for_idle: sets BUSY1 and LOAD1; with BENCH_WAIT_IDLE=SECONDS first waits (up to that long) for
# fewer than 0.2 cores to be busy with other processes.
wait_for_idle() {
    BUSY1=$(busy_cores)
    if [[ -n ${BENCH_WAIT_IDLE:-} ]]; then
        local deadline=$((SECONDS + BENCH_WAIT_IDLE))
        while awk -v b="$BUSY1" 'BEGIN { exit !(b >= 0.2) }' && ((SECONDS < deadline)); do
            log "machine busy ($BUSY1 cores in use by other processes), waiting"
            sleep 8
            BUSY1=$(busy_cores)
        done
    fi
    read -r LOAD1 _ < /proc/loadavg
    log "before measuring: $BUSY1 cores busy with other processes, load average $LOAD1 (other work skews the numbers)"
}

# use_isa LEVEL: runs sigstream ($SIGSTREAM) at LEVEL — generic, v2, v3, v4, cpu (the CPU's own), or empty (v3 when
# the CPU runs it, else the CPU's own); exports SIGSTREAM_ISA accordingly and sets LEVEL to the level in use (as
# `sigstream backends` names it). Stops (die) when the CPU lacks the level, (usage) when LEVEL is no level.
use_isa() {
    local isa=$1
    if [[ -z $isa ]]; then
        if SIGSTREAM_ISA=v3 "$SIGSTREAM" backends >/dev/null 2>&1; then isa=v3; else isa=cpu; fi
    fi
    case "$isa" in
        cpu) unset SIGSTREAM_ISA ;;
        generic|v2|v3|v4) export SIGSTREAM_ISA=$isa
            "$SIGSTREAM" backends >/dev/null 2>&1 || die "this CPU does not run level $isa (sigstream backends refuses it)" ;;
        *) usage "--isa: expected generic, v2, v3, v4 or cpu, got '$isa'" ;;
    esac
    LEVEL=$("$SIGSTREAM" backends 2>/dev/null | sed -n 's/^Kernels: \([a-z0-9]*\).*/\1/p' | head -n 1)
}

# time_fields FILE: from a `/usr/bin/time -v -o FILE` report, prints "wall_seconds cpu_seconds max_rss_kib"
# (CPU = user + system).
time_fields() {
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
        /User time \(seconds\)/ { u = $NF } /System time \(seconds\)/ { s = $NF }
        /Maximum resident set size/ { m = $NF }
        END { printf "%.2f %.2f %d\n", w, u + s, m }' "$1"
}

# cpu_model: the CPU as /proc/cpuinfo names it, with its family and model ("… (family 6 model 167)").
cpu_model() {
    local name fm
    name=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    fm=$(awk -F': ' '/^cpu family/ { f = $2 } /^model[[:space:]]*:/ { m = $2 } END { printf "family %s model %s", f, m }' /proc/cpuinfo)
    printf '%s (%s)' "$name" "$fm"
}
