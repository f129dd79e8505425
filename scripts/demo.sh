#!/usr/bin/env bash
# The citizen login demo. What exists so far: the register simulator, the test PKI and vtj-resolve
# querying the register live. This builds them, starts the simulator, and resolves two test citizens from
# their citizen certificates exactly as the module will (the login through Apache arrives with the Apache
# module). Everything it starts is stopped when it ends, or on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vtj_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target vtj-resolve vtj-register-sim
integration/pki/make-test-pki build/pki

WORK=$(mktemp -d)
. integration/sim/sim-run.sh
trap 'vtj_sim_stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

DATA=integration/data/register.conf
vtj_sim_setting "$DATA" password >"$WORK/password.txt"

vtj_sim_start build/bin/vtj-register-sim build/pki "$DATA" "$WORK"
port=$vtj_sim_port

cat >"$WORK/site.conf" <<EOF
# What an operator writes into the web server's configuration (here for vtj-resolve).
VTJRegisterURL https://localhost:$port/sosowebsite/soso.asmx
VTJClientCertificate $PWD/build/pki/customer.pem $PWD/build/pki/customer.key
VTJRegisterCA $PWD/build/pki/server-ca.pem
VTJCredentials $(vtj_sim_setting "$DATA" username) $WORK/password.txt
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
echo "Register queries made: $(vtj_sim_status build/pki | grep -o '"queries":[0-9]*' | cut -d: -f2)"
echo "Try other test persons (docs/register-simulator.md) with --cert build/pki/citizen/ID.pem, --satu or"
echo "--hetu; the login through Apache with a browser and build/pki/citizen/ID.p12 (password vtj-test)"
echo "arrives with the Apache module."
