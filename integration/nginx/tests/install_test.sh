#!/usr/bin/env bash
# The Debian way of installing: `cmake --install BUILD --component nginx` puts the module into nginx's
# module folder and mod-http-vtj.conf (its load_module line) into modules-available; with that line nginx
# loads the module and accepts its directives. Installed under a DESTDIR. Needs VTJ_BINARY_DIR.
. "$(dirname "$0")/test-lib.sh"
: "${VTJ_BINARY_DIR:?}"

DEST=$WORK/dest
DESTDIR=$DEST cmake --install "$VTJ_BINARY_DIR" --component nginx >"$WORK/install.out" 2>&1 ||
  { fail "cmake --install"; cat "$WORK/install.out"; }
checks=$((checks + 1))
[ -f "$DEST/usr/lib/nginx/modules/ngx_http_vtj_module.so" ] || fail "the module is not in /usr/lib/nginx/modules"
conf=$DEST/etc/nginx/modules-available/mod-http-vtj.conf
expect_in "mod-http-vtj.conf" "$conf" "load_module /usr/lib/nginx/modules/ngx_http_vtj_module.so;"

# The installed line (pointed at the DESTDIR copy) in nginx's main context: nginx -t accepts vtj on.
start_sim
nginx_directives >"$WORK/base.conf"
echo "vtj on;" >"$WORK/vtj.conf"
vtj_nginx_check "$WORK/nginx" "$PKI" --main-conf "$(sed "s|/usr/lib/nginx|$DEST/usr/lib/nginx|" "$conf")" \
  --http-conf "$WORK/base.conf" --conf "$WORK/vtj.conf" >"$WORK/check.out" 2>&1 ||
  { fail "nginx -t with the installed module"; cat "$WORK/check.out"; }
expect_in "nginx -t" "$WORK/check.out" "syntax is ok"
finish
