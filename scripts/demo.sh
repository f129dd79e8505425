#!/usr/bin/env bash
# The citizen login demo, on a fresh Debian 12 machine as root: installs what is missing, builds, makes
# the test PKI, starts the register simulator and an Apache httpd (its own configuration, loopback, a
# high port) with mod_vtj in front of a small application that shows the headers it received, and logs
# in as two test citizens with curl and their citizen certificates. Everything it started is stopped
# when it ends, or on Ctrl-C.
#
#   scripts/demo.sh            the demo, then stop
#   scripts/demo.sh --keep     keep the servers running until Ctrl-C (to try it from a browser)
#   scripts/demo.sh --nginx    the same login through nginx with ngx_http_vtj_module
# VTJ_DEMO_PORT picks the web server's TLS port (default 8443).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
keep=0
web=apache
for a in "$@"; do
  case $a in
    --keep) keep=1 ;;
    --nginx) web=nginx ;;
    *) echo "usage: scripts/demo.sh [--keep] [--nginx]" >&2 && exit 2 ;;
  esac
done

. scripts/deps.sh
vtj_install_deps
echo "== Building (Release) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target mod_vtj ngx_http_vtj_module vtj-register-sim vtj-resolve vtj-echo-backend
integration/pki/make-test-pki build/pki
PKI=$ROOT/build/pki
DATA=$ROOT/integration/data/register.conf

WORK=$(mktemp -d)
chmod 711 "$WORK"  # Apache's workers (www-data) enter it
. integration/sim/sim-run.sh
. integration/apache/apache-run.sh
. integration/nginx/nginx-run.sh
cleanup() {
  vtj_nginx_stop
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
} >"$WORK/register.conf"
if [ "$web" = apache ]; then
  cp "$WORK/register.conf" "$WORK/vtj.conf"
  cat >>"$WORK/vtj.conf" <<'EOF'
# Resolve the citizen for the application; the rest of the site is untouched
<LocationMatch "^/(app(/.*)?)?$">
  VTJ On
</LocationMatch>
EOF
  echo
  echo "== Starting Apache httpd with mod_vtj =="
  VTJ_APACHE_PORT=${VTJ_DEMO_PORT:-8443} vtj_apache_start "$WORK/apache" "$PKI" --load "$ROOT/build/lib/mod_vtj.so" \
    --conf "$WORK/vtj.conf" --log-level "warn vtj:info"
  url=$vtj_apache_url
  echo "Apache listens on $url (SSLVerifyClient require; the citizen CAs of the test PKI)."
  echo "Its virtual host holds these module directives:"
else
  # nginx's snake case (vtj_register_url ...); the application is a backend behind proxy_pass.
  vtj_nginx_directives <"$WORK/register.conf" >"$WORK/vtj-http.conf"
  printf 'location /app {\n  vtj on;\n  proxy_pass http://vtj_echo;\n}\n' >"$WORK/vtj.conf"
  echo
  echo "== Starting nginx with ngx_http_vtj_module =="
  VTJ_ECHO=$ROOT/build/bin/vtj-echo-backend VTJ_NGINX_PORT=${VTJ_DEMO_PORT:-8443} \
    vtj_nginx_start "$WORK/nginx" "$PKI" --load "$ROOT/build/lib/ngx_http_vtj_module.so" \
    --http-conf "$WORK/vtj-http.conf" --conf "$WORK/vtj.conf" --log-level info
  url=$vtj_nginx_url
  echo "nginx listens on $url (ssl_verify_client on; the citizen CAs of the test PKI); /app is proxied"
  echo "to a backend that shows the headers it received. The module's directives:"
  cat "$WORK/vtj-http.conf" "$WORK/vtj.conf" >"$WORK/vtj.conf.shown"
  mv "$WORK/vtj.conf.shown" "$WORK/vtj.conf"
fi
sed -e '/^#/d' -e 's/^/    /' "$WORK/vtj.conf"

# What the application saw: Apache's show.cgi prints it readable already; the nginx backend echoes the
# raw request headers, decoded here.
show() {
  if [ "$web" = apache ]; then
    cat
  else
    echo "What the application behind nginx received (VTJ-* headers, percent-encoding decoded):"
    local line name value
    while IFS= read -r line; do
      case $line in HTTP_VTJ_*) ;; *) continue ;; esac
      name=${line%%=*} value=${line#*=}
      value=${value//\\/\\\\}
      printf '  %-30s %b\n' "$name" "${value//%/\\x}"
    done
  fi
}
web_curl() { if [ "$web" = apache ]; then vtj_apache_curl "$@"; else vtj_nginx_curl "$@"; fi; }
web_status() {
  if [ "$web" = apache ]; then vtj_apache_status "$@"; else vtj_nginx_curl "$@" -o /dev/null -w '%{http_code}'; fi
}
web_log() { if [ "$web" = apache ]; then vtj_apache_log; else vtj_nginx_log; fi; }

login() {  # login WHO TITLE
  echo
  echo "== $2 =="
  echo "\$ curl --cert build/pki/citizen/$1.pem --key build/pki/citizen/$1.key $url/app"
  web_curl "$1" /app | show | sed 's/^/    /'
}
login adult "Aino Virtanen logs in with her citizen certificate (ID card, RSA)"
login prohibition "Liisa Nieminen logs in: she is under a security prohibition, so her address is withheld"

echo
echo "== A client that sends its own VTJ-Hetu header gets nowhere =="
echo "\$ curl ... -H 'VTJ-Hetu: 311299-999X' $url/app"
web_curl adult /app -H 'VTJ-Hetu: 311299-999X' | show | grep -E 'VTJ[-_]Hetu|HETU' | sed 's/^/    /'

echo
echo "== A certificate from another CA the server trusts (an organisation's) is refused =="
echo "HTTP status: $(web_status special/org-ca /app)"

echo
echo "== What the error log says (identity codes masked) =="
web_log | grep 'vtj:' | sed -e 's/^\[[^]]*\] //' -e 's/, client: .*//' -e 's/^/    /'
echo
echo "Register queries made: $(vtj_sim_status "$PKI" | grep -o '"queries":[0-9]*' | cut -d: -f2)" \
  "(the second login of a citizen is answered from the shared cache)"

cat <<EOF

Try it from a browser: import a test citizen's certificate, e.g. build/pki/citizen/adult.p12
(password vtj-test; the other persons are listed in build/pki/citizen/index.tsv), trust
build/pki/server-ca.pem as a certificate authority for web sites, run
    scripts/demo.sh --keep$( [ "$web" = nginx ] && echo " --nginx")
and open $url/app (the browser asks which certificate to present).
EOF
if [ "$keep" = 1 ]; then
  echo
  echo "The servers keep running; press Ctrl-C to stop them."
  while kill -0 "${vtj_apache_pid:-$vtj_nginx_pid}" 2>/dev/null; do sleep 1; done
fi
