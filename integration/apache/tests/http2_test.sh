#!/usr/bin/env bash
# Browsers speak HTTP/2 to the e-service: through mod_http2 the module still finds the certificate (on
# the stream's secondary connection), sets the headers and the environment, and scrubs spoofed headers
# (HTTP/2 sends every header name in lower case).
. "$(dirname "$0")/test-lib.sh"

start_sim
start_apache "Protocols h2 http/1.1
<Location /cgi/echo>
  VTJ On
</Location>" --add-module http2 --log-level "warn vtj:debug"
code=$(vtj_apache_curl adult /cgi/echo --http2 -o "$WORK/body" -w '%{http_code} %{http_version}' -H 'VTJ-Hetu: SPOOF')
expect "HTTP/2 login" "$code" "200 2"
expect_in "HTTP/2: the header" "$WORK/body" "HTTP_VTJ_HETU=010190-901R"
expect_in "HTTP/2: the environment" "$WORK/body" "VTJ_GIVEN_NAMES=Aino Maria"
expect_not_in "HTTP/2: spoofed value" "$WORK/body" "SPOOF"
code=$(vtj_apache_curl not-found /cgi/echo --http2 -o /dev/null -w '%{http_code} %{http_version}')
expect "HTTP/2 deny" "$code" "403 2"
# The certificate comes from the TLS connection (the stream's master), not from a PEM per request; over
# HTTP/1.1 one connection's requests read it once.
vtj_apache_curl adult /cgi/echo -o /dev/null -o /dev/null "https://localhost:$vtj_apache_port/cgi/echo" -w '' || true
expect "certificate read once per connection, HTTP/2 and HTTP/1.1 (3 connections, 4 requests)" \
  "$(vtj_apache_log | grep -c 'client certificate read from the TLS connection')" 3
expect "never from a PEM per request" "$(vtj_apache_log | grep -c 'from SSL_CLIENT_CERT')" 0
finish
