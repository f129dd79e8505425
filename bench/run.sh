#!/usr/bin/env bash
# Every web-server benchmark in one command, on a fresh Debian 12 machine as root: installs what is
# missing (scripts/deps.sh), builds a Release build of what the benchmarks run, then measures on loopback
# Apache and nginx without and with the module (bench/*.sh; each pair in the same run, alternating),
# and writes the figures with their targets into docs/benchmarks.md (the section between the
# "bench/run.sh" markers; the text around it is kept) and docs/benchmarks.csv. About 12 minutes on
# 2 cores. Everything it starts is stopped when it ends.
#
#   bench/run.sh [--quick] [--build DIR] [--out DIR]
#     --quick      one short round of each (about 3 minutes after the build): proves the machinery;
#                  writes into BUILD/bench-quick unless --out is given, never into docs/
#     --build DIR  the build folder (default build-bench; Release, tests off)
#     --out DIR    where benchmarks.md and benchmarks.csv go (default docs)
# The logs of each benchmark are kept in BUILD/bench-logs. Exits 1 when a benchmark failed to run (its
# figures are then missing from the table); a figure that misses its target is reported, not an error.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=$SRC/build-bench
OUT=""
quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --build) BUILD=${2:?--build DIR} && shift ;;
    --out) OUT=${2:?--out DIR} && shift ;;
    *) echo "usage: bench/run.sh [--quick] [--build DIR] [--out DIR]" >&2 && exit 2 ;;
  esac
  shift
done
started=$(date +%s)

. scripts/deps.sh
vtj_install_deps
echo "== Building (Release) into $BUILD =="
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DVTJ_BENCH=ON >/dev/null
targets=(mod_vtj ngx_http_vtj_module vtj-register-sim vtj-echo-backend vtj-load vtj-resolve)
# vtj-cache-footprint, where the tree has it; without it its figure is reported missing.
known=$(cmake --build "$BUILD" --target help)
if grep -q 'vtj-cache-footprint' <<<"$known"; then targets+=(vtj-cache-footprint); fi
cmake --build "$BUILD" -j"$(nproc)" --target "${targets[@]}"
BUILD=$(cd "$BUILD" && pwd)
if [ -z "$OUT" ]; then
  if [ "$quick" = 1 ]; then OUT=$BUILD/bench-quick; else OUT=$SRC/docs; fi
fi
mkdir -p "$OUT" "$BUILD/bench-logs"
LOGS=$BUILD/bench-logs
RESULTS=$LOGS/results.txt
: >"$RESULTS"
failed=()

# step NAME SCRIPT ARGS...: one benchmark, its output shown and kept in LOGS/NAME.log, its result lines
# collected.
step() {
  local name=$1 script=$2 t0=$SECONDS status=0
  shift 2
  echo
  echo "== $name: bench/$script $* =="
  bash "bench/$script" "$@" 2>&1 | tee "$LOGS/$name.log" || status=$?
  grep '^result: ' "$LOGS/$name.log" | cut -d' ' -f2- >>"$RESULTS" || true
  echo "($name: $((SECONDS - t0)) s)"
  [ "$status" = 0 ] || { echo "$name failed (exit $status)"; failed+=("$name"); }
}

if [ "$quick" = 1 ]; then
  hit=(2 1 16) miss=(1 1 1) storm=1 pending=1 persons=20000 rss=(100000 10000) rss_hits="100 000"
else
  hit=(3 9 16) miss=(3 5 1) storm=3 pending=3 persons=100000 rss=(1000000 50000) rss_hits="a million"
fi
for s in apache nginx; do step "hit-$s" cached_login.sh "$s" "$BUILD" "${hit[@]}"; done
for s in apache nginx; do step "miss-$s" miss_latency.sh "$s" "$BUILD" "${miss[@]}" 0 20; done
for s in apache nginx; do step "storm-$s" storm.sh "$s" "$BUILD" "$storm" 200 5 50; done
step pending-nginx nginx_pending_misses.sh "$BUILD" 200 2000 "$pending" 4
step footprint cache_footprint.sh "$BUILD" "$persons"
for s in apache nginx; do step "rss-$s" worker_rss.sh "$s" "$BUILD" "${rss[@]}" 16; done
elapsed=$(($(date +%s) - started))

# --- the table ------------------------------------------------------------------------------------------
declare -A value unit
while read -r name v u; do value[$name]=$v unit[$name]=$u; done <"$RESULTS"

