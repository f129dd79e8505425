#!/usr/bin/env bash
# pki.verify: checks the test PKI that make-test-pki wrote (docs/test-pki.md) with openssl and with the
# project's own certificate reader (vtj-resolve --cert), and checks that make-test-pki is idempotent.
#
# Environment (set by integration/pki/CMakeLists.txt):
#   VTJ_PKI_DIR     the PKI written by the pki.make test
#   VTJ_RESOLVE     the vtj-resolve binary
#   VTJ_SOURCE_DIR  the repository
set -euo pipefail

: "${VTJ_PKI_DIR:?set VTJ_PKI_DIR to the PKI directory}"
: "${VTJ_RESOLVE:?set VTJ_RESOLVE to the vtj-resolve binary}"
: "${VTJ_SOURCE_DIR:?set VTJ_SOURCE_DIR to the repository}"
pki=$VTJ_PKI_DIR
make_pki=$VTJ_SOURCE_DIR/integration/pki/make-test-pki
dataset=$VTJ_SOURCE_DIR/integration/data/register.conf
response=$VTJ_SOURCE_DIR/tests/data/responses/notfound_0001.xml
for f in "$pki/make-test-pki.stamp" "$VTJ_RESOLVE" "$make_pki" "$dataset" "$response"; do
  [[ -e $f ]] || { echo "verify_test: missing $f" >&2; exit 1; }
done
export LC_ALL=C.UTF-8

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

checks=0
failures=0
ok() { checks=$((checks + 1)); }
fail() {
  checks=$((checks + 1))
  failures=$((failures + 1))
  printf 'FAIL: %s\n' "$1" >&2
  [[ -z ${2-} ]] || printf '%s\n' "$2" | sed 's/^/      /' >&2
}
# expect_ok DESCRIPTION COMMAND...: the command must succeed.
expect_ok() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then ok; else fail "$desc" "$out"; fi
}
# expect_fail DESCRIPTION PATTERN COMMAND...: the command must fail and say PATTERN (extended regex).
expect_fail() {
  local desc=$1 pattern=$2 out
  shift 2
  if out=$("$@" 2>&1); then
    fail "$desc (succeeded)" "$out"
  elif ! grep -Eqi -- "$pattern" <<<"$out"; then
    fail "$desc (failed without /$pattern/)" "$out"
  else
    ok
  fi
}
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
  if [[ $2 == "$3" ]]; then ok; else fail "$1" "expected: $2"$'\n'"actual:   $3"; fi
}

