# Sourced by the web-server benchmarks (bench/*.sh, run together by bench/run.sh): a scratch folder, the
# register simulator, Apache or nginx without or with the module, vtj-load's figures, medians, and the
# machine-readable result lines. Everything started here is stopped on exit. Not executable on its own.
#
#   bench_init [BUILD_DIR]        SRC, BUILD (default SRC/build), WORK, the harnesses; the exit trap
#   bench_pki                     PKI and DATA: the test PKI and the default data set
#   bench_crowd_pki N             PKI and DATA: the crowd data set (crowd-1..N or more, besides the default
#                                 persons) and its PKI, in BUILD/crowd; CROWD_LIST: a vtj-load --cert-list
#                                 of crowd-1..N
#   bench_sim_start [SIM OPTIONS...]   the simulator on PKI and DATA
#   bench_sim_fault KIND          the simulator's fault from now on (none, latency:MS)
#   bench_sim_reset               its counters to zero
#   bench_sim_count NAME          a number from its /status (queries, active_connections, ...)
#   bench_server_start SERVER MODE [DIRECTIVE...]
#       SERVER apache|nginx; MODE none (no module), module (VTJ on for the static file). DIRECTIVEs
#       (Apache style, e.g. "VTJCache none") replace the simulator's lines of the same name. Sets
#       bench_port and bench_path (the same 29-byte static file in every mode). BENCH_NGINX_OPTS (an
#       array) adds nginx harness options (--workers 1, --main-conf "thread_pool ...").
#   bench_server_stop
#   bench_login WHO               one login through the running server: fails unless it answers 200
#   bench_workers SERVER          the PIDs of the processes that serve requests (nginx workers; Apache's
#                                 children that run worker threads)
#   bench_rss_kib PID...          the summed VmRSS of PIDs, in KiB
#   bench_load [--allow-errors] VTJ-LOAD OPTIONS...
#       vtj-load against the running server (URL, CA added) with its figures in load_requests, load_ok,
#       load_non2xx, load_errors, load_seconds, load_rps, load_p50, load_p90, load_p99, load_max (ms);
#       fails when an answer was not 2xx or a transport error happened, unless --allow-errors
#   bench_load_background FILE VTJ-LOAD OPTIONS...   the same as a background job (PID in bench_bg_pid),
#                                 its output in FILE; bench_load_read FILE then sets the load_* figures
#   bench_load_has OPTION         vtj-load knows OPTION (e.g. --cert-list)
#   bench_hits NAME VTJ-LOAD OPTIONS...   bench_load as the citizen `adult` (kept-alive connections); appends
#                                 "requests/s p50 p99" to WORK/NAME, one line a run
#   bench_sim_body FILE           the SoSo query the module sends for `adult` (PERUSSANOMA3 by SATU, the
#                                 password in place), for vtj-load straight to the simulator; needs
#                                 vtj-resolve. BENCH_SOAP: the two HTTP headers that go with it
#   bench_register_hits NAME BODY VTJ-LOAD OPTIONS...   that query straight to the simulator (the customer
#                                 certificate, kept-alive connections): the register's own latency,
#                                 recorded like bench_hits
#   bench_column NAME FIELD       the median of FIELD (1 requests/s, 2 p50, 3 p99) over WORK/NAME's runs
#   bench_last NAME FIELD         FIELD of WORK/NAME's last run; bench_least NAME FIELD: its smallest
#   bench_median                  the median of the numbers on stdin (one a line)
#   bench_calc FORMAT EXPR        EXPR (awk arithmetic on numbers) printed with FORMAT
#   bench_result NAME VALUE UNIT  the line "result: NAME VALUE UNIT" that bench/run.sh collects
# shellcheck shell=bash disable=SC2034,SC2154 # variables set here are read by the scripts that source this; the harnesses set theirs

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_NGINX_OPTS=()
bench_port=""
bench_path=""
_bench_server=""
_bench_bg=()

