# Shared helpers of the command-line tests. Each test script sources this, runs cases, and ends with
# `finish`, which exits non-zero when any case failed.
set -u
: "${VTJ_RESOLVE:?VTJ_RESOLVE must name the vtj-resolve binary}"
: "${VTJ_TEST_DATA_DIR:?}"
SAMPLES="$VTJ_TEST_DATA_DIR/samples"
RESPONSES="$VTJ_TEST_DATA_DIR/responses"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
cases=0

# run ARGS...: runs vtj-resolve, leaving stdout in $WORK/out, stderr in $WORK/err and the status in $status.
run() {
  status=0
  "$VTJ_RESOLVE" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
}

fail_case() {
  echo "FAIL: $1"
  echo "  command status: $status"
  echo "  stdout:"; sed 's/^/    /' "$WORK/out"
  echo "  stderr:"; sed 's/^/    /' "$WORK/err"
  failures=$((failures + 1))
}

# expect_status NAME CODE: the last run exited with CODE.
expect_status() {
  cases=$((cases + 1))
  [ "$status" -eq "$2" ] || fail_case "$1: expected exit $2"
}

# expect_out NAME TEXT: stdout holds the line TEXT exactly.
expect_out() {
  cases=$((cases + 1))
  grep -qxF -- "$2" "$WORK/out" || fail_case "$1: expected stdout line '$2'"
}

# expect_no_out NAME REGEX: no stdout line matches REGEX.
expect_no_out() {
  cases=$((cases + 1))
  if grep -qE -- "$2" "$WORK/out"; then fail_case "$1: unexpected stdout matching '$2'"; fi
}

# expect_err NAME TEXT: stderr contains TEXT.
expect_err() {
  cases=$((cases + 1))
  grep -qF -- "$2" "$WORK/err" || fail_case "$1: expected stderr to contain '$2'"
}

# expect_no_err NAME TEXT: stderr does not contain TEXT.
expect_no_err() {
  cases=$((cases + 1))
  if grep -qF -- "$2" "$WORK/err"; then fail_case "$1: stderr must not contain '$2'"; fi
}

finish() {
  echo "$((cases - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}
