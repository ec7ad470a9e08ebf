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
