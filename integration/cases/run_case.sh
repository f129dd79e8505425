#!/usr/bin/env bash
# Runs case files (integration/cases/*.case, format in README.md) through vtj-resolve, or through a real
# web server with the module, against a freshly started register simulator, once per transport the case
# names. Exit 0 when every expectation held.
#
#   run_case.sh CASE...
# Environment: VTJ_SIM (binary), VTJ_PKI_DIR (the test PKI), VTJ_SOURCE_DIR, and
#   VTJ_CASE_SERVER  resolve (default): VTJ_RESOLVE names vtj-resolve
#                    apache: VTJ_MODULE names mod_vtj.so; a login through Apache with the citizen's
#                    certificate (VTJ_APACHE_MPM event|prefork picks the MPM)
#                    nginx: VTJ_MODULE names ngx_http_vtj_module.so, VTJ_ECHO the echo backend; the
#                    same login through nginx to a proxied backend (HTTP/2; VTJ_CASE_HTTP1=1: HTTP/1.1)
set -u
: "${VTJ_SIM:?}" "${VTJ_PKI_DIR:?}" "${VTJ_SOURCE_DIR:?}"
server=${VTJ_CASE_SERVER:-resolve}
case $server in
  resolve) : "${VTJ_RESOLVE:?}" ;;
  apache)
    : "${VTJ_MODULE:?}"
    . "$VTJ_SOURCE_DIR/integration/apache/apache-run.sh"
    ;;
  nginx)
    : "${VTJ_MODULE:?}" "${VTJ_ECHO:?}"
    . "$VTJ_SOURCE_DIR/integration/nginx/nginx-run.sh"
    ;;
  *) echo "VTJ_CASE_SERVER must be resolve, apache or nginx" >&2 && exit 2 ;;
esac
PKI=$VTJ_PKI_DIR
DATA=$VTJ_SOURCE_DIR/integration/data/register.conf
WORK=$(mktemp -d)
# Web server workers run as another user: they must be able to enter the scratch folder.
[ "$server" = resolve ] || chmod 711 "$WORK"
. "$VTJ_SOURCE_DIR/integration/sim/sim-run.sh"
cleanup() {
  [ "$server" = apache ] && vtj_apache_stop
  [ "$server" = nginx ] && vtj_nginx_stop
  vtj_sim_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
failures=0
checks=0

# A wrong password for the credential cases ({work}/password.txt is the right one).
printf 'not-the-password\n' >"$WORK/wrong-password.txt"
# The admin calls trust the man in the middle too: a case may start the simulator with its certificate.
cat "$PKI/server-ca.pem" "$PKI/mitm-ca.pem" >"$WORK/admin-ca.pem"

# expand TEXT: in case files {pki} and {work} name the test PKI and the case's scratch folder, {port}
# the simulator's port and {path} the transport's endpoint path.
expand() {
  local t=${1//\{pki\}/$PKI}
  t=${t//\{port\}/${port:-}}
  t=${t//\{path\}/${path:-}}
  printf '%s' "${t//\{work\}/$WORK}"
}

# section NAME FILE: the lines between "%NAME" and "%end".
section() { awk -v s="%$1" '$0 == s {on = 1; next} $0 == "%end" {on = 0} on' "$2"; }
# directive NAME FILE: the values of one-line "%NAME value" directives, one per line.
directive() { sed -n "s/^%$1 //p" "$2"; }

# fetch_status: the simulator's /status, once per run. The status request is itself a connection, a
# handshake and a request: those counters are given without it.
fetch_status() { vtj_sim_status "$PKI" "$WORK/admin-ca.pem" >"$WORK/status.json"; }
# sim_status KEY: a number from the fetched status.
sim_status() {
  local n
  n=$(grep -o "\"$1\":[0-9]*" "$WORK/status.json" | head -n 1 | cut -d: -f2)
  case "$1" in
    connections | tls_handshakes | requests) [ -n "$n" ] && n=$((n - 1)) ;;
  esac
  printf '%s' "$n"
}

fail() {
  echo "FAIL: $case_name [$transport]: $1"
  failures=$((failures + 1))
}

base_config() {  # base_config TRANSPORT
  vtj_sim_directives "$PKI" "$DATA" "$WORK" "$1"
}

run_one() {  # run_one CASE TRANSPORT
  local file=$1
  transport=$2
  path=/sosowebsite/soso.asmx
  [ "$transport" = xroad ] && path=/
  local sim_args identify expect_exit repeat
  sim_args=$(expand "$(directive sim "$file" | tr '\n' ' ')")
  # shellcheck disable=SC2086 # the simulator options are words
  vtj_sim_start "$VTJ_SIM" "$PKI" "$DATA" "$WORK" $sim_args || { fail "simulator"; return; }
  port=$vtj_sim_port
  { base_config "$transport"; expand "$(section config "$file")"; echo; } >"$WORK/case.conf"
  identify=$(expand "$(directive identify "$file")")
  repeat=$(directive repeat "$file")
  expect_exit=$(directive exit "$file")
  if [ "$server" != resolve ]; then
    login_through_server "$file"
    vtj_sim_stop
    return
  fi
  local status=0
  # shellcheck disable=SC2086
  "$VTJ_RESOLVE" --config "$WORK/case.conf" $identify ${repeat:+--repeat $repeat} \
    >"$WORK/out" 2>"$WORK/err" || status=$?

  checks=$((checks + 1))
  if [ "$status" != "${expect_exit:-0}" ]; then
    fail "exit status $status, expected ${expect_exit:-0}"
    sed 's/^/  stderr: /' "$WORK/err"
  fi
  if grep -q '^%headers$' "$file"; then
    checks=$((checks + 1))
    section headers "$file" >"$WORK/expected"
    if ! diff -u "$WORK/expected" "$WORK/out" >"$WORK/diff"; then
      fail "headers differ (- expected, + got)"
      sed 's/^/  /' "$WORK/diff"
    fi
  fi
  while IFS= read -r want; do
    [ -n "$want" ] || continue
    checks=$((checks + 1))
    grep -qF -- "$want" "$WORK/err" || { fail "stderr lacks '$want'"; sed 's/^/  stderr: /' "$WORK/err"; }
  done < <(directive stderr "$file")
  while IFS= read -r never; do
    [ -n "$never" ] || continue
    checks=$((checks + 1))
    if grep -qF -- "$never" "$WORK/out" "$WORK/err" "$WORK/sim.err"; then
      fail "'$never' appears in the output or the simulator's log"
    fi
  done < <(directive never "$file")
  grep -q '^%status ' "$file" && fetch_status
  while read -r key value; do
    [ -n "$key" ] || continue
    checks=$((checks + 1))
    local got
    got=$(sim_status "$key")
    [ "$got" = "$value" ] || fail "simulator status $key is '${got}', expected $value"
  done < <(directive status "$file")
  vtj_sim_stop
}

# The HTTP status a login gets where vtj-resolve exits with STATUS (CONTRACT.md's outcomes).
http_status_for_exit() {
  case $1 in
    0) echo 200 ;;
    3 | 4 | 5) echo 403 ;;
    6) echo 503 ;;
    *) echo "?" ;;
  esac
}

