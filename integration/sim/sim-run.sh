# Sourced by the scripts that need a running register simulator (the case driver, the benchmarks, the
# demo): start it with the test PKI and the default data set, wait for its ready line, read /status, stop
# it. Not executable on its own.
#
#   vtj_sim_start SIM PKI DATA LOGDIR [EXTRA OPTIONS...]
#       starts SIM on a free loopback port; sets vtj_sim_pid, vtj_sim_port and vtj_sim_addr (the address
#       it listens on). Returns 1, with its log on stderr, when it does not become ready in 10 s.
#   vtj_sim_status PKI [CAFILE]  prints the JSON of GET /status (the request is itself one connection);
#                                CAFILE, if the simulator presents another certificate than register.pem
#   vtj_sim_stop                 SIGTERM and wait; safe to call when nothing runs
#   vtj_sim_setting DATA KEY     a value of the data set's [register] section (username, password)
#   vtj_sim_directives PKI DATA DIR [soso|xroad]
#                                the module's directive lines for the running simulator (URL, customer
#                                certificate, register CA, credentials with the password written to
#                                DIR/password.txt, product, end user, the test citizen issuers, timeouts)

vtj_sim_pid=""
vtj_sim_port=""
vtj_sim_addr=""

vtj_sim_start() {
  local sim=$1 pki=$2 data=$3 log=$4
  shift 4
  : >"$log/sim.out"
  "$sim" --data "$data" --cert "$pki/register.pem" --key "$pki/register.key" \
    --client-ca "$pki/customer-ca.pem" --citizen-ca "$pki/citizen-issuers.pem" \
    --crl "$pki/citizen-crl.pem" --port 0 "$@" >"$log/sim.out" 2>"$log/sim.err" &
  vtj_sim_pid=$!
  local _
  for _ in $(seq 1 200); do
    if grep -q '^vtj-register-sim: ready$' "$log/sim.out" 2>/dev/null; then
      vtj_sim_port=$(sed -n 's/^vtj-register-sim: listening on .*:\([0-9]*\)$/\1/p' "$log/sim.out")
      vtj_sim_addr=$(sed -n 's/^vtj-register-sim: listening on \(.*\):[0-9]*$/\1/p' "$log/sim.out")
      [ "$vtj_sim_addr" = 0.0.0.0 ] && vtj_sim_addr=127.0.0.1
      return 0
    fi
    kill -0 "$vtj_sim_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "the register simulator did not start:" >&2
  sed 's/^/  /' "$log/sim.err" >&2
  vtj_sim_stop
  return 1
}

# The register's certificate names localhost: the simulator is reached by that name at whatever address
# it listens on, never through a proxy from the environment.
vtj_sim_status() {
  local pki=$1 ca=${2:-$1/server-ca.pem}
  curl -sS -m 10 --noproxy '*' --resolve "localhost:$vtj_sim_port:$vtj_sim_addr" --cacert "$ca" \
    --cert "$pki/customer.pem" --key "$pki/customer.key" "https://localhost:$vtj_sim_port/status"
}

vtj_sim_stop() {
  if [ -n "$vtj_sim_pid" ]; then
    kill -TERM "$vtj_sim_pid" 2>/dev/null || true
    wait "$vtj_sim_pid" 2>/dev/null || true
    vtj_sim_pid=""
  fi
}

vtj_sim_setting() {
  sed -n "/^\[register\]/,/^\[/{s/^$2 *= *//p}" "$1" | head -n 1
}

vtj_sim_directives() {
  local pki=$1 data=$2 dir=$3 transport=${4:-soso} path=/sosowebsite/soso.asmx
  printf '%s\n' "$(vtj_sim_setting "$data" password)" >"$dir/password.txt"
  chmod 600 "$dir/password.txt"
  [ "$transport" = xroad ] && path=/
  cat <<EOF
VTJClientCertificate $pki/customer.pem $pki/customer.key
VTJRegisterCA $pki/server-ca.pem
VTJCredentials $(vtj_sim_setting "$data" username) $dir/password.txt
VTJProduct PERUSSANOMA3
VTJEndUser "vtj-resolver tests"
VTJCitizenIssuer $pki/citizen-issuers.pem
VTJTimeout 1000 3000
VTJRegisterURL https://localhost:$vtj_sim_port$path
EOF
  if [ "$transport" = xroad ]; then
    printf 'VTJTransport xroad\nVTJXRoadClient FI-TEST/MUN/0101263-6/vtj-resolver-tests\n'
  fi
}
