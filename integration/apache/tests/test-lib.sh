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

finish() {
  echo "$checks checks, $failures failed"
  [ "$failures" -eq 0 ]
}
