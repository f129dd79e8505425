#!/usr/bin/env bash
# The citizen login demo. What exists so far: the register simulator, the test PKI and vtj-resolve
# querying the register live. This builds them, starts the simulator, and resolves two test citizens from
# their citizen certificates exactly as the module will (the login through Apache arrives with the Apache
# module). Everything it starts is stopped when it ends, or on Ctrl-C.
set -euo pipefail
# curl talks to the loopback simulator directly, never through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
cd "$(dirname "$0")/.."
. scripts/deps.sh
vtj_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target vtj-resolve vtj-register-sim
integration/pki/make-test-pki build/pki

WORK=$(mktemp -d)
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATA=integration/data/register.conf
setting() { sed -n "/^\[register\]/,/^\[/{s/^$1 *= *//p}" "$DATA" | head -n 1; }
setting password >"$WORK/password.txt"

build/bin/vtj-register-sim --data "$DATA" --cert build/pki/register.pem --key build/pki/register.key \
  --client-ca build/pki/customer-ca.pem --citizen-ca build/pki/citizen-issuers.pem \
  --crl build/pki/citizen-crl.pem --port 0 >"$WORK/sim.out" 2>"$WORK/sim.err" &
sim_pid=$!
for _ in $(seq 1 100); do
  grep -q '^vtj-register-sim: ready' "$WORK/sim.out" && break
  sleep 0.1
done
port=$(sed -n 's/^vtj-register-sim: listening on .*:\([0-9]*\)$/\1/p' "$WORK/sim.out")
[ -n "$port" ] || { echo "the register simulator did not start:" >&2; cat "$WORK/sim.err" >&2; exit 1; }

cat >"$WORK/site.conf" <<EOF
# What an operator writes into the web server's configuration (here for vtj-resolve).
VTJRegisterURL https://localhost:$port/sosowebsite/soso.asmx
VTJClientCertificate $PWD/build/pki/customer.pem $PWD/build/pki/customer.key
VTJRegisterCA $PWD/build/pki/server-ca.pem
VTJCredentials $(setting username) $WORK/password.txt
VTJProduct PERUSSANOMA3
VTJEndUser "demo e-service"
VTJCitizenIssuer $PWD/build/pki/citizen-issuers.pem
VTJHeaderEncoding utf8
EOF

echo
echo "The register simulator listens on https://localhost:$port (mutual TLS; data set $DATA)."
echo "Configuration:"
sed -n '/^VTJ/s/^/    /p' "$WORK/site.conf"
for who in adult prohibition; do
  echo
  case $who in
    adult) echo "== Aino Virtanen logs in with her citizen certificate (RSA) ==" ;;
    prohibition) echo "== Liisa Nieminen, under a security prohibition: her address is withheld ==" ;;
  esac
  echo "\$ vtj-resolve --config site.conf --cert build/pki/citizen/$who.pem"
  status=0
  build/bin/vtj-resolve --config "$WORK/site.conf" --cert "build/pki/citizen/$who.pem" || status=$?
  echo "(exit status $status; these are the headers the application behind the web server receives)"
done

echo
echo "== A certificate from the organisation CA is refused before the register is asked =="
build/bin/vtj-resolve --config "$WORK/site.conf" --cert build/pki/special/org-ca.pem || true
echo
echo "Register queries made: $(curl -sS --cacert build/pki/server-ca.pem --cert build/pki/customer.pem \
  --key build/pki/customer.key "https://localhost:$port/status" | grep -o '"queries":[0-9]*' | cut -d: -f2)"
echo "Try other test persons (docs/register-simulator.md) with --cert build/pki/citizen/ID.pem, --satu or"
echo "--hetu; the login through Apache with a browser and build/pki/citizen/ID.p12 (password vtj-test)"
echo "arrives with the Apache module."
