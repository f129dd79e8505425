#!/usr/bin/env bash
# Every published register response in tests/data/samples/, resolved offline: the headers vtj-resolve prints
# must equal the expected file tests/data/cli/<sample>.headers (values checked by hand against the sample).
. "$(dirname "$0")/lib.sh"
EXPECTED="$VTJ_TEST_DATA_DIR/cli"
printf 'VTJHeaderEncoding utf8\n' >"$WORK/utf8.conf"
n=0
for exp in "$EXPECTED"/*.headers; do
  name=$(basename "$exp" .headers)
  sample="$SAMPLES/$name.xml"
  [ -f "$sample" ] || sample="$SAMPLES/xroad/$name.xml"
  run --config "$WORK/utf8.conf" --response "$sample"
  expect_status "$name" "$(sed -n 's/^# exit //p' "$exp")"
  cases=$((cases + 1))
  if ! diff -u <(grep -v '^#' "$exp") "$WORK/out" >"$WORK/diff"; then
    fail_case "$name: headers differ from $exp"; cat "$WORK/diff"
  fi
  n=$((n + 1))
done
# Every response sample has an expected file: a new sample without one fails here.
for s in "$SAMPLES"/*.xml; do
  name=$(basename "$s" .xml)
  case "$name" in koski_request_template*) continue ;; esac
  cases=$((cases + 1))
  [ -f "$EXPECTED/$name.headers" ] || { echo "FAIL: no expected headers for sample $name"; failures=$((failures + 1)); }
done
[ "$n" -ge 15 ] || { echo "FAIL: only $n expected files"; failures=$((failures + 1)); }
finish
