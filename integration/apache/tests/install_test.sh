#!/usr/bin/env bash
# The Debian way of installing: `cmake --install BUILD --component apache` puts mod_vtj.so into Apache's
# module folder and vtj.load / vtj.conf into mods-available (for `a2enmod vtj`); the installed vtj.load
# loads the module and vtj.conf is valid configuration. Installed under a DESTDIR, nothing on the system
# changes. Needs VTJ_BINARY_DIR.
. "$(dirname "$0")/test-lib.sh"
: "${VTJ_BINARY_DIR:?}"

DEST=$WORK/dest
DESTDIR=$DEST cmake --install "$VTJ_BINARY_DIR" --component apache >"$WORK/install.out" 2>&1 ||
  { fail "cmake --install"; cat "$WORK/install.out"; }
moddir=$(apxs -q LIBEXECDIR)
checks=$((checks + 1))
[ -f "$DEST$moddir/mod_vtj.so" ] || fail "mod_vtj.so not installed into $moddir"
load=$DEST/etc/apache2/mods-available/vtj.load
expect_in "vtj.load" "$load" "LoadModule vtj_module $moddir/mod_vtj.so"
checks=$((checks + 1))
[ -f "$DEST/etc/apache2/mods-available/vtj.conf" ] || fail "vtj.conf not installed"

# The installed files, as a2enmod would link them, pass apache2 -t (the module from the DESTDIR copy).
sed "s|$moddir|$DEST$moddir|" "$load" >"$WORK/vtj.load"
vtj_apache_check "$WORK/apache" "$PKI" --server-conf "$WORK/vtj.load" \
  --server-conf "$DEST/etc/apache2/mods-available/vtj.conf" >"$WORK/check.out" 2>&1 ||
  { fail "apache2 -t with the installed vtj.load and vtj.conf"; cat "$WORK/check.out"; }
expect_in "apache2 -t" "$WORK/check.out" "Syntax OK"
finish
