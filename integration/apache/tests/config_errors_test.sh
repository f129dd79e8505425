#!/usr/bin/env bash
# Configuration mistakes stop `apache2 -t` (and a start) with a message that names the file, the line
# and the directive; a correct configuration passes.
. "$(dirname "$0")/test-lib.sh"

start_sim  # for the register URL in the directive lines; nothing is queried
vtj_sim_directives "$PKI" "$DATA" "$WORK" >"$WORK/base.conf"
printf 'short\n' >"$WORK/short.key"
chmod 600 "$WORK/short.key"

# check_conf NAME EXPECTED-STATUS TEXT... : the base directives plus TEXT lines (as vtj.conf), then
# `apache2 -t`; the output must contain each of the EXPECT lines that follow in $expect.
check_conf() {
  local name=$1 want=$2 status=0
  shift 2
  { cat "$WORK/base.conf"; printf '%s\n' "$@"; } >"$WORK/vtj.conf"
  vtj_apache_check "$WORK/apache" "$PKI" --load "$VTJ_MODULE" --conf "$WORK/vtj.conf" >"$WORK/out" 2>&1 || status=$?
  if [ "$want" = ok ]; then
    expect "$name: apache2 -t status" "$status" 0
  else
    checks=$((checks + 1))
    [ "$status" != 0 ] || fail "$name: apache2 -t accepted it"
  fi
  local e
  for e in "${expect[@]}"; do
    expect_in "$name: message" "$WORK/out" "$e"
  done
  [ "$failures" -eq 0 ] || sed 's/^/  apache2 -t: /' "$WORK/out"
}

line() { echo $(($(wc -l <"$WORK/base.conf") + $1)); }  # the line number of the N-th added line

expect=("Syntax OK")
check_conf valid ok "VTJ On"

expect=("Invalid command 'VTJFrobnicate'")
check_conf unknown-directive fail "VTJ On" "VTJFrobnicate yes"

expect=("$WORK/vtj.conf:$(line 2): VTJTimeout:" "connect")
check_conf bad-argument fail "VTJ On" "VTJTimeout fast 1000"

expect=("$WORK/vtj.conf:$(line 1): VTJHeaderEncoding:" "percent")
check_conf bad-choice fail "VTJHeaderEncoding rot13"

expect=("$WORK/vtj.conf:$(line 1): VTJClientCertificate:" "$WORK/missing.pem")
check_conf unreadable-certificate fail "VTJClientCertificate $WORK/missing.pem $PKI/customer.key"

expect=("$WORK/vtj.conf:$(line 1): VTJCredentials:" "password file" "$WORK/no-password.txt")
check_conf unreadable-password fail "VTJCredentials someone $WORK/no-password.txt"

expect=("VTJCache not allowed")
check_conf server-only-directive fail "<Location /x>" "VTJCache none" "</Location>"

expect=("VTJCache and VTJCacheKey differ in the virtual host")
check_conf cache-per-virtual-host fail "VTJCache shm:1M"

expect=("VTJCitizenIssuer" "$PKI/citizen/adult.pem")
check_conf issuer-not-a-ca fail "VTJCitizenIssuer $PKI/citizen/adult.pem" "VTJ On"

expect=("VTJCacheKey" "32")
check_conf short-cache-key fail "VTJCacheKey $WORK/short.key"

# A location turned on without the register settings: found by the check of every context.
{ echo "VTJCitizenIssuer $PKI/citizen-issuers.pem"; } >"$WORK/base.conf"
expect=("$WORK/vtj.conf:$(line 2): VTJRegisterURL")
check_conf incomplete fail "<Location /cgi/echo>" "VTJ On" "</Location>"

# The secret never appears in a message.
expect_not_in "no password in any message" "$WORK/out" "$(vtj_sim_setting "$DATA" password)"
[ -n "${VTJ_TEST_VERBOSE:-}" ] && cat "$WORK/out"
finish
