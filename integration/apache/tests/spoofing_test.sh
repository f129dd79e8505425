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

# name|value: the spoofing attempts.
attempts=(
  "VTJ-Hetu|SPOOF-A"
  "vtj-hetu|SPOOF-B"
  "VTJ_Hetu|SPOOF-C"
  "X-Family-Name|SPOOF-D"
  "x_family_name|SPOOF-E"
  "X-First-Names|SPOOF-F"
  "VTJ-Anything-Else|SPOOF-G"
  "vTj-sTaTuS|SPOOF-H"
)

for policy in strip reject; do
  start_apache "VTJSpoofPolicy $policy
$CONF"
  for path in /cgi/echo /proxy/cgi/echo /off/echo; do
    for a in "${attempts[@]}"; do
      name=${a%%|*} value=${a#*|}
      code=$(login adult "$path" -H "$name: $value" -H "X-Harmless: kept")
      if [ "$policy" = reject ]; then
        expect "$policy $path $name: status" "$code" 400
      else
        expect "$policy $path $name: status" "$code" 200
        expect_not_in "$policy $path $name reaches the application" "$WORK/body" "$value"
        expect_in "$policy $path: other headers pass" "$WORK/body" "HTTP_X_HARMLESS=kept"
      fi
    done
    # The same header twice, and two owned headers at once.
    code=$(login adult "$path" -H "VTJ-Hetu: SPOOF-1" -H "VTJ-Hetu: SPOOF-2" -H "VTJ-Surname: SPOOF-3")
    if [ "$policy" = reject ]; then
      expect "$policy $path twice: status" "$code" 400
    else
      expect "$policy $path twice: status" "$code" 200
      expect_not_in "$policy $path twice" "$WORK/body" "SPOOF-"
    fi
    # Without spoofing: served.
    code=$(login adult "$path" -H "X-Harmless: kept")
    expect "$policy $path clean: status" "$code" 200
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
