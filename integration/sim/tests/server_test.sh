#!/usr/bin/env bash
# sim.server: vtj-register-sim's network side, driven by the system curl: mutual TLS (a customer
# certificate is required and must chain to --client-ca), HTTP/1.1 and HTTP/2, connection reuse, the
# admin endpoints and counters, the faults acted out on the wire (reset, truncated, hang, latency), and a
# prompt, clean SIGTERM.
#
# Environment (ctest sets it): VTJ_REGISTER_SIM, VTJ_RESOLVE (builds the request bodies the module sends),
# VTJ_PKI_DIR (the test PKI), VTJ_SOURCE_DIR.
set -euo pipefail
# curl talks to the loopback simulator directly, never through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

SIM=${VTJ_REGISTER_SIM:?path to vtj-register-sim}
RESOLVE=${VTJ_RESOLVE:?path to vtj-resolve}
PKI=${VTJ_PKI_DIR:?the test PKI directory}
SRC=${VTJ_SOURCE_DIR:?the source directory}
DATA=$SRC/integration/data/register.conf

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vtj-sim-server.XXXXXX")
SIM_PID=""
BACKGROUND=()
cleanup() {
  local p
  for p in "${BACKGROUND[@]}" $SIM_PID; do
    kill -KILL "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}
# expect NAME ACTUAL EXPECTED...: passes when ACTUAL is one of EXPECTED.
expect() {
  local name=$1 actual=$2
  shift 2
  local e
  for e in "$@"; do
    if [[ $actual == "$e" ]]; then
      pass "$name ($actual)"
      return
    fi
  done
  fail "$name: got '$actual', expected one of: $*"
}

for f in register.pem register.key customer-ca.pem server-ca.pem customer.pem customer.key \
  untrusted-customer.pem untrusted-customer.key; do
  [[ -r $PKI/$f ]] || { echo "missing $PKI/$f (run the pki.make test first)" >&2; exit 1; }
done

# --- request bodies: the SoSo documents vtj-resolve builds, with the data set's password put back in.
password=$(awk -F' *= *' '/^\[register\]/{r=1;next} /^\[/{r=0} r && $1=="password"{print $2}' "$DATA")
username=$(awk -F' *= *' '/^\[register\]/{r=1;next} /^\[/{r=0} r && $1=="username"{print $2}' "$DATA")
printf '%s' "$password" >"$WORK/password"
cat >"$WORK/resolve.conf" <<EOF
VTJRegisterURL https://127.0.0.1:1/sosowebsite/soso.asmx
VTJCredentials $username $WORK/password
VTJProduct PERUSSANOMA3
VTJEndUser sim-server-test
VTJCache none
EOF
make_body() { # PERSON-SATU FILE
  "$RESOLVE" --config "$WORK/resolve.conf" --satu "$1" --show-request |
    sed "s|<Salasana>[^<]*</Salasana>|<Salasana>$password</Salasana>|" >"$2"
  grep -q "<Salasana>$password</Salasana>" "$2" || { echo "cannot build a request body for $1" >&2; exit 1; }
}
make_body 10000101W "$WORK/adult.xml"     # adult
make_body 10000114A "$WORK/slow.xml"      # slow: latency:300
make_body 10000115B "$WORK/hang.xml"      # hang
make_body 10000116C "$WORK/reset.xml"     # reset
make_body 10000120H "$WORK/truncated.xml" # truncated

# --- the simulator
# start_sim NAME [OPTION...]: starts one with the test PKI; sets SIM_PID and PORT; output in $WORK/NAME.*.
start_sim() {
  local name=$1
  shift
  "$SIM" --data "$DATA" --cert "$PKI/register.pem" --key "$PKI/register.key" --client-ca "$PKI/customer-ca.pem" \
    --port 0 --port-file "$WORK/$name.port" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SIM_PID=$!
  for _ in $(seq 100); do
    grep -q '^vtj-register-sim: ready$' "$WORK/$name.out" 2>/dev/null && break
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; echo "simulator exited" >&2; exit 1; }
    sleep 0.1
  done
  grep -q '^vtj-register-sim: ready$' "$WORK/$name.out" || { echo "no ready line" >&2; exit 1; }
  PORT=$(cat "$WORK/$name.port")
}
# stop_sim: SIGTERM; fails the check unless it exits 0 within a second.
stop_sim() {
  local r=0 start
  start=$(date +%s%N)
  kill -TERM "$SIM_PID"
  wait "$SIM_PID" || r=$?
  STOP_MS=$((($(date +%s%N) - start) / 1000000))
  SIM_PID=""
  return "$r"
}
start_sim sim --verbose
expect "first line names the address and the port of --port-file" "$(head -1 "$WORK/sim.out")" \
  "vtj-register-sim: listening on 127.0.0.1:$PORT"