# percent_decode TEXT: %XX escapes to bytes (the module's default header encoding).
percent_decode() { printf '%b' "${1//%/\\x}"; }

# The web server's side: start with the case's directives (Apache style in the case file; nginx gets them
# in snake case), a request with a certificate, the error log, stop.
web_start() {
  local args
  if [ "$server" = apache ]; then
    args=$(directive apache "$file")
    # shellcheck disable=SC2086 # the harness options are words
    vtj_apache_start "$WORK/web" "$PKI" --mpm "${VTJ_APACHE_MPM:-event}" --load "$VTJ_MODULE" \
      --conf "$WORK/vtj.conf" --log-level "warn vtj:info" $args
  else
    args=$(directive nginx "$file")
    vtj_nginx_directives <"$WORK/vtj.conf" >"$WORK/vtj-nginx.conf"
    # shellcheck disable=SC2086
    vtj_nginx_start "$WORK/web" "$PKI" --load "$VTJ_MODULE" --conf "$WORK/vtj-nginx.conf" $args
  fi
}
web_curl() {
  if [ "$server" = apache ]; then vtj_apache_curl "$@"; else vtj_nginx_curl "$@" ${VTJ_CASE_HTTP1:+--http1.1}; fi
}
web_log() { if [ "$server" = apache ]; then vtj_apache_log; else vtj_nginx_log; fi; }
web_stop() { if [ "$server" = apache ]; then vtj_apache_stop; else vtj_nginx_stop; fi; }

