#!/usr/bin/env bash
# vtj-resolve's outcomes and exit statuses (CONTRACT.md), from saved register responses.
. "$(dirname "$0")/lib.sh"
: >"$WORK/empty.conf"
printf 'VTJOnRegisterError pass\n' >"$WORK/pass.conf"
printf 'VTJSecurityProhibition deny\n' >"$WORK/deny.conf"
printf 'VTJSecurityProhibition pass\nVTJHeaderEncoding utf8\n' >"$WORK/passprohib.conf"
printf 'VTJHeaderEncoding base64\n' >"$WORK/b64.conf"
printf 'VTJHeaderEncoding latin1\n' >"$WORK/latin1.conf"
printf 'VTJHeaderPrefix X-Citizen-\nVTJHeaderEncoding utf8\n' >"$WORK/prefix.conf"
printf 'VTJHeader surname X-Name\nVTJHeader Kotikunta/KuntaR X-Kommun\nVTJHeaderEncoding utf8\n' >"$WORK/custom.conf"

run --config "$WORK/empty.conf" --response "$RESPONSES/notfound_0001.xml"
expect_status "not found 0001" 4
expect_no_out "not found: nothing passed" "."
expect_err "not found is logged" "denied 403"
run --config "$WORK/empty.conf" --response "$RESPONSES/xroad_fault_0001.xml"
expect_status "X-Road faultCode 0001 is not found" 4
run --config "$WORK/empty.conf" --response "$RESPONSES/deceased_0007.xml"
expect_status "deceased 0007" 5
expect_no_out "deceased: nothing passed" "."
expect_no_err "deceased: no full hetu in messages" "020365-999P"
run --config "$WORK/empty.conf" --response "$RESPONSES/notdisclosable_0019.xml"
expect_status "not disclosable 0019" 5
expect_no_out "not disclosable: nothing passed" "."
run --config "$WORK/empty.conf" --response "$RESPONSES/credentials_-1500.xml"
expect_status "credential error -1500" 6
expect_no_out "credential error: nothing passed" "."
expect_err "credential error named" "-1500"
run --config "$WORK/empty.conf" --response "$RESPONSES/truncated.xml"
expect_status "truncated response" 6
expect_err "truncated response named" "malformed register response"
run --config "$WORK/empty.conf" --response "$RESPONSES/passivated_0002.xml"
expect_status "passivated offline" 6
expect_no_out "passivated: nothing passed" "."
expect_err "passivated explained" "0002"
expect_no_err "passivated: active hetu masked" "010170-960F"
run --config "$WORK/empty.conf" --response "$SAMPLES/xroad/xroad4_prmess_annexD1_technical_fault.xml"
expect_status "security server SOAP fault" 6
expect_err "fault code named" "Server.ClientProxy.ServiceFailed.MissingBody"

# Texts from the register reach stderr masked and on one line each.
cat >"$WORK/fault.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>
<faultcode>Server.ServerProxy.ServiceFailed</faultcode>
<faultstring>bad person 010170-960F&#10;injected line 12345678N</faultstring>
</S:Fault></S:Body></S:Envelope>
XML
run --config "$WORK/empty.conf" --response "$WORK/fault.xml"
expect_status "fault with personal data" 6
expect_no_err "fault string: hetu masked" "010170-960F"
expect_no_err "fault string: SATU masked" "12345678N"
expect_err "fault string: masked form shown" "010170-****"
cases=$((cases + 1))
grep -q '^injected line' "$WORK/err" && fail_case "fault string: a newline from the register split the message"
printf '<VTJHenkiloVastaussanoma><Paluukoodi koodi="0000">ok</Paluukoodi></VTJHenkiloVastaussanoma>' >"$WORK/empty-found.xml"
run --config "$WORK/empty.conf" --response "$WORK/empty-found.xml"
expect_status "success code without a person is a register error" 6
expect_no_out "success without a person: nothing passed" "VTJ-Status: ok"

# VTJOnRegisterError pass: the request goes on without person data, status unavailable.
run --config "$WORK/pass.conf" --response "$RESPONSES/truncated.xml"
expect_status "pass policy exit" 6
expect_out "pass policy status header" "VTJ-Status: unavailable"
expect_no_out "pass policy: no person headers" "^VTJ-(Hetu|Surname)"

# Security prohibition: withheld by default, passed on request, denied on request.
run --config "$WORK/empty.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_status "prohibition withhold" 0
expect_out "prohibition flag" "VTJ-Security-Prohibition: 1"
expect_no_out "no street address" "^VTJ-(Street-Address|Postal-Code|Post-Office|Municipality|Municipality-Code):"
expect_out "name still there (percent)" "VTJ-Surname: %C3%85kerlund-Nowak"
expect_out "two nationalities (percent)" "VTJ-Nationality: 246%2C616"
run --config "$WORK/passprohib.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_out "prohibition pass" "VTJ-Street-Address: Salainen katu 1"
expect_out "municipality code keeps zeros" "VTJ-Municipality-Code: 091"
expect_out "postal code keeps zeros" "VTJ-Postal-Code: 00100"
run --config "$WORK/deny.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_status "prohibition deny" 5
expect_no_out "prohibition deny: nothing passed" "."

