#!/usr/bin/env bash
# The register down, hanging and answering garbage, under each VTJOnRegisterError policy:
#   deny   503 with Retry-After
#   pass   200, no person headers, VTJ-Status: unavailable
#   stale  200 from the expired cache entry with VTJ-Status: stale when there is one; else 503
. "$(dirname "$0")/test-lib.sh"

check_policy() {  # check_policy POLICY FAULT
  local policy=$1 fault=$2 code
  # adult was resolved (and cached, TTL 1 s) before the fault; adult-ec never was.
  code=$(login adult /cgi/echo)
  case $policy in
    deny)
      expect "$policy/$fault: cached-before status" "$code" 503
      expect_in "$policy/$fault: Retry-After" "$WORK/response-headers" "Retry-After: 30"
      ;;
    pass)
      expect "$policy/$fault: status" "$code" 200
      expect_in "$policy/$fault: marked unavailable" "$WORK/body" "HTTP_VTJ_STATUS=unavailable"
      expect_not_in "$policy/$fault: no person data" "$WORK/body" "HTTP_VTJ_HETU"
      ;;
    stale)
      expect "$policy/$fault: status" "$code" 200
      expect_in "$policy/$fault: marked stale" "$WORK/body" "HTTP_VTJ_STATUS=stale"
      expect_in "$policy/$fault: the expired entry's data" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
      ;;
  esac
  code=$(login adult-ec /cgi/echo)
  case $policy in
    deny | stale)
      expect "$policy/$fault: never cached: status" "$code" 503
      expect_in "$policy/$fault: never cached: Retry-After" "$WORK/response-headers" "Retry-After: 30"
      ;;
    pass)
      expect "$policy/$fault: never cached: status" "$code" 200
      expect_in "$policy/$fault: never cached: unavailable" "$WORK/body" "HTTP_VTJ_STATUS=unavailable"
      ;;
  esac
}

for policy in deny pass stale; do
  for fault in malformed hang down; do
    start_sim
    start_apache "VTJOnRegisterError $policy
VTJTimeout 500 700
VTJCacheTTL 1
<Location /cgi/echo>
  VTJ On
</Location>"
    expect "$policy/$fault: login while the register works" "$(login adult /cgi/echo)" 200
    sleep 1.2  # the entry expires (it is kept for stale use)
    if [ "$fault" = down ]; then
      vtj_sim_stop
    else
      sim_control "fault=$fault"
    fi
    check_policy "$policy" "$fault"
    vtj_apache_log >"$WORK/log"
    expect_in "$policy/$fault: logged" "$WORK/log" "register"
    expect_not_in "$policy/$fault: no hetu in the log" "$WORK/log" "010190-901R"
    vtj_apache_stop
    vtj_sim_stop
  done
done
finish
