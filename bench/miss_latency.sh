#!/usr/bin/env bash
# What a cache miss costs beyond the register's own latency: the same web server without the module, and
# with it and `VTJCache none` (every request a register query), the simulator answering after each
# DELAY in turn, all under the same light load (CONNECTIONS kept-alive TLS connections presenting one
# citizen certificate, so requests seldom queue for a core). The runs alternate for ROUNDS rounds.
#
#   added p99 = p99 of the miss - p99 without the module - DELAY
# Conservative: the simulator's own work (TLS, HTTP, building the answer, on the same cores, and how
# late its timer fires) counts against the module. The raw figures are printed too, and the register's
# own latency: the module's query sent straight to the simulator by vtj-load (a minimal client, the same
# connections), in the same rounds.
#
#   bench/miss_latency.sh apache|nginx [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS] [DELAY_MS...]
#   defaults: build 3 3 2 0 20
# Prints figures and "result:" lines (bench/run.sh); asserts nothing about speed.
set -euo pipefail
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
SERVER=${1:?apache or nginx}
bench_init "${2:-}"
SECS=${3:-3}
ROUNDS=${4:-3}
CONNS=${5:-2}
shift $(($# < 5 ? $# : 5))
DELAYS=("${@:-0}")
[ $# -gt 0 ] || DELAYS=(0 20)
bench_pki
bench_sim_start
bench_sim_body "$WORK/query.xml"

measure() { bench_hits "$1" --connections "$CONNS" --threads 1 --duration "$SECS"; }  # measure NAME

echo "cache misses through $SERVER (VTJCache none), $CONNS kept-alive TLS connections, $SECS s per run,"
echo "$ROUNDS rounds alternating; register delays: ${DELAYS[*]} ms"
for r in $(seq 1 "$ROUNDS"); do
  bench_server_start "$SERVER" none
  measure none
  bench_server_stop
  bench_server_start "$SERVER" module "VTJCache none"
  for d in "${DELAYS[@]}"; do
    bench_sim_fault "latency:$d"
    measure "miss$d"
  done
  bench_server_stop
  # The register alone: the same query straight from a minimal client, at each delay.
  for d in "${DELAYS[@]}"; do
    bench_sim_fault "latency:$d"
    bench_register_hits "register$d" "$WORK/query.xml" --connections "$CONNS" --threads 1 --duration "$SECS"
  done
  bench_sim_fault none
  printf 'round %s: p99 without %s ms' "$r" "$(bench_last none 3)"
  for d in "${DELAYS[@]}"; do printf ', miss at %s ms %s ms' "$d" "$(bench_last "miss$d" 3)"; done
  echo
done

without=$(bench_column none 3)
printf 'without module:        p50 %s ms, p99 %s ms, %s req/s (medians)\n' "$(bench_column none 2)" "$without" \
  "$(bench_column none 1)"
bench_result "$SERVER.miss.p50_without" "$(bench_column none 2)" ms
bench_result "$SERVER.miss.p99_without" "$without" ms
for d in "${DELAYS[@]}"; do
  p50=$(bench_column "miss$d" 2) p99=$(bench_column "miss$d" 3)
  added=$(bench_calc %.3f "$p99 - $without - $d")
  printf 'miss, register %3s ms: p50 %s ms, p99 %s ms, %s req/s; added p99 %s ms\n' "$d" "$p50" "$p99" \
    "$(bench_column "miss$d" 1)" "$added"
  printf '  the register alone (vtj-load straight to the simulator): p50 %s ms, p99 %s ms\n' \
    "$(bench_column "register$d" 2)" "$(bench_column "register$d" 3)"
  bench_result "$SERVER.register$d.p99" "$(bench_column "register$d" 3)" ms
  bench_result "$SERVER.miss$d.p50" "$p50" ms
  bench_result "$SERVER.miss$d.p99" "$p99" ms
  bench_result "$SERVER.miss$d.added_p99" "$added" ms
done
echo "register queries made: $(bench_sim_count queries)"
