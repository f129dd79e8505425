#!/usr/bin/env bash
# Runs case files (integration/cases/*.case, format in README.md) through vtj-resolve against a freshly
# started register simulator, once per transport the case names. Exit 0 when every expectation held.
#
#   run_case.sh CASE...
# Environment: VTJ_RESOLVE, VTJ_SIM (binaries), VTJ_PKI_DIR (the test PKI), VTJ_SOURCE_DIR.
set -u
: "${VTJ_RESOLVE:?}" "${VTJ_SIM:?}" "${VTJ_PKI_DIR:?}" "${VTJ_SOURCE_DIR:?}"
PKI=$VTJ_PKI_DIR
DATA=$VTJ_SOURCE_DIR/integration/data/register.conf
WORK=$(mktemp -d)
. "$VTJ_SOURCE_DIR/integration/sim/sim-run.sh"
trap 'vtj_sim_stop; rm -rf "$WORK"' EXIT
failures=0
checks=0

# The customer's account, as the data set's [register] section has it.
printf '%s\n' "$(vtj_sim_setting "$DATA" password)" >"$WORK/password.txt"
printf 'not-the-password\n' >"$WORK/wrong-password.txt"
USERNAME=$(vtj_sim_setting "$DATA" username)
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
  cat <<EOF
VTJClientCertificate $PKI/customer.pem $PKI/customer.key
VTJRegisterCA $PKI/server-ca.pem
VTJCredentials $USERNAME $WORK/password.txt
VTJProduct PERUSSANOMA3
VTJEndUser "vtj-resolve case tests"
VTJCitizenIssuer $PKI/citizen-issuers.pem
VTJTimeout 1000 3000
EOF
  printf 'VTJRegisterURL https://localhost:%s%s\n' "$port" "$path"
  if [ "$1" = xroad ]; then
    printf 'VTJTransport xroad\nVTJXRoadClient FI-TEST/MUN/0101263-6/vtj-resolver-tests\n'
  fi
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
