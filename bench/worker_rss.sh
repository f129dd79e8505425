#!/usr/bin/env bash
# Whether the processes that serve requests keep their memory flat over many cache hits: the server with
# the module, one citizen cached, WARMUP requests first (connections, TLS buffers and each thread's memo
# come into being), then the summed VmRSS of the workers (nginx's worker processes; Apache's children
# that run worker threads), REQUESTS more cache hits, and VmRSS again. The same processes must have
# served throughout (a replaced one would hide a leak). The server without the module runs the same
# requests first: what the server grows by itself (Apache does) is not the module's.
#
#   bench/worker_rss.sh apache|nginx [BUILD_DIR] [REQUESTS] [WARMUP] [CONNECTIONS]
#   defaults: build 1000000 50000 16
# Prints figures and "result:" lines (bench/run.sh); asserts nothing.
set -euo pipefail
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
SERVER=${1:?apache or nginx}
bench_init "${2:-}"
REQUESTS=${3:-1000000}
WARMUP=${4:-50000}
CONNS=${5:-16}
bench_pki
bench_sim_start

hits() { bench_hits run --connections "$CONNS" --threads 2 --requests "$1"; }  # hits COUNT

# measure MODE: the server without (none) or with (module) the module; sets start, before, after, growth.
measure() {
  bench_server_start "$SERVER" "$1"
  [ "$1" = none ] || bench_login adult
  local workers now
  mapfile -t workers < <(bench_workers "$SERVER")
  start=$(bench_rss_kib "${workers[@]}")
  hits "$WARMUP"
  before=$(bench_rss_kib "${workers[@]}")
  hits "$REQUESTS"
  after=$(bench_rss_kib "${workers[@]}")
  mapfile -t now < <(bench_workers "$SERVER")
  bench_server_stop
  if [ "${workers[*]}" != "${now[*]}" ]; then
    echo "the workers changed during the run (${workers[*]} -> ${now[*]}): no comparison" >&2
    exit 1
  fi
  growth=$(bench_calc %.2f "100 * ($after - $before) / $before")
  printf '%-7s module: %s KiB at start, %s KiB after the warm-up, %s KiB after %s more (%s req/s, p99 %s ms): %s %%\n' \
    "$([ "$1" = none ] && echo without || echo with)" "$start" "$before" "$after" "$REQUESTS" "$load_rps" \
    "$load_p99" "$growth"
}

echo "worker RSS through $SERVER (the serving processes' VmRSS, summed), $WARMUP warm-up requests, then"
echo "$REQUESTS cache hits; the server without the module the same way, for comparison"
measure none
bench_result "$SERVER.rss.none_before" "$before" KiB
bench_result "$SERVER.rss.none_after" "$after" KiB
bench_result "$SERVER.rss.none_growth" "$growth" %
none_growth=$growth
measure module
echo "the module's share: $(bench_calc %.2f "$growth - $none_growth") percentage points"
bench_result "$SERVER.rss.module_share" "$(bench_calc %.2f "$growth - $none_growth")" pp
bench_result "$SERVER.rss.start" "$start" KiB
bench_result "$SERVER.rss.before" "$before" KiB
bench_result "$SERVER.rss.after" "$after" KiB
bench_result "$SERVER.rss.growth" "$growth" %
bench_result "$SERVER.rss.seconds" "$load_seconds" s
