#include "identity/asn1_text.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>

#include "identity/openssl_ptr.hpp"
#include "text/utf8.hpp"

namespace vtj::identity {

namespace {

// Certificate text goes into headers and logs: control characters and anything that is not a scalar
// value become U+FFFD.
void append_char(std::string& out, char32_t c) {
  if (c < 0x20 || c == 0x7F || !text::is_scalar_value(c)) {
    c = text::kReplacementChar;
  }
  text::append_utf8(out, c);
}

// Bytes one U+FFFD replaces when UTF-8 is invalid at s[i]: a whole sequence when it is complete but
// encodes a surrogate (lead ED) or a value past U+10FFFF (lead F4-F7); else the one byte, and decoding
// resumes at the next.
size_t invalid_run(std::string_view s, size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  size_t len = lead == 0xED ? 3 : lead >= 0xF4 && lead <= 0xF7 ? 4 : 1;
  if (i + len > s.size()) {
    return 1;
  }
  for (size_t k = 1; k < len; ++k) {
    if (!text::is_continuation_byte(s[i + k])) {
      return 1;
    }
  }
  return len;
}

// Valid UTF-8 as it is (controls replaced), invalid as U+FFFD.
void copy_utf8(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size();) {
    text::Utf8Char c = text::decode_utf8(s, i);
    if (c.valid) {
      append_char(out, c.cp);
      i += c.len;
    } else {
      append_char(out, text::kReplacementChar);
      i += invalid_run(s, i);
    }
  }
}

void decode_utf16be(const unsigned char* p, size_t n, std::string& out) {
  for (size_t i = 0; i + 1 < n; i += 2) {
    char32_t c = (static_cast<char32_t>(p[i]) << 8) | p[i + 1];
    if (c >= 0xD800 && c <= 0xDBFF && i + 3 < n) {
      char32_t low = (static_cast<char32_t>(p[i + 2]) << 8) | p[i + 3];
      if (low >= 0xDC00 && low <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    append_char(out, c);
  }
  if (n % 2 != 0) {
    append_char(out, text::kReplacementChar);
  }
}

void decode_ucs4be(const unsigned char* p, size_t n, std::string& out) {
  for (size_t i = 0; i + 3 < n; i += 4) {
    append_char(out, (static_cast<char32_t>(p[i]) << 24) | (static_cast<char32_t>(p[i + 1]) << 16) |
                         (static_cast<char32_t>(p[i + 2]) << 8) | p[i + 3]);
  }
  if (n % 4 != 0) {
    append_char(out, text::kReplacementChar);
  }
}

}  // namespace

std::string asn1_string_to_utf8(const ASN1_STRING* s) {
  std::string out;
  if (s == nullptr) {
    return out;
  }
  const unsigned char* p = ASN1_STRING_get0_data(s);
  int len = ASN1_STRING_length(s);
  if (p == nullptr || len <= 0) {
    return out;
  }
  size_t n = static_cast<size_t>(len);
  switch (ASN1_STRING_type(s)) {
    case V_ASN1_UTF8STRING:
      copy_utf8(std::string_view(reinterpret_cast<const char*>(p), n), out);
      break;
    case V_ASN1_BMPSTRING:
      decode_utf16be(p, n, out);
      break;
    case V_ASN1_UNIVERSALSTRING:
      decode_ucs4be(p, n, out);
      break;
    default:
      for (size_t i = 0; i < n; ++i) {
        append_char(out, p[i]);
      }
      break;
  }
  return out;
}

std::vector<std::string> name_values(const X509_NAME* name, int nid) {
  std::vector<std::string> values;
  if (name == nullptr) {
    return values;
  }
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    values.push_back(asn1_string_to_utf8(X509_NAME_ENTRY_get_data(e)));
  }
  return values;
}

std::string name_rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) {
    return {};
  }
  // RFC 2253 form, but UTF-8 kept as is instead of \XX escapes.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return {};
  }
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  return mem != nullptr ? std::string(mem->data, mem->length) : std::string();
}

}  // namespace vtj::identity
