#!/usr/bin/env bash
# Configuration mistakes fail `nginx -t` with a message naming the file, the line and the directive; a
# correct configuration passes.
. "$(dirname "$0")/test-lib.sh"

start_sim  # for the register URL in the directive lines; nothing is queried
nginx_directives >"$WORK/base.conf"
printf 'short\n' >"$WORK/short.key"
chmod 600 "$WORK/short.key"

# check_conf NAME ok|fail LINES...: the base directives at the http level, LINES in the server block;
# the output of nginx -t must hold every text in $expect.
check_conf() {
  local name=$1 want=$2 status=0 e
  shift 2
  printf '%s\n' "$@" >"$WORK/vtj.conf"
  vtj_nginx_check "$WORK/nginx" "$PKI" --load "$VTJ_MODULE" --http-conf "$WORK/base.conf" \
    --conf "$WORK/vtj.conf" >"$WORK/out" 2>&1 || status=$?
  if [ "$want" = ok ]; then
    expect "$name: nginx -t status" "$status" 0
  else
    checks=$((checks + 1))
    [ "$status" != 0 ] || fail "$name: nginx -t accepted it"
  fi
  for e in "${expect[@]}"; do
    expect_in "$name: message" "$WORK/out" "$e"
  done
}

expect=("syntax is ok")
check_conf valid ok "vtj on;"

expect=('unknown directive "vtj_frobnicate"' "$WORK/vtj.conf:2")
check_conf unknown-directive fail "vtj on;" "vtj_frobnicate yes;"

expect=('invalid number of arguments in "vtj_timeout"' "$WORK/vtj.conf:1")
check_conf argument-count fail "vtj_timeout 1;"

expect=("$WORK/vtj.conf:1: vtj_timeout:" "connect")
check_conf bad-argument fail "vtj_timeout fast 1000;"

expect=("$WORK/vtj.conf:1: vtj_header_encoding:" "percent")
check_conf bad-choice fail "vtj_header_encoding rot13;"

expect=("$WORK/vtj.conf:1: vtj_client_certificate:" "$WORK/missing.pem")
check_conf unreadable-certificate fail "vtj_client_certificate $WORK/missing.pem $PKI/customer.key;"

expect=("$WORK/vtj.conf:1: vtj_credentials:" "password file")
check_conf unreadable-password fail "vtj_credentials someone $WORK/no-password.txt;"

expect=('"vtj_cache" directive is not allowed here')
check_conf server-only-directive fail "location /x { vtj_cache none; }"

expect=("vtj_cache and vtj_cache_key are set once, in the http block")
check_conf cache-per-server fail "vtj_cache shm:1M;"

expect=("vtj_citizen_issuer" "$PKI/citizen/adult.pem")
check_conf issuer-not-a-ca fail "vtj_citizen_issuer $PKI/citizen/adult.pem;" "vtj on;"

# A location turned on without the register settings.
echo "vtj_citizen_issuer $PKI/citizen-issuers.pem;" >"$WORK/base.conf"
expect=("$WORK/vtj.conf:1: vtj_register_url")
check_conf incomplete fail "location /on/ { vtj on; }"

expect_not_in "no password in any message" "$WORK/out" "$(vtj_sim_setting "$DATA" password)"
[ -n "${VTJ_TEST_VERBOSE:-}" ] && cat "$WORK/out"
finish
