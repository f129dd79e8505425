#!/usr/bin/env bash
# nginx's life cycle with the module: a reload (nginx -s reload, SIGHUP) during traffic, and a worker
# killed with SIGKILL under load. No crash, service goes on, and the shared cache survives both (the
# reload keeps the zone and the cache key; a killed worker leaves its locks repairable). Needs VTJ_LOAD.
. "$(dirname "$0")/test-lib.sh"
: "${VTJ_LOAD:?}"

start_sim
start_nginx 'location /on/ {
  vtj on;
  proxy_pass http://vtj_echo;
}
location /static/on/ {
  vtj on;
  alias '"$WORK"'/nginx/htdocs/static/;
}' --workers 2
expect "first login" "$(login adult /on/echo)" 200
expect "queries" "$(queries)" 1

load() {  # load SECONDS: kept-alive load on a cached citizen in the background (pid in $load_pid)
  "$VTJ_LOAD" --url "$vtj_nginx_url/static/on/hello.txt" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/citizen/adult.pem" --key "$PKI/citizen/adult.key" --connections 8 --threads 2 \
    --duration "$1" >"$WORK/load.out" 2>&1 &
  load_pid=$!
}
served() { sed -n 's/^requests: *[0-9]* (2xx \([0-9]*\),.*/\1/p' "$WORK/load.out"; }

# A reload in the middle of the load.
load 3
sleep 1
checks=$((checks + 1))
vtj_nginx_reload || fail "reload"
wait "$load_pid"
checks=$((checks + 1))
[ "$(served)" -gt 100 ] || { fail "the load was not served across the reload"; cat "$WORK/load.out"; }
expect "after the reload" "$(login adult /on/echo)" 200
expect "the cache survived the reload" "$(queries)" 1

# A reload while a first login waits for the register: the old worker finishes it before it exits.
sim_control "fault=latency:2000"
{ vtj_nginx_curl child /on/echo -o /dev/null -w '%{http_code}' >"$WORK/pending.code" 2>/dev/null; } &
pending=$!
sleep 0.5
checks=$((checks + 1))
vtj_nginx_reload || fail "reload with a query pending"
wait "$pending"
expect "the login pending across the reload" "$(cat "$WORK/pending.code")" 200
sim_control "fault=none"

# A reload with a broken key: refused, and the running configuration serves on.
cp "$PKI/customer.key" "$WORK/key.pem"
chmod 600 "$WORK/key.pem"
sed -i "s|^vtj_client_certificate .*|vtj_client_certificate $PKI/customer.pem $WORK/key.pem;|" "$WORK/vtj-http.conf"
checks=$((checks + 1))
vtj_nginx_reload || fail "reload with a good key"
printf 'not a key\n' >"$WORK/key.pem"
kill -HUP "$vtj_nginx_pid"
sleep 1
expect "the master survives a reload with a broken key" "$(kill -0 "$vtj_nginx_pid" 2>/dev/null && echo alive)" alive
expect "served after the refused reload" "$(login adult /on/echo)" 200
vtj_nginx_log >"$WORK/reload.log"
expect_in "the refusal is logged" "$WORK/reload.log" "key"

# Every worker killed with SIGKILL, one after the other, under load.
before_kills=$(queries)
load 3
sleep 1
for pid in $(vtj_nginx_workers); do
  kill -KILL "$pid"
  sleep 0.4
done
wait "$load_pid"
checks=$((checks + 1))
[ "$(served)" -gt 100 ] || { fail "the load was not served across the kills"; cat "$WORK/load.out"; }
for _ in 1 2 3 4; do
  expect "after the kills" "$(login adult /on/echo)" 200
done
expect_in "person data after the kills" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
expect "the cache survived the kills" "$(queries)" "$before_kills"
expect "a new citizen after the kills" "$(login adult-ec /on/echo)" 200
expect "one query for the new citizen" "$(queries)" $((before_kills + 1))
# The kills themselves are reported ("exited on signal 9"); nothing else may be, also not at the exit,
# where a leaked connection or request would be reported.
vtj_nginx_stop
vtj_nginx_log | grep -v 'exited on signal 9$' >"$WORK/log"
expect_not_in "no alert" "$WORK/log" "[alert] "
grep -F "[alert]" "$WORK/log" | head -3
expect_not_in "no hetu in the log" "$WORK/log" "010190-901R"
finish
