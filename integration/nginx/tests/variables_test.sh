#!/usr/bin/env bash
# The $vtj_<field> variables (raw UTF-8) in proxy_set_header, map and log_format, and $vtj_status; a
# field the prohibition withholds is empty, so proxy_set_header sends no header for it.
. "$(dirname "$0")/test-lib.sh"

start_sim
cat >"$WORK/http-extra.conf" <<CONF
map \$vtj_municipality_code \$region {
  091 uusimaa;
  default other;
}
log_format vtj '\$vtj_status \$vtj_satu \$vtj_surname';
CONF
start_nginx "location /vars/ {
  vtj on;
  access_log $WORK/nginx/logs/vtj.log vtj;
  proxy_set_header X-Surname \$vtj_surname;
  proxy_set_header X-Given \$vtj_given_names;
  proxy_set_header X-Street \$vtj_street_address;
  proxy_set_header X-Status \$vtj_status;
  proxy_set_header X-Region \$region;
  proxy_pass http://vtj_echo;
}" --http-conf "$WORK/http-extra.conf"

expect "login" "$(login latin1 /vars/echo)" 200
expect_in "raw UTF-8 in a variable" "$WORK/body" "HTTP_X_SURNAME=Öster-Äijälä"
expect_in "a variable of several words" "$WORK/body" "HTTP_X_GIVEN=Åsa Märta"
expect_in "\$vtj_status" "$WORK/body" "HTTP_X_STATUS=ok"
expect_in "map over a variable" "$WORK/body" "HTTP_X_REGION="
expect_in "the headers are there too" "$WORK/body" "HTTP_VTJ_SURNAME=%C3%96ster-%C3%84ij%C3%A4l%C3%A4"

expect "prohibition" "$(login prohibition /vars/echo)" 200
expect_not_in "a withheld field's variable is empty" "$WORK/body" "HTTP_X_STREET"
expect_in "but the name is there" "$WORK/body" "HTTP_X_SURNAME=Nieminen"

expect "adult" "$(login adult /vars/echo)" 200
expect_in "map on the municipality code" "$WORK/body" "HTTP_X_REGION=uusimaa"
vtj_nginx_stop
expect_in "log_format with the variables" "$WORK/nginx/logs/vtj.log" "ok 10000101W Virtanen"
finish
