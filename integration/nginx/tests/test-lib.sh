# Sourced by the nginx module's integration tests (integration/nginx/tests/*_test.sh): a scratch folder,
# the register simulator, nginx with ngx_http_vtj_module in front of the echo backend, and small checks
# that count (the same helpers as the Apache tests). Everything started here is stopped on exit.
#
# Environment: VTJ_MODULE (ngx_http_vtj_module.so), VTJ_ECHO, VTJ_SIM, VTJ_PKI_DIR, VTJ_SOURCE_DIR.
# shellcheck shell=bash disable=SC2034
set -u
: "${VTJ_MODULE:?}" "${VTJ_ECHO:?}" "${VTJ_SIM:?}" "${VTJ_PKI_DIR:?}" "${VTJ_SOURCE_DIR:?}"
# The Apache tests' helpers (fail, expect, expect_in, start_sim, queries, sim_control, finish), with
# the Apache-specific parts replaced below.
. "$VTJ_SOURCE_DIR/integration/apache/tests/test-lib.sh"
. "$VTJ_SOURCE_DIR/integration/nginx/nginx-run.sh"
trap 'vtj_nginx_stop; vtj_sim_stop; rm -rf "$WORK"' EXIT

# The simulator's directive lines in nginx's snake case.
nginx_directives() { vtj_sim_directives "$PKI" "$DATA" "$WORK" "$@" | vtj_nginx_directives; }

# start_nginx SERVER-CONF [HARNESS OPTIONS...]: the simulator's directives at the http level (so every
# server inherits them), SERVER-CONF (text) in the TLS server block.
start_nginx() {
  local conf=$1
  shift
  nginx_directives >"$WORK/vtj-http.conf"
  printf '%s\n' "$conf" >"$WORK/vtj.conf"
  vtj_nginx_start "$WORK/nginx" "$PKI" --load "$VTJ_MODULE" --http-conf "$WORK/vtj-http.conf" \
    --conf "$WORK/vtj.conf" "$@" || { fail "nginx did not start"; finish; exit 1; }
}

# login WHO PATH [CURL ARGS]: the body in $WORK/body, the response headers in $WORK/response-headers,
# the status on stdout.
login() {
  local who=$1 path=$2
  shift 2
  vtj_nginx_curl "$who" "$path" -o "$WORK/body" -D "$WORK/response-headers" -w '%{http_code}' "$@" || true
}
