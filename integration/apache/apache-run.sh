# Sourced by the scripts that need a real Apache httpd in front of an application: the integration tests
# of the Apache module, its self test and the demo. It writes a self-contained configuration (Debian's
# /etc/apache2 and systemd are never used), starts /usr/sbin/apache2 with TLS client authentication against
# the test PKI, and stops it again. Not executable on its own; sourcing it only defines functions and
# variables. One server per shell at a time. README.md beside this file shows the URL layout.
#
#   vtj_apache_start ROOTDIR PKI [OPTIONS...]
#       writes ROOTDIR/conf/httpd.conf, starts Apache on two free loopback ports and waits (10 s at most)
#       until a TLS handshake is answered; sets vtj_apache_pid, vtj_apache_port, vtj_apache_url
#       (https://localhost:PORT), vtj_apache_backend_port, vtj_apache_backend_url, vtj_apache_root and
#       vtj_apache_pki. Returns 1, with the error log on stderr, when it does not come up. Call it
#       directly, not inside $(...): the server is a background job of the calling shell.
#   vtj_apache_check ROOTDIR PKI [OPTIONS...]
#       writes the same configuration and runs `apache2 -t` on it: prints its output, returns its status.
#   vtj_apache_reload [OPTIONS...]   graceful restart (SIGUSR1), waits for the new generation; with
#                                    options, first rewrites the configuration (same root, PKI, ports)
#   vtj_apache_stop                  SIGTERM, waits for every process of the server (10 s, then SIGKILL);
#                                    safe to call when nothing runs
#   vtj_apache_curl WHO PATH [CURL ARGS...]    prints the body of https://localhost:PORT/PATH
#   vtj_apache_status WHO PATH [CURL ARGS...]  prints only the HTTP status, 000 when no HTTP answer came
#                                              (e.g. the handshake was refused); returns 0 even then
#       WHO picks the client certificate: a person ID (adult), a SATU from citizen/index.tsv (10000101W),
#       a path under PKI without .pem (special/revoked), a .pem path (its key beside it, same name .key),
#       or `none` for no certificate.
#   vtj_apache_log                   the error log written since the last start
#   vtj_apache_processes ROOTDIR     the PIDs of Apache processes running ROOTDIR's configuration
#
# OPTIONS
#   --mpm event|prefork     default event (with mod_cgid); prefork uses mod_cgi
#   --load FILE.so          LoadModule vtj_module FILE.so (before every configuration line that follows)
#   --add-module NAME       another module of Debian's apache2 package (http2 -> mod_http2.so)
#   --log-level LEVEL       LogLevel, e.g. "info ssl:warn vtj:debug" (default warn)
#   --conf FILE             Include FILE inside the TLS virtual host (repeatable; kept in order with
#   --conf-text TEXT        TEXT, written inline there; a reload rereads an included FILE)
#   --server-conf FILE      the same at server level, after the LoadModule lines and before the
#   --server-conf-text TEXT virtual hosts
#   --crl-check chain|leaf|none   SSLCARevocationCheck (default chain)
#
# Environment: VTJ_APACHE_BIN (default /usr/sbin/apache2), VTJ_APACHE_MODULES (default
# /usr/lib/apache2/modules), VTJ_APACHE_PORT (a fixed TLS port instead of a free one).

# shellcheck shell=bash disable=SC2034 # the vtj_apache_* variables are read by the scripts that source this
vtj_apache_pid=""
vtj_apache_port=""
vtj_apache_url=""
vtj_apache_backend_port=""
vtj_apache_backend_url=""
vtj_apache_root=""
vtj_apache_pki=""
_vtj_apache_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_vtj_apache_log_offset=0
_vtj_apache_sockdir=""
_vtj_apache_watcher=""

_vtj_apache_bin() { printf '%s' "${VTJ_APACHE_BIN:-/usr/sbin/apache2}"; }

