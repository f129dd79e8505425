#!/usr/bin/env bash
# The register simulator's throughput: vtj-load sends the adult's SoSo query (PERUSSANOMA3 by SATU, as the
# module builds it) over kept-alive HTTPS connections with the customer certificate, for a few seconds.
# Prints vtj-load's summary, the CPU each side used, and the simulator's /status. Builds nothing; asserts
# nothing about speed (it fails only when no query was answered at all).
#
#   bench/register_sim_throughput.sh [BUILD_DIR] [SECONDS] [CONNECTIONS] [THREADS]
#   defaults: build 5 8 1. VTJ_LOAD_ARGS adds vtj-load options, e.g. VTJ_LOAD_ARGS="--http2 --streams 8".
set -euo pipefail
# curl talks to the loopback simulator directly, never through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
SECONDS_TO_RUN=${2:-5}
CONNECTIONS=${3:-8}
THREADS=${4:-1}
PKI=$BUILD/pki
DATA=$SRC/integration/data/register.conf
for tool in vtj-register-sim vtj-load vtj-resolve; do
  [[ -x $BUILD/bin/$tool ]] || { echo "missing $BUILD/bin/$tool: build it first" >&2; exit 1; }
done
[[ -r $PKI/register.pem ]] || "$SRC/integration/pki/make-test-pki" "$PKI" >/dev/null

WORK=$(mktemp -d)
. "$SRC/integration/sim/sim-run.sh"
trap 'vtj_sim_stop; rm -rf "$WORK"' EXIT

# The request body: what the module sends for the adult.
. "$SRC/bench/bench-lib.sh"
bench_sim_body "$WORK/adult.xml"

vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK"
port=$vtj_sim_port
sim_pid=$vtj_sim_pid

tls=(--cacert "$PKI/server-ca.pem" --cert "$PKI/customer.pem" --key "$PKI/customer.key")
base=https://127.0.0.1:$port
# One query first: a wrong body or certificate shows here, plainly, not as a run of errors.
code=$(curl -sS "${tls[@]}" -H "${BENCH_SOAP[0]}" -H "${BENCH_SOAP[1]}" --data-binary @"$WORK/adult.xml" \
  -o "$WORK/answer.xml" -w '%{http_code}' "$base/sosowebsite/soso.asmx")
if [[ $code != 200 ]] || ! grep -q 'koodi="0000"' "$WORK/answer.xml"; then
  echo "the simulator did not answer the adult's query with 0000 (HTTP $code):" >&2
  head -c 600 "$WORK/answer.xml" >&2
  exit 1
fi
curl -sS "${tls[@]}" -X POST -o /dev/null "$base/reset"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sim_before=$(cpu_ticks "$sim_pid")
load_status=0
TIMEFORMAT='%U %S'
{ time "$BUILD/bin/vtj-load" --url "$base/sosowebsite/soso.asmx" "${tls[@]}" \
  --connections "$CONNECTIONS" --threads "$THREADS" --duration "$SECONDS_TO_RUN" --body "$WORK/adult.xml" \
  --header "${BENCH_SOAP[0]}" --header "${BENCH_SOAP[1]}" ${VTJ_LOAD_ARGS:-} \
  >"$WORK/load.out" 2>"$WORK/load.err"; } 2>"$WORK/load.time" || load_status=$?
sim_after=$(cpu_ticks "$sim_pid")

echo "register simulator throughput (person adult, PERUSSANOMA3 by SATU, $(nproc) cores shared by both sides)"
cat "$WORK/load.out"
cat "$WORK/load.err" >&2
awk -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_TO_RUN" -v sim=$((sim_after - sim_before)) \
  '{ printf "cpu:              simulator %.0f%% of a core, vtj-load %.0f%% (user+system over %s s)\n",
       100 * sim / hz / s, 100 * ($1 + $2) / s, s }' "$WORK/load.time"
echo "simulator /status: $(curl -sS "${tls[@]}" "$base/status")"
if [[ -s $WORK/sim.err ]]; then
  echo "simulator stderr:"
  head -n 20 "$WORK/sim.err"
fi
exit "$load_status"