BASE=https://127.0.0.1:$PORT
SOSO=$BASE/sosowebsite/soso.asmx
TLS=(--cacert "$PKI/server-ca.pem")
CUSTOMER=("${TLS[@]}" --cert "$PKI/customer.pem" --key "$PKI/customer.key")
SOAP=(-H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "http://tempuri.org/TeeHenkilonTunnusKysely"')
# curl's exit status, without tripping set -e.
rc() {
  local r=0
  curl -sS "$@" >/dev/null 2>>"$WORK/curl.err" || r=$?
  echo "$r"
}
status_json() { curl -sS "${CUSTOMER[@]}" "$BASE/status"; }
field() { grep -o "\"$1\":[0-9]*" <<<"$2" | head -1 | cut -d: -f2; }

# --- mutual TLS
before=$(field tls_handshake_failures "$(status_json)")
expect "no client certificate: the handshake fails" "$(rc "${TLS[@]}" --http1.1 "$BASE/status")" 35 56
expect "no client certificate over HTTP/2 too" "$(rc "${TLS[@]}" --http2 "$BASE/status")" 35 56
expect "a customer certificate from another CA: the handshake fails" \
  "$(rc "${TLS[@]}" --cert "$PKI/untrusted-customer.pem" --key "$PKI/untrusted-customer.key" "$BASE/status")" 35 56
# The server counts a failure just after sending the alert, so curl may be quicker: give it a moment.
for _ in $(seq 20); do
  failures_now=$(field tls_handshake_failures "$(status_json)")
  [[ $failures_now -ge $((before + 3)) ]] && break
  sleep 0.1
done
expect "the three failed handshakes are counted" "$failures_now" $((before + 3))

# --- the customer, both HTTP versions
for version in 1.1 2; do
  out=$(curl -sS "${CUSTOMER[@]}" --http"$version" "${SOAP[@]}" --data-binary @"$WORK/adult.xml" \
    -o "$WORK/answer.xml" -w '%{http_version} %{http_code}' "$SOSO")
  expect "HTTP/$version: the adult's query is answered" "$out" "$version 200"
  if grep -q 'VTJHenkiloVastaussanoma' "$WORK/answer.xml" && grep -q 'koodi="0000"' "$WORK/answer.xml"; then
    pass "HTTP/$version: the answer is the register document with return code 0000"
  else
    fail "HTTP/$version: unexpected answer: $(head -c 300 "$WORK/answer.xml")"
  fi
done
expect "unknown path: 404" "$(curl -sS "${CUSTOMER[@]}" -o /dev/null -w '%{http_code}' "$BASE/nothing-here")" 404
expect "GET on the SOAP endpoint: 405" "$(curl -sS "${CUSTOMER[@]}" -o /dev/null -w '%{http_code}' "$SOSO")" 405
expect "chunked request body (HTTP/1.1)" "$(curl -sS "${CUSTOMER[@]}" --http1.1 "${SOAP[@]}" \
  -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/adult.xml" -o /dev/null -w '%{http_code}' "$SOSO")" 200
head -c $((5 * 1024 * 1024)) /dev/zero >"$WORK/huge.bin"
for version in 1.1 2; do
  expect "HTTP/$version: a body over 4 MiB gets 413" "$(curl -sS "${CUSTOMER[@]}" --http"$version" "${SOAP[@]}" \
    --data-binary @"$WORK/huge.bin" -o /dev/null -w '%{http_code}' "$SOSO")" 413
done

