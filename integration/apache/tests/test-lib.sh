# Sourced by the Apache module's integration tests (integration/apache/tests/*_test.sh): a scratch
# folder, the register simulator, an Apache with mod_vtj in front of the echo application, and small
# checks that count. Everything started here is stopped on exit.
#
# Environment: VTJ_MODULE (mod_vtj.so), VTJ_SIM (vtj-register-sim), VTJ_PKI_DIR, VTJ_SOURCE_DIR.
# shellcheck shell=bash disable=SC2034
set -u
: "${VTJ_MODULE:?}" "${VTJ_SIM:?}" "${VTJ_PKI_DIR:?}" "${VTJ_SOURCE_DIR:?}"
PKI=$VTJ_PKI_DIR
DATA=$VTJ_SOURCE_DIR/integration/data/register.conf
WORK=$(mktemp -d)
chmod 711 "$WORK"  # the workers run as another user
. "$VTJ_SOURCE_DIR/integration/sim/sim-run.sh"
. "$VTJ_SOURCE_DIR/integration/apache/apache-run.sh"
trap 'vtj_apache_stop; vtj_sim_stop; rm -rf "$WORK"' EXIT
failures=0
checks=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect WHAT GOT WANT
expect() {
  checks=$((checks + 1))
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# expect_in WHAT FILE TEXT / expect_not_in WHAT FILE TEXT
expect_in() {
  checks=$((checks + 1))
  grep -qF -- "$3" "$2" || fail "$1: '$3' missing"
}
expect_not_in() {
  checks=$((checks + 1))
  if grep -qF -- "$3" "$2"; then fail "$1: '$3' present"; fi
}

start_sim() { vtj_sim_start "$VTJ_SIM" "$PKI" "$DATA" "$WORK" "$@"; }

# start_apache CONF [HARNESS OPTIONS...]: the simulator's directives, then CONF (text), in the virtual host.
start_apache() {
  local conf=$1
  shift
  { vtj_sim_directives "$PKI" "$DATA" "$WORK"; printf '%s\n' "$conf"; } >"$WORK/vtj.conf"
  vtj_apache_start "$WORK/apache" "$PKI" --load "$VTJ_MODULE" --conf "$WORK/vtj.conf" \
    --log-level "warn vtj:info" "$@" || { fail "Apache did not start"; finish; exit 1; }
}

# login WHO PATH [CURL ARGS]: the body in $WORK/body, the status on stdout.
login() {
  local who=$1 path=$2
  shift 2
  vtj_apache_curl "$who" "$path" -o "$WORK/body" -D "$WORK/response-headers" -w '%{http_code}' "$@" || true
}

# The register's query counter.
queries() { vtj_sim_status "$PKI" | grep -o '"queries":[0-9]*' | cut -d: -f2; }

# sim_control ARGS: POST /control?ARGS (fault=hang, fault=none, ...).
sim_control() {
  curl -sS -m 10 --noproxy '*' --resolve "localhost:$vtj_sim_port:$vtj_sim_addr" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/customer.pem" --key "$PKI/customer.key" -X POST "https://localhost:$vtj_sim_port/control?$1" \
    >/dev/null
}

# The spoofing attempts (name|value): the default names in any case, '_' for '-', a custom name
# configured in one location (X-Family-Name, X-First-Names), a prefixed name.
SPOOF_ATTEMPTS=("VTJ-Hetu|SPOOF-A" "vtj-hetu|SPOOF-B" "VTJ_Hetu|SPOOF-C" "X-Family-Name|SPOOF-D"
  "x_family_name|SPOOF-E" "X-First-Names|SPOOF-F" "VTJ-Anything-Else|SPOOF-G" "vTj-sTaTuS|SPOOF-H")

# spoof_round POLICY PATH: every attempt, the same header twice, and a clean request on PATH; under
# strip the application never sees a spoofed value, under reject each attempt is answered 400.
spoof_round() {
  local policy=$1 path=$2 a name value code
  for a in "${SPOOF_ATTEMPTS[@]}"; do
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
  expect "$policy $path clean: status" "$(login adult "$path" -H "X-Harmless: kept")" 200
}

finish() {
  echo "$checks checks, $failures failed"
  [ "$failures" -eq 0 ]
}
