#include "identity/asn1_text.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>

#include "identity/openssl_ptr.hpp"

namespace vtj::identity {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
    c = kReplacement;
  }
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Strict UTF-8 decoding (no overlong forms, no surrogates); a bad sequence yields one U+FFFD and
// decoding resumes at the next byte.
void decode_utf8(const unsigned char* p, size_t n, std::string& out) {
  size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (p[i + k] & 0xC0) == 0x80;
      c = (c << 6) | (p[i + k] & 0x3F);
    }
    constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (!ok || c < kMinimum[len]) {
      append_utf8(out, kReplacement);
      ++i;
      continue;
    }
    append_utf8(out, c);
    i += len;
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
    append_utf8(out, c);
  }
  if (n % 2 != 0) {
    append_utf8(out, kReplacement);
  }
}

void decode_ucs4be(const unsigned char* p, size_t n, std::string& out) {
  for (size_t i = 0; i + 3 < n; i += 4) {
    append_utf8(out, (static_cast<char32_t>(p[i]) << 24) | (static_cast<char32_t>(p[i + 1]) << 16) |
                         (static_cast<char32_t>(p[i + 2]) << 8) | p[i + 3]);
  }
  if (n % 4 != 0) {
    append_utf8(out, kReplacement);
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
      decode_utf8(p, n, out);
      break;
    case V_ASN1_BMPSTRING:
      decode_utf16be(p, n, out);
      break;
    case V_ASN1_UNIVERSALSTRING:
      decode_ucs4be(p, n, out);
      break;
    default:
      for (size_t i = 0; i < n; ++i) {
        append_utf8(out, p[i]);
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
