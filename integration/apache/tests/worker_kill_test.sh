#!/usr/bin/env bash
# A worker process killed with SIGKILL under load (while it may hold a cache lock, or be waiting for the
# register): the server and the shared cache go on serving. Needs VTJ_LOAD (vtj-load).
. "$(dirname "$0")/test-lib.sh"
: "${VTJ_LOAD:?}"

for mpm in event prefork; do
  start_sim --fault none
  start_apache "<Location /static/>
  VTJ On
</Location>
<Location /cgi/echo>
  VTJ On
</Location>" --mpm "$mpm"
  expect "$mpm: first login" "$(login adult /static/hello.txt)" 200

  # Load on a cached citizen from 8 connections, and meanwhile first logins of a slow one.
  "$VTJ_LOAD" --url "$vtj_apache_url/static/hello.txt" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/citizen/adult.pem" --key "$PKI/citizen/adult.key" --connections 8 --threads 2 \
    --duration 4 >"$WORK/load.out" 2>&1 &
  load=$!
  sleep 1
  for _ in 1 2 3; do
    vtj_apache_curl slow /cgi/echo -o /dev/null 2>/dev/null &
  done
  sleep 0.1
  # Every worker process but the parent: kill them all, one after another, under load.
  for pid in $(vtj_apache_processes "$WORK/apache"); do
    [ "$pid" = "$vtj_apache_pid" ] && continue
    kill -KILL "$pid" 2>/dev/null
    sleep 0.5
  done
  wait "$load"
  ok=$(sed -n 's/^requests: *[0-9]* (2xx \([0-9]*\),.*/\1/p' "$WORK/load.out")
  checks=$((checks + 1))
  [ "${ok:-0}" -gt 100 ] || { fail "$mpm: the load was not served"; cat "$WORK/load.out"; }
  expect "$mpm: the parent lives" "$(kill -0 "$vtj_apache_pid" 2>/dev/null && echo yes)" yes

  # After the kills: new workers serve, from the same cache, and the cache still takes new entries.
  for _ in 1 2 3 4 5 6; do
    expect "$mpm: login after the kills" "$(login adult /cgi/echo)" 200
  done
  expect_in "$mpm: person data after the kills" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
  before=$(queries)
  for _ in 1 2 3; do
    expect "$mpm: a new citizen after the kills" "$(login adult-ec /cgi/echo)" 200
  done
  expect "$mpm: one query for the new citizen" "$(($(queries) - before))" 1
  vtj_apache_log >"$WORK/log"
  expect_not_in "$mpm: no crash of the parent" "$WORK/log" "exit signal Segmentation"
  vtj_apache_stop
  vtj_sim_stop
done
finish
