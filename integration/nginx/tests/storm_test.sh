#!/usr/bin/env bash
# A login storm: 200 different citizens log in at once against a register that takes 300 ms per answer.
# Every login completes, the register is asked exactly 200 times (none repeated), and one worker holds
# the pending queries without blocking (the `vtj` thread pool makes them). Needs VTJ_CROWD_PKI and
# VTJ_CROWD_DATA (integration/data/make-crowd and make-test-pki).
. "$(dirname "$0")/test-lib.sh"
: "${VTJ_CROWD_PKI:?}" "${VTJ_CROWD_DATA:?}"
PKI=$VTJ_CROWD_PKI
DATA=$VTJ_CROWD_DATA

start_sim --fault latency:300
start_nginx 'location /on/ {
  vtj on;
  vtj_timeout 1000 20000;
  proxy_pass http://vtj_echo;
}' --workers 1 --main-conf "thread_pool vtj threads=64 max_queue=4096;"

mapfile -t crowd < <(awk -F '\t' '$1 ~ /^crowd-/ { print $1 }' "$PKI/citizen/index.tsv")
expect "crowd size" "${#crowd[@]}" 200
pids=()
for who in "${crowd[@]}"; do
  vtj_nginx_curl "$who" /on/echo -o "$WORK/$who.body" -w '%{http_code}' >"$WORK/$who.code" 2>/dev/null &
  pids+=($!)
done
wait "${pids[@]}"
ok=0
for who in "${crowd[@]}"; do
  if [ "$(cat "$WORK/$who.code")" = 200 ] && grep -q "^HTTP_VTJ_SURNAME=Joukko$" "$WORK/$who.body"; then
    ok=$((ok + 1))
  fi
done
expect "logins answered with the person's data" "$ok" 200
expect "register queries" "$(queries)" 200
vtj_sim_status "$PKI" >"$WORK/status.json"
expect_in "every query answered found" "$WORK/status.json" '"0000":200'
# The module's connections to the register share TLS sessions: after the first full handshake, the
# threads' new connections resume one (no certificates, no signature by the client key).
handshakes=$(grep -o '"tls_handshakes":[0-9]*' "$WORK/status.json" | cut -d: -f2)
resumed=$(grep -o '"tls_resumed":[0-9]*' "$WORK/status.json" | cut -d: -f2)
echo "register connections: $handshakes TLS handshakes, $resumed resumed"
expect "register connections resume TLS sessions ($resumed of $handshakes)" \
  "$([ "${resumed:-0}" -ge 1 ] && [ "$resumed" -lt "$handshakes" ] && echo yes)" yes
# Each again: all from the cache.
for who in "${crowd[@]:0:20}"; do
  expect "again: $who" "$(login "$who" /on/echo)" 200
done
expect "register queries after the repeats" "$(queries)" 200
finish
