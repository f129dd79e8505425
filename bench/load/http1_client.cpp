// HTTP/1.1 for the load generator: one request at a time per connection, kept alive; responses framed by
// Content-Length, chunked coding or the connection's end. Bodies are counted, not kept.

#include <string_view>

#include "client_conn.hpp"

namespace vtj::bench {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool istarts(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

bool contains_token(std::string_view value, std::string_view token) {
  std::string v;
  for (char c : value) {
    v += lower(c);
  }
  return v.find(token) != std::string::npos;
}

class ResponseParser {
 public:
  enum class Result { NeedMore, Done, Error };

  void reset(bool head_request) {
    state_ = State::Head;
    head_.clear();
    head_request_ = head_request;
    status_ = 0;
    close_ = false;
  }
  // Consumes from [p, end), advancing p; stops at the end of one response.
  Result feed(const char*& p, const char* end);
  int status() const { return status_; }
  bool close() const { return close_; }
  bool until_close() const { return state_ == State::UntilClose; }

 private:
  enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose };
  Result parse_head();

  State state_ = State::Head;
  std::string head_;  // the status line and fields; also the current chunk-size or trailer line
  bool head_request_ = false;
  int status_ = 0;
  bool close_ = false;
  size_t left_ = 0;  // body or chunk bytes still to come
};

ResponseParser::Result ResponseParser::parse_head() {
  std::string_view h = head_;
  bool http10 = h.substr(0, 9) == "HTTP/1.0 ";
  if (h.size() < 12 || (h.substr(0, 9) != "HTTP/1.1 " && !http10) || h[9] < '1' || h[9] > '5') {
    return Result::Error;
  }
  status_ = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
  bool chunked = false;
  bool have_length = false;
  size_t length = 0;
  bool keep_alive = !http10;
  size_t pos = h.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < h.size()) {
    size_t eol = h.find("\r\n", pos + 2);
    std::string_view line = h.substr(pos + 2, eol - pos - 2);
    pos = eol;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    if (istarts(line, "content-length:")) {
      have_length = true;
      length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          break;
        }
        length = length * 10 + static_cast<size_t>(c - '0');
      }
    } else if (istarts(line, "transfer-encoding:")) {
      chunked = contains_token(value, "chunked");
    } else if (istarts(line, "connection:")) {
      if (contains_token(value, "close")) {
        keep_alive = false;
      } else if (contains_token(value, "keep-alive")) {
        keep_alive = true;
      }
    }
  }
  close_ = !keep_alive;
  head_.clear();
  if (status_ < 200) {
    state_ = State::Head;  // 100 Continue and friends: the real answer follows
    return Result::NeedMore;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    return Result::Done;
  }
  if (chunked) {
    state_ = State::ChunkSize;
  } else if (have_length) {
    left_ = length;
    state_ = State::Body;
    if (left_ == 0) {
      return Result::Done;
    }
  } else {
    state_ = State::UntilClose;
    close_ = true;
  }
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::feed(const char*& p, const char* end) {
  while (p < end) {
    switch (state_) {
      case State::Head: {
        size_t old = head_.size();
        head_.append(p, static_cast<size_t>(end - p));
        size_t at = head_.find("\r\n\r\n", old < 3 ? 0 : old - 3);
        if (at == std::string::npos) {
          p = end;
          if (head_.size() > 64 * 1024) {
            return Result::Error;
          }
          return Result::NeedMore;
        }
        p = end - (head_.size() - (at + 4));  // the bytes after the head go back to the input
        head_.resize(at + 2);                 // keep the last field's CRLF for the field loop
        Result r = parse_head();
        if (r != Result::NeedMore) {
          return r;
        }
        break;
      }
      case State::Body: {
        size_t take = std::min(left_, static_cast<size_t>(end - p));
        p += take;
        left_ -= take;
        if (left_ == 0) {
          return Result::Done;
        }
        break;
      }
      case State::ChunkSize:
      case State::Trailer: {
        char c = *p++;
        if (c != '\n') {
          head_ += c;
          if (head_.size() > 4096) {
            return Result::Error;
          }
          break;
        }
        if (!head_.empty() && head_.back() == '\r') {
          head_.pop_back();
        }
        if (state_ == State::Trailer) {
          bool last = head_.empty();
          head_.clear();
          if (last) {
            return Result::Done;
          }
          break;
        }
        size_t size = 0;
        size_t digits = 0;
        for (char d : head_) {
          int v = (d >= '0' && d <= '9')                 ? d - '0'
                  : (lower(d) >= 'a' && lower(d) <= 'f') ? lower(d) - 'a' + 10
                                                         : -1;
          if (v < 0) {
            break;
          }
          size = size * 16 + static_cast<size_t>(v);
          ++digits;
        }
        head_.clear();
        if (digits == 0 || digits > 15) {
          return Result::Error;
        }
        left_ = size;
        state_ = size == 0 ? State::Trailer : State::ChunkData;
        break;
      }
      case State::ChunkData: {
        size_t take = std::min(left_, static_cast<size_t>(end - p));
        p += take;
        left_ -= take;
        if (left_ == 0) {
          state_ = State::ChunkDataEnd;
          left_ = 2;
        }
        break;
      }
      case State::ChunkDataEnd:
        // The CRLF after the chunk's data.
        if (*p != (left_ == 2 ? '\r' : '\n')) {
          return Result::Error;
        }
        ++p;
        if (--left_ == 0) {
          state_ = State::ChunkSize;
        }
        break;
      case State::UntilClose:
        p = end;
        break;
    }
  }
  return Result::NeedMore;
}

