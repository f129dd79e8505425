#!/usr/bin/env bash
# The client's per-query cost on a reused connection: vtj-resolve --repeat N against the register
# simulator, on each transport, compared with the round trip a minimal client sees (vtj-load, raw OpenSSL,
# one kept connection, the same SoSo query): that round trip is the simulator's own latency (its TLS,
# HTTP and answer, and loopback); what the module's client adds to it is the client's overhead (request
# building, libcurl, its TLS records). The latency does not include parsing the answer, which
# bench/register_bench measures. The simulator's time inside its answering logic (handling_us) is shown
# for reference.
#
#   bench/register_client_overhead.sh [BUILD_DIR] [QUERIES]
# Prints figures; asserts nothing about speed.
set -euo pipefail
# curl talks to the loopback simulator directly, never through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
N=${2:-2000}
PKI=$BUILD/pki
"$SRC/integration/pki/make-test-pki" "$PKI" >/dev/null
WORK=$(mktemp -d)
. "$SRC/integration/sim/sim-run.sh"
trap 'vtj_sim_stop; rm -rf "$WORK"' EXIT

DATA=$SRC/integration/data/register.conf
vtj_sim_setting "$DATA" password >"$WORK/password.txt"

vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK"
port=$vtj_sim_port

admin() {
  curl -sS --cacert "$PKI/server-ca.pem" --cert "$PKI/customer.pem" --key "$PKI/customer.key" "$@"
}
number() { grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

baseline=$(bash "$SRC/bench/register_sim_throughput.sh" "$BUILD" 2 1 1 | sed -n 's/^latency: *p50 \([0-9.]*\) ms.*/\1/p')
echo "client per-query overhead on a reused connection, $N queries per transport (person adult, by SATU)"
echo "baseline: a minimal client (vtj-load, 1 kept connection, HTTP/1.1) sees p50 $baseline ms"
for transport in soso xroad; do
  path=/sosowebsite/soso.asmx
  [ "$transport" = xroad ] && path=/
  cat >"$WORK/$transport.conf" <<EOF
VTJRegisterURL https://localhost:$port$path
VTJTransport $transport
VTJXRoadClient FI-TEST/MUN/0101263-6/vtj-resolver-bench
VTJClientCertificate $PKI/customer.pem $PKI/customer.key
VTJRegisterCA $PKI/server-ca.pem
VTJCredentials $(vtj_sim_setting "$DATA" username) $WORK/password.txt
VTJProduct PERUSSANOMA3
VTJEndUser bench
EOF
  admin -X POST "https://localhost:$port/reset" >/dev/null
  "$BUILD/bin/vtj-resolve" --config "$WORK/$transport.conf" --satu 10000101W --repeat "$N" \
    >/dev/null 2>"$WORK/err"
  line=$(grep 'queries,' "$WORK/err")
  p50_ms=$(sed -n 's/.*, p50 \([0-9.]*\),.*/\1/p' <<<"$line")
  status=$(vtj_sim_status "$PKI")
  queries=$(number queries <<<"$status")
  handling_us=$(number handling_us <<<"$status")
  awk -v t="$transport" -v p50="$p50_ms" -v base="$baseline" -v q="$queries" -v h="$handling_us" -v l="$line" 'BEGIN {
    printf "%-6s %s\n", t, l;
    printf "%-6s p50 %.1f us - baseline %.1f us = client overhead %.1f us per query (simulator logic %.1f us)\n",
      t, p50 * 1000, base * 1000, (p50 - base) * 1000, h / q }'
done
