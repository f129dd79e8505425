// HTTP/1.1 over one connection: requests are answered strictly in order, so a delayed reply holds back
// the requests pipelined behind it, and a hung one holds them back for good.

#include <charconv>
#include <string_view>

#include "dispatch.hpp"
#include "http1_parse.hpp"
#include "protocol.hpp"

namespace vtj::sim {
namespace {

class Http1 final : public Protocol {
 public:
  Http1(Wire& wire, Dispatcher& dispatcher) : wire_(wire), dispatcher_(dispatcher) {}

  void on_input(const char* data, size_t len) override;
  void on_timer(Clock::time_point now) override;
  std::optional<Clock::time_point> next_due() const override {
    return delayed_ ? std::optional(due_) : std::nullopt;
  }
  bool holding() const override { return hung_ || delayed_; }

 private:
  enum class Stage { Head, Body, Chunked };

  void parse();
  void complete();
  void respond(const Reply& reply, bool keep_alive);
  void reject(int status, const char* why);
  void start_request();

  Wire& wire_;
  Dispatcher& dispatcher_;
  std::string in_;
  size_t pos_ = 0;
  Stage stage_ = Stage::Head;
  HttpRequest request_;
  HeaderPool pool_;
  RequestHead head_;
  size_t body_left_ = 0;
  ChunkedDecoder chunks_;
  bool done_ = false;     // the connection is closing: nothing more is read
  bool hung_ = false;     // a Hang fault: no further request is ever answered
  bool delayed_ = false;  // a Latency fault: delayed_reply_ goes out at due_
  Reply delayed_reply_;
  bool delayed_keep_alive_ = true;
  Clock::time_point due_;
};

void Http1::on_input(const char* data, size_t len) {
  if (done_) {
    return;
  }
  if ((hung_ || delayed_) && in_.size() - pos_ + len > kMaxHeaderBytes + kMaxBodyBytes) {
    return;  // nothing is parsed while a reply is outstanding; a client that keeps sending is ignored
  }
  in_.append(data, len);
  parse();
}

void Http1::on_timer(Clock::time_point now) {
  if (!delayed_ || now < due_) {
    return;
  }
  delayed_ = false;
  respond(delayed_reply_, delayed_keep_alive_);
  delayed_reply_ = Reply();
  parse();  // requests pipelined behind the delayed one
}

void Http1::start_request() {
  request_.method.clear();
  request_.path.clear();
  request_.query.clear();
  pool_.recycle(request_.headers);
  request_.body.clear();
  chunks_.reset();
}

void Http1::parse() {
  while (!done_ && !hung_ && !delayed_) {
    if (stage_ == Stage::Head) {
      // Empty lines before a request line are allowed (RFC 9112 2.2): clients send them after a body.
      while (in_.size() - pos_ >= 2 && in_[pos_] == '\r' && in_[pos_ + 1] == '\n') {
        pos_ += 2;
      }
      size_t end = std::string_view(in_).find("\r\n\r\n", pos_);
      if (end == std::string_view::npos) {
        if (in_.size() - pos_ > kMaxHeaderBytes) {
          reject(431, "request header too large");
        }
        break;
      }
      if (end - pos_ > kMaxHeaderBytes) {
        reject(431, "request header too large");
        break;
      }
      start_request();
      head_ =
          parse_request_head(std::string_view(in_).substr(pos_, end - pos_), request_, kMaxBodyBytes, pool_);
      pos_ = end + 4;
      if (head_.error_status != 0) {
        reject(head_.error_status, head_.error);
        break;
      }
      body_left_ = head_.content_length;
      stage_ = head_.chunked ? Stage::Chunked : Stage::Body;
      bool body_follows = head_.chunked || body_left_ > in_.size() - pos_;
      if (head_.expect_continue && body_follows) {
        wire_.out() += "HTTP/1.1 100 Continue\r\n\r\n";
      }
    }
    if (stage_ == Stage::Body) {
      size_t take = std::min(body_left_, in_.size() - pos_);
      request_.body.append(in_, pos_, take);
      pos_ += take;
      body_left_ -= take;
      if (body_left_ > 0) {
        break;
      }
    } else {
      auto status = chunks_.feed(in_, pos_, request_.body, kMaxBodyBytes);
      if (status == ChunkedDecoder::Status::NeedMore) {
        break;
      }
      if (status != ChunkedDecoder::Status::Done) {
        reject(
            status == ChunkedDecoder::Status::TooLarge ? 413 : 400,
            status == ChunkedDecoder::Status::TooLarge ? "request body too large" : "malformed chunked body");
        break;
      }
    }
    stage_ = Stage::Head;
    complete();
  }
  // Keep the buffer small: drop what was consumed (at once when all of it, else in large steps).
  if (pos_ == in_.size()) {
    in_.clear();
    pos_ = 0;
  } else if (pos_ > 64 * 1024) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
}

void Http1::complete() {
  Reply reply = dispatcher_.handle(request_, "http/1.1");
  switch (reply.fault) {
    case Fault::Reset:
      done_ = true;
      wire_.abort_reset();
      return;
    case Fault::Hang:
      hung_ = true;
      return;
    case Fault::Latency:
      delayed_ = true;
      delayed_keep_alive_ = head_.keep_alive;
      due_ = Clock::now() + std::chrono::milliseconds(reply.latency_ms);
      delayed_reply_ = std::move(reply);
      return;
    default:
      respond(reply, head_.keep_alive);
  }
}

void Http1::respond(const Reply& reply, bool keep_alive) {
  bool truncated = reply.fault == Fault::Truncated;
  keep_alive = keep_alive && !truncated;
  std::string& out = wire_.out();
  char num[24];
  out += "HTTP/1.1 ";
  out.append(num, std::to_chars(num, num + sizeof num, reply.status).ptr);
  out += ' ';
  out += reason_phrase(reply.status);
  out += "\r\nServer: vtj-register-sim\r\n";
  if (!reply.content_type.empty()) {
    out += "Content-Type: ";
    out += reply.content_type;
    out += "\r\n";
  }
  // The full length even when truncated: the client must notice the body ending early.
  out += "Content-Length: ";
  out.append(num, std::to_chars(num, num + sizeof num, reply.body.size()).ptr);
  out += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  if (!head_.head_method) {
    out.append(reply.body, 0, truncated ? reply.body.size() / 2 : reply.body.size());
  }
  if (!keep_alive) {
    done_ = true;
    wire_.finish();
  }
}

void Http1::reject(int status, const char* why) {
  bump(dispatcher_.stats().requests);  // refused before the dispatcher saw it, but a request all the same
  Reply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(why) + "\n";
  head_.head_method = false;
  respond(r, false);
}

}  // namespace

std::unique_ptr<Protocol> make_http1(Wire& wire, Dispatcher& dispatcher) {
  return std::make_unique<Http1>(wire, dispatcher);
}

}  // namespace vtj::sim
