#pragma once
// X.509 name attributes -> UTF-8, whatever ASN.1 string type the issuer chose.

#include <openssl/x509.h>

#include <string>
#include <vector>

namespace vtj::identity {

// UTF8String is kept (invalid sequences become U+FFFD); BMPString and UniversalString are decoded;
// every other type (PrintableString, IA5String, T61String, VisibleString, ...) is read as Latin-1, which
// is what T61String names on real FINEID cards hold. Control characters become U+FFFD.
std::string asn1_string_to_utf8(const ASN1_STRING* s);

// The values of every `nid` attribute of a name, in order, as UTF-8.
std::vector<std::string> name_values(const X509_NAME* name, int nid);

// One line of `name` in RFC 2253 form with UTF-8 kept unescaped.
std::string name_rfc2253(const X509_NAME* name);

}  // namespace vtj::identity
