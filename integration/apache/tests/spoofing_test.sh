#!/usr/bin/env bash
# Spoofed headers: whatever a client sends under a name the module owns (the default names in any case,
# '_' for '-', a configured custom name, a name under the prefix, the same header twice) never reaches
# the application, on a location where VTJ is On, behind mod_proxy, and where VTJ is Off. With
# VTJSpoofPolicy reject the request is refused with 400.
. "$(dirname "$0")/test-lib.sh"

start_sim
CONF="VTJHeaderPrefix VTJ-
<Location /cgi/echo>
  VTJ On
  # Configured only here, scrubbed on every location of the host.
  VTJHeader given-names X-First-Names
  VTJHeader hetu VTJ-Hetu
  VTJHeader surname X-Family-Name
</Location>
<Location /proxy/>
  VTJ On
</Location>
ScriptAlias /off/echo $WORK/apache/app/echo.cgi
<Location /off/>
  VTJ Off
</Location>"


for policy in strip reject; do
  start_apache "VTJSpoofPolicy $policy
$CONF"
  for path in /cgi/echo /proxy/cgi/echo /off/echo; do
    spoof_round "$policy" "$path"
  done
  # Where VTJ is On the application sees the module's values, not the client's.
  login adult /cgi/echo -H "VTJ-Hetu: 311299-999X" >/dev/null
  if [ "$policy" = strip ]; then
    expect_in "strip: the module's hetu" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
    expect_in "strip: the module's custom header" "$WORK/body" "HTTP_X_FAMILY_NAME=Virtanen"
    expect_not_in "strip: no client value" "$WORK/body" "311299-999X"
    vtj_apache_log >"$WORK/log"
    expect_in "strip is logged" "$WORK/log" "stripped client-sent header 'VTJ_Hetu'"
    expect_not_in "the log never holds a client value" "$WORK/log" "SPOOF-"
  else
    vtj_apache_log >"$WORK/log"
    expect_in "reject is logged" "$WORK/log" "denied (400): client sent header"
  fi
  vtj_apache_stop
done
finish
