#!/usr/bin/env bash
# Whether one nginx worker keeps serving cached logins while many first logins wait for the register:
# one worker process, the `vtj` thread pool sized to N, and a register that answers after DELAY ms. Each
# round: a fresh nginx (an empty cache) with one citizen cached; cache hits of that citizen (CONNECTIONS
# kept-alive connections) for DELAY / 2, idle; then N other citizens (the crowd data set) log in at
# once (one connection each, a first login). When all N queries have reached the register (its request
# count; the time this takes, their TLS handshakes with nginx and the module's connections to the
# register, is reported as the arrival time), the same cache hits run again for DELAY / 2, or until
# 0.15 s before the first answer can come if that is sooner: every query is pending through them (when
# they ended is reported too). The p99 of the busy hits against the idle ones is the figure; the
# medians over ROUNDS rounds are printed.
#
#   bench/nginx_pending_misses.sh [BUILD_DIR] [N] [DELAY_MS] [ROUNDS] [CONNECTIONS]
#   defaults: build 200 2000 3 4
# Prints figures and "result:" lines (bench/run.sh); asserts nothing about speed.
set -euo pipefail
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_init "${1:-}"
N=${2:-200}
DELAY=${3:-2000}
ROUNDS=${4:-3}
CONNS=${5:-4}
SECS=$(bench_calc %.3f "$DELAY / 2000")
bench_crowd_pki "$N"
bench_sim_start --threads $((N + 64))
BENCH_NGINX_OPTS=(--workers 1 --main-conf "thread_pool vtj threads=$N max_queue=65536;")

hits() { bench_hits "$1" --connections "$CONNS" --threads 1 --duration "${2:-$SECS}"; }  # hits NAME [SECONDS]

echo "one nginx worker; $N first logins of different citizens at once, the register answering after $DELAY ms;"
echo "cache hits of another citizen ($CONNS kept-alive connections, $SECS s) idle and while they are pending"
for r in $(seq 1 "$ROUNDS"); do
  bench_server_start nginx module "VTJTimeout 1000 $((DELAY * 3 + 1000))"
  bench_sim_fault none
  bench_login adult
  bench_sim_fault "latency:$DELAY"
  hits idle
  bench_sim_reset
  base=$(bench_sim_count queries)
  arrival_start=$(date +%s.%N)
  bench_load_background "$WORK/misses.out" --cert-list "$CROWD_LIST" --connections "$N" --per-connection 1 \
    --requests "$N" --threads 1 --duration $((DELAY * 3 / 1000 + 10))
  # Until every query has reached the register (it counts a query when it reads it; at most DELAY).
  for _ in $(seq 1 $((DELAY / 20))); do
    [ "$(($(bench_sim_count queries) - base))" -lt "$N" ] || break
    sleep 0.02
  done
  arrival=$(bench_calc %.3f "$(date +%s.%N) - $arrival_start")
  # DELAY / 2, or less when the arrival took long: the hits end before the first answer can come.
  hits busy "$(awk -v d="$DELAY" -v a="$arrival" -v s="$SECS" \
    'BEGIN { w = d / 1000 - a - 0.15; if (w > s) w = s; if (w < 0.2) w = 0.2; printf "%.3f", w }')"
  # No query can have been answered before DELAY after the first was sent: the busy hits ran while all
  # were pending if they ended before that.
  busy_end=$(bench_calc %.3f "$(date +%s.%N) - $arrival_start")
  # The module's connections to the register (the status request's own left out).
  in_flight=$(($(bench_sim_count active_connections) - 1))
  wait "$bench_bg_pid" || true
  bench_load_read "$WORK/misses.out"
  queries=$(bench_sim_count queries)
  bench_server_stop
  echo "$in_flight $load_ok $load_seconds $queries $arrival $busy_end" >>"$WORK/misses"
  printf 'round %s: hits p99 idle %s ms (%s req/s), busy %s ms (%s req/s); queries in flight at the end %s;\n' \
    "$r" "$(bench_last idle 3)" "$(bench_last idle 1)" \
    "$(bench_last busy 3)" "$(bench_last busy 1)" "$in_flight"
  printf '  first logins answered 2xx %s of %s in %s s (p50 %s ms), register queries %s; all %s reached the register in %s s\n' \
    "$load_ok" "$N" "$load_seconds" "$load_p50" "$queries" "$N" "$arrival"
  printf '  the busy hits ended %s s after the first logins began (the register answers after %s s)\n' "$busy_end" \
    "$(bench_calc %.3f "$DELAY / 1000")"
done

ratio=$(bench_calc %.2f "$(bench_column busy 3) / $(bench_column idle 3)")
for m in idle busy; do
  printf 'cache hits %-25s p50 %s ms, p99 %s ms, %s req/s (medians)\n' \
    "$([ $m = idle ] && echo "idle:" || echo "while $N are pending:")" "$(bench_column $m 2)" "$(bench_column $m 3)" \
    "$(bench_column $m 1)"
  bench_result "nginx.pending.${m}_p99" "$(bench_column $m 3)" ms
  bench_result "nginx.pending.${m}_rps" "$(bench_column $m 1)" req/s
done
echo "p99 busy/idle: $ratio"
bench_result nginx.pending.ratio "$ratio" x
bench_result nginx.pending.in_flight "$(bench_column misses 1)" queries
bench_result nginx.pending.seconds "$(bench_column misses 3)" s
bench_result nginx.pending.arrival "$(bench_column misses 5)" s
bench_result nginx.pending.busy_end "$(bench_column misses 6)" s
bench_result nginx.pending.ok "$(bench_least misses 2)" requests