bench_init() {
  BUILD=$(cd "${1:-$SRC/build}" && pwd)
  local tool
  for tool in vtj-register-sim vtj-load vtj-echo-backend; do
    [ -x "$BUILD/bin/$tool" ] || { echo "missing $BUILD/bin/$tool: build it first" >&2; exit 1; }
  done
  WORK=$(mktemp -d)
  chmod 711 "$WORK" # Apache's workers (www-data) enter it
  # shellcheck source=integration/sim/sim-run.sh
  . "$SRC/integration/sim/sim-run.sh"
  # shellcheck source=integration/nginx/nginx-run.sh
  . "$SRC/integration/nginx/nginx-run.sh" # and the Apache harness
  export VTJ_ECHO=$BUILD/bin/vtj-echo-backend
  trap _bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_bench_cleanup() {
  local pid
  for pid in "${_bench_bg[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  vtj_apache_stop
  vtj_nginx_stop
  vtj_sim_stop
  rm -rf "$WORK"
}

bench_pki() {
  PKI=$BUILD/pki
  DATA=$SRC/integration/data/register.conf
  "$SRC/integration/pki/make-test-pki" "$PKI" >/dev/null
}

bench_crowd_pki() {
  local n=$1 crowd=$BUILD/crowd i have
  mkdir -p "$crowd"
  have=$(grep -c '^\[person crowd-' "$crowd/register.conf" 2>/dev/null) || true
  # A larger crowd serves too (the integration tests' fixture makes 200 in the same place).
  if [ "${have:-0}" -lt "$n" ]; then
    "$SRC/integration/data/make-crowd" "$crowd/register.conf" "$n"
  fi
  "$SRC/integration/pki/make-test-pki" "$crowd/pki" "$crowd/register.conf" >/dev/null
  PKI=$crowd/pki
  DATA=$crowd/register.conf
  CROWD_LIST=$crowd/crowd-$n.list
  for i in $(seq 1 "$n"); do
    printf 'pki/citizen/crowd-%s.pem pki/citizen/crowd-%s.key\n' "$i" "$i"
  done >"$CROWD_LIST.$$"
  mv "$CROWD_LIST.$$" "$CROWD_LIST"
}

bench_sim_start() {
  vtj_sim_start "$BUILD/bin/vtj-register-sim" "$PKI" "$DATA" "$WORK" "$@"
}

_bench_sim_post() {
  curl -sS -m 10 --noproxy '*' --resolve "localhost:$vtj_sim_port:$vtj_sim_addr" --cacert "$PKI/server-ca.pem" \
    --cert "$PKI/customer.pem" --key "$PKI/customer.key" -X POST -o /dev/null -f \
    "https://localhost:$vtj_sim_port$1"
}
bench_sim_fault() { _bench_sim_post "/control?fault=$1"; }
bench_sim_reset() { _bench_sim_post /reset; }
bench_sim_count() { vtj_sim_status "$PKI" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

# _bench_directives [DIRECTIVE...]: the simulator's directive lines, those named by a DIRECTIVE replaced.
_bench_directives() {
  local d names=" "
  for d in "$@"; do names+="${d%% *} "; done
  vtj_sim_directives "$PKI" "$DATA" "$WORK" | while read -r d; do
    case $names in *" ${d%% *} "*) ;; *) printf '%s\n' "$d" ;; esac
  done
  [ $# = 0 ] || printf '%s\n' "$@"
}

bench_server_start() {
  local server=$1 mode=$2
  shift 2
  _bench_server=$server
  bench_path=/static/hello.txt
  if [ "$server" = apache ]; then
    if [ "$mode" = module ]; then
      # At server level: VTJCache may not differ in a virtual host.
      _bench_directives "$@" >"$WORK/vtj-server.conf"
      vtj_apache_start "$WORK/apache" "$PKI" --load "$BUILD/lib/mod_vtj.so" --server-conf "$WORK/vtj-server.conf" \
        --conf-text $'<Location /static/>\n  VTJ On\n</Location>' >/dev/null
    else
      vtj_apache_start "$WORK/apache" "$PKI" >/dev/null
    fi
    bench_port=$vtj_apache_port
  else
    if [ "$mode" = module ]; then
      _bench_directives "$@" | vtj_nginx_directives >"$WORK/vtj-http.conf"
      printf 'location /static/on/ {\n  vtj on;\n  alias %s/nginx/htdocs/static/;\n}\n' "$WORK" >"$WORK/vtj-nginx.conf"
      vtj_nginx_start "$WORK/nginx" "$PKI" --load "$BUILD/lib/ngx_http_vtj_module.so" --log-level warn \
        --http-conf "$WORK/vtj-http.conf" --conf "$WORK/vtj-nginx.conf" "${BENCH_NGINX_OPTS[@]}" >/dev/null
      bench_path=/static/on/hello.txt
    else
      vtj_nginx_start "$WORK/nginx" "$PKI" --log-level warn "${BENCH_NGINX_OPTS[@]}" >/dev/null
    fi
    bench_port=$vtj_nginx_port
  fi
}

bench_server_stop() {
  vtj_apache_stop
  vtj_nginx_stop
}

bench_login() {
  local code
  code=$(_vtj_web_curl "$bench_port" "$1" "$bench_path" -o /dev/null -w '%{http_code}') || true
  [ "$code" = 200 ] || { echo "the login of $1 through $_bench_server failed (HTTP $code)" >&2; return 1; }
}

bench_workers() {
  local pid threads
  if [ "$1" = nginx ]; then
    vtj_nginx_workers
    return
  fi
  # Apache's parent and mod_cgid's daemon run one thread; a child of the event MPM runs its workers.
  for pid in $(vtj_apache_processes "$vtj_apache_root"); do
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
    [ "${threads:-1}" -gt 1 ] && echo "$pid"
  done
}

bench_rss_kib() {
  local pid sum=0 kib
  for pid in "$@"; do
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || kib=0
    sum=$((sum + ${kib:-0}))
  done
  echo "$sum"
}

bench_load_has() { grep -q -- "$1" <<<"$("$BUILD/bin/vtj-load" --help 2>&1)"; }

# _bench_load_url: the target vtj-load runs against, for _bench_load_run and bench_load_background.
_bench_load_url() { _bench_url=(--url "https://localhost:$bench_port$bench_path" --cacert "$PKI/server-ca.pem"); }

# _bench_load_run FILE VTJ-LOAD OPTIONS...: vtj-load against the running server, its CSV into FILE and
# its standard error into FILE.err; returns vtj-load's status.
_bench_load_run() {
  local file=$1
  shift
  _bench_load_url
  "$BUILD/bin/vtj-load" "${_bench_url[@]}" "$@" --csv >"$file" 2>"$file.err"
}

# A simple command in the background, so that bench_bg_pid is vtj-load itself (the trap can end it).
bench_load_background() {
  local file=$1
  shift
  _bench_load_url
  "$BUILD/bin/vtj-load" "${_bench_url[@]}" "$@" --csv >"$file" 2>"$file.err" &
  bench_bg_pid=$!
  _bench_bg+=("$bench_bg_pid")
}

bench_load_read() {
  local _load_requests="" _load_ok_2xx="" _load_non_2xx="" _load_errors="" _load_seconds="" _load_rps=""
  local _load_p50_ms="" _load_p90_ms="" _load_p99_ms="" _load_max_ms=""
  # The header names the columns: read by name, not by position.
  eval "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i }
    NR == 2 { for (i = 1; i <= NF; i++) if (name[i] ~ /^[a-z0-9_]+$/ && $i ~ /^[0-9.]+$/) printf "_load_%s=%s\n", name[i], $i }' "$1")"
  load_requests=$_load_requests load_ok=$_load_ok_2xx load_non2xx=$_load_non_2xx load_errors=$_load_errors
  load_seconds=$_load_seconds load_rps=$_load_rps
  load_p50=$_load_p50_ms load_p90=$_load_p90_ms load_p99=$_load_p99_ms load_max=$_load_max_ms
  if [ -z "$load_p99" ] || [ -z "$load_ok" ]; then
    echo "vtj-load against $_bench_server printed no figures:" >&2
    cat "$1" "$1.err" >&2
    return 1
  fi
}

bench_load() {
  local allow=0 status=0
  if [ "${1:-}" = --allow-errors ]; then allow=1 && shift; fi
  _bench_load_run "$WORK/load.out" "$@" || status=$?
  bench_load_read "$WORK/load.out"
  if [ "$allow" = 0 ] && [ "$((load_non2xx + load_errors))" != 0 ]; then
    echo "vtj-load against $_bench_server (exit $status): $load_non2xx non-2xx answers, $load_errors transport errors" >&2
    cat "$WORK/load.out.err" >&2
    return 1
  fi
}

bench_hits() {
  local name=$1
  shift
  bench_load --cert "$PKI/citizen/adult.pem" --key "$PKI/citizen/adult.key" "$@"
  echo "$load_rps $load_p50 $load_p99" >>"$WORK/$name"
}

BENCH_SOAP=('Content-Type: text/xml; charset=utf-8' 'SOAPAction: "http://tempuri.org/TeeHenkilonTunnusKysely"')

bench_sim_body() {
  local password
  password=$(vtj_sim_setting "$DATA" password)
  printf '%s' "$password" >"$WORK/body-password.txt"
  cat >"$WORK/body-resolve.conf" <<EOF
VTJRegisterURL https://127.0.0.1:1/sosowebsite/soso.asmx
VTJCredentials $(vtj_sim_setting "$DATA" username) $WORK/body-password.txt
VTJProduct PERUSSANOMA3
VTJEndUser "vtj-resolver benchmarks"
VTJCache none
EOF
  # vtj-resolve blanks the password in what it shows: put it back.
  "$BUILD/bin/vtj-resolve" --config "$WORK/body-resolve.conf" --satu 10000101W --show-request |
    sed "s|<Salasana>[^<]*</Salasana>|<Salasana>$password</Salasana>|" >"$1"
}

bench_register_hits() {
  local name=$1 body=$2
  shift 2
  # bench_load's target, for this call only.
  local bench_port=$vtj_sim_port bench_path=/sosowebsite/soso.asmx _bench_server="the simulator"
  bench_load --cert "$PKI/customer.pem" --key "$PKI/customer.key" --body "$body" --header "${BENCH_SOAP[0]}" \
    --header "${BENCH_SOAP[1]}" "$@"
  echo "$load_rps $load_p50 $load_p99" >>"$WORK/$name"
}

bench_column() { cut -d' ' -f"$2" "$WORK/$1" | bench_median; }
bench_last() { tail -n 1 "$WORK/$1" | cut -d' ' -f"$2"; }
bench_least() { cut -d' ' -f"$2" "$WORK/$1" | sort -g | head -n 1; }

bench_median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

bench_calc() { awk "BEGIN { printf \"$1\", $2 }"; }

bench_result() { printf 'result: %s %s %s\n' "$1" "$2" "$3"; }
