#!/usr/bin/env bash
# The shared cache, shown by the register simulator's query counter, under the event and the prefork
# MPM: a second login of a citizen makes no query (whichever worker process serves it); a not-found
# answer is reused for its own TTL and asked again after it; 50 simultaneous first logins of one citizen
# make exactly one query (single flight across threads and processes).
. "$(dirname "$0")/test-lib.sh"

for mpm in event prefork; do
  start_sim
  start_apache "VTJCacheTTL 600 2
<Location /cgi/echo>
  VTJ On
</Location>" --mpm "$mpm"

  expect "$mpm: first login" "$(login adult /cgi/echo)" 200
  for _ in 1 2 3 4 5 6 7 8; do
    # New connections: with several worker processes these land on different ones.
    expect "$mpm: later login" "$(login adult /cgi/echo)" 200
  done
  expect_in "$mpm: the cached person's headers" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
  expect "$mpm: queries after nine logins of one citizen" "$(queries)" 1

  expect "$mpm: not found" "$(login not-found /cgi/echo)" 403
  expect "$mpm: not found again" "$(login not-found /cgi/echo)" 403
  expect "$mpm: queries while the not-found answer is fresh" "$(queries)" 2
  sleep 2.3
  expect "$mpm: not found after its TTL" "$(login not-found /cgi/echo)" 403
  expect "$mpm: queries after the not-found TTL" "$(queries)" 3

  # 50 first logins at once of a citizen whose answer takes 300 ms.
  storm=()
  for i in $(seq 1 50); do
    vtj_apache_curl slow /cgi/echo -o /dev/null -w '%{http_code}\n' >"$WORK/storm.$i" 2>&1 &
    storm+=($!)
  done
  wait "${storm[@]}"
  expect "$mpm: 50 simultaneous logins answered 200" "$(cat "$WORK"/storm.* | grep -c '^200$')" 50
  expect "$mpm: queries for 50 simultaneous first logins" "$(queries)" 4
  vtj_apache_log >"$WORK/log"
  expect_not_in "$mpm: no hetu in the log" "$WORK/log" "010190-901R"
  vtj_apache_stop
  vtj_sim_stop
done
finish
