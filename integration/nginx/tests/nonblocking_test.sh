#!/usr/bin/env bash
# Never blocking the worker, shown by order rather than time: one worker process; a first login whose
# register query the simulator holds for 2 s; requests sent after it (a cached citizen, a static file, a
# certificate outside the profile) all complete before it does. Then a client that gives up while its
# query is pending: the worker lives on and serves.
. "$(dirname "$0")/test-lib.sh"

start_sim
start_nginx 'location /on/ {
  vtj on;
  vtj_timeout 1000 5000;
  proxy_pass http://vtj_echo;
}' --workers 1
worker=$(vtj_nginx_workers)
expect "cache a citizen" "$(login adult-ec /on/echo)" 200
sim_control "fault=latency:2000"

stamp() { date +%s%N; }
{
  vtj_nginx_curl adult /on/echo -o /dev/null -w '%{http_code}' >"$WORK/slow.code" 2>/dev/null
  stamp >"$WORK/slow.done"
} &
slow=$!
sleep 0.3  # the slow login is now waiting for the register
for i in 1 2 3; do
  vtj_nginx_curl adult-ec /on/echo -o /dev/null -w '%{http_code}' >"$WORK/cached.$i.code" 2>/dev/null
  stamp >"$WORK/cached.$i.done"
  vtj_nginx_curl adult /static/hello.txt -o /dev/null -w '%{http_code}' >"$WORK/static.$i.code" 2>/dev/null
  stamp >"$WORK/static.$i.done"
  vtj_nginx_curl special/org-ca /on/echo -o /dev/null -w '%{http_code}' >"$WORK/org.$i.code" 2>/dev/null
  stamp >"$WORK/org.$i.done"
done
wait "$slow"
expect "the slow login" "$(cat "$WORK/slow.code")" 200
for i in 1 2 3; do
  expect "cached login $i" "$(cat "$WORK/cached.$i.code")" 200
  expect "static file $i" "$(cat "$WORK/static.$i.code")" 200
  expect "refused certificate $i" "$(cat "$WORK/org.$i.code")" 403
  for what in cached static org; do
    checks=$((checks + 1))
    [ "$(cat "$WORK/$what.$i.done")" -lt "$(cat "$WORK/slow.done")" ] ||
      fail "$what request $i finished after the slow login: the worker was blocked"
  done
done

# A client that leaves while its query is pending (it gives up after 0.5 s of 2): nothing dangles.
vtj_nginx_curl child /on/echo -o /dev/null --max-time 0.5 2>/dev/null || true
sleep 2.5  # the query finishes with nobody to answer
expect "served after the client left" "$(login adult-ec /on/echo)" 200
expect "the same worker" "$(vtj_nginx_workers)" "$worker"
# A leak shows at the worker's exit ("open socket ... left in connection"): stop first, then read.
vtj_nginx_stop
vtj_nginx_log >"$WORK/log"
expect_not_in "no crash" "$WORK/log" "exited on signal"
expect_not_in "no alert" "$WORK/log" "[alert]"
finish
