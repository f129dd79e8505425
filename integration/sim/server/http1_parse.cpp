#include "http1_parse.hpp"

#include <cstdint>
#include "text/ascii.hpp"

namespace vtj::sim {
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!is_tchar(c)) {
      return false;
    }
  }
  return true;
}

// Calls f(token) for each comma-separated element of a list-valued field.
template <class F>
void for_each_element(std::string_view list, F f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    f(text::trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

bool has_control_chars(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return true;
    }
  }
  return false;
}

RequestHead fail(int status, const char* why) {
  RequestHead h;
  h.error_status = status;
  h.error = why;
  h.keep_alive = false;
  return h;
}

}  // namespace

RequestHead parse_request_head(std::string_view head, HttpRequest& request, size_t max_body,
                               HeaderPool& pool) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);

  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    return fail(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty() || has_control_chars(target)) {
    return fail(400, "malformed request line");
  }
  bool http11 = version == "HTTP/1.1";
  if (!http11 && version != "HTTP/1.0") {
    bool looks_http = version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.';
    return looks_http ? fail(505, "HTTP version not supported") : fail(400, "malformed request line");
  }
  // Absolute form (sent to proxies, allowed to origin servers too): keep only the path and query.
  if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  } else if (target.front() != '/' && target != "*") {
    return fail(400, "malformed request target");
  }
  size_t q = target.find('?');
  request.method.assign(method);
  request.path.assign(target.substr(0, q));
  request.query.assign(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));

  RequestHead h;
  h.head_method = method == "HEAD";
  bool have_length = false;
  bool have_te = false;
  bool close = false;
  bool keep_alive_token = false;
  int hosts = 0;
  std::string_view last_coding;
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
    if (line.empty() || line.front() == ' ' || line.front() == '\t') {
      return fail(400, "obsolete line folding or empty header line");
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      return fail(400, "malformed header field");
    }
    std::string_view value = text::trim(line.substr(colon + 1));
    if (has_control_chars(value)) {
      return fail(400, "control character in a header field");
    }
    auto& [name, stored] = pool.add(request.headers, line.substr(0, colon), value);
    for (char& c : name) {
      c = text::ascii_lower(c);
    }
    if (name == "content-length") {
      uint64_t n = 0;
      if (value.empty() || value.size() > 12) {
        return fail(400, "malformed Content-Length");
      }
      for (char c : value) {
        if (c < '0' || c > '9') {
          return fail(400, "malformed Content-Length");
        }
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (have_length && n != h.content_length) {
        return fail(400, "conflicting Content-Length fields");
      }
      if (n > max_body) {
        return fail(413, "request body too large");
      }
      have_length = true;
      h.content_length = static_cast<size_t>(n);
    } else if (name == "transfer-encoding") {
      have_te = true;
      for_each_element(value, [&](std::string_view coding) {
        if (!coding.empty()) {
          last_coding = coding;
        }
      });
    } else if (name == "connection") {
      for_each_element(value, [&](std::string_view option) {
        close = close || text::iequals(option, "close");
        keep_alive_token = keep_alive_token || text::iequals(option, "keep-alive");
      });
    } else if (name == "expect") {
      if (!text::iequals(value, "100-continue")) {
        return fail(417, "unsupported expectation");
      }
      h.expect_continue = http11;
    } else if (name == "host") {
      ++hosts;
    }
  }
  if (have_te) {
    // Chunked must be the final coding (RFC 9112 6.3); a Content-Length beside it smells of smuggling.
    if (have_length) {
      return fail(400, "both Transfer-Encoding and Content-Length");
    }
    if (!text::iequals(last_coding, "chunked")) {
      return fail(501, "transfer coding not supported");
    }
    h.chunked = true;
  }
  if (hosts > 1 || (http11 && hosts == 0)) {
    return fail(400, "an HTTP/1.1 request needs exactly one Host field");
  }
  h.keep_alive = http11 ? !close : (keep_alive_token && !close);
  return h;
}

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view in, size_t& pos, std::string& body,
                                            size_t max_body) {
  constexpr size_t kMaxLine = 4096;  // a chunk-size line with extensions, or a trailer field
  for (;;) {
    switch (state_) {
      case State::Size: {
        size_t eol = in.find("\r\n", pos);
        if (eol == std::string_view::npos) {
          return in.size() - pos > kMaxLine ? Status::Bad : Status::NeedMore;
        }
        std::string_view line = in.substr(pos, eol - pos);
        size_t size = 0;
        size_t digits = 0;
        for (char c : line) {
          int v = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
          if (v < 0) {
            break;
          }
          if (++digits > 15) {
            return Status::TooLarge;
          }
          size = size * 16 + static_cast<size_t>(v);
        }
        // After the digits only whitespace or ';' extensions (ignored) may follow.
        if (digits == 0 ||
            (digits < line.size() && line[digits] != ';' && line[digits] != ' ' && line[digits] != '\t')) {
          return Status::Bad;
        }
        pos = eol + 2;
        if (size == 0) {
          state_ = State::Trailer;
          break;
        }
        if (body.size() + size > max_body) {
          return Status::TooLarge;
        }
        remaining_ = size;
        state_ = State::Data;
        break;
      }
      case State::Data: {
        size_t take = std::min(remaining_, in.size() - pos);
        body.append(in.data() + pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          return Status::NeedMore;
        }
        state_ = State::DataEnd;
        break;
      }
      case State::DataEnd:
        if (in.size() - pos < 2) {
          return Status::NeedMore;
        }
        if (in.substr(pos, 2) != "\r\n") {
          return Status::Bad;
        }
        pos += 2;
        state_ = State::Size;
        break;
      case State::Trailer: {
        size_t eol = in.find("\r\n", pos);
        if (eol == std::string_view::npos) {
          return in.size() - pos > kMaxLine ? Status::Bad : Status::NeedMore;
        }
        bool last = eol == pos;
        pos = eol + 2;  // trailer fields are read and dropped
        if (last) {
          reset();
          return Status::Done;
        }
        break;
      }
    }
  }
}

}  // namespace vtj::sim