# Each row: SECTION|NAME|FIGURE|TARGET. NAME with S. is one per server (apache., nginx.); TARGET is
# "OP NUMBER" (>=, <=, =) or empty for a raw figure.
ROWS='a|S.hit.rps_without|requests/s without the module|
a|S.hit.rps_with|requests/s with the module (every request a cache hit)|
a|S.hit.ratio|throughput with / without|>= 0.97
a|S.hit.p50_without|p50 without the module|
a|S.hit.p50_added|p50 added by the module|
a|S.hit.p99_without|p99 without the module|
a|S.hit.p99_added|p99 added by the module|
b|S.miss.p99_without|p99 without the module|
b|S.miss0.p50|miss, register at 0 ms: p50|
b|S.miss0.p99|miss, register at 0 ms: p99|
b|S.miss0.added_p99|miss, register at 0 ms: added p99 (p99 - p99 without - 0 ms)|<= 1
b|S.register0.p99|the register alone at 0 ms (its query straight from vtj-load): p99|
b|S.miss20.p50|miss, register at 20 ms: p50|
b|S.miss20.p99|miss, register at 20 ms: p99|
b|S.miss20.added_p99|miss, register at 20 ms: added p99 (p99 - p99 without - 20 ms)|<= 1
b|S.register20.p99|the register alone at 20 ms (its query straight from vtj-load): p99|
c|S.storm.seconds|total time (median of the rounds)|
c|S.storm.queries|register queries (the round furthest from 200)|= 200
c|S.storm.ok|requests answered 2xx (the fewest of the rounds)|= 1000
c|S.storm.p99|p99 of the first requests (connect and TLS handshake included)|
d|nginx.pending.idle_p99|cache hits, idle: p99|
d|nginx.pending.busy_p99|cache hits while 200 first logins are pending: p99|
d|nginx.pending.ratio|p99 busy / idle|<= 1.2
d|nginx.pending.idle_rps|cache hits, idle: requests/s|
d|nginx.pending.busy_rps|cache hits while pending: requests/s|
d|nginx.pending.in_flight|register queries in flight when the busy hits ended (of 200)|
d|nginx.pending.arrival|the 200 first logins: until all had reached the register (before the busy hits)|
d|nginx.pending.busy_end|the busy hits ended, after the first logins began (pending throughout if under 2 s)|<= 2
d|nginx.pending.seconds|the 200 first logins: total time (register at 2 s)|
d|nginx.pending.ok|the 200 first logins: answered 2xx (the fewest of the rounds)|= 200
e|cache.bytes_per_person|shared cache: bytes per person with '"$persons"' persons cached (the smallest segment that keeps them all)|<= 1024
e|cache.kept_at_1KiB|shared cache: persons kept in a segment of 1 KiB per person|
e|S.rss.before|worker RSS after the warm-up (summed)|
e|S.rss.after|worker RSS after '"$rss_hits"' cache hits|
e|S.rss.growth|worker RSS growth over those hits|<= 5
e|S.rss.none_growth|the same server without the module: RSS growth over the same requests|
e|S.rss.module_share|growth with the module − growth without it (percentage points)|'

declare -A TITLE=(
  [a]="a. Cache hits: the module against the same server without it"
  [b]="b. Cache misses (VTJCache none): the module's latency beyond the register's"
  [c]="c. Login storm: 200 citizens × 5 parallel first requests, register at 50 ms, empty cache"
  [d]="d. nginx, one worker: cache hits while 200 first logins are pending (register at 2 s)"
  [e]="e. Memory"
)

# keys NAME: the result names of the Apache and the nginx column ("" where the row has none); the
# cache's figures belong to both servers.
keys() {
  case $1 in
    S.*) keys=("apache.${1#S.}" "nginx.${1#S.}") ;;
    apache.*) keys=("$1" "") ;;
    nginx.*) keys=("" "$1") ;;
    *) keys=("$1" "$1") ;;
  esac
}

# met VALUE TARGET: yes, no, or "-" without a target; "missing" without a value.
met() {
  [ -n "$2" ] || { echo "-"; return; }
  case $1 in '' | missing) echo missing; return ;; esac
  awk -v v="$1" -v op="${2% *}" -v t="${2#* }" \
    'BEGIN { ok = op == ">=" ? v >= t : op == "<=" ? v <= t : v == t; print ok ? "yes" : "no" }'
}
shown() {  # shown NAME: the value with its unit, requests/s without decimals
  local v=${value[$1]:-} u=${unit[$1]:-}
  [ -n "$v" ] || { echo "—"; return; }
  [ "$v" != missing ] || { echo "missing"; return; }
  [ "$u" = req/s ] && v=$(printf '%.0f' "$v")
  case $u in x | queries | requests | persons) echo "$v" ;; %) echo "$v %" ;; *) echo "$v $u" ;; esac
}

