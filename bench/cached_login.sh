#!/usr/bin/env bash
# What the module costs a request whose citizen is in the cache: the same web server (Apache with the
# event MPM, or nginx with 2 workers; the same TLS server with client certificates required, the same
# static file) without the module and with it (every request resolved from the shared cache), under the
# same load from vtj-load (kept-alive TLS connections presenting a citizen certificate). The two
# alternate for ROUNDS rounds; the medians and their ratio are printed. The load generator shares the
# machine's cores with the server.
#
#   bench/cached_login.sh apache|nginx [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS]
# Prints figures and "result:" lines (bench/run.sh); asserts nothing about speed.
set -euo pipefail
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
SERVER=${1:?apache or nginx}
bench_init "${2:-}"
SECS=${3:-5}
ROUNDS=${4:-3}
CONNS=${5:-16}
bench_pki
bench_sim_start

# run MODE: one measurement with a fresh server, into WORK/MODE.
run() {
  bench_server_start "$SERVER" "$1"
  # The first login fills the cache; every measured request is a hit.
  [ "$1" = none ] || bench_login adult
  bench_hits "$1" --connections "$CONNS" --threads 2 --duration "$SECS"
  bench_server_stop
}

echo "cached login through $SERVER, $CONNS kept-alive TLS connections with a citizen certificate,"
echo "$SECS s per run, $ROUNDS rounds alternating; a static file"
for r in $(seq 1 "$ROUNDS"); do
  run none
  run module
  printf 'round %s: without %s req/s, with %s req/s\n' "$r" "$(bench_last none 1)" \
    "$(bench_last module 1)"
done
for m in none module; do
  printf '%-6s module: %6s req/s   p50 %s ms   p99 %s ms  (medians)\n' "$([ $m = none ] && echo without || echo with)" \
    "$(bench_column $m 1)" "$(bench_column $m 2)" "$(bench_column $m 3)"
done
ratio=$(bench_calc %.3f "$(bench_column module 1) / $(bench_column none 1)")
echo "ratio with/without: $ratio"
echo "register queries made: $(bench_sim_count queries)"
bench_result "$SERVER.hit.rps_without" "$(bench_column none 1)" req/s
bench_result "$SERVER.hit.rps_with" "$(bench_column module 1)" req/s
bench_result "$SERVER.hit.ratio" "$ratio" x
for f in 2:p50 3:p99; do
  without=$(bench_column none "${f%:*}") with=$(bench_column module "${f%:*}")
  bench_result "$SERVER.hit.${f#*:}_without" "$without" ms
  bench_result "$SERVER.hit.${f#*:}_with" "$with" ms
  bench_result "$SERVER.hit.${f#*:}_added" "$(bench_calc %.3f "$with - $without")" ms
done
