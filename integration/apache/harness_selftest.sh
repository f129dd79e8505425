#!/usr/bin/env bash
# apache.harness: checks the Apache test harness (apache-run.sh) without the module, once with each MPM:
# the generated configuration passes `apache2 -t` and a broken one does not; the server comes up with
# TLS client authentication; the echo CGI answers and sees a client header, directly and through the
# proxied backend; the static file and the demo page answer; a request without a certificate, with a
# revoked one or with an expired one is refused; a graceful restart keeps serving; the stop leaves no
# process of the server behind. Exit 0 when every check held.
#
# Environment: VTJ_PKI_DIR (the test PKI), VTJ_SOURCE_DIR (the repository).
# shellcheck source-path=SCRIPTDIR
set -u
: "${VTJ_PKI_DIR:?set VTJ_PKI_DIR to the test PKI}" "${VTJ_SOURCE_DIR:?set VTJ_SOURCE_DIR to the repository}"
PKI=$VTJ_PKI_DIR
WORK=$(mktemp -d)
# The workers run as www-data (or nobody) when this runs as root: they must reach the roots inside.
chmod 0755 "$WORK"
# shellcheck source=apache-run.sh
. "$VTJ_SOURCE_DIR/integration/apache/apache-run.sh"
trap 'vtj_apache_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
export LC_ALL=C.UTF-8

checks=0
failures=0
mpm=""
fail() {
  failures=$((failures + 1))
  echo "FAIL: [$mpm] $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/    /'; fi
}
# expect DESCRIPTION WANT GOT: an exact value.
expect() {
  checks=$((checks + 1))
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
# expect_line DESCRIPTION LINE TEXT: TEXT has LINE as one of its lines.
expect_line() {
  checks=$((checks + 1))
  printf '%s\n' "$3" | grep -qxF -- "$2" || fail "$1: no line '$2'" "$3"
}
# expect_refused DESCRIPTION STATUS: no HTTP answer (000: the handshake was refused) or 403.
expect_refused() {
  checks=$((checks + 1))
  case $2 in
    000 | 403) ;;
    *) fail "$1: expected a refused handshake or 403, got $2" ;;
  esac
}

run_mpm() {
  mpm=$1
  local root=$WORK/$mpm out status body port

  out=$(vtj_apache_check "$root" "$PKI" --mpm "$mpm")
  status=$?
  expect "apache2 -t on the generated configuration" "0 Syntax OK" "$status $out"
  out=$(vtj_apache_check "$root" "$PKI" --mpm "$mpm" --conf-text 'VTJ On')
  status=$?
  checks=$((checks + 1))
  if [ "$status" = 0 ] || ! printf '%s' "$out" | grep -q "Invalid command 'VTJ'"; then
    fail "apache2 -t refuses a directive of a module not loaded (status $status)" "$out"
  fi

  checks=$((checks + 1))
  if ! vtj_apache_start "$root" "$PKI" --mpm "$mpm"; then
    fail "the server does not start"
    return
  fi
  port=$vtj_apache_port
  checks=$((checks + 1))
  if ! grep -q "^LoadModule mpm_${mpm}_module " "$root/conf/httpd.conf"; then
    fail "the configuration does not load the $mpm MPM"
  fi

  body=$(vtj_apache_curl adult /cgi/echo -H 'X-Test: 1')
  expect_line "the echo CGI sees the client's header" HTTP_X_TEST=1 "$body"
  expect_line "the echo CGI sees the host" "HTTP_HOST=localhost:$port" "$body"
  checks=$((checks + 1))
  printf '%s\n' "$body" | LC_ALL=C sort -c 2>/dev/null || fail "the echo CGI's lines are not sorted" "$body"
  checks=$((checks + 1))
  if printf '%s\n' "$body" | grep -qv '^HTTP_[A-Z0-9_]*=\|^VTJ_[A-Z0-9_]*='; then
    fail "the echo CGI prints other lines than HTTP_* and VTJ_* variables" "$body"
  fi
  expect "a person ID, a SATU and a special certificate name the certificate" "200 200 200" \
    "$(vtj_apache_status adult /cgi/echo) $(vtj_apache_status 10000101W /cgi/echo) $(vtj_apache_status special/t61-names /cgi/echo)"

  body=$(vtj_apache_curl adult-ec /proxy/cgi/echo -H 'X-Test: 1')
  expect_line "the header travels through the proxy to the backend" HTTP_X_TEST=1 "$body"
  expect_line "the backend is reached through the proxy" "HTTP_X_FORWARDED_HOST=localhost:$port" "$body"

  expect "the static file" "$(cat "$VTJ_SOURCE_DIR/integration/apache/app/static/hello.txt")" \
    "$(vtj_apache_curl adult /static/hello.txt)"

  body=$(vtj_apache_curl adult /app/ -H 'VTJ-Surname: J%C3%A4ppinen' -H 'VTJ-Security-Prohibition: 1')
  expect_line "the demo page decodes a percent-encoded value" \
    "$(printf '  %-26s %s' VTJ-Surname 'Jäppinen')" "$body"
  expect_line "the demo page says why the address is absent" \
    "$(printf '  %-26s %s' VTJ-Street-Address '-- absent: withheld (security prohibition)')" "$body"
  expect_line "the demo page names the client certificate" \
    "Client certificate: CN=VIRTANEN AINO MARIA 10000101W,SN=Virtanen,GN=Aino Maria,serialNumber=10000101W,C=FI" \
    "$body"
  body=$(vtj_apache_curl adult /proxy/app/)
  expect_line "the demo page through the proxy without the module" \
    "No VTJ-* headers arrived: the module is not loaded here, or 'VTJ On' is not set for this location." "$body"

  expect_refused "no client certificate" "$(vtj_apache_status none /cgi/echo)"
  expect_refused "a revoked certificate" "$(vtj_apache_status special/revoked /cgi/echo)"
  expect_refused "an expired certificate" "$(vtj_apache_status special/expired /cgi/echo)"
  expect "the revoked certificate's unrevoked sibling (same issuer, G4E)" 200 "$(vtj_apache_status adult-ec /cgi/echo)"
  checks=$((checks + 1))
  vtj_apache_log | grep -q 'certificate revoked' || fail "the error log does not name the revocation" \
    "$(vtj_apache_log)"

  checks=$((checks + 1))
  # shellcheck disable=SC2119 # a reload without new options
  if vtj_apache_reload; then
    expect "a request after the graceful restart" 200 "$(vtj_apache_status adult /cgi/echo)"
  else
    fail "the graceful restart"
  fi

  vtj_apache_stop
  checks=$((checks + 1))
  out=$(vtj_apache_processes "$root")
  [ -z "$out" ] || fail "processes of the server remain after the stop: $out"
  expect "no handshake after the stop" 000 "$(vtj_apache_status adult /cgi/echo --max-time 5)"
}

started=$SECONDS
run_mpm event
run_mpm prefork
mpm=all
echo "apache harness self test: $checks checks, $failures failed ($((SECONDS - started)) s)"
[ "$failures" = 0 ]
