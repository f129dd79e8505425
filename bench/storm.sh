#!/usr/bin/env bash
# A login storm: N different citizens (the crowd data set) each open PARALLEL connections at once, every
# connection's one request a first login (its latency includes the TCP connect and the TLS handshake),
# against a register that answers after DELAY ms and a web server whose cache starts empty. The shared
# cache's single flight must make exactly one register query per citizen. ROUNDS rounds, each with a
# fresh server (an empty cache); the medians are printed.
#
#   bench/storm.sh apache|nginx [BUILD_DIR] [ROUNDS] [N] [PARALLEL] [DELAY_MS]
#   defaults: build 3 200 5 50
# nginx runs as documented (docs/nginx.md): 2 workers, `thread_pool vtj threads=32`. Apache: the event
# MPM's 2 x 32 threads. Prints figures and "result:" lines (bench/run.sh); asserts nothing.
set -euo pipefail
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
SERVER=${1:?apache or nginx}
bench_init "${2:-}"
ROUNDS=${3:-3}
N=${4:-200}
PARALLEL=${5:-5}
DELAY=${6:-50}
TOTAL=$((N * PARALLEL))
for option in --cert-list --per-connection --requests; do
  bench_load_has "$option" || { echo "vtj-load has no $option: build a newer one" >&2; exit 1; }
done
bench_crowd_pki "$N"
bench_sim_start --fault "latency:$DELAY" --threads $((N + 64))
BENCH_NGINX_OPTS=(--main-conf "thread_pool vtj threads=32 max_queue=65536;")

echo "login storm through $SERVER: $N citizens x $PARALLEL parallel first requests ($TOTAL connections at"
echo "once, one request each), register answering after $DELAY ms, $ROUNDS rounds with an empty cache"
for r in $(seq 1 "$ROUNDS"); do
  bench_server_start "$SERVER" module "VTJTimeout 1000 30000"
  bench_sim_reset
  # Connection j presents citizen j mod N: each citizen's PARALLEL connections open close together.
  bench_load --allow-errors --cert-list "$CROWD_LIST" --connections "$TOTAL" --per-connection 1 \
    --requests "$TOTAL" --threads 2 --duration 120
  queries=$(bench_sim_count queries)
  bench_server_stop
  echo "$load_seconds $queries $load_p99 $load_ok $((load_non2xx + load_errors))" >>"$WORK/storm"
  printf 'round %s: %s s, %s register queries, p99 %s ms, %s of %s answered 2xx\n' "$r" "$load_seconds" \
    "$queries" "$load_p99" "$load_ok" "$TOTAL"
done

# Every round must have made exactly N queries: the round furthest from N is the one reported.
queries=$(cut -d' ' -f2 "$WORK/storm" | awk -v n="$N" '{ d = $1 - n; if (d < 0) d = -d; if (NR == 1 || d > w) { w = d; q = $1 } } END { print q }')
ok=$(bench_least storm 4)
printf 'medians: %s s, p99 %s ms; register queries (the worst round) %s of %s expected; fewest answered 2xx %s of %s\n' \
  "$(bench_column storm 1)" "$(bench_column storm 3)" "$queries" "$N" "$ok" "$TOTAL"
bench_result "$SERVER.storm.seconds" "$(bench_column storm 1)" s
bench_result "$SERVER.storm.p99" "$(bench_column storm 3)" ms
bench_result "$SERVER.storm.queries" "$queries" queries
bench_result "$SERVER.storm.ok" "$ok" requests