# --- counters and connection reuse
expect "POST /reset" "$(curl -sS "${CUSTOMER[@]}" -X POST -o /dev/null -w '%{http_code}' "$BASE/reset")" 200
s=$(status_json)
expect "after /reset: one connection (this one)" "$(field connections "$s")" 1
expect "after /reset: no queries" "$(field queries "$s")" 0
for version in 1.1 2; do
  curl -sS "${CUSTOMER[@]}" -X POST -o /dev/null "$BASE/reset"
  # Three requests on one command line, the last one reading the counters: one connection for all.
  query=("${CUSTOMER[@]}" --http"$version" "${SOAP[@]}" --data-binary @"$WORK/adult.xml" -o /dev/null "$SOSO")
  s=$(curl -sS "${query[@]}" --next "${query[@]}" --next "${CUSTOMER[@]}" --http"$version" "$BASE/status")
  expect "HTTP/$version: several URLs on one curl reuse one connection" "$(field connections "$s")" 1
  expect "HTTP/$version: every request is counted" "$(field requests "$s")" 3
  expect "HTTP/$version: the register counted the queries" "$(field queries "$s")" 2
  if [[ $version == 2 ]]; then
    protocols="$(field h2_connections "$s") $(field http1_connections "$s")"
  else
    protocols="$(field http1_connections "$s") $(field h2_connections "$s")"
  fi
  expect "HTTP/$version: counted as a connection of that version, and only that" "$protocols" "1 0"
done

# --- faults acted out on the wire
expect "HTTP/1.1: reset person: connection reset (56)" \
  "$(rc "${CUSTOMER[@]}" --http1.1 "${SOAP[@]}" --data-binary @"$WORK/reset.xml" "$SOSO")" 56
# HTTP/2 curl may be sending (a SETTINGS acknowledgement) when the RST lands: then it reports the reset as
# a send failure (55) instead of a receive failure (56). Either way the reset itself must be what it saw.
: >"$WORK/curl.err"
expect "HTTP/2: reset person: connection reset (55 or 56)" \
  "$(rc "${CUSTOMER[@]}" --http2 "${SOAP[@]}" --data-binary @"$WORK/reset.xml" "$SOSO")" 56 55
grep -q 'Connection reset by peer' "$WORK/curl.err" && pass "HTTP/2: curl saw a TCP reset" ||
  fail "HTTP/2: curl did not report a reset: $(cat "$WORK/curl.err")"
expect "HTTP/1.1: truncated person: partial file (18)" \
  "$(rc "${CUSTOMER[@]}" --http1.1 "${SOAP[@]}" --data-binary @"$WORK/truncated.xml" "$SOSO")" 18
expect "HTTP/2: truncated person: stream reset (92)" \
  "$(rc "${CUSTOMER[@]}" --http2 "${SOAP[@]}" --data-binary @"$WORK/truncated.xml" "$SOSO")" 92

for version in 1.1 2; do
  t=$(curl -sS "${CUSTOMER[@]}" --http"$version" "${SOAP[@]}" --data-binary @"$WORK/slow.xml" -o /dev/null \
    -w '%{time_total}' "$SOSO")
  if awk -v t="$t" 'BEGIN { exit !(t >= 0.3) }'; then
    pass "HTTP/$version: slow person (latency:300) answers after ${t}s"
  else
    fail "HTTP/$version: slow person answered after ${t}s, before its 300 ms"
  fi
done
expect "POST /control?fault=latency:500" \
  "$(curl -sS "${CUSTOMER[@]}" -X POST -o /dev/null -w '%{http_code}' "$BASE/control?fault=latency:500")" 200
t=$(curl -sS "${CUSTOMER[@]}" "${SOAP[@]}" --data-binary @"$WORK/adult.xml" -o /dev/null -w '%{time_total}' "$SOSO")
awk -v t="$t" 'BEGIN { exit !(t >= 0.5) }' && pass "global latency:500 delays the adult (${t}s)" ||
  fail "global latency:500 answered after ${t}s"
curl -sS "${CUSTOMER[@]}" -X POST -o /dev/null "$BASE/control?fault=none"
msg=$(curl -sS "${CUSTOMER[@]}" -X POST -w ' %{http_code}' "$BASE/control?fault=bogus")
[[ $msg == *"unknown fault"*" 400" ]] && pass "a bad control is refused with 400 and the reason" ||
  fail "bad control answered: $msg"

