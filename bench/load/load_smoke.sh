#!/usr/bin/env bash
# vtj-load's identities, request counts and CSV through a real nginx (the test PKI's TLS server with
# client certificates required, a static file). nginx's access log names the client certificate of every
# request, so it shows which identity each connection presented, resumed TLS sessions included:
#   - HTTP/1.1, one connection at a time, 2 requests each, 12 in all, 3 identities: 6 connections, each
#     identity's second connection resumes its own session; every identity exactly 4 requests;
#   - HTTP/2, 2 threads, 2 connections of 2 streams, 4 requests each, 24 in all: every identity 8;
#   - a login storm (6 connections at once, one request each) with the human summary: every identity 2;
#   - --requests with --duration stops at the time limit;
#   - a bad list line, a missing certificate, a key that does not match, --cert with --cert-list: usage
#     errors naming the file and line.
#
#   bench/load/load_smoke.sh [BUILD_DIR]      (needs BUILD_DIR/pki: the ctest fixture `pki`)
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
PKI=$BUILD/pki
LOAD=$BUILD/bin/vtj-load
export VTJ_ECHO=$BUILD/bin/vtj-echo-backend
WORK=$(mktemp -d)
chmod 711 "$WORK"
. "$SRC/integration/nginx/nginx-run.sh"
trap 'vtj_nginx_stop; rm -rf "$WORK"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect() {  # expect WHAT ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then
    echo "ok: $1 = $3"
  else
    fail "$1: expected '$3', got '$2'"
  fi
}
# csv_field FILE NAME: the value of column NAME in a --csv output (exactly two lines).
csv_field() {
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i }
    NR == 2 && col { print $col }' "$1"
}
dn() { openssl x509 -in "$PKI/citizen/$1.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'; }

# Three citizens, each named differently: an absolute path with its key, paths relative to the list's
# folder, and one file holding both certificate and key.
people=(adult child prohibition)
mkdir "$WORK/ids" "$WORK/ids/certs"
cp "$PKI/citizen/child.pem" "$PKI/citizen/child.key" "$WORK/ids/certs/"
cat "$PKI/citizen/prohibition.pem" "$PKI/citizen/prohibition.key" >"$WORK/ids/certs/prohibition-both.pem"
cat >"$WORK/ids/list.txt" <<LIST
# the smoke test's citizens

$PKI/citizen/adult.pem $PKI/citizen/adult.key
  certs/child.pem	certs/child.key
certs/prohibition-both.pem
LIST

# The access log: the run (from the query), protocol, status, resumed, then the client's DN.
# shellcheck disable=SC2016 # nginx's variables
printf 'log_format vtj_load_smoke "$request_uri $server_protocol $status $ssl_session_reused $ssl_client_s_dn";\n' \
  >"$WORK/http.conf"
printf 'access_log %s/access.log vtj_load_smoke;\n' "$WORK" >"$WORK/server.conf"
vtj_nginx_start "$WORK/nginx" "$PKI" --log-level warn --http-conf "$WORK/http.conf" --conf "$WORK/server.conf"

# load RUN OPTIONS...: vtj-load against the static file, the run's name in the query; from / so that
# only the list's folder can make its relative paths work. Output in $WORK/RUN.out.
load() {
  local run=$1 rc=0
  shift
  (cd / && "$LOAD" --url "https://localhost:$vtj_nginx_port/static/hello.txt?run=$run" \
    --cacert "$PKI/server-ca.pem" --cert-list "$WORK/ids/list.txt" "$@") >"$WORK/$run.out" 2>"$WORK/$run.err" ||
    rc=$?
  expect "$run: exit status" "$rc" 0
  [ "$rc" = 0 ] || cat "$WORK/$run.out" "$WORK/$run.err" >&2
}

load h1 --connections 1 --per-connection 2 --requests 12 --csv
load h2 --http2 --threads 2 --connections 2 --streams 2 --per-connection 4 --requests 24 --csv
load storm --threads 2 --connections 6 --per-connection 1 --requests 6
load timed --connections 2 --requests 1000000 --duration 0.5 --csv

expect "h1: output lines" "$(wc -l <"$WORK/h1.out")" 2
expect "h1: CSV header" "$(head -n 1 "$WORK/h1.out")" \
  "requests,ok_2xx,non_2xx,errors,seconds,rps,p50_ms,p90_ms,p99_ms,max_ms,connections_opened,resumed"
for run in h1:12:6 h2:24:6; do
  IFS=: read -r name requests conns <<<"$run"
  expect "$name: requests" "$(csv_field "$WORK/$name.out" requests)" "$requests"
  expect "$name: 2xx" "$(csv_field "$WORK/$name.out" ok_2xx)" "$requests"
  expect "$name: non-2xx" "$(csv_field "$WORK/$name.out" non_2xx)" 0
  expect "$name: errors" "$(csv_field "$WORK/$name.out" errors)" 0
  expect "$name: connections opened" "$(csv_field "$WORK/$name.out" connections_opened)" "$conns"
done
# One connection at a time: connections 3, 4 and 5 each resume the session of their own identity.
expect "h1: resumed" "$(csv_field "$WORK/h1.out" resumed)" 3
grep -q '^requests: *6 (2xx 6, non-2xx 0)$' "$WORK/storm.out" || fail "storm: summary: $(cat "$WORK/storm.out")"
grep -q '^transport errors: 0$' "$WORK/storm.out" || fail "storm: transport errors: $(cat "$WORK/storm.out")"
grep -q '^identities: *3 ' "$WORK/storm.out" || fail "storm: no identities line: $(cat "$WORK/storm.out")"
grep -q '^latency: *p50 [0-9.]* ms, p90 [0-9.]* ms, p99 [0-9.]* ms, max [0-9.]* ms$' "$WORK/storm.out" ||
  fail "storm: latency line: $(cat "$WORK/storm.out")"
timed=$(csv_field "$WORK/timed.out" requests)
awk -v n="${timed:-0}" -v s="$(csv_field "$WORK/timed.out" seconds)" 'BEGIN { exit !(n > 0 && n < 1000000 && s == 0.5) }' ||
  fail "timed: expected some requests in 0.5 s, got: $(cat "$WORK/timed.out")"

# nginx stopped: every request it answered is in the log.
vtj_nginx_stop
# dns RUN: "COUNT DN" per client DN of the run's requests.
dns() {
  sed -n "s|^/static/hello.txt?run=$1 [^ ]* [^ ]* [^ ]* ||p" "$WORK/access.log" | sort | uniq -c | sed 's/^ *//' | sort
}
# want COUNT: "COUNT DN" for each of the three citizens.
want() {
  local who
  for who in "${people[@]}"; do
    printf '%s %s\n' "$1" "$(dn "$who")"
  done | sort
}
expect "h1: requests by client certificate" "$(dns h1)" "$(want 4)"
expect "h2: requests by client certificate" "$(dns h2)" "$(want 8)"
expect "storm: requests by client certificate" "$(dns storm)" "$(want 2)"
expect "h1: protocol and status" "$(grep -c '^/static/hello.txt?run=h1 HTTP/1.1 200 ' "$WORK/access.log")" 12
expect "h2: protocol and status" "$(grep -c '^/static/hello.txt?run=h2 HTTP/2.0 200 ' "$WORK/access.log")" 24
expect "h1: requests on resumed sessions" "$(grep -c '^/static/hello.txt?run=h1 [^ ]* [^ ]* r ' "$WORK/access.log")" 6

# Usage errors name the list and the line.
bad() {  # bad NAME MESSAGE-PATTERN LIST-LINES...: vtj-load exits 2 with MESSAGE-PATTERN on stderr
  local name=$1 pattern=$2 rc=0
  shift 2
  printf '%s\n' "$@" >"$WORK/ids/$name.txt"
  "$LOAD" --url "https://localhost:1/" --cert-list "$WORK/ids/$name.txt" >/dev/null 2>"$WORK/$name.err" || rc=$?
  expect "$name: exit status" "$rc" 2
  grep -q -- "$pattern" "$WORK/$name.err" || fail "$name: expected '$pattern' in: $(cat "$WORK/$name.err")"
}
bad three-fields "^vtj-load: $WORK/ids/three-fields.txt:3: expected 'CERT.pem \[KEY.pem\]'" \
  "# fine" "certs/child.pem" "certs/child.pem certs/child.key extra"
bad missing "^vtj-load: $WORK/ids/missing.txt:2: cannot read the certificate $WORK/ids/certs/missing.pem" \
  "certs/child.pem certs/child.key" "certs/missing.pem"
bad mismatch "^vtj-load: $WORK/ids/mismatch.txt:1: the key $PKI/citizen/adult.key does not match" \
  "certs/child.pem $PKI/citizen/adult.key"
bad empty "^vtj-load: --cert-list $WORK/ids/empty.txt: lists no certificate" "# nothing" ""
rc=0
"$LOAD" --url "https://localhost:1/" --cert "$PKI/citizen/adult.pem" --cert-list "$WORK/ids/list.txt" \
  >/dev/null 2>"$WORK/both.err" || rc=$?
expect "--cert with --cert-list: exit status" "$rc" 2
grep -q -- '--cert-list and --cert' "$WORK/both.err" || fail "--cert with --cert-list: $(cat "$WORK/both.err")"

if [ "$failures" != 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
