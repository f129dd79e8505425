#!/usr/bin/env bash
# vtj-resolve --show-request: the register request an identifier makes, on each transport, password blanked.
. "$(dirname "$0")/lib.sh"
printf 'Very-S3cret\n' >"$WORK/password"
base="VTJProduct \"PERUSSANOMA 1\"\nVTJCredentials kunta $WORK/password\nVTJEndUser \"Kunnan <portaali> & co\"\n"
printf "$base" >"$WORK/soso.conf"
printf "${base}VTJTransport xroad\nVTJXRoadClient FI-TEST/MUN/0101263-6/portal\n" >"$WORK/xroad.conf"

run --config "$WORK/soso.conf" --hetu 010170-960F --show-request
expect_status "soso request by hetu" 0
cases=$((cases + 1))
grep -q 'TeeHenkilonTunnusKysely xmlns' "$WORK/out" || fail_case "soso: operation element"
cases=$((cases + 1))
grep -q '>010170-960F</' "$WORK/out" || fail_case "soso: hetu sent"
cases=$((cases + 1))
grep -q 'Kunnan &lt;portaali&gt; &amp; co' "$WORK/out" || fail_case "soso: end user escaped"
cases=$((cases + 1))
grep -q 'Very-S3cret' "$WORK/out" "$WORK/err" && fail_case "soso: the password must not be shown"
cases=$((cases + 1))
grep -q 'Salasana>\*\*\*\*\*\*\*\*<' "$WORK/out" || fail_case "soso: password blanked"

run --config "$WORK/xroad.conf" --satu 12345678N --show-request
expect_status "xroad request by satu" 0
cases=$((cases + 1))
grep -q 'objectType="SUBSYSTEM"' "$WORK/out" || fail_case "xroad: client header"
cases=$((cases + 1))
grep -q '>HenkilonTunnusKysely</' "$WORK/out" || fail_case "xroad: service code"
cases=$((cases + 1))
grep -q 'SahkoinenAsiointitunnus>12345678N<' "$WORK/out" || fail_case "xroad: satu sent"
cases=$((cases + 1))
grep -q 'Henkilotunnus></' "$WORK/out" || fail_case "xroad: empty Henkilotunnus when querying by satu"

printf 'VTJEndUser portal\n' >"$WORK/incomplete.conf"
run --config "$WORK/incomplete.conf" --hetu 010170-960F --show-request
expect_status "no product or credentials" 2
expect_err "names what is missing" "VTJProduct"
run --config "$WORK/soso.conf" --response "$RESPONSES/notfound_0001.xml" --show-request
expect_status "--show-request needs an identifier" 2
finish