_vtj_apache_abs() {  # _vtj_apache_abs PATH: PATH made absolute against the current directory
  case $1 in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
  esac
}

# _vtj_apache_free_port [TAKEN]: a loopback port below the kernel's ephemeral range (so no outgoing
# connection can be holding it) that no socket in /proc/net/tcp{,6} uses. A race with another process
# remains possible; vtj_apache_start retries on "Address already in use".
_vtj_apache_free_port() {
  local taken=${1:-} lo=32768 hi=60999 base span used p i hex
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  if [ "$lo" -gt 11024 ]; then
    base=10000 span=$((lo - 10000))
  else
    base=$((hi + 1)) span=$((65000 - hi))
  fi
  used=" $(awk 'FNR > 1 { split($2, a, ":"); printf "%s ", a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
  for i in $(seq 1 100); do
    p=$((base + (RANDOM * 32768 + RANDOM) % span))
    [ "$p" != "$taken" ] || continue
    printf -v hex "%04X" "$p"
    case $used in *" $hex "*) continue ;; esac
    printf '%s' "$p"
    return 0
  done
  echo "apache-run: no free port found" >&2
  return 1
}

# _vtj_apache_parse_options OPTIONS...: into the _vtj_apache_opt_* variables.
_vtj_apache_parse_options() {
  _vtj_apache_opt_mpm=event
  _vtj_apache_opt_load=""
  _vtj_apache_opt_modules=()
  _vtj_apache_opt_log_level=warn
  _vtj_apache_opt_vhost=()
  _vtj_apache_opt_server=()
  _vtj_apache_opt_crl=chain
  while [ $# -gt 0 ]; do
    if [ $# -lt 2 ]; then
      echo "apache-run: option $1 needs a value" >&2
      return 2
    fi
    case $1 in
      --mpm)
        case $2 in
          event | prefork) _vtj_apache_opt_mpm=$2 ;;
          *) echo "apache-run: --mpm event|prefork, not $2" >&2; return 2 ;;
        esac ;;
      --load) _vtj_apache_opt_load=$(_vtj_apache_abs "$2") ;;
      --add-module) _vtj_apache_opt_modules+=("$2") ;;
      --log-level) _vtj_apache_opt_log_level=$2 ;;
      --conf) _vtj_apache_opt_vhost+=("Include \"$(_vtj_apache_abs "$2")\"") ;;
      --conf-text) _vtj_apache_opt_vhost+=("$2") ;;
      --server-conf) _vtj_apache_opt_server+=("Include \"$(_vtj_apache_abs "$2")\"") ;;
      --server-conf-text) _vtj_apache_opt_server+=("$2") ;;
      --crl-check)
        case $2 in
          chain | leaf | none) _vtj_apache_opt_crl=$2 ;;
          *) echo "apache-run: --crl-check chain|leaf|none, not $2" >&2; return 2 ;;
        esac ;;
      *) echo "apache-run: unknown option $1" >&2; return 2 ;;
    esac
    shift 2
  done
}

# The account the workers (and with the event MPM the CGI daemon) run as when started by root; Apache
# refuses to serve requests as root.
_vtj_apache_user() {
  if id -u www-data >/dev/null 2>&1; then echo www-data; else echo nobody; fi
}

# _vtj_apache_prepare ROOT: the folders and the application files the workers use, copied into ROOT so
# that the source tree's permissions do not matter.
_vtj_apache_prepare() {
  local root=$1 d
  for d in "$root" "$root/conf" "$root/logs" "$root/run" "$root/app" "$root/htdocs" "$root/htdocs/static"; do
    mkdir -p "$d" && chmod 0755 "$d" || return 1
  done
  cp "$_vtj_apache_here/app/echo.cgi" "$_vtj_apache_here/app/show.cgi" "$root/app/" &&
    chmod 0755 "$root/app/echo.cgi" "$root/app/show.cgi" &&
    cp "$_vtj_apache_here/app/static/hello.txt" "$root/htdocs/static/hello.txt" &&
    chmod 0644 "$root/htdocs/static/hello.txt"
}

