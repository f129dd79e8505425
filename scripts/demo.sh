#!/usr/bin/env bash
# The citizen login demo: a real web server with the module in front of a small application, against the
# register simulator. The Apache module and the simulator are not built yet; until they are, this builds
# the core and shows an offline resolution of a published register response with vtj-resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vtj_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target vtj-resolve
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf 'VTJHeaderEncoding utf8\n' >"$conf"
echo "The web-server login demo arrives with the Apache module. Meanwhile, an offline resolution:"
echo "\$ vtj-resolve --response tests/data/samples/evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml"
build/bin/vtj-resolve --config "$conf" \
  --response tests/data/samples/evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml
