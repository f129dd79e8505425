#!/usr/bin/env bash
# The shared cache's memory per cached person, from vtj-cache-footprint (bench/cache_footprint.cpp: it
# fills the real store with PERSONS distinct persons and finds the smallest segment that keeps them all).
# When the build has no such program the figure is reported missing.
#
#   bench/cache_footprint.sh [BUILD_DIR] [PERSONS]      defaults: build 100000
# Prints figures and "result:" lines (bench/run.sh).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
PERSONS=${2:-100000}
tool=$BUILD/bin/vtj-cache-footprint
if [ ! -x "$tool" ]; then
  echo "no $tool in this build: the shared cache's bytes per person are missing"
  echo "result: cache.bytes_per_person missing B"
  exit 0
fi
out=$("$tool" --persons "$PERSONS")
grep -v '^probe:' <<<"$out"
value() { sed -n "s/^$1: *\([0-9.]*\).*/\1/p" <<<"$out" | head -n 1; }
echo "result: cache.bytes_per_person $(value bytes_per_person) B"
# "N/M" persons kept when the segment holds 1 KiB per person, as a percentage.
kept=$(sed -n 's|^retained_at_1KiB_each: *\([0-9]*\)/\([0-9]*\).*|\1 \2|p' <<<"$out")
[ -z "$kept" ] || echo "result: cache.kept_at_1KiB $(awk -v k="${kept% *}" -v n="${kept#* }" 'BEGIN { printf "%.1f", 100 * k / n }') %"
echo "result: cache.persons $PERSONS persons"