class Http1Driver final : public Driver {
 public:
  Http1Driver(Shared& shared, ConnQuota& quota) : shared_(shared), quota_(quota) {}

  void begin(Clock::time_point, Clock::time_point connect_started) override { next(connect_started); }

  Status on_input(const char* data, size_t len, Clock::time_point now) override {
    const char* p = data;
    const char* end = data + len;
    while (p < end) {
      if (!in_flight_) {
        shared_.stats.error("data from the server with no request outstanding");
        return Status::Error;
      }
      auto r = parser_.feed(p, end);
      if (r == ResponseParser::Result::Error) {
        shared_.stats.error("malformed HTTP/1.1 response");
        return Status::Error;
      }
      if (r == ResponseParser::Result::NeedMore) {
        return Status::Ok;
      }
      answered(now);
      if (parser_.close()) {
        return p == end ? Status::Close : Status::Error;
      }
      next(now);
    }
    return in_flight_ ? Status::Ok : Status::Close;  // not in flight: the quota is spent
  }

  Status on_close(Clock::time_point now) override {
    if (in_flight_ && parser_.until_close()) {
      answered(now);
      return Status::Close;
    }
    return in_flight_ ? Status::Error : Status::Close;
  }

  void produce(std::string& out) override {
    if (queued_) {
      out += shared_.request;
      queued_ = false;
    }
  }

  uint64_t in_flight() const override { return in_flight_ ? 1 : 0; }

 private:
  void next(Clock::time_point started) {
    if (!shared_.running || !quota_.take()) {
      return;
    }
    parser_.reset(shared_.options.method == "HEAD");
    started_ = started;
    in_flight_ = true;
    queued_ = true;
  }

  void answered(Clock::time_point now) {
    shared_.stats.record(parser_.status(), now - started_);
    quota_.finish(1);
    in_flight_ = false;
  }

  Shared& shared_;
  ConnQuota& quota_;
  ResponseParser parser_;
  Clock::time_point started_;
  bool in_flight_ = false;
  bool queued_ = false;
};

}  // namespace

std::string build_http1_request(const LoadOptions& o) {
  bool v6 = o.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + o.host + "]" : o.host;
  std::string r = o.method + " " + o.target + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(o.port) +
                  "\r\nUser-Agent: vtj-load\r\n";
  for (const auto& h : o.headers) {
    r += h + "\r\n";
  }
  if (!o.body.empty() || o.method == "POST" || o.method == "PUT") {
    r += "Content-Length: " + std::to_string(o.body.size()) + "\r\n";
  }
  r += "\r\n";
  r += o.body;
  return r;
}

std::unique_ptr<Driver> make_http1_driver(Shared& shared, ConnQuota& quota) {
  return std::make_unique<Http1Driver>(shared, quota);
}

}  // namespace vtj::bench