machine() {
  local cpu mem
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "- Machine: ${cpu:-unknown CPU}, $(nproc) cores, $mem memory; kernel $(uname -r); Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
  echo "- Servers: $(/usr/sbin/apache2 -v 2>/dev/null | sed -n 's/^Server version: //p'), $(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //'), $(openssl version | cut -d' ' -f1-2)"
  echo "- Run: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'), bench/run.sh$([ "$quick" = 1 ] && echo ' --quick') took $((elapsed / 60)) min $((elapsed % 60)) s including the build"
}

{
  echo "<!-- bench/run.sh: begin (generated; edit outside these markers) -->"
  echo "## Results"
  machine
  [ ${#failed[@]} = 0 ] || echo "- **Failed to run** (figures missing): ${failed[*]}; see BUILD/bench-logs"
  section=""
  while IFS='|' read -r sec name figure target; do
    if [ "$sec" != "$section" ]; then
      section=$sec
      printf '\n### %s\n| figure | Apache | nginx | target | met |\n|---|---|---|---|---|\n' "${TITLE[$sec]}"
    fi
    keys "$name"
    cells=() no=() missing=()
    for i in 0 1; do
      n=${keys[i]}
      if [ -z "$n" ]; then cells+=("—") && continue; fi
      cells+=("$(shown "$n")")
      server=$([ "$i" = 0 ] && echo Apache || echo nginx)
      case $(met "${value[$n]:-}" "$target") in
        no) no+=("$server") ;;
        missing) missing+=("$server") ;;
      esac
    done
    verdict=yes
    [ -n "$target" ] || verdict="-"
    # Which server misses the target or lacks the figure (the cache's figure is one for both).
    for v in no missing; do
      declare -n list=$v
      [ ${#list[@]} -gt 0 ] || continue
      if [ "${keys[0]}" = "${keys[1]}" ]; then
        verdict="**$v**"
      else
        verdict="$([ "$verdict" = yes ] || echo "$verdict; ")**$v** ($(printf '%s, ' "${list[@]}" | sed 's/, $//'))"
      fi
      unset -n list
    done
    printf '| %s | %s | %s | %s | %s |\n' "$figure" "${cells[0]}" "${cells[1]}" "${target:-—}" "$verdict"
  done <<<"$ROWS"
  echo
  echo "<!-- bench/run.sh: end -->"
} >"$LOGS/section.md"

# docs/benchmarks.md: the generated section replaces the one between the markers; a file without the
# markers gets the section appended.
doc=$OUT/benchmarks.md
if [ -f "$doc" ] && grep -q '^<!-- bench/run.sh: begin' "$doc"; then
  awk -v section="$LOGS/section.md" '
    /^<!-- bench\/run.sh: begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
    /^<!-- bench\/run.sh: end/ { skip = 0; next }
    !skip' "$doc" >"$doc.new"
  mv "$doc.new" "$doc"
else
  cat "$LOGS/section.md" >>"$doc"
fi

# docs/benchmarks.csv: one line per figure and server.
{
  echo "section,server,name,value,unit,target,met"
  while IFS='|' read -r sec name figure target; do
    keys "$name"
    [ "${keys[0]}" != "${keys[1]}" ] || keys=("${keys[0]}")
    for n in "${keys[@]}"; do
      [ -n "$n" ] || continue
      server=${n%%.*}
      case $server in apache | nginx) ;; *) server="" ;; esac
      printf '%s,%s,%s,%s,%s,"%s",%s\n' "$sec" "$server" "${n#"$server".}" "${value[$n]:-missing}" "${unit[$n]:-}" \
        "$target" "$(met "${value[$n]:-}" "$target")"
    done
  done <<<"$ROWS"
} >"$OUT/benchmarks.csv"

echo
cat "$LOGS/section.md"
echo
echo "Wrote $doc and $OUT/benchmarks.csv in $((elapsed / 60)) min $((elapsed % 60)) s."
[ ${#failed[@]} = 0 ] || { echo "Failed to run: ${failed[*]} (logs in $LOGS)" >&2; exit 1; }
