#!/usr/bin/env bash
# Internal redirects in nginx: a deny met first in a named location reached by error_page is enforced;
# headers are added once even when try_files (or error_page) moves the request to another location.
. "$(dirname "$0")/test-lib.sh"

start_sim
start_nginx 'location /pub/ {
  error_page 404 = @secure;
  return 404;
}
location @secure {
  vtj on;
  proxy_pass http://vtj_echo;
}
location /on/ {
  vtj on;
  try_files /nothing-here @secure;
}'

expect "a deny inside an error_page location" "$(login special/org-ca /pub/x)" 403
expect_not_in "the application did not answer" "$WORK/body" "HTTP_HOST="
expect "a citizen through error_page" "$(login adult /pub/x)" 200
expect_in "with the headers" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"

expect "a citizen through try_files" "$(login adult /on/x)" 200
expect "each header once after the redirect" "$(grep -c '^HTTP_VTJ_HETU=' "$WORK/body")" 1
expect "the status once" "$(grep -c '^HTTP_VTJ_STATUS=' "$WORK/body")" 1
finish
