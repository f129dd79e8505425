#!/usr/bin/env bash
# Browsers speak HTTP/2 to the e-service: through mod_http2 the module still finds the certificate (on
# the stream's secondary connection), sets the headers and the environment, and scrubs spoofed headers
# (HTTP/2 sends every header name in lower case).
. "$(dirname "$0")/test-lib.sh"

start_sim
start_apache "Protocols h2 http/1.1
<Location /cgi/echo>
  VTJ On
</Location>" --add-module http2
code=$(vtj_apache_curl adult /cgi/echo --http2 -o "$WORK/body" -w '%{http_code} %{http_version}' -H 'VTJ-Hetu: SPOOF')
expect "HTTP/2 login" "$code" "200 2"
expect_in "HTTP/2: the header" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
expect_in "HTTP/2: the environment" "$WORK/body" "VTJ_GIVEN_NAMES=Aino Maria"
expect_not_in "HTTP/2: spoofed value" "$WORK/body" "SPOOF"
code=$(vtj_apache_curl not-found /cgi/echo --http2 -o /dev/null -w '%{http_code} %{http_version}')
expect "HTTP/2 deny" "$code" "403 2"
finish
