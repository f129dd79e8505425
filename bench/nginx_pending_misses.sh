#!/usr/bin/env bash
# How many first logins one nginx worker holds pending at once without blocking: one worker process,
# N different citizens logging in at the same moment against a register that answers after DELAY ms, and
# the `vtj` thread pool sized to N. While they wait, the register simulator's count of open connections
# shows how many queries are in flight, and cached logins of another citizen are timed (they must not
# wait for the pending ones). Uses the crowd data set (integration/data/make-crowd) and its PKI.
#
#   bench/nginx_pending_misses.sh [BUILD_DIR] [N] [DELAY_MS]
# Prints figures; asserts nothing about speed.
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
N=${2:-200}
DELAY=${3:-2000}
CROWD=$BUILD/crowd
mkdir -p "$CROWD"
if [ ! -f "$CROWD/pki/make-test-pki.stamp" ] || [ "$(grep -c '^\[person crowd-' "$CROWD/register.conf" 2>/dev/null)" -lt "$N" ]; then
  "$SRC/integration/data/make-crowd" "$CROWD/register.conf" "$N"
fi
"$SRC/integration/pki/make-test-pki" "$CROWD/pki" "$CROWD/register.conf" >/dev/null
PKI=$CROWD/pki
DATA=$CROWD/register.conf
WORK=$(mktemp -d)
chmod 711 "$WORK"
. "$SRC/integration/sim/sim-run.sh"
. "$SRC/integration/nginx/nginx-run.sh"
trap 'vtj_nginx_stop; vtj_sim_stop; rm -rf "$WORK"' EXIT
export VTJ_ECHO=$BUILD/bin/vtj-echo-backend

vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK" --fault "latency:$DELAY" --threads $((N + 16))
vtj_sim_directives "$PKI" "$DATA" "$WORK" | vtj_nginx_directives >"$WORK/vtj-http.conf"
printf 'location /on/ {\n  vtj on;\n  vtj_timeout 2000 %d;\n  proxy_pass http://vtj_echo;\n}\n' $((DELAY * 3)) >"$WORK/vtj.conf"
vtj_nginx_start "$WORK/nginx" "$PKI" --load "$BUILD/lib/ngx_http_vtj_module.so" --workers 1 --log-level warn \
  --main-conf "thread_pool vtj threads=$N max_queue=65536;" --http-conf "$WORK/vtj-http.conf" --conf "$WORK/vtj.conf"

# One citizen cached first (its query waits DELAY too).
vtj_nginx_curl adult /on/echo -o /dev/null
time_cached() {  # time_cached COUNT: p50 and max of COUNT sequential cached logins (ms)
  local i t
  for i in $(seq 1 "$1"); do
    t=$(vtj_nginx_curl adult /on/echo -o /dev/null -w '%{time_total}')
    echo "$t"
  done | sort -g | awk '{v[NR] = $1 * 1000} END {printf "p50 %.2f ms, max %.2f ms", v[int((NR + 1) / 2)], v[NR]}'
}
idle=$(time_cached 50)

mapfile -t crowd < <(awk -F '\t' '$1 ~ /^crowd-/ { print $1 }' "$PKI/citizen/index.tsv" | head -n "$N")
start=$(date +%s.%N)
pids=()
for who in "${crowd[@]}"; do
  vtj_nginx_curl "$who" /on/echo -o /dev/null -w '%{http_code}\n' >"$WORK/$who.code" 2>/dev/null &
  pids+=($!)
done
sleep $(awk -v d="$DELAY" 'BEGIN { print d / 2000 }')
in_flight=$(vtj_sim_status "$PKI" | grep -o '"active_connections":[0-9]*' | cut -d: -f2)
busy=$(time_cached 20)
wait "${pids[@]}"
end=$(date +%s.%N)
ok=$(cat "$WORK"/crowd-*.code | grep -c '^200$' || true)
queries=$(vtj_sim_status "$PKI" | grep -o '"queries":[0-9]*' | cut -d: -f2)

echo "one nginx worker, $N first logins of different citizens at once, register answering after $DELAY ms"
echo "register connections open midway (the status request included): $in_flight"
echo "answered 200: $ok of $N in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s; register queries: $queries (1 + $N expected)"
echo "cached logins of another citizen, idle:                $idle"
echo "cached logins of another citizen, while $N are pending: $busy"
