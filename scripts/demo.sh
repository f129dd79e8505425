#!/usr/bin/env bash
# The citizen login demo, on a fresh Debian 12 machine as root: installs what is missing, builds, makes
# the test PKI, starts the register simulator and an Apache httpd (its own configuration, loopback, a
# high port) with mod_vtj in front of a small application that shows the headers it received, and logs
# in as two test citizens with curl and their citizen certificates. Everything it started is stopped
# when it ends, or on Ctrl-C.
#
#   scripts/demo.sh            the demo, then stop
#   scripts/demo.sh --keep     keep the servers running until Ctrl-C (to try it from a browser)
# VTJ_DEMO_PORT picks Apache's TLS port (default 8443).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
keep=0
[ "${1:-}" = --keep ] && keep=1

. scripts/deps.sh
vtj_install_deps
echo "== Building (Release) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target mod_vtj vtj-register-sim vtj-resolve
integration/pki/make-test-pki build/pki
PKI=$ROOT/build/pki
DATA=$ROOT/integration/data/register.conf

WORK=$(mktemp -d)
chmod 711 "$WORK"  # Apache's workers (www-data) enter it
. integration/sim/sim-run.sh
. integration/apache/apache-run.sh
cleanup() {
  vtj_apache_stop
  vtj_sim_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "stopping"; exit 130' INT TERM

echo
echo "== Starting the register simulator (mutual TLS; data set integration/data/register.conf) =="
vtj_sim_start build/bin/vtj-register-sim "$PKI" "$DATA" "$WORK"
echo "listening on https://localhost:$vtj_sim_port"

# What an operator writes into the TLS virtual host of the e-service.
{
  echo "# The register (here the simulator) and the customer's credentials"
  vtj_sim_directives "$PKI" "$DATA" "$WORK"
  cat <<'EOF'
# Resolve the citizen for the application; the rest of the site is untouched
<LocationMatch "^/(app(/.*)?)?$">
  VTJ On
</LocationMatch>
EOF
} >"$WORK/vtj.conf"

echo
echo "== Starting Apache httpd with mod_vtj =="
VTJ_APACHE_PORT=${VTJ_DEMO_PORT:-8443} vtj_apache_start "$WORK/apache" "$PKI" --load "$ROOT/build/lib/mod_vtj.so" \
  --conf "$WORK/vtj.conf" --log-level "warn vtj:info"
echo "Apache listens on $vtj_apache_url (SSLVerifyClient require; the citizen CAs of the test PKI)."
echo "Its virtual host holds these module directives:"
sed -e '/^#/d' -e 's/^/    /' "$WORK/vtj.conf"

login() {  # login WHO TITLE
  echo
  echo "== $2 =="
  echo "\$ curl --cert build/pki/citizen/$1.pem --key build/pki/citizen/$1.key $vtj_apache_url/app"
  vtj_apache_curl "$1" /app | sed 's/^/    /'
}
login adult "Aino Virtanen logs in with her citizen certificate (ID card, RSA)"
login prohibition "Liisa Nieminen logs in: she is under a security prohibition, so her address is withheld"

echo
echo "== A client that sends its own VTJ-Hetu header gets nowhere =="
echo "\$ curl ... -H 'VTJ-Hetu: 311299-999X' $vtj_apache_url/app"
vtj_apache_curl adult /app -H 'VTJ-Hetu: 311299-999X' | grep -E 'VTJ-Hetu' | sed 's/^/    /'

echo
echo "== A certificate from another CA the server trusts (an organisation's) is refused =="
echo "HTTP status: $(vtj_apache_status special/org-ca /app)"

echo
echo "== What Apache's error log says (identity codes masked) =="
vtj_apache_log | grep 'vtj:' | sed -e 's/^\[[^]]*\] //' -e 's/^/    /'
echo
echo "Register queries made: $(vtj_sim_status "$PKI" | grep -o '"queries":[0-9]*' | cut -d: -f2)" \
  "(the second login of a citizen is answered from the shared cache)"

cat <<EOF

Try it from a browser: import a test citizen's certificate, e.g. build/pki/citizen/adult.p12
(password vtj-test; the other persons are listed in build/pki/citizen/index.tsv), trust
build/pki/server-ca.pem as a certificate authority for web sites, run
    scripts/demo.sh --keep
and open $vtj_apache_url/app (the browser asks which certificate to present).
EOF
if [ "$keep" = 1 ]; then
  echo
  echo "The servers keep running; press Ctrl-C to stop them."
  while kill -0 "$vtj_apache_pid" 2>/dev/null; do sleep 1; done
fi
