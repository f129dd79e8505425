#!/usr/bin/env bash
# What mod_vtj costs a request whose citizen is in the cache: the same Apache (event MPM, the same TLS
# virtual host with SSLVerifyClient require, the same static file) without the module and with it
# (`VTJ On`, every request resolved from the shared cache), under the same load from vtj-load (kept-alive
# TLS connections presenting a citizen certificate). The two alternate for ROUNDS rounds; the medians and
# their ratio are printed. The load generator shares the machine's cores with Apache.
#
#   bench/apache_cached_login.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS]
# Prints figures; asserts nothing about speed.
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
SECS=${2:-5}
ROUNDS=${3:-3}
CONNS=${4:-16}
PKI=$BUILD/pki
DATA=$SRC/integration/data/register.conf
"$SRC/integration/pki/make-test-pki" "$PKI" >/dev/null
WORK=$(mktemp -d)
chmod 711 "$WORK"
. "$SRC/integration/sim/sim-run.sh"
. "$SRC/integration/apache/apache-run.sh"
trap 'vtj_apache_stop; vtj_sim_stop; rm -rf "$WORK"' EXIT

vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK"
{ vtj_sim_directives "$PKI" "$DATA" "$WORK"; printf '<Location /static/>\n  VTJ On\n</Location>\n'; } >"$WORK/vtj.conf"

# run MODE: one measurement; prints "requests/s p50 p99" (ms).
run() {
  if [ "$1" = module ]; then
    vtj_apache_start "$WORK/apache" "$PKI" --load "$BUILD/lib/mod_vtj.so" --conf "$WORK/vtj.conf" >/dev/null
    # The first login fills the cache; every measured request is a hit.
    [ "$(vtj_apache_status adult /static/hello.txt)" = 200 ] || { echo "the login failed" >&2; exit 1; }
  else
    vtj_apache_start "$WORK/apache" "$PKI" >/dev/null
  fi
  "$BUILD/bin/vtj-load" --url "$vtj_apache_url/static/hello.txt" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/citizen/adult.pem" --key "$PKI/citizen/adult.key" --connections "$CONNS" --threads 2 \
    --duration "$SECS" >"$WORK/load.out"
  vtj_apache_stop
  local rps p50 p99 bad
  bad=$(sed -n 's/^requests: .*non-2xx \([0-9]*\)).*/\1/p' "$WORK/load.out")
  [ "$bad" = 0 ] || { echo "non-2xx answers in the $1 run:" >&2; cat "$WORK/load.out" >&2; exit 1; }
  rps=$(sed -n 's/^requests\/s: *\([0-9]*\)/\1/p' "$WORK/load.out")
  p50=$(sed -n 's/^latency: *p50 \([0-9.]*\) ms.*/\1/p' "$WORK/load.out")
  p99=$(sed -n 's/^latency: .*p99 \([0-9.]*\) ms.*/\1/p' "$WORK/load.out")
  echo "$rps $p50 $p99"
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "cached login through Apache (event MPM), $CONNS kept-alive TLS connections with a citizen certificate,"
echo "$SECS s per run, $ROUNDS rounds alternating; static file /static/hello.txt"
: >"$WORK/without" && : >"$WORK/with"
for r in $(seq 1 "$ROUNDS"); do
  run none >>"$WORK/without"
  run module >>"$WORK/with"
  printf 'round %s: without %s req/s, with %s req/s\n' "$r" "$(tail -n 1 "$WORK/without" | cut -d' ' -f1)" \
    "$(tail -n 1 "$WORK/with" | cut -d' ' -f1)"
done
for m in without with; do
  printf '%-8s module: %6s req/s   p50 %s ms   p99 %s ms  (medians)\n' "$m" \
    "$(cut -d' ' -f1 "$WORK/$m" | median)" "$(cut -d' ' -f2 "$WORK/$m" | median)" "$(cut -d' ' -f3 "$WORK/$m" | median)"
done
awk -v a="$(cut -d' ' -f1 "$WORK/with" | median)" -v b="$(cut -d' ' -f1 "$WORK/without" | median)" \
  'BEGIN { printf "ratio with/without: %.3f\n", a / b }'
echo "register queries made: $(vtj_sim_status "$PKI" | grep -o '"queries":[0-9]*' | cut -d: -f2)"