# Encodings of "Zoë Łucja".
run --config "$WORK/b64.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_out "base64" "VTJ-Given-Names: Wm/DqyDFgXVjamE="
run --config "$WORK/latin1.conf" --response "$RESPONSES/prohibition_0000.xml"
cases=$((cases + 1))
grep -qxF "VTJ-Given-Names: $(printf 'Zo\xeb ?ucja')" "$WORK/out" || fail_case "latin1: Ł becomes ?"
run --config "$WORK/prefix.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_out "header prefix" "X-Citizen-Given-Names: Zoë Łucja"
expect_out "status with prefix" "X-Citizen-Status: ok"
run --config "$WORK/custom.conf" --response "$RESPONSES/prohibition_0000.xml"
expect_out "custom header" "X-Name: Åkerlund-Nowak"
expect_no_out "custom list replaces the default set" "^VTJ-Hetu:"
expect_no_out "Kotikunta path withheld under prohibition" "^X-Kommun:"
expect_out "status always sent" "VTJ-Status: ok"

# A register value with CR, LF and TAB (and a would-be header after them) never splits a header line,
# in any encoding.
cat >"$WORK/inject.xml" <<'XML'
<VTJHenkiloVastaussanoma><Paluukoodi koodi="0000">ok</Paluukoodi><Henkilo>
<Henkilotunnus>010170-960F</Henkilotunnus>
<NykyinenSukunimi><Sukunimi>Evil&#13;&#10;X-Injected: 1&#9;&#x85;end</Sukunimi></NykyinenSukunimi>
</Henkilo></VTJHenkiloVastaussanoma>
XML
for enc in percent utf8 base64 latin1; do
  printf 'VTJHeaderEncoding %s\n' "$enc" >"$WORK/enc.conf"
  run --config "$WORK/enc.conf" --response "$WORK/inject.xml"
  expect_status "injection attempt, $enc" 0
  expect_no_out "no injected header line, $enc" "^X-Injected"
  cases=$((cases + 1))
  LC_ALL=C tr -d '\n' <"$WORK/out" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' &&
    fail_case "control characters in the output, $enc"
  if [ "$enc" != latin1 ]; then
    cases=$((cases + 1))
    LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$WORK/out" && fail_case "C1 control characters in the output, $enc"
  fi
  cases=$((cases + 1))
  [ "$(grep -c '^VTJ-' "$WORK/out")" -eq "$(wc -l <"$WORK/out")" ] || fail_case "every line is a VTJ header, $enc"
done
printf 'VTJHeaderEncoding utf8\n' >"$WORK/enc.conf"
run --config "$WORK/enc.conf" --response "$WORK/inject.xml"
expect_out "utf8 drops the control characters" "VTJ-Surname: EvilX-Injected: 1end"
printf 'VTJHeaderEncoding percent\n' >"$WORK/enc.conf"
run --config "$WORK/enc.conf" --response "$WORK/inject.xml"
expect_out "percent escapes them" "VTJ-Surname: Evil%0D%0AX-Injected%3A%201%09%C2%85end"

# JSON: raw UTF-8 values and the outcome.
run --config "$WORK/empty.conf" --response "$RESPONSES/prohibition_0000.xml" --format json
expect_status "json exit" 0
cases=$((cases + 1))
grep -qF '"surname":"Åkerlund-Nowak"' "$WORK/out" || fail_case "json raw UTF-8 value"
cases=$((cases + 1))
grep -qF '"outcome":"found"' "$WORK/out" || fail_case "json outcome"
run --config "$WORK/empty.conf" --response "$RESPONSES/notfound_0001.xml" --format json
cases=$((cases + 1))
grep -qF '"http_status":403' "$WORK/out" || fail_case "json deny status"

# A saved answer checked against the identifier asked about.
run --config "$WORK/empty.conf" --hetu 010170-960F --response "$RESPONSES/prohibition_0000.xml"
expect_status "answer for the hetu asked" 0
run --config "$WORK/empty.conf" --hetu 020365-999P --response "$RESPONSES/prohibition_0000.xml"
expect_status "answer about somebody else" 6
expect_no_out "answer about somebody else: nothing passed" "^VTJ-(Hetu|Surname)"
expect_err "mismatch explained" "does not match the query"
expect_no_err "mismatch: no full hetu" "010170-960F"

# Usage errors, and a live query without register settings.
run
expect_status "no arguments" 2
run --response "$RESPONSES/notfound_0001.xml"
expect_status "no --config" 2
run --config "$WORK/empty.conf" --satu 12345678N --hetu 010170-960F
expect_status "two identifiers" 2
run --config "$WORK/empty.conf" --hetu 010170-999X
expect_status "hetu with a wrong check character" 2
run --config "$WORK/empty.conf" --satu 12345678A
expect_status "satu with a wrong check character" 2
run --config "$WORK/empty.conf" --response "$RESPONSES/notfound_0001.xml" --format yaml
expect_status "bad format" 2
run --config "$WORK/empty.conf" --hetu 010170-960F
expect_status "live query without a register configured" 2
expect_err "clear message" "VTJRegisterURL"
run --config "$WORK/empty.conf" --hetu 010170-960F --repeat 0
expect_status "repeat needs a positive count" 2
run --config "$WORK/empty.conf" --response "$RESPONSES/notfound_0001.xml" --repeat 3
expect_status "repeat does not go with a saved response" 2
finish