# _vtj_apache_check_access ROOT: as root, the worker account must reach ROOT (every folder above it
# searchable); the harness does not loosen folders it did not create.
_vtj_apache_check_access() {
  local root=$1 user d
  [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 || return 0
  user=$(_vtj_apache_user)
  if setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
    test -x "$root/app/echo.cgi" -a -r "$root/htdocs/static/hello.txt" -a -x "$root/run"; then
    return 0
  fi
  d=$root
  while [ "$d" != / ]; do
    d=$(dirname "$d")
    if ! setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups test -x "$d"; then
      echo "apache-run: the worker account $user cannot enter $d (mode $(stat -c %a "$d"));" \
        "give it search permission (chmod o+x) or put ROOTDIR elsewhere" >&2
      return 1
    fi
  done
  echo "apache-run: the worker account $user cannot reach the files in $root" >&2
  return 1
}

# _vtj_apache_write_config ROOT PKI PORT BACKEND_PORT: ROOT/conf/httpd.conf from the parsed options.
_vtj_apache_write_config() {
  local root=$1 pki=$2 port=$3 back=$4 mods=${VTJ_APACHE_MODULES:-/usr/lib/apache2/modules}
  local user sock m line cgi
  sock=$root/run/cgisock
  _vtj_apache_new_sockdir=""
  # A Unix socket path holds at most 107 bytes (mod_cgid would cut a longer one): a deep ROOTDIR gets a
  # short folder of its own under TMPDIR, made at start and removed at stop.
  if [ "${#sock}" -gt 100 ]; then
    _vtj_apache_new_sockdir=${TMPDIR:-/tmp}/vtj-apache-$(printf "%s" "$root" | cksum | cut -d " " -f 1)
    sock=$_vtj_apache_new_sockdir/cgisock
  fi
  {
    echo "# Written by integration/apache/apache-run.sh; rewritten at every start."
    echo "ServerRoot \"$root\""
    echo "ServerName localhost"
    echo "DefaultRuntimeDir \"$root/run\""
    echo "PidFile \"$root/run/httpd.pid\""
    echo "Mutex file:$root/run default"
    echo "ErrorLog \"$root/logs/error.log\""
    echo
    echo "LoadModule mpm_${_vtj_apache_opt_mpm}_module \"$mods/mod_mpm_${_vtj_apache_opt_mpm}.so\""
    # Debian compiles unixd and log_config into the binary, and LoadModule of a built-in module is an
    # error: each load is guarded.
    cgi=cgid
    [ "$_vtj_apache_opt_mpm" = event ] || cgi=cgi
    for m in unixd authz_core log_config mime alias env headers socache_shmcb ssl proxy proxy_http $cgi \
      "${_vtj_apache_opt_modules[@]}"; do
      echo "<IfModule !mod_$m.c>"
      echo "  LoadModule ${m}_module \"$mods/mod_$m.so\""
      echo "</IfModule>"
    done
    [ -z "$_vtj_apache_opt_load" ] || echo "LoadModule vtj_module \"$_vtj_apache_opt_load\""
    echo "LogLevel $_vtj_apache_opt_log_level"
    if [ "$(id -u)" = 0 ]; then
      user=$(_vtj_apache_user)
      echo "User $user"
      echo "Group $(id -gn "$user")"
    fi
    echo
    echo "# Two cores, about 64 requests at once."
    if [ "$_vtj_apache_opt_mpm" = event ]; then
      cat <<EOF
StartServers 2
ServerLimit 4
ThreadLimit 32
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 16
MaxSpareThreads 64
MaxConnectionsPerChild 0
ScriptSock "$sock"
EOF
    else
      cat <<EOF
StartServers 4
MinSpareServers 2
MaxSpareServers 8
ServerLimit 64
MaxRequestWorkers 64
MaxConnectionsPerChild 0
EOF
    fi
    cat <<EOF
KeepAliveTimeout 5
TypesConfig /dev/null
AddType text/plain .txt
AddType text/html .html
AddDefaultCharset utf-8
LogFormat "%h %{SSL_PROTOCOL}x \"%r\" %>s %b %D" vtj
CustomLog "$root/logs/access.log" vtj

<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "$root/htdocs">
  Require all granted
</Directory>
<Directory "$root/app">
  Require all granted
</Directory>

SSLSessionCache "shmcb:$root/run/ssl_scache(512000)"
Listen 127.0.0.1:$port https
Listen 127.0.0.1:$back http
EOF
    echo
    echo "# --server-conf"
    for line in "${_vtj_apache_opt_server[@]}"; do printf '%s\n' "$line"; done
    cat <<EOF

# The application backend: plain HTTP on loopback, reached from the TLS host through /proxy/.
<VirtualHost 127.0.0.1:$back>
  DocumentRoot "$root/htdocs"
  ScriptAlias /cgi/echo "$root/app/echo.cgi"
  ScriptAliasMatch "^/(app(/.*)?)?\$" "$root/app/show.cgi"
</VirtualHost>

# What the citizen reaches: TLS with a required client certificate from the test citizen CAs.
<VirtualHost 127.0.0.1:$port>
  SSLEngine on
  SSLCertificateFile "$pki/web.pem"
  SSLCertificateKeyFile "$pki/web.key"
  SSLCACertificateFile "$pki/tls-client-ca.pem"
  SSLCARevocationFile "$pki/tls-client-crl.pem"
  SSLCARevocationCheck $_vtj_apache_opt_crl
  SSLVerifyClient require
  SSLVerifyDepth 2
  DocumentRoot "$root/htdocs"
  ScriptAlias /cgi/echo "$root/app/echo.cgi"
  ScriptAliasMatch "^/(app(/.*)?)?\$" "$root/app/show.cgi"
  <LocationMatch "^/(app(/.*)?)?\$">
    # The demo page names the certificate's subject.
    SSLOptions +StdEnvVars
  </LocationMatch>
  # No pooled backend connections: after a graceful restart one would hold an old worker for seconds.
  ProxyPass /proxy/ http://127.0.0.1:$back/ disablereuse=On
  ProxyPassReverse /proxy/ http://127.0.0.1:$back/

  # --conf
EOF
    for line in "${_vtj_apache_opt_vhost[@]}"; do printf '%s\n' "$line"; done
    echo "</VirtualHost>"
  } >"$root/conf/httpd.conf"
}

# _vtj_apache_setup ROOT PKI PORT BACKEND_PORT OPTIONS...: parse, prepare, write; sets
# _vtj_apache_new_root and _vtj_apache_new_pki (absolute), leaving a running server's variables alone.
_vtj_apache_setup() {
  local root pki port=$3 back=$4
  root=$(_vtj_apache_abs "$1")
  pki=$(_vtj_apache_abs "$2")
  shift 4
  if [ ! -f "$pki/web.pem" ] || [ ! -f "$pki/tls-client-ca.pem" ]; then
    echo "apache-run: $pki is not a test PKI (integration/pki/make-test-pki)" >&2
    return 1
  fi
  _vtj_apache_parse_options "$@" || return
  _vtj_apache_prepare "$root" || return
  _vtj_apache_write_config "$root" "$pki" "$port" "$back" || return
  _vtj_apache_new_root=$root
  _vtj_apache_new_pki=$pki
}

# _vtj_apache_refuse_running ROOT: fails while an Apache runs ROOT's configuration (its httpd.conf is not
# to be rewritten under it).
_vtj_apache_refuse_running() {
  if [ -n "$(vtj_apache_processes "$1")" ]; then
    echo "apache-run: an Apache with $(_vtj_apache_abs "$1")/conf/httpd.conf is running; use another ROOTDIR" >&2
    return 1
  fi
}

vtj_apache_check() {
  if [ $# -lt 2 ]; then
    echo "usage: vtj_apache_check ROOTDIR PKI [OPTIONS...]" >&2
    return 2
  fi
  local root=$1 pki=$2 port back
  shift 2
  _vtj_apache_refuse_running "$root" || return
  port=$(_vtj_apache_free_port) && back=$(_vtj_apache_free_port "$port") || return
  _vtj_apache_setup "$root" "$pki" "$port" "$back" "$@" || return
  "$(_vtj_apache_bin)" -t -d "$_vtj_apache_new_root" -f "$_vtj_apache_new_root/conf/httpd.conf" 2>&1
}

# vtj_apache_processes ROOTDIR: the PIDs whose command line is this harness's apache2 with ROOTDIR's
# configuration (the workers and the CGI daemon are forks of the parent and share its command line).
vtj_apache_processes() {
  local conf bin p args a
  conf=$(_vtj_apache_abs "$1")/conf/httpd.conf
  bin=$(_vtj_apache_bin)
  for p in /proc/[0-9]*; do
    args=()
    { mapfile -d '' args <"$p/cmdline"; } 2>/dev/null || continue
    if [ "${#args[@]}" -eq 0 ] || [ "${args[0]}" != "$bin" ]; then continue; fi
    for a in "${args[@]}"; do
      if [ "$a" = "$conf" ]; then
        echo "${p#/proc/}"
        break
      fi
    done
  done
}

vtj_apache_log() {
  [ -n "$vtj_apache_root" ] || return 0
  tail -c +"$((_vtj_apache_log_offset + 1))" "$vtj_apache_root/logs/error.log" 2>/dev/null || true
}

_vtj_apache_fail_report() {
  local log
  log=$(vtj_apache_log | tail -n 30)
  if [ -n "$log" ]; then
    echo "apache-run: the error log since the start:" >&2
    printf '%s\n' "$log" | sed 's/^/  /' >&2
  fi
  if [ -s "$vtj_apache_root/logs/stderr.log" ]; then
    echo "apache-run: its standard error:" >&2
    tail -n 30 "$vtj_apache_root/logs/stderr.log" | sed 's/^/  /' >&2
  fi
}

# _vtj_apache_answers: the TLS port completes a handshake (the server's certificate arrives; without a
# client certificate the request itself is then refused, which is fine here).
_vtj_apache_answers() {
  local out
  out=$(curl -s -o /dev/null --noproxy '*' --max-time 2 --resolve "localhost:$vtj_apache_port:127.0.0.1" \
    --cacert "$vtj_apache_pki/server-ca.pem" -w '%{num_certs}' \
    "https://localhost:$vtj_apache_port/" 2>/dev/null) || true
  [ -n "$out" ] && [ "$out" != 0 ]
}

# _vtj_apache_launch: starts the server as a background job of this shell, in a process group of its
# own: Apache's parent signals its whole process group when it stops (SIGTERM), and in ours that would
# end the calling script too. A watcher stops the server within a second should this shell go away
# without vtj_apache_stop (a test killed on a timeout, with its process group): it is no job of this
# shell (a caller's `wait` or `jobs -p` never meets it) and sits in a process group of its own, which
# neither the caller's nor the server's group signal reaches.
_vtj_apache_launch() {
  local had_m="" shell=$BASHPID
  case $- in *m*) had_m=yes ;; esac
  set -m
  "$(_vtj_apache_bin)" -d "$vtj_apache_root" -f "$vtj_apache_root/conf/httpd.conf" -DFOREGROUND \
    </dev/null >"$vtj_apache_root/logs/stderr.log" 2>&1 &
  vtj_apache_pid=$!
  [ -n "$had_m" ] || set +m
  _vtj_apache_watcher=$(
    set -m
    (
      nap=""
      trap 'kill "$nap" 2>/dev/null; exit 0' TERM # so vtj_apache_stop leaves no sleep behind
      while kill -0 "$shell" 2>/dev/null && kill -0 "$vtj_apache_pid" 2>/dev/null; do
        sleep 1 &
        nap=$!
        wait "$nap"
      done
      kill -TERM "$vtj_apache_pid" 2>/dev/null
    ) </dev/null >/dev/null 2>&1 &
    echo $!
  )
}

vtj_apache_start() {
  if [ $# -lt 2 ]; then
    echo "usage: vtj_apache_start ROOTDIR PKI [OPTIONS...]" >&2
    return 2
  fi
  if [ -n "$vtj_apache_pid" ]; then
    echo "apache-run: an Apache of this shell still runs (pid $vtj_apache_pid); vtj_apache_stop first" >&2
    return 1
  fi
  local root=$1 pki=$2 attempt port back deadline
  shift 2
  _vtj_apache_refuse_running "$root" || return
  for attempt in 1 2 3 4 5; do
    if [ -n "${VTJ_APACHE_PORT:-}" ]; then
      # A fixed TLS port (the demo prints a URL for a browser); no retry on another one.
      port=$VTJ_APACHE_PORT
      [ "$attempt" = 1 ] || return 1
    else
      port=$(_vtj_apache_free_port) || return
    fi
    back=$(_vtj_apache_free_port "$port") || return
    _vtj_apache_setup "$root" "$pki" "$port" "$back" "$@" || return
    _vtj_apache_check_access "$_vtj_apache_new_root" || return
    vtj_apache_root=$_vtj_apache_new_root
    vtj_apache_pki=$_vtj_apache_new_pki
    _vtj_apache_sockdir=$_vtj_apache_new_sockdir
    if [ -n "$_vtj_apache_sockdir" ]; then
      mkdir -p "$_vtj_apache_sockdir" && chmod 0755 "$_vtj_apache_sockdir" || return
    fi
    vtj_apache_port=$port
    vtj_apache_backend_port=$back
    vtj_apache_url=https://localhost:$port
    vtj_apache_backend_url=http://127.0.0.1:$back
    : >"$vtj_apache_root/logs/stderr.log"
    touch "$vtj_apache_root/logs/error.log"
    _vtj_apache_log_offset=$(stat -c %s "$vtj_apache_root/logs/error.log")
    _vtj_apache_launch
    deadline=$((SECONDS + 10))
    while kill -0 "$vtj_apache_pid" 2>/dev/null; do
      # A handshake that a worker of a parent on its way out still completed does not count.
      if _vtj_apache_answers && kill -0 "$vtj_apache_pid" 2>/dev/null; then return 0; fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "apache-run: no TLS handshake on port $port within 10 s" >&2
        break
      fi
      sleep 0.05
    done
    if [ "$attempt" -lt 5 ] &&
      { vtj_apache_log; cat "$vtj_apache_root/logs/stderr.log"; } 2>/dev/null | grep "Address already in use" >/dev/null; then
      vtj_apache_stop
      continue
    fi
    _vtj_apache_fail_report
    vtj_apache_stop
    return 1
  done
}

# _vtj_apache_generations: how many generations this run's error log says took up work (Apache logs that
# notice at every LogLevel).
_vtj_apache_generations() {
  local n
  n=$(vtj_apache_log | grep -c 'resuming normal operations') || true
  printf '%s' "${n:-0}"
}

vtj_apache_reload() {
  if [ -z "$vtj_apache_pid" ]; then
    echo "apache-run: no Apache to reload" >&2
    return 1
  fi
  local before deadline
  if [ $# -gt 0 ]; then
    _vtj_apache_parse_options "$@" || return
    _vtj_apache_write_config "$vtj_apache_root" "$vtj_apache_pki" "$vtj_apache_port" \
      "$vtj_apache_backend_port" || return
  fi
  before=$(_vtj_apache_generations)
  kill -USR1 "$vtj_apache_pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  # A configuration the restart cannot read ends the parent.
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$vtj_apache_pid" 2>/dev/null; do
    if [ "$(_vtj_apache_generations)" -gt "$before" ] && _vtj_apache_answers; then return 0; fi
    sleep 0.05
  done
  echo "apache-run: the graceful restart did not come up" >&2
  _vtj_apache_fail_report
  vtj_apache_stop
  return 1
}

# _vtj_apache_alive PID: the process exists and is no zombie (the watcher is no child of this shell, and
# whoever inherits it may be slow to reap it).
_vtj_apache_alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

vtj_apache_stop() {
  [ -n "$vtj_apache_pid" ] || return 0
  local left deadline
  kill -TERM "$vtj_apache_pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while left=$(vtj_apache_processes "$vtj_apache_root") && [ -n "$left" ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.05
  done
  if [ -n "$left" ]; then
    echo "apache-run: Apache did not stop within 10 s; killing $(echo "$left" | tr '\n' ' ')" >&2
    # shellcheck disable=SC2086 # one PID a word
    kill -KILL $left 2>/dev/null || true
  fi
  wait "$vtj_apache_pid" 2>/dev/null || true
  vtj_apache_pid=""
  if [ -n "$_vtj_apache_watcher" ]; then
    kill "$_vtj_apache_watcher" 2>/dev/null || true
    deadline=$((SECONDS + 2))
    while _vtj_apache_alive "$_vtj_apache_watcher" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.02; done
    _vtj_apache_watcher=""
  fi
  if [ -n "$_vtj_apache_sockdir" ]; then rm -rf -- "$_vtj_apache_sockdir"; fi
}

# _vtj_apache_cert_args WHO: the curl options for WHO's certificate, into _vtj_apache_cert.
_vtj_apache_cert_args() {
  local who=$1 pki=$vtj_apache_pki pem="" file
  _vtj_apache_cert=()
  case $who in
    none) return 0 ;;
    *.pem) pem=$who ;;
    */*) pem=$pki/$who.pem ;;
    *)
      if [ -f "$pki/citizen/$who.pem" ]; then
        pem=$pki/citizen/$who.pem
      else
        file=$(awk -F '\t' -v s="$who" '$2 == s { print $5; exit }' "$pki/citizen/index.tsv" 2>/dev/null)
        [ -z "$file" ] || pem=$pki/$file
      fi ;;
  esac
  if [ -z "$pem" ] || [ ! -f "$pem" ] || [ ! -f "${pem%.pem}.key" ]; then
    echo "apache-run: no certificate and key for '$who' in $pki" >&2
    return 1
  fi
  _vtj_apache_cert=(--cert "$pem" --key "${pem%.pem}.key")
}

# _vtj_web_curl PORT WHO PATH [CURL ARGS...]: curl to https://localhost:PORT/PATH with WHO's certificate
# (also the nginx harness's client).
_vtj_web_curl() {
  local port=$1 who=$2 path=$3
  shift 3
  _vtj_apache_cert_args "$who" || return
  curl -sS -g --noproxy '*' --max-time 30 --resolve "localhost:$port:127.0.0.1" \
    --cacert "$vtj_apache_pki/server-ca.pem" "${_vtj_apache_cert[@]}" "$@" "https://localhost:$port$path"
}

vtj_apache_curl() { _vtj_web_curl "$vtj_apache_port" "$@"; }

vtj_apache_status() {
  local who=$1 path=$2
  shift 2
  _vtj_apache_cert_args "$who" || return
  curl -s -g --noproxy '*' --max-time 30 --resolve "localhost:$vtj_apache_port:127.0.0.1" \
    --cacert "$vtj_apache_pki/server-ca.pem" "${_vtj_apache_cert[@]}" -o /dev/null -w '%{http_code}' \
    "$@" "$vtj_apache_url$path" || true
}