# Hang: the hung request times out (after 3 s) while a request on a second connection, started after it,
# is answered well within that time.
for version in 1.1 2; do
  curl -sS "${CUSTOMER[@]}" --http"$version" "${SOAP[@]}" --max-time 3 --data-binary @"$WORK/hang.xml" \
    -o /dev/null "$SOSO" 2>/dev/null &
  hung=$!
  BACKGROUND+=("$hung")
  sleep 0.2
  expect "HTTP/$version: another connection is answered while one hangs" "$(curl -sS "${CUSTOMER[@]}" \
    --http"$version" --max-time 2.5 "${SOAP[@]}" --data-binary @"$WORK/adult.xml" -o /dev/null -w '%{http_code}' \
    "$SOSO" 2>/dev/null || true)" 200
  r=0
  wait "$hung" || r=$?
  expect "HTTP/$version: the hung request times out (28)" "$r" 28
done
# HTTP/2: a hung stream does not hold back another stream on the same connection.
out=$(curl -sS "${CUSTOMER[@]}" --http2 -Z --max-time 2 "${SOAP[@]}" --data-binary @"$WORK/hang.xml" \
  -o /dev/null -w 'hang %{http_code} %{num_connects}\n' "$SOSO" --next "${CUSTOMER[@]}" --http2 --max-time 2 \
  "${SOAP[@]}" --data-binary @"$WORK/adult.xml" -o /dev/null -w 'adult %{http_code} %{num_connects}\n' "$SOSO" \
  2>/dev/null || true)
expect "HTTP/2: beside a hung stream, another stream is answered" "$(grep '^adult' <<<"$out" | cut -d' ' -f2)" 200
expect "HTTP/2: the hung stream is not" "$(grep '^hang' <<<"$out" | cut -d' ' -f2)" 000
expect "HTTP/2: both streams shared one connection" \
  "$(awk '{ n += $3 } END { print n }' <<<"$out")" 1

# --- logs never carry a whole identifier
if grep -Eq '10000101W|10000114A|010190-901R' "$WORK/sim.err"; then
  fail "an unmasked identifier in the simulator's log"
else
  pass "no unmasked identifier in the log"
fi

# --- command line errors
r=0
"$SIM" --bogus >/dev/null 2>"$WORK/usage.err" || r=$?
expect "unknown option: exit 2" "$r" 2
expect "unknown option: one line on stderr" "$(wc -l <"$WORK/usage.err")" 1
r=0
"$SIM" --help >/dev/null || r=$?
expect "--help: exit 0" "$r" 0

# --- SIGTERM with a connection open and a request hanging: exit 0 within a second, port closed
curl -sS "${CUSTOMER[@]}" --http1.1 --max-time 5 "${SOAP[@]}" --data-binary @"$WORK/hang.xml" -o /dev/null \
  "$SOSO" 2>/dev/null &
BACKGROUND+=("$!")
sleep 0.3
r=0
stop_sim || r=$?
expect "SIGTERM: exit status 0" "$r" 0
[[ $STOP_MS -lt 1000 ]] && pass "SIGTERM: stopped in ${STOP_MS} ms" || fail "SIGTERM took ${STOP_MS} ms"
expect "after SIGTERM the port is closed (curl: couldn't connect)" "$(rc "${CUSTOMER[@]}" "$BASE/status")" 7

# --- --idle-timeout: a client that stops half-way through a request does not hold a thread for ever, but
# a hung reply still waits for the client, on both HTTP versions.
start_sim idle --idle-timeout 1
BASE=https://127.0.0.1:$PORT
SOSO=$BASE/sosowebsite/soso.asmx
(printf 'POST /sosowebsite/soso.asmx HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc'; sleep 3) |
  openssl s_client -quiet -connect "127.0.0.1:$PORT" -cert "$PKI/customer.pem" -key "$PKI/customer.key" \
    -CAfile "$PKI/server-ca.pem" >/dev/null 2>&1 &
BACKGROUND+=("$!")
for version in 1.1 2; do
  expect "idle timeout 1 s: HTTP/$version hung request still hangs until the client gives up (28)" \
    "$(rc "${CUSTOMER[@]}" --http"$version" --max-time 2.5 "${SOAP[@]}" --data-binary @"$WORK/hang.xml" "$SOSO")" 28
done
s=$(status_json)
expect "idle timeout: the partial request's connection was closed by the server" "$(field idle_timeouts "$s")" 1
expect "idle timeout: no connection left but this one" "$(field active_connections "$s")" 1
r=0
stop_sim || r=$?
expect "idle: SIGTERM exit status 0" "$r" 0

if ((failures > 0)); then
  echo "--- simulator stderr" >&2
  cat "$WORK"/*.err >&2
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
