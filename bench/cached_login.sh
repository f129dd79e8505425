#!/usr/bin/env bash
# What the module costs a request whose citizen is in the cache: the same web server (Apache with the
# event MPM, or nginx with 2 workers; the same TLS server with client certificates required, the same
# static file) without the module and with it (every request resolved from the shared cache), under the
# same load from vtj-load (kept-alive TLS connections presenting a citizen certificate). The two
# alternate for ROUNDS rounds; the medians and their ratio are printed. The load generator shares the
# machine's cores with the server.
#
#   bench/cached_login.sh apache|nginx [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS]
# Prints figures; asserts nothing about speed.
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/.." && pwd)
SERVER=${1:?apache or nginx}
BUILD=$(cd "${2:-$SRC/build}" && pwd)
SECS=${3:-5}
ROUNDS=${4:-3}
CONNS=${5:-16}
PKI=$BUILD/pki
DATA=$SRC/integration/data/register.conf
"$SRC/integration/pki/make-test-pki" "$PKI" >/dev/null
WORK=$(mktemp -d)
chmod 711 "$WORK"
. "$SRC/integration/sim/sim-run.sh"
. "$SRC/integration/nginx/nginx-run.sh"
trap 'vtj_apache_stop; vtj_nginx_stop; vtj_sim_stop; rm -rf "$WORK"' EXIT
export VTJ_ECHO=$BUILD/bin/vtj-echo-backend

vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK"
vtj_sim_directives "$PKI" "$DATA" "$WORK" >"$WORK/register.conf"
{ cat "$WORK/register.conf"; printf '<Location /static/>\n  VTJ On\n</Location>\n'; } >"$WORK/vtj.conf"
vtj_nginx_directives <"$WORK/register.conf" >"$WORK/vtj-http.conf"
# nginx: the same file, from a location with the module on, and the same location without it.
printf 'location /static/on/ {\n  vtj on;\n  alias %s/nginx/htdocs/static/;\n}\n' "$WORK" >"$WORK/vtj-nginx.conf"

# start MODE: the server without (none) or with (module) the module; sets port and path.
start() {
  if [ "$SERVER" = apache ]; then
    if [ "$1" = module ]; then
      vtj_apache_start "$WORK/apache" "$PKI" --load "$BUILD/lib/mod_vtj.so" --conf "$WORK/vtj.conf" >/dev/null
    else
      vtj_apache_start "$WORK/apache" "$PKI" >/dev/null
    fi
    port=$vtj_apache_port path=/static/hello.txt
  else
    if [ "$1" = module ]; then
      vtj_nginx_start "$WORK/nginx" "$PKI" --load "$BUILD/lib/ngx_http_vtj_module.so" --log-level warn \
        --http-conf "$WORK/vtj-http.conf" --conf "$WORK/vtj-nginx.conf" >/dev/null
      path=/static/on/hello.txt
    else
      vtj_nginx_start "$WORK/nginx" "$PKI" --log-level warn >/dev/null
      path=/static/hello.txt
    fi
    port=$vtj_nginx_port
  fi
}

# run MODE: one measurement; prints "requests/s p50 p99" (ms).
run() {
  start "$1"
  if [ "$1" = module ]; then
    # The first login fills the cache; every measured request is a hit.
    [ "$(_vtj_web_curl "$port" adult "$path" -o /dev/null -w '%{http_code}')" = 200 ] ||
      { echo "the login failed" >&2; exit 1; }
  fi
  "$BUILD/bin/vtj-load" --url "https://localhost:$port$path" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/citizen/adult.pem" --key "$PKI/citizen/adult.key" --connections "$CONNS" --threads 2 \
    --duration "$SECS" >"$WORK/load.out"
  vtj_apache_stop
  vtj_nginx_stop
  local rps p50 p99 bad
  bad=$(sed -n 's/^requests: .*non-2xx \([0-9]*\)).*/\1/p' "$WORK/load.out")
  [ "$bad" = 0 ] || { echo "non-2xx answers in the $1 run:" >&2; cat "$WORK/load.out" >&2; exit 1; }
  rps=$(sed -n 's/^requests\/s: *\([0-9]*\)/\1/p' "$WORK/load.out")
  p50=$(sed -n 's/^latency: *p50 \([0-9.]*\) ms.*/\1/p' "$WORK/load.out")
  p99=$(sed -n 's/^latency: .*p99 \([0-9.]*\) ms.*/\1/p' "$WORK/load.out")
  echo "$rps $p50 $p99"
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "cached login through $SERVER, $CONNS kept-alive TLS connections with a citizen certificate,"
echo "$SECS s per run, $ROUNDS rounds alternating; a static file"
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