# --- the data set, read independently of make-test-pki ------------------------------------------------
# One line per person: id, satu, certificate, surname, given-names; separated by US (0x1F) so that empty
# values survive read.
persons_tsv=$work/persons
awk '
  function trim(s) { sub(/^[ \t\r]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
  /^[ \t]*#/ || /^[ \t\r]*$/ { next }
  /^[ \t]*\[/ {
    person = 0
    if ($0 ~ /^[ \t]*\[[ \t]*person[ \t]+/) {
      id = $0; sub(/^[ \t]*\[[ \t]*person[ \t]+/, "", id); sub(/[ \t]*\][ \t\r]*$/, "", id)
      person = 1; order[++n] = id
    }
    next
  }
  person && index($0, "=") {
    k = trim(substr($0, 1, index($0, "=") - 1)); v[id, k] = trim(substr($0, index($0, "=") + 1))
  }
  END {
    for (i = 1; i <= n; i++) {
      id = order[i]
      printf "%s\037%s\037%s\037%s\037%s\n", id, v[id, "satu"], v[id, "certificate"], v[id, "surname"], v[id, "given-names"]
    }
  }' "$dataset" >"$persons_tsv"

declare -A p_satu=() p_kind=() p_sn=() p_gn=()
citizens=()
while IFS=$'\x1f' read -r id satu kind sn gn; do
  p_satu[$id]=$satu p_kind[$id]=$kind p_sn[$id]=$sn p_gn[$id]=$gn
  if [[ -n $satu && ($kind == rsa || $kind == ec) ]]; then citizens+=("$id"); fi
done <"$persons_tsv"
((${#citizens[@]} >= 10)) || fail "the data set names at least 10 persons with a certificate (found ${#citizens[@]})"

expected_subject() { # expected_subject ID [SATU|-]: the FINEID subject, one "type=TYPE:value" per line
  local id=$1 satu=${p_satu[$1]} sn=${p_sn[$1]} gn=${p_gn[$1]} type=${3:-UTF8STRING} cn
  [[ ${2-} == - || -z ${2-} ]] || satu=$2
  cn=$satu
  [[ -z $gn ]] || cn="${gn^^} $cn"
  [[ -z $sn ]] || cn="${sn^^} $cn"
  printf 'C=PRINTABLESTRING:FI\n'
  [[ ${2-} == - ]] || printf 'serialNumber=PRINTABLESTRING:%s\n' "$satu"
  [[ -z $gn ]] || printf 'GN=%s:%s\n' "$type" "$gn"
  [[ -z $sn ]] || printf 'SN=%s:%s\n' "$type" "$sn"
  printf 'CN=%s:%s\n' "$type" "$cn"
}
subject_of() {
  openssl x509 -in "$1" -noout -subject -nameopt utf8,sep_multiline,show_type,sname | sed '1d; s/^ *//'
}
ext_of() { # ext_of FILE NAME: the text of one extension
  openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null | sed 's/^ *//'
}
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }

# --- layout --------------------------------------------------------------------------------------------
for f in citizen-root.pem citizen-g4r.pem citizen-g4e.pem citizen-issuers.pem org-ca.pem tls-client-ca.pem \
  citizen-crl.pem tls-client-crl.pem citizen/index.tsv server-ca.pem register.pem register.key web.pem web.key \
  mitm-ca.pem mitm.pem mitm.key customer-ca.pem customer.pem customer.key untrusted-ca.pem \
  untrusted-customer.pem untrusted-customer.key; do
  if [[ -s $pki/$f ]]; then ok; else fail "layout: $f exists"; fi
done
specials=(expired not-yet-valid revoked org-ca no-serial bad-satu t61-names signing ca-flag forged-issuer)
for name in "${specials[@]}"; do
  for ext in pem key p12; do
    if [[ -s $pki/special/$name.$ext ]]; then ok; else fail "layout: special/$name.$ext exists"; fi
  done
done
for id in "${citizens[@]}"; do
  for ext in pem key p12; do
    if [[ -s $pki/citizen/$id.$ext ]]; then ok; else fail "layout: citizen/$id.$ext exists (person $id)"; fi
  done
done
expect_eq "layout: one citizen certificate per person with a SATU and a certificate line" \
  "${#citizens[@]}" "$(find "$pki/citizen" -name '*.pem' | wc -l)"
while IFS= read -r -d '' key; do
  expect_eq "private file ${key#"$pki"/} is readable by its owner only" 600 "$(stat -c %a "$key")"
done < <(find "$pki" -path "$pki/ca" -prune -o \( -name '*.key' -o -name '*.p12' \) -print0)
# Every certificate matches its key.
while IFS= read -r -d '' key; do
  cert=${key%.key}.pem
  expect_eq "${cert#"$pki"/} matches its key" "$(openssl pkey -in "$key" -pubout)" \
    "$(openssl x509 -in "$cert" -noout -pubkey)"
done < <(find "$pki" -path "$pki/ca" -prune -o -name '*.key' -print0)

# --- CA certificates -----------------------------------------------------------------------------------
count_certs() { grep -c -- '-----BEGIN CERTIFICATE-----' "$1"; }
expect_eq "citizen-issuers.pem holds exactly two certificates" 2 "$(count_certs "$pki/citizen-issuers.pem")"
expect_eq "tls-client-ca.pem holds root, G4R, G4E and organisation CA" \
  "$(cat "$pki/citizen-root.pem" "$pki/citizen-g4r.pem" "$pki/citizen-g4e.pem" "$pki/org-ca.pem")" \
  "$(cat "$pki/tls-client-ca.pem")"
expect_eq "citizen-issuers.pem is G4R then G4E" "$(cat "$pki/citizen-g4r.pem" "$pki/citizen-g4e.pem")" \
  "$(cat "$pki/citizen-issuers.pem")"
expect_eq "root subject" "CN=UTF8STRING:DVV TEST Gov. Root CA - G3" "$(subject_of "$pki/citizen-root.pem" | tail -1)"
expect_eq "root is self-issued" "$(openssl x509 -in "$pki/citizen-root.pem" -noout -subject)" \
  "$(openssl x509 -in "$pki/citizen-root.pem" -noout -issuer | sed 's/^issuer/subject/')"
expect_ok "root key is RSA" grep -q 'rsaEncryption' <(openssl x509 -in "$pki/citizen-root.pem" -noout -text)
check_intermediate() { # check_intermediate FILE CN POLICY KEY-PATTERN
  local f=$pki/$1
  expect_eq "$1: subject CN" "CN=UTF8STRING:$2" "$(subject_of "$f" | tail -1)"
  expect_eq "$1: issued by the test root" "$(openssl x509 -in "$pki/citizen-root.pem" -noout -subject | sed 's/^subject=//')" \
    "$(openssl x509 -in "$f" -noout -issuer | sed 's/^issuer=//')"
  expect_eq "$1: basicConstraints" $'X509v3 Basic Constraints: critical\nCA:TRUE, pathlen:0' "$(ext_of "$f" basicConstraints)"
  expect_eq "$1: keyUsage" $'X509v3 Key Usage: critical\nCertificate Sign, CRL Sign' "$(ext_of "$f" keyUsage)"
  expect_eq "$1: policy" $'X509v3 Certificate Policies:\nPolicy: '"$3" "$(ext_of "$f" certificatePolicies | sed 's/ *$//')"
  expect_ok "$1: key $4" grep -Eq "$4" <(openssl x509 -in "$f" -noout -text)
  expect_ok "$1: chains to the root and may sign CRLs" \
    openssl verify -x509_strict -purpose crlsign -CAfile "$pki/citizen-root.pem" "$f"
}
check_intermediate citizen-g4r.pem "DVV TEST Citizen Certificates - G4R" 1.2.246.517.1.10.301.1 'rsaEncryption'
check_intermediate citizen-g4e.pem "DVV TEST Citizen Certificates - G4E" 1.2.246.517.1.10.351.1 'NIST CURVE: P-384'
check_intermediate org-ca.pem "DVV TEST Organisational Certificates - G4R" 1.2.246.517.1.10.301.2 'rsaEncryption'

# --- citizen certificates ------------------------------------------------------------------------------
chain=$work/citizen-chain.pem
cat "$pki/citizen-root.pem" "$pki/citizen-issuers.pem" >"$chain"
now=$(date +%s)
for id in "${citizens[@]}"; do
  f=$pki/citizen/$id.pem
  expect_eq "citizen/$id: subject in the FINEID profile" "$(expected_subject "$id")" "$(subject_of "$f")"
  expect_ok "citizen/$id: chains to the root (strict, TLS client purpose)" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$chain" "$f"
  if [[ ${p_kind[$id]} == ec ]]; then ca=G4E key='NIST CURVE: P-384'; else ca=G4R key='Public-Key: \(2048 bit\)'; fi
  expect_eq "citizen/$id: issuer" "DVV TEST Citizen Certificates - $ca" \
    "$(openssl x509 -in "$f" -noout -issuer -nameopt utf8,sep_multiline,sname | sed -n 's/^ *CN=//p')"
  expect_ok "citizen/$id: key /$key/" grep -Eq "$key" <(openssl x509 -in "$f" -noout -text)
  not_before=$(date -d "$(openssl x509 -in "$f" -noout -startdate | cut -d= -f2)" +%s)
  not_after=$(date -d "$(openssl x509 -in "$f" -noout -enddate | cut -d= -f2)" +%s)
  if ((not_before <= now && not_after > now + 365 * 86400 && not_after - not_before <= 5 * 366 * 86400)); then
    ok
  else
    fail "citizen/$id: valid now, for at least a year more, at most 5 years in all"
  fi
  expect_ok "citizen/$id: the PKCS#12 opens with the password vtj-test" \
    openssl pkcs12 -in "$pki/citizen/$id.p12" -passin pass:vtj-test -noout
done
expect_eq "citizen/index.tsv lists every citizen certificate" "${#citizens[@]}" \
  "$(grep -vc '^#' "$pki/citizen/index.tsv")"

# The authentication profile, for one certificate of each key type.
for pair in adult:1.2.246.517.1.10.301.1 adult-ec:1.2.246.517.1.10.351.1; do
  id=${pair%%:*} policy=${pair#*:}
  f=$pki/citizen/$id.pem
  expect_eq "citizen/$id: keyUsage" $'X509v3 Key Usage: critical\nDigital Signature, Key Encipherment, Data Encipherment' \
    "$(ext_of "$f" keyUsage)"
  expect_ok "citizen/$id: extendedKeyUsage has clientAuth" grep -q 'TLS Web Client Authentication' <(ext_of "$f" extendedKeyUsage)
  expect_eq "citizen/$id: policy" $'X509v3 Certificate Policies:\nPolicy: '"$policy" \
    "$(ext_of "$f" certificatePolicies | sed 's/ *$//')"
  expect_ok "citizen/$id: subjectKeyIdentifier" grep -Eq '^([0-9A-F]{2}:){19}[0-9A-F]{2}$' <(ext_of "$f" subjectKeyIdentifier)
  issuer_file=$pki/citizen-g4r.pem
  [[ $id != adult-ec ]] || issuer_file=$pki/citizen-g4e.pem
  expect_eq "citizen/$id: authorityKeyIdentifier is the issuer's key" \
    "$(ext_of "$issuer_file" subjectKeyIdentifier | tail -1)" "$(ext_of "$f" authorityKeyIdentifier | sed -n 2p)"
  expect_ok "citizen/$id: string types" grep -q '^GN=UTF8STRING:' <(subject_of "$f")
  expect_eq "citizen/$id: the PKCS#12 holds the certificate and its issuer" 2 \
    "$(openssl pkcs12 -in "$pki/citizen/$id.p12" -passin pass:vtj-test -nokeys 2>/dev/null | grep -c 'BEGIN CERTIFICATE')"
  expect_ok "citizen/$id: the PKCS#12 holds the private key" \
    grep -q 'BEGIN PRIVATE KEY' <(openssl pkcs12 -in "$pki/citizen/$id.p12" -passin pass:vtj-test -nocerts -noenc 2>/dev/null)
  expect_ok "citizen/$id: the PKCS#12 uses PBES2/PBKDF2/AES-256-CBC" \
    grep -q 'PBES2, PBKDF2, AES-256-CBC' <(openssl pkcs12 -in "$pki/citizen/$id.p12" -passin pass:vtj-test -info -noout 2>&1)
  expect_fail "citizen/$id: the PKCS#12 refuses a wrong password" 'mac verify error' \
    openssl pkcs12 -in "$pki/citizen/$id.p12" -passin pass:wrong -noout
done
serials=$(find "$pki/citizen" "$pki/special" -name '*.pem' -exec openssl x509 -noout -serial -in {} \; | sort)
expect_eq "serial numbers are unique" "$(sort -u <<<"$serials")" "$serials"

# --- special certificates ------------------------------------------------------------------------------
sp=$pki/special
adult_satu=${p_satu[adult]}
for name in "${specials[@]}"; do
  expect_ok "special/$name: the PKCS#12 opens" openssl pkcs12 -in "$sp/$name.p12" -passin pass:vtj-test -noout
done
for name in revoked t61-names no-serial bad-satu signing ca-flag; do
  expect_ok "special/$name: chains to the root" openssl verify -CAfile "$chain" "$sp/$name.pem"
done
expect_eq "special/expired: adult's subject" "$(expected_subject adult)" "$(subject_of "$sp/expired.pem")"
expect_fail "special/expired: openssl says expired" 'error 10 at .*certificate has expired' openssl verify -CAfile "$chain" "$sp/expired.pem"
expect_ok "special/expired: valid in 2021" openssl verify -attime "$(date -d 2021-06-01 +%s)" -CAfile "$chain" "$sp/expired.pem"
expect_eq "special/not-yet-valid: adult's subject" "$(expected_subject adult)" "$(subject_of "$sp/not-yet-valid.pem")"
expect_fail "special/not-yet-valid: openssl says not yet valid" 'error 9 at .*certificate is not yet valid' \
  openssl verify -CAfile "$chain" "$sp/not-yet-valid.pem"
expect_ok "special/not-yet-valid: valid in 400 days" \
  openssl verify -attime "$((now + 400 * 86400))" -CAfile "$chain" "$sp/not-yet-valid.pem"
expect_eq "special/revoked: adult-ec's subject" "$(expected_subject adult-ec)" "$(subject_of "$sp/revoked.pem")"
expect_eq "special/org-ca: adult's subject" "$(expected_subject adult)" "$(subject_of "$sp/org-ca.pem")"
expect_fail "special/org-ca: not under the citizen issuers" 'error 20 at .*unable to get local issuer' \
  openssl verify -CAfile "$chain" "$sp/org-ca.pem"
expect_ok "special/org-ca: accepted by the TLS client CA list" openssl verify -CAfile "$pki/tls-client-ca.pem" "$sp/org-ca.pem"
expect_eq "special/no-serial: adult without serialNumber" "$(expected_subject adult -)" "$(subject_of "$sp/no-serial.pem")"
bad_satu=$(openssl x509 -in "$sp/bad-satu.pem" -noout -subject -nameopt sep_multiline,sname | sed -n 's/^ *serialNumber=//p')
expect_eq "special/bad-satu: adult's SATU number" "${adult_satu:0:8}" "${bad_satu:0:8}"
if [[ ${#bad_satu} == 9 && $bad_satu != "$adult_satu" ]]; then ok; else fail "special/bad-satu: another check character ($bad_satu)"; fi
expect_eq "special/bad-satu: subject" "$(expected_subject adult "$bad_satu")" "$(subject_of "$sp/bad-satu.pem")"
expect_eq "special/signing: keyUsage nonRepudiation only" $'X509v3 Key Usage: critical\nNon Repudiation' \
  "$(ext_of "$sp/signing.pem" keyUsage)"
expect_ok "special/signing: QC statement" grep -q qcStatements <(openssl x509 -in "$sp/signing.pem" -noout -text)
expect_eq "special/ca-flag: basicConstraints" $'X509v3 Basic Constraints: critical\nCA:TRUE' "$(ext_of "$sp/ca-flag.pem" basicConstraints)"
expect_eq "special/forged-issuer: issuer name equals G4R's" \
  "$(openssl x509 -in "$pki/citizen-g4r.pem" -noout -subject | sed 's/^subject=//')" \
  "$(openssl x509 -in "$sp/forged-issuer.pem" -noout -issuer | sed 's/^issuer=//')"
expect_fail "special/forged-issuer: does not verify with G4R's key" 'error [0-9]+ at ' \
  openssl verify -partial_chain -CAfile "$pki/citizen-g4r.pem" "$sp/forged-issuer.pem"

# T61String names holding ISO-8859-1 bytes, as older cards had.
t61=$sp/t61-names.pem
expect_eq "special/t61-names: GN, SN and CN are T61STRING" 3 \
  "$(openssl asn1parse -in "$t61" | grep -ac 'prim: T61STRING ')"
expect_eq "special/t61-names: latin1's subject as T61String" "$(expected_subject latin1 '' T61STRING)" "$(subject_of "$t61")"
t61_der=$work/t61.der
openssl x509 -in "$t61" -outform DER -out "$t61_der"
for value in "${p_gn[latin1]}" "${p_sn[latin1]}"; do
  latin1=$(printf '%s' "$value" | iconv -f UTF-8 -t ISO-8859-1)
  expect_ok "special/t61-names: '$value' is stored as ISO-8859-1 bytes" env LC_ALL=C grep -qaF -- "$latin1" "$t61_der"
  if LC_ALL=C grep -qaF -- "$value" "$t61_der"; then fail "special/t61-names: '$value' is not stored as UTF-8"; else ok; fi
done

# --- revocation lists ----------------------------------------------------------------------------------
split_crls() { # split_crls FILE PREFIX: PREFIX1.pem, PREFIX2.pem, ...; prints the count
  awk -v p="$2" '/-----BEGIN X509 CRL-----/ { n++ } n { print > (p n ".pem") } END { print n + 0 }' "$1"
}
expect_eq "citizen-crl.pem holds two CRLs" 2 "$(split_crls "$pki/citizen-crl.pem" "$work/citizen-crl")"
expect_eq "tls-client-crl.pem holds four CRLs" 4 "$(split_crls "$pki/tls-client-crl.pem" "$work/tls-crl")"
revoked_serial=$(serial_of "$sp/revoked.pem")
for i in 1 2; do
  crl=$work/citizen-crl$i.pem
  issuer_file=$pki/citizen-g4r.pem
  [[ $i == 1 ]] || issuer_file=$pki/citizen-g4e.pem
  expect_ok "citizen CRL $i is signed by $(basename "$issuer_file")" openssl crl -in "$crl" -CAfile "$issuer_file" -noout
  next_update=$(date -d "$(openssl crl -in "$crl" -noout -nextupdate | cut -d= -f2)" +%s)
  if ((next_update > now + 300 * 86400)); then ok; else fail "citizen CRL $i: nextUpdate at least 300 days ahead"; fi
done
expect_ok "the G4E CRL lists special/revoked ($revoked_serial)" \
  grep -q "Serial Number: $revoked_serial" <(openssl crl -in "$work/citizen-crl2.pem" -noout -text)
expect_eq "the G4R CRL lists nothing" "No Revoked Certificates." \
  "$(openssl crl -in "$work/citizen-crl1.pem" -noout -text | grep -o 'No Revoked Certificates.')"
expect_fail "special/revoked: openssl -crl_check says revoked" 'error 23 at .*certificate revoked' \
  openssl verify -crl_check -CAfile "$chain" -CRLfile "$pki/citizen-crl.pem" "$sp/revoked.pem"
for id in adult adult-ec; do
  expect_ok "citizen/$id passes -crl_check" \
    openssl verify -crl_check -CAfile "$chain" -CRLfile "$pki/citizen-crl.pem" "$pki/citizen/$id.pem"
  expect_ok "citizen/$id passes -crl_check_all with the TLS files" \
    openssl verify -crl_check_all -CAfile "$pki/tls-client-ca.pem" -CRLfile "$pki/tls-client-crl.pem" "$pki/citizen/$id.pem"
done
expect_ok "special/org-ca passes -crl_check_all with the TLS files (the module must reject it, not TLS)" \
  openssl verify -crl_check_all -CAfile "$pki/tls-client-ca.pem" -CRLfile "$pki/tls-client-crl.pem" "$sp/org-ca.pem"
expect_fail "special/revoked fails -crl_check_all with the TLS files" 'error 23 at .*certificate revoked' \
  openssl verify -crl_check_all -CAfile "$pki/tls-client-ca.pem" -CRLfile "$pki/tls-client-crl.pem" "$sp/revoked.pem"

# --- the register side ---------------------------------------------------------------------------------
for name in register web; do
  expect_ok "$name.pem: a localhost server certificate from server-ca.pem" openssl verify -x509_strict \
    -purpose sslserver -verify_hostname localhost -CAfile "$pki/server-ca.pem" "$pki/$name.pem"
  expect_ok "$name.pem: valid for 127.0.0.1" openssl verify -purpose sslserver -verify_ip 127.0.0.1 \
    -CAfile "$pki/server-ca.pem" "$pki/$name.pem"
done
expect_fail "mitm.pem: not trusted through server-ca.pem" 'error 20 at .*unable to get local issuer' \
  openssl verify -CAfile "$pki/server-ca.pem" "$pki/mitm.pem"
expect_ok "mitm.pem: a localhost server certificate from mitm-ca.pem" \
  openssl verify -purpose sslserver -verify_hostname localhost -CAfile "$pki/mitm-ca.pem" "$pki/mitm.pem"
expect_ok "customer.pem: a client certificate from customer-ca.pem" \
  openssl verify -x509_strict -purpose sslclient -CAfile "$pki/customer-ca.pem" "$pki/customer.pem"
expect_ok "customer-ca.pem mirrors the DVV service CA with a TEST marker" \
  grep -q 'CN=UTF8STRING:DVV TEST Service Certificates' <(subject_of "$pki/customer-ca.pem")
expect_fail "untrusted-customer.pem: not trusted through customer-ca.pem" 'error 20 at .*unable to get local issuer' \
  openssl verify -CAfile "$pki/customer-ca.pem" "$pki/untrusted-customer.pem"
expect_ok "untrusted-customer.pem: a client certificate from untrusted-ca.pem" \
  openssl verify -purpose sslclient -CAfile "$pki/untrusted-ca.pem" "$pki/untrusted-customer.pem"
expect_fail "customer.pem: not a server certificate" 'error 26 at .*unsuitable certificate purpose' \
  openssl verify -purpose sslserver -CAfile "$pki/customer-ca.pem" "$pki/customer.pem"
expect_fail "citizen certificates do not chain to the customer CA" 'error 20 at .*unable to get local issuer' \
  openssl verify -CAfile "$pki/customer-ca.pem" "$pki/citizen/adult.pem"

# --- our certificate reader ----------------------------------------------------------------------------
config=$work/vtj.conf
printf 'VTJCitizenIssuer "%s"\n' "$pki/citizen-issuers.pem" >"$config"
resolve() { # resolve CERT: prints "STATUS<TAB>stderr"
  local rc=0 err
  err=$("$VTJ_RESOLVE" --config "$config" --cert "$1" --response "$response" 2>&1 >/dev/null) || rc=$?
  printf '%s\t%s' "$rc" "$err"
}
# Accepted: any outcome of the (unrelated) saved response, but not a rejected certificate (3) and not a
# usage or configuration error (2).
for f in "$pki"/citizen/*.pem "$sp/t61-names.pem" "$sp/revoked.pem"; do
  r=$(resolve "$f")
  case ${r%%$'\t'*} in
    0 | 4 | 5 | 6) ok ;;
    *) fail "vtj-resolve accepts ${f#"$pki"/}" "exit ${r%%$'\t'*}: ${r#*$'\t'}" ;;
  esac
done
# Rejected with exit status 3, for the reason the certificate was made for.
declare -A reason=([expired]='expired' [not-yet-valid]='not yet valid' [org-ca]='issuer'
  [no-serial]='serialNumber|SATU' [bad-satu]='SATU' [signing]='nonRepudiation|key usage' [ca-flag]='CA'
  [forged-issuer]='issuer|signature')
for name in "${!reason[@]}"; do
  r=$(resolve "$sp/$name.pem")
  if [[ ${r%%$'\t'*} != 3 ]]; then
    fail "vtj-resolve rejects special/$name with exit 3" "exit ${r%%$'\t'*}: ${r#*$'\t'}"
  elif ! grep -Eqi -- "${reason[$name]}" <<<"${r#*$'\t'}"; then
    fail "vtj-resolve rejects special/$name because of /${reason[$name]}/" "${r#*$'\t'}"
  else
    ok
  fi
done

# --- idempotency ---------------------------------------------------------------------------------------
snapshot() { # every file's name, size, mtime, inode and checksum
  (cd "$1" && find . -printf '%p %s %T@ %i\n' | sort && find . -type f -exec sha256sum {} + | sort)
}
before=$(snapshot "$pki")
out=$("$make_pki" "$pki" 2>&1) || fail "make-test-pki on the fixture" "$out"
expect_ok "a second run prints 'up to date'" grep -q 'up to date' <<<"$out"
expect_eq "a second run changes no file" "$before" "$(snapshot "$pki")"

copy=$work/pki
cp -a "$pki" "$copy"
data_copy=$work/register.conf
cp "$dataset" "$data_copy"
out=$("$make_pki" "$copy" "$data_copy" 2>&1) || fail "make-test-pki on a copy" "$out"
expect_ok "the same data set from another path is up to date" grep -q 'up to date' <<<"$out"

satu_check() {
  local alphabet=0123456789ABCDEFHJKLMNPRSTUVWXY n=$((10#$1))
  printf '%s' "${alphabet:n%31:1}"
}
extra_satu=10000199$(satu_check 10000199)
cat >>"$data_copy" <<EOF

# Added by pki.verify.
[person pki-extra]
hetu = 311299-999X
satu = $extra_satu
surname = Ylimääräinen
given-names = Řehoř Ärrä
certificate = ec
EOF
old_serial=$(serial_of "$copy/citizen/adult.pem")
out=$("$make_pki" "$copy" "$data_copy" 2>&1) || fail "make-test-pki after a data set change" "$out"
if grep -q 'up to date' <<<"$out"; then fail "a changed data set regenerates" "$out"; else ok; fi
if [[ -s $copy/citizen/pki-extra.pem ]]; then
  p_satu[pki-extra]=$extra_satu p_sn[pki-extra]=Ylimääräinen p_gn[pki-extra]='Řehoř Ärrä'
  expect_eq "the added person's certificate" "$(expected_subject pki-extra)" "$(subject_of "$copy/citizen/pki-extra.pem")"
  expect_ok "the added person's certificate chains to the new root" \
    openssl verify -CAfile <(cat "$copy/citizen-root.pem" "$copy/citizen-issuers.pem") "$copy/citizen/pki-extra.pem"
else
  fail "a changed data set issues the added person's certificate"
fi
if [[ $(serial_of "$copy/citizen/adult.pem") != "$old_serial" ]]; then ok; else fail "regeneration is from scratch"; fi
out=$("$make_pki" "$copy" "$data_copy" 2>&1) || fail "make-test-pki after regenerating" "$out"
expect_ok "after regenerating, up to date again" grep -q 'up to date' <<<"$out"
if compgen -G "$work/.pki.new.*" >/dev/null || compgen -G "$work/.pki.old.*" >/dev/null; then
  fail "no temporary directory is left beside OUTDIR"
else
  ok
fi

rm "$copy/special/expired.p12"
out=$("$make_pki" "$copy" "$data_copy" 2>&1) || fail "make-test-pki after a file was removed" "$out"
if grep -q 'up to date' <<<"$out"; then fail "a missing file regenerates" "$out"; else ok; fi
expect_ok "the missing file is back" test -s "$copy/special/expired.p12"

# Refusals, before any work is done.
mkdir "$work/foreign"
echo keep >"$work/foreign/notes.txt"
expect_fail "a non-empty directory without a stamp is not replaced" 'refusing' "$make_pki" "$work/foreign"
expect_eq "the foreign directory is untouched" keep "$(cat "$work/foreign/notes.txt")"
sed 's/^certificate = ec$/certificate = dsa/' "$dataset" >"$work/bad.conf"
expect_fail "an unknown certificate type is an error" "certificate = 'dsa'" "$make_pki" "$work/out-bad" "$work/bad.conf"
expect_fail "a missing data set is an error" 'not a readable file' "$make_pki" "$work/out-bad" "$work/missing.conf"
expect_fail "no arguments is a usage error" 'usage' "$make_pki"

printf 'pki.verify: %d checks, %d failed\n' "$checks" "$failures"
((failures == 0))
