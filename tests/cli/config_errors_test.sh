#!/usr/bin/env bash
# Configuration errors name the file, the line and the directive, and exit 2; secrets never appear.
. "$(dirname "$0")/lib.sh"
conf="$WORK/site.conf"
resp="$RESPONSES/notfound_0001.xml"

printf '# comment\n\nVTJHeaderEncoding utf8\nVTJNoSuchThing 1\n' >"$conf"
run --config "$conf" --response "$resp"
expect_status "unknown directive" 2
expect_err "unknown directive: file and line" "site.conf:4"
expect_err "unknown directive: name" "VTJNoSuchThing"

printf 'VTJTimeout abc 100\n' >"$conf"
run --config "$conf" --response "$resp"
expect_status "bad timeout" 2
expect_err "bad timeout: place" "site.conf:1: VTJTimeout"

printf 'VTJHeaderEncoding ebcdic\n' >"$conf"
run --config "$conf" --response "$resp"
expect_status "bad encoding" 2
expect_err "bad encoding: place" "site.conf:1: VTJHeaderEncoding"

printf '\n\nVTJCredentials kunta %s\n' "$WORK/missing-password" >"$conf"
run --config "$conf" --response "$resp"
expect_status "unreadable password file" 2
expect_err "password file: place" "site.conf:3: VTJCredentials"

printf 'S3cr3t-Passw0rd\n' >"$WORK/password"
printf 'VTJCredentials kunta %s\nVTJEndUser %s\n' "$WORK/password" "$(printf 'x%.0s' $(seq 60))" >"$conf"
run --config "$conf" --response "$resp"
expect_status "end user too long" 2
expect_err "end user: place" "site.conf:2: VTJEndUser"
expect_no_err "password never shown" "S3cr3t-Passw0rd"

run --config "$WORK/does-not-exist.conf" --response "$resp"
expect_status "missing config file" 2
expect_err "missing config named" "does-not-exist.conf"
finish
