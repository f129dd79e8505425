# Sourced by the scripts that need a real nginx (Debian's /usr/sbin/nginx) with TLS client authentication
# in front of an application: the nginx module's tests and the demo. It writes a self-contained
# configuration, starts nginx and the echo backend (vtj-echo-backend, the application: it answers with the
# request headers it received, as CGI names them), and stops both. One nginx per shell.
#
#   vtj_nginx_start ROOTDIR PKI [OPTIONS...]
#       sets vtj_nginx_pid, vtj_nginx_port, vtj_nginx_url (https://localhost:PORT); returns 1 with the
#       error log when nginx does not come up in 10 s. Call it directly, not inside $(...).
#   vtj_nginx_check ROOTDIR PKI [OPTIONS...]   writes the configuration and runs `nginx -t`; prints its
#                                              output, returns its status
#   vtj_nginx_reload                           SIGHUP; waits until the new workers run
#   vtj_nginx_stop                             SIGQUIT, waits for every process (10 s, then SIGKILL)
#   vtj_nginx_curl WHO PATH [CURL ARGS...]     curl against the running nginx with WHO's certificate
#                                              (as vtj_apache_curl: a person ID, a SATU, special/NAME,
#                                              a .pem path, or none)
#   vtj_nginx_log                              the error log since the start
#   vtj_nginx_workers                          the PIDs of the worker processes
#   vtj_nginx_directives                       Apache-style module directives on stdin, nginx's on stdout
#                                              (VTJRegisterURL a b -> vtj_register_url a b;)
#
# OPTIONS
#   --load FILE.so          load_module FILE.so
#   --conf FILE             include FILE inside the TLS server block (repeatable)
#   --http-conf FILE        include FILE in the http block
#   --main-conf TEXT        TEXT in the main context (e.g. "thread_pool vtj threads=8;")
#   --workers N             worker_processes (default 2)
#   --crl on|off            ssl_crl with the test PKI's CRLs (default on)
#   --log-level LEVEL       error_log level (default info)
#
# The server block has: /cgi/echo and /proxy/ (the echo backend through proxy_pass; the http block
# names it `upstream vtj_echo` for locations of the tests' own), /static/ (files), and listens with
# HTTP/2. Environment: VTJ_ECHO (the vtj-echo-backend binary, required),
# VTJ_NGINX_BIN (default /usr/sbin/nginx).
# shellcheck shell=bash disable=SC2034
. "$(dirname "${BASH_SOURCE[0]}")/../apache/apache-run.sh"  # the client side: certificates by WHO

vtj_nginx_pid=""
vtj_nginx_port=""
vtj_nginx_url=""
vtj_nginx_root=""
_vtj_nginx_echo_pid=""
_vtj_nginx_log_offset=0

_vtj_nginx_bin() { printf '%s' "${VTJ_NGINX_BIN:-/usr/sbin/nginx}"; }

_vtj_nginx_setup() {  # _vtj_nginx_setup ROOT PKI PORT BACKEND_PORT OPTIONS...
  local root pki=$2 port=$3 back=$4 load="" workers=2 crl=on level=info main=() conf=() http=()
  root=$(_vtj_apache_abs "$1")
  pki=$(_vtj_apache_abs "$pki")
  shift 4
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "nginx-run: option $1 needs a value" >&2; return 2; }
    case $1 in
      --load) load=$(_vtj_apache_abs "$2") ;;
      --conf) conf+=("include $(_vtj_apache_abs "$2");") ;;
      --http-conf) http+=("include $(_vtj_apache_abs "$2");") ;;
      --main-conf) main+=("$2") ;;
      --workers) workers=$2 ;;
      --crl) crl=$2 ;;
      --log-level) level=$2 ;;
      *) echo "nginx-run: unknown option $1" >&2; return 2 ;;
    esac
    shift 2
  done
  mkdir -p "$root/conf" "$root/logs" "$root/run" "$root/tmp" "$root/htdocs/static" || return 1
  chmod 0755 "$root" "$root/htdocs" "$root/htdocs/static"
  cp "$_vtj_apache_here/app/static/hello.txt" "$root/htdocs/static/hello.txt"
  chmod 0644 "$root/htdocs/static/hello.txt"
  {
    echo "daemon off;"
    echo "master_process on;"
    echo "worker_processes $workers;"
    echo "pid $root/run/nginx.pid;"
    echo "error_log $root/logs/error.log $level;"
    [ -z "$load" ] || echo "load_module $load;"
    printf '%s\n' "${main[@]}"
    cat <<CONF
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $root/tmp/body;
  proxy_temp_path $root/tmp/proxy;
  fastcgi_temp_path $root/tmp/fastcgi;
  uwsgi_temp_path $root/tmp/uwsgi;
  scgi_temp_path $root/tmp/scgi;
  default_type text/plain;
  upstream vtj_echo { server 127.0.0.1:$back; }
  $(printf '%s\n' "${http[@]}")
  server {
    listen 127.0.0.1:$port ssl http2;
    server_name localhost;
    ssl_certificate $pki/web.pem;
    ssl_certificate_key $pki/web.key;
    ssl_client_certificate $pki/tls-client-ca.pem;
    ssl_verify_client on;
    ssl_verify_depth 2;
    $( [ "$crl" = on ] && echo "ssl_crl $pki/tls-client-crl.pem;" )
    location /cgi/echo { proxy_pass http://vtj_echo; }
    location /proxy/ { proxy_pass http://vtj_echo; }
    location /static/ { root $root/htdocs; }
    $(printf '%s\n' "${conf[@]}")
  }
}
CONF
  } >"$root/conf/nginx.conf"
  vtj_nginx_root=$root
  vtj_apache_pki=$pki
}