# The same case as a citizen's login through a web server: the identity's certificate is presented, the
# module resolves it and the application (Apache: echo.cgi, directly or behind mod_proxy; nginx: the echo
# backend behind proxy_pass) shows what it received. The expected headers are vtj-resolve's; the status
# follows from the expected exit status (or %http).
login_through_server() {
  local file=$1 who app code expect_code
  case $identify in
    "--satu "*) who=${identify#--satu } ;;
    "--cert "*) who=${identify#--cert } ;;
    *)
      echo "$case_name [$transport]: asked by $identify, not a login: vtj-resolve's run covers it"
      return
      ;;
  esac
  { base_config "$transport"; expand "$(section config "$file")"; echo; echo "VTJ On"; } >"$WORK/vtj.conf"
  # Both ways to the application: CGI on SoSo runs, a proxied backend on X-Road runs.
  app=/cgi/echo
  [ "$transport" = xroad ] && app=/proxy/cgi/echo
  rm -rf "$WORK/web"
  if ! web_start; then
    fail "the web server did not start"
    return
  fi
  local n=1 i
  [ -n "$repeat" ] && n=$repeat
  for i in $(seq 1 "$n"); do
    code=$(web_curl "$who" "$app" -o "$WORK/body" -w '%{http_code}') || true
  done
  expect_code=$(directive http "$file")
  # The web server itself refuses some certificates in the TLS handshake (expired, revoked): no HTTP
  # answer at all, and the module never sees the request.
  # Apache fails the handshake (no status); nginx completes it and answers 400.
  if grep -q '^%tls-refused$' "$file"; then
    expect_code=000
    [ "$server" = nginx ] && expect_code=400
  fi
  [ -n "$expect_code" ] || expect_code=$(http_status_for_exit "${expect_exit:-0}")
  checks=$((checks + 1))
  if [ "$code" != "$expect_code" ]; then
    fail "HTTP status $code, expected $expect_code"
    web_log | tail -n 5 | sed 's/^/  log: /'
  fi
  if [ "$expect_code" != 200 ] && ! grep -q '^%tls-refused$' "$file"; then
    # Every deny is logged with its reason and the masked identity.
    checks=$((checks + 1))
    web_log | grep -q "vtj: .*denied ($expect_code)" || fail "no 'denied ($expect_code)' line in the error log"
  fi
  if [ "$code" = 200 ] && grep -q '^%headers$' "$file"; then
    checks=$((checks + 1))
    # What the application received: vtj-resolve's header lines as CGI variables (HTTP_VTJ_...).
    section headers "$file" | while IFS= read -r line; do
      name=${line%%: *}
      name=${name//-/_}
      printf 'HTTP_%s=%s\n' "${name^^}" "${line#*: }"
    done | LC_ALL=C sort >"$WORK/expected"
    grep '^HTTP_VTJ_' "$WORK/body" | LC_ALL=C sort >"$WORK/got"
    if ! diff -u "$WORK/expected" "$WORK/got" >"$WORK/diff"; then
      fail "the application received other headers (- expected, + got)"
      sed 's/^/  /' "$WORK/diff"
    fi
    if [ "$transport" = soso ] && [ "$server" = apache ]; then
      # CGI also gets each field raw (UTF-8) in the environment: VTJ_SURNAME.
      checks=$((checks + 1))
      local encoding
      encoding=$(grep -i '^VTJHeaderEncoding' "$WORK/vtj.conf" | tail -n 1 | awk '{print tolower($2)}')
      section headers "$file" | while IFS= read -r line; do
        name=${line%%: *}
        name=${name//-/_}
        value=${line#*: }
        case ${encoding:-percent} in
          percent) value=$(percent_decode "$value") ;;
          base64) value=$(printf '%s' "$value" | base64 -d) ;;
          latin1) value=$(printf '%s' "$value" | iconv -f ISO-8859-1 -t UTF-8) ;;
        esac
        printf '%s=%s\n' "${name^^}" "$value"
      done | LC_ALL=C sort >"$WORK/expected-env"
      grep '^VTJ_' "$WORK/body" | LC_ALL=C sort >"$WORK/got-env"
      if [ "${encoding:-percent}" = latin1 ]; then
        # A '?' in the header stands for a letter outside Latin-1: compare the names only.
        sed -i 's/=.*//' "$WORK/expected-env" "$WORK/got-env"
      fi
      if ! diff -u "$WORK/expected-env" "$WORK/got-env" >"$WORK/diff"; then
        fail "the CGI environment differs (- expected, + got)"
        sed 's/^/  /' "$WORK/diff"
      fi
    fi
  fi
  while IFS= read -r never; do
    [ -n "$never" ] || continue
    checks=$((checks + 1))
    if grep -qF -- "$never" "$WORK/web/logs/error.log" "$WORK/sim.err"; then
      fail "'$never' appears in the error log or the simulator's log"
    fi
  done < <(directive never "$file")
  while IFS= read -r want; do
    [ -n "$want" ] || continue
    checks=$((checks + 1))
    web_log | grep -qF -- "$want" || fail "the error log lacks '$want'"
  done < <(directive log "$file")
  # The register's query counter; connection counters belong to vtj-resolve's single client.
  if grep -q '^%status queries ' "$file" && [ -z "$repeat" ]; then
    fetch_status
    checks=$((checks + 1))
    local want got
    want=$(directive status "$file" | sed -n 's/^queries //p')
    got=$(sim_status queries)
    [ "$got" = "$want" ] || fail "simulator status queries is '$got', expected $want"
  fi
  web_stop
}

for file in "$@"; do
  case_name=$(basename "$file" .case)
  transports=$(directive transport "$file")
  [ "${transports:-both}" = both ] && transports="soso xroad"
  for t in $transports; do
    run_one "$file" "$t"
  done
done
echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
