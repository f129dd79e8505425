#!/usr/bin/env bash
# vtj-resolve --cert: the module's certificate checks from the command line, with certificates made here
# by the openssl command line in the FINEID profile (and outside it).
. "$(dirname "$0")/lib.sh"
: "${VTJ_SOURCE_DIR:?}"
cd "$WORK"
q() { "$@" >/dev/null 2>&1; }

mkca() { # name subject [issuer-name]
  if [ $# -eq 2 ]; then
    q openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 -subj "$2" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  else
    q openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\ncertificatePolicies=1.2.246.517.1.10.301.1\n' >"$1.ext"
    q openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" -days 3650 -extfile "$1.ext"
  fi
}
leaf() { # name subject issuer keyusage [days]
  q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" -utf8
  printf 'keyUsage=critical,%s\ncertificatePolicies=1.2.246.517.1.10.301.1\n' "$4" >"$1.ext"
  q openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" -days "${5:-365}" -extfile "$1.ext"
}
mkca root "/C=FI/O=Digi- ja vaestotietovirasto TEST/CN=DVV TEST Root CA - G3"
mkca citizen "/C=FI/O=Digi- ja vaestotietovirasto TEST/CN=DVV TEST Citizen Certificates - G4R" root
# Same name as the citizen CA, another key: must never be accepted in its place.
mkca impostor "/C=FI/O=Digi- ja vaestotietovirasto TEST/CN=DVV TEST Citizen Certificates - G4R" root
auth=digitalSignature,keyEncipherment,dataEncipherment
leaf good "/C=FI/serialNumber=12345678N/GN=Zoë/SN=Åkerlund/CN=ÅKERLUND ZOË 12345678N" citizen "$auth"
leaf forged "/C=FI/serialNumber=12345678N/GN=Zoë/SN=Åkerlund/CN=ÅKERLUND ZOË 12345678N" impostor "$auth"
leaf badsatu "/C=FI/serialNumber=12345678A/GN=Bad/SN=Satu/CN=SATU BAD 12345678A" citizen "$auth"
leaf nosatu "/C=FI/GN=No/SN=Satu/CN=SATU NO" citizen "$auth"
leaf signing "/C=FI/serialNumber=12345678N/GN=Zoë/SN=Åkerlund/CN=ÅKERLUND ZOË 12345678N" citizen nonRepudiation
openssl x509 -in good.pem -outform DER -out good.der
printf 'VTJCitizenIssuer %s\nVTJHeaderEncoding utf8\n' "$WORK/citizen.pem" >site.conf
printf 'VTJCitizenIssuer %s\n' "$VTJ_SOURCE_DIR/certs/fineid/citizen-issuers.pem" >production.conf
: >noissuer.conf
by_hetu="$SAMPLES/kansalaisaloite_PERUSJHHS2_Nordea_210281-9988_Nordea_Demo.xml"
# The same answer as the register gives when asked by the certificate's SATU: the criteria echo names it.
resp="$WORK/asked-by-satu.xml"
sed 's|hakuperustePaluukoodi="4"></ns2:SahkoinenAsiointitunnus>|hakuperustePaluukoodi="1">12345678N</ns2:SahkoinenAsiointitunnus>|' \
  "$by_hetu" >"$resp"

run --config site.conf --cert good.pem --response "$resp"
expect_status "good PEM certificate" 0
expect_out "SATU from the certificate" "VTJ-Satu: 12345678N"
expect_out "register data" "VTJ-Hetu: 210281-9988"
run --config site.conf --cert good.pem --response "$by_hetu"
expect_status "an answer that names no SATU is not the certificate's" 6
expect_err "names no SATU: explained" "names no SATU"
run --config site.conf --cert good.der --response "$resp"
expect_status "good DER certificate" 0
expect_out "SATU from the DER certificate" "VTJ-Satu: 12345678N"
run --config site.conf --cert forged.pem --response "$resp"
expect_status "same issuer name, other key" 3
expect_no_out "forged: nothing printed" "VTJ-"
run --config site.conf --cert badsatu.pem --response "$resp"
expect_status "bad SATU check character" 3
run --config site.conf --cert nosatu.pem --response "$resp"
expect_status "no serialNumber" 3
run --config site.conf --cert signing.pem --response "$resp"
expect_status "signing (nonRepudiation) certificate" 3
run --config site.conf --cert citizen.pem --response "$resp"
expect_status "a CA certificate" 3
printf 'not a certificate' >junk.pem
run --config site.conf --cert junk.pem --response "$resp"
expect_status "garbage" 3
run --config production.conf --cert good.pem --response "$resp"
expect_status "test certificate against the production issuer list" 3
run --config noissuer.conf --cert good.pem --response "$resp"
expect_status "no issuer configured" 2
expect_err "no issuer: explained" "VTJCitizenIssuer"
run --config site.conf --cert good.pem
expect_status "certificate without a response queries the register: none configured" 2
expect_err "names the missing directive" "VTJRegisterURL"

# The query a login makes: by SATU, with the certificate and both check flags (VTJCertificateCheck On).
printf 'pw\n' >pw
printf 'VTJCitizenIssuer %s\nVTJProduct P\nVTJCredentials u %s\nVTJEndUser e\n' "$WORK/citizen.pem" "$WORK/pw" >query.conf
run --config query.conf --cert good.pem --show-request
expect_status "login query" 0
body=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' good.pem | grep -v CERTIFICATE | tr -d '\n')
for part in "SahkoinenAsiointitunnus>12345678N<" "X509Certificate>$body<" \
  "VarmenteenMyontaja>DVV TEST Citizen Certificates - G4R<" "VarmenteenVoimassaolotarkistus>1<" \
  "VarmenteenSulkulistatarkistus>1<"; do
  cases=$((cases + 1))
  grep -qF -- "$part" "$WORK/out" || fail_case "login query carries ${part%%>*}"
done
printf 'VTJCertificateCheck Off\n' >>query.conf
run --config query.conf --cert good.pem --show-request
cases=$((cases + 1))
grep -qF "X509Certificate></" "$WORK/out" || fail_case "VTJCertificateCheck Off sends no certificate"
finish