_vtj_nginx_start_echo() {
  : "${VTJ_ECHO:?VTJ_ECHO must name vtj-echo-backend}"
  "$VTJ_ECHO" >"$1/logs/echo.out" 2>&1 &
  _vtj_nginx_echo_pid=$!
  local _
  for _ in $(seq 1 100); do
    _vtj_nginx_echo_port=$(sed -n 's/^vtj-echo-backend: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$1/logs/echo.out")
    [ -n "$_vtj_nginx_echo_port" ] && return 0
    sleep 0.05
  done
  echo "nginx-run: the echo backend did not start" >&2
  return 1
}

vtj_nginx_check() {
  local root=$1 pki=$2
  shift 2
  mkdir -p "$root/logs"
  _vtj_nginx_setup "$root" "$pki" 1 2 "$@" || return
  "$(_vtj_nginx_bin)" -t -p "$vtj_nginx_root/" -c "$vtj_nginx_root/conf/nginx.conf" -e "$vtj_nginx_root/logs/error.log" 2>&1
}

vtj_nginx_start() {
  local root=$1 pki=$2 port
  shift 2
  if [ -n "$vtj_nginx_pid" ]; then
    echo "nginx-run: an nginx of this shell still runs; vtj_nginx_stop first" >&2
    return 1
  fi
  mkdir -p "$root/logs"
  _vtj_nginx_start_echo "$root" || return
  port=${VTJ_NGINX_PORT:-$(_vtj_apache_free_port)} || return
  _vtj_nginx_setup "$root" "$pki" "$port" "$_vtj_nginx_echo_port" "$@" || return
  touch "$vtj_nginx_root/logs/error.log"
  _vtj_nginx_log_offset=$(stat -c %s "$vtj_nginx_root/logs/error.log")
  "$(_vtj_nginx_bin)" -p "$vtj_nginx_root/" -c "$vtj_nginx_root/conf/nginx.conf" \
    -e "$vtj_nginx_root/logs/error.log" 2>>"$vtj_nginx_root/logs/error.log" &
  vtj_nginx_pid=$!
  vtj_nginx_port=$port
  vtj_nginx_url=https://localhost:$port
  local _ code
  for _ in $(seq 1 200); do
    kill -0 "$vtj_nginx_pid" 2>/dev/null || break
    code=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 \
      --resolve "localhost:$port:127.0.0.1" --cacert "$vtj_apache_pki/server-ca.pem" "$vtj_nginx_url/" || true)
    if [ "$code" != 000 ] && [ -n "$(vtj_nginx_workers)" ]; then
      return 0
    fi
    sleep 0.05
  done
  echo "nginx-run: nginx did not start:" >&2
  vtj_nginx_log | tail -n 20 >&2
  vtj_nginx_stop
  return 1
}

vtj_nginx_workers() {
  [ -n "$vtj_nginx_pid" ] || return 0
  pgrep -P "$vtj_nginx_pid" 2>/dev/null || true
}

vtj_nginx_reload() {
  local old
  old=$(vtj_nginx_workers | sort)
  kill -HUP "$vtj_nginx_pid" || return
  local _ now
  for _ in $(seq 1 200); do
    now=$(vtj_nginx_workers | sort)
    if [ -n "$now" ] && [ -z "$(comm -12 <(echo "$old") <(echo "$now"))" ]; then
      return 0
    fi
    sleep 0.05
  done
  echo "nginx-run: the reload did not replace the workers" >&2
  return 1
}

vtj_nginx_stop() {
  local _
  if [ -n "$vtj_nginx_pid" ]; then
    local workers
    workers=$(vtj_nginx_workers)
    kill -QUIT "$vtj_nginx_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
      kill -0 "$vtj_nginx_pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$vtj_nginx_pid" $workers 2>/dev/null || true
    wait "$vtj_nginx_pid" 2>/dev/null || true
    # Workers left behind by a killed master would hold the port: none may remain.
    # shellcheck disable=SC2086
    kill -KILL $workers 2>/dev/null || true
    vtj_nginx_pid=""
  fi
  if [ -n "$_vtj_nginx_echo_pid" ]; then
    kill -TERM "$_vtj_nginx_echo_pid" 2>/dev/null || true
    wait "$_vtj_nginx_echo_pid" 2>/dev/null || true
    _vtj_nginx_echo_pid=""
  fi
}

vtj_nginx_curl() { _vtj_web_curl "$vtj_nginx_port" "$@"; }

vtj_nginx_log() {
  [ -n "$vtj_nginx_root" ] || return 0
  tail -c +"$((_vtj_nginx_log_offset + 1))" "$vtj_nginx_root/logs/error.log" 2>/dev/null || true
}

vtj_nginx_directives() {
  local name rest
  while read -r name rest; do
    [ -n "$name" ] || continue
    case $name in \#*) continue ;; esac
    name=$(printf '%s' "$name" | sed -E -e 's/^VTJ(RegisterURL|RegisterCA|CacheTTL|XRoad)/VTJ_\1/' \
      -e 's/URL$/Url/; s/CA$/Ca/; s/TTL$/Ttl/; s/XRoad/Xroad/' -e 's/([a-z])([A-Z])/\1_\2/g' -e 's/^VTJ([A-Z])/VTJ_\1/' |
      tr '[:upper:]' '[:lower:]')
    printf '%s %s;\n' "$name" "$rest"
  done
}
