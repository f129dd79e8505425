#!/usr/bin/env bash
# Spoofed headers through nginx: whatever a client sends under a name the module owns (any case, '_' for
# '-' when nginx accepts underscores, a custom name configured in one location, a prefixed name, the same
# header twice) never reaches the proxied application, where vtj is on and where it is off; with
# vtj_spoof_policy reject the request gets 400.
. "$(dirname "$0")/test-lib.sh"

start_sim
CONF='underscores_in_headers on;
location /on/ {
  vtj on;
  vtj_header given-names X-First-Names;
  vtj_header hetu VTJ-Hetu;
  vtj_header surname X-Family-Name;
  proxy_pass http://vtj_echo;
}
location /off/ {
  vtj off;
  proxy_pass http://vtj_echo;
}'

for policy in strip reject; do
  start_nginx "vtj_spoof_policy $policy;
$CONF"
  for path in /on/echo /off/echo; do
    spoof_round "$policy" "$path"
  done
  login adult /on/echo -H "VTJ-Hetu: 311299-999X" >/dev/null
  if [ "$policy" = strip ]; then
    expect_in "strip: the module's hetu" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
    expect_in "strip: the module's custom header" "$WORK/body" "HTTP_X_FAMILY_NAME=Virtanen"
    expect_not_in "strip: no client value" "$WORK/body" "311299-999X"
    vtj_nginx_log >"$WORK/log"
    # HTTP/2 sends names in lower case.
    expect_in "strip is logged" "$WORK/log" "stripped client-sent header 'vtj_hetu'"
    expect_not_in "the log never holds a client value" "$WORK/log" "SPOOF-"
  else
    vtj_nginx_log >"$WORK/log"
    expect_in "reject is logged" "$WORK/log" "denied (400)"
  fi
  vtj_nginx_stop
done
finish
