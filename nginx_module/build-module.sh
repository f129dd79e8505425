#!/usr/bin/env bash
# Builds ngx_http_vtj_module.so against Debian's nginx (nginx-dev): nginx's own configure with Debian's
# flags (so the module is binary compatible and compiles the SSL code), out of tree in BUILD_DIR, then
# only the modules. Called by CMake with VTJ_PLUGIN_INCLUDE and VTJ_NGX_LIBS in the environment.
#
#   build-module.sh BUILD_DIR MODULE_SOURCE_DIR OUTPUT_SO
set -euo pipefail
build=$1 module=$2 out=$3
src=${VTJ_NGINX_SRC:-/usr/share/nginx/src}
mkdir -p "$build"
cd "$src"
. ./conf_flags
# Configure again only when the inputs changed (it takes seconds; the build itself is quick).
stamp="$build/configure.stamp"
want="$(cat "$module/config") $VTJ_PLUGIN_INCLUDE $VTJ_NGX_LIBS $(dpkg-buildflags --get CFLAGS)"
if [ ! -f "$build/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  ./configure --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
    --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" "${NGX_CONF_FLAGS[@]}" \
    --add-dynamic-module="$module" --builddir="$build" >"$build/configure.log" 2>&1 ||
    { tail -n 30 "$build/configure.log" >&2; exit 1; }
  printf '%s' "$want" >"$stamp"
fi
# nginx's Makefile does not know the static libraries behind ngx_module_libs: always relink.
rm -f "$build/ngx_http_vtj_module.so"
make -s -f "$build/Makefile" -C "$src" modules >"$build/make.log" 2>&1 || { tail -n 40 "$build/make.log" >&2; exit 1; }
cp "$build/ngx_http_vtj_module.so" "$out"
