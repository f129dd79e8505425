// HTTP/2 over one connection (libnghttp2 server session, fed from and drained to the TLS stream). Streams
// are independent: a delayed or hung stream leaves the others on the connection answered at once.

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

#include "dispatch.hpp"
#include "header_pool.hpp"
#include "protocol.hpp"

namespace vtj::sim {
namespace {

struct SessionDel {
  void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
};
struct CallbacksDel {
  void operator()(nghttp2_session_callbacks* c) const { nghttp2_session_callbacks_del(c); }
};

struct Stream {
  HttpRequest request;
  size_t header_bytes = 0;
  int refused = 0;  // a status to answer instead of dispatching (413, 431, 400)
  Reply reply;
  size_t sent = 0;
  size_t limit = 0;  // bytes of reply.body to send: half of it when truncated
  bool reset_sent = false;
  bool held = false;  // a Hang or Latency fault keeps the reply back

  void clear(HeaderPool& pool) {
    request.method.clear();
    request.path.clear();
    request.query.clear();
    pool.recycle(request.headers);
    request.body.clear();
    header_bytes = 0;
    refused = 0;
    reply = Reply();
    sent = 0;
    limit = 0;
    reset_sent = false;
    held = false;
  }
};

class Http2 final : public Protocol {
 public:
  Http2(Wire& wire, Dispatcher& dispatcher) : wire_(wire), dispatcher_(dispatcher) {}
  bool start();

  void on_input(const char* data, size_t len) override;
  void on_timer(Clock::time_point now) override;
  std::optional<Clock::time_point> next_due() const override;
  void produce(size_t budget) override;
  bool alive() const override {
    return !dead_ &&
           (nghttp2_session_want_read(session_.get()) || nghttp2_session_want_write(session_.get()));
  }
  // Streams the client cancelled no longer count: their entries in delayed_ are skipped when due.
  bool holding() const override {
    return std::any_of(streams_.begin(), streams_.end(), [](const auto& e) { return e.second->held; });
  }

 private:
  Stream* find(int32_t id) {
    for (const auto& [stream_id, stream] : streams_) {
      if (stream_id == id) {
        return stream.get();
      }
    }
    return nullptr;
  }
  Stream* open(int32_t id);
  void close(int32_t id);
  void dispatch(int32_t id, Stream& s);
  void submit(int32_t id, Stream& s);

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t flags, void* self);
  static int on_data_chunk(nghttp2_session*, uint8_t flags, int32_t id, const uint8_t* data, size_t len,
                           void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_stream_close(nghttp2_session*, int32_t id, uint32_t error_code, void* self);
  static ssize_t read_body(nghttp2_session*, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source* source, void* self);

  struct Delayed {
    Clock::time_point due;
    int32_t stream_id;
  };

  Wire& wire_;
  Dispatcher& dispatcher_;
  std::unique_ptr<nghttp2_session, SessionDel> session_;
  // Open streams: a handful at a time (at most the 256 the settings allow), so a vector searched in order
  // beats a map, and allocates nothing per request.
  std::vector<std::pair<int32_t, std::unique_ptr<Stream>>> streams_;
  std::vector<std::unique_ptr<Stream>> spare_;  // closed streams kept for reuse: no allocation per request
  std::vector<Delayed> delayed_;
  HeaderPool pool_;
  bool dead_ = false;
};

bool Http2::start() {
  nghttp2_session_callbacks* raw = nullptr;
  if (nghttp2_session_callbacks_new(&raw) != 0) {
    return false;
  }
  std::unique_ptr<nghttp2_session_callbacks, CallbacksDel> cbs(raw);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs.get(), on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs.get(), on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs.get(), on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs.get(), on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs.get(), on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs.get(), on_stream_close);
  nghttp2_session* session = nullptr;
  if (nghttp2_session_server_new(&session, cbs.get(), this) != 0) {
    return false;
  }
  session_.reset(session);
  // Room for many parallel queries and for 4 MiB request bodies without waiting on window updates.
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 256},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(kMaxHeaderBytes)},
  };
  if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0) {
    return false;
  }
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, 16 << 20);
  return true;
}

void Http2::on_input(const char* data, size_t len) {
  if (dead_) {
    return;
  }
  auto n = nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(data), len);
  if (n < 0) {
    // nghttp2 has queued a GOAWAY where the protocol allows one; send it and end the connection.
    if (dispatcher_.verbose()) {
      std::fprintf(stderr, "vtj-register-sim: HTTP/2 session ends: %s\n",
                   nghttp2_strerror(static_cast<int>(n)));
    }
    dead_ = true;
    wire_.finish();
  }
}

void Http2::produce(size_t budget) {
  std::string& out = wire_.out();
  while (!dead_ && out.size() < budget) {
    const uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      dead_ = true;
      wire_.finish();
      return;
    }
    if (n == 0) {
      return;
    }
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
}

std::optional<Clock::time_point> Http2::next_due() const {
  if (delayed_.empty()) {
    return std::nullopt;
  }
  return std::min_element(delayed_.begin(), delayed_.end(),
                          [](const Delayed& a, const Delayed& b) { return a.due < b.due; })
      ->due;
}

void Http2::on_timer(Clock::time_point now) {
  for (size_t i = 0; i < delayed_.size();) {
    if (delayed_[i].due > now) {
      ++i;
      continue;
    }
    int32_t id = delayed_[i].stream_id;
    delayed_[i] = delayed_.back();
    delayed_.pop_back();
    if (Stream* s = find(id)) {  // the client may have cancelled it meanwhile
      submit(id, *s);
    }
  }
}

Stream* Http2::open(int32_t id) {
  std::unique_ptr<Stream> s;
  if (spare_.empty()) {
    s = std::make_unique<Stream>();
  } else {
    s = std::move(spare_.back());
    spare_.pop_back();
  }
  Stream* raw = s.get();
  streams_.emplace_back(id, std::move(s));
  return raw;
}

void Http2::close(int32_t id) {
  for (auto& entry : streams_) {
    if (entry.first != id) {
      continue;
    }
    entry.second->clear(pool_);
    if (spare_.size() < 64) {
      spare_.push_back(std::move(entry.second));
    }
    if (&entry != &streams_.back()) {
      entry = std::move(streams_.back());
    }
    streams_.pop_back();
    return;
  }
}

void Http2::dispatch(int32_t id, Stream& s) {
  if (s.refused != 0 || s.request.method.empty() || s.request.path.empty()) {
    bump(dispatcher_.stats().requests);
    s.reply.status = s.refused != 0 ? s.refused : 400;
    s.reply.content_type = "text/plain; charset=utf-8";
    s.reply.body = s.reply.status == 413 ? "request body too large\n" : "malformed request\n";
    submit(id, s);
    return;
  }
  s.reply = dispatcher_.handle(s.request, "h2");
  switch (s.reply.fault) {
    case Fault::Reset:
      dead_ = true;
      wire_.abort_reset();
      return;
    case Fault::Hang:
      s.held = true;
      return;  // the stream stays open and unanswered until the client gives up
    case Fault::Latency:
      s.held = true;
      delayed_.push_back({Clock::now() + std::chrono::milliseconds(s.reply.latency_ms), id});
      return;
    default:
      submit(id, s);
  }
}

void Http2::submit(int32_t id, Stream& s) {
  s.held = false;
  char status[8];
  char length[24];
  auto status_len =
      static_cast<size_t>(std::to_chars(status, status + sizeof status, s.reply.status).ptr - status);
  auto length_len =
      static_cast<size_t>(std::to_chars(length, length + sizeof length, s.reply.body.size()).ptr - length);
  auto nv = [](const char* name, const char* value, size_t value_len) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value)), std::strlen(name), value_len,
                      NGHTTP2_NV_FLAG_NONE};
  };
  nghttp2_nv headers[4] = {nv(":status", status, status_len), nv("server", "vtj-register-sim", 16),
                           nv("content-length", length, length_len)};
  size_t count = 3;
  if (!s.reply.content_type.empty()) {
    headers[count++] = nv("content-type", s.reply.content_type.data(), s.reply.content_type.size());
  }
  // The full length is announced even when truncated, as on HTTP/1.1: the client must see the body cut.
  bool truncated = s.reply.fault == Fault::Truncated;
  s.limit = truncated ? s.reply.body.size() / 2 : s.reply.body.size();
  s.sent = 0;
  nghttp2_data_provider body{};
  body.source.ptr = &s;
  body.read_callback = read_body;
  bool with_body = (s.limit > 0 || truncated) && s.request.method != "HEAD";
  int rv = nghttp2_submit_response(session_.get(), id, headers, count, with_body ? &body : nullptr);
  if (rv != 0) {
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
  }
}

int Http2::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    static_cast<Http2*>(self)->open(frame->hd.stream_id);
  }
  return 0;
}

int Http2::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                     const uint8_t* value, size_t valuelen, uint8_t, void* self) {
  auto* me = static_cast<Http2*>(self);
  Stream* s = me->find(frame->hd.stream_id);
  if (s == nullptr) {
    return 0;
  }
  s->header_bytes += namelen + valuelen + 32;  // the header list size of RFC 9113 6.5.2
  if (s->header_bytes > kMaxHeaderBytes) {
    s->refused = 431;
    return 0;
  }
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":method") {
    s->request.method.assign(v);
  } else if (n == ":path") {
    size_t q = v.find('?');
    s->request.path.assign(v.substr(0, q));
    s->request.query.assign(q == std::string_view::npos ? std::string_view() : v.substr(q + 1));
  } else if (n == ":authority") {
    me->pool_.add(s->request.headers, "host", v);  // what HTTP/1.1 would have carried as Host
  } else if (!n.empty() && n.front() != ':') {
    me->pool_.add(s->request.headers, n, v);  // nghttp2 has checked the name is lower case
  }
  return 0;
}

int Http2::on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* self) {
  Stream* s = static_cast<Http2*>(self)->find(id);
  if (s == nullptr || s->refused != 0) {
    return 0;
  }
  if (s->request.body.size() + len > kMaxBodyBytes) {
    s->refused = 413;
    s->request.body.clear();
    s->request.body.shrink_to_fit();
    return 0;
  }
  s->request.body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int Http2::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto* me = static_cast<Http2*>(self);
  bool request_part = frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA;
  if (request_part && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
    if (Stream* s = me->find(frame->hd.stream_id)) {
      me->dispatch(frame->hd.stream_id, *s);
    }
  }
  return 0;
}

int Http2::on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* self) {
  if (frame->hd.type != NGHTTP2_DATA || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
    return 0;
  }
  // The last DATA frame of a truncated reply: end the stream abnormally, as a failing server would.
  Stream* s = static_cast<Http2*>(self)->find(frame->hd.stream_id);
  if (s != nullptr && s->reply.fault == Fault::Truncated && s->sent == s->limit && !s->reset_sent) {
    s->reset_sent = true;
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_INTERNAL_ERROR);
  }
  return 0;
}

int Http2::on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* self) {
  static_cast<Http2*>(self)->close(id);
  return 0;
}

ssize_t Http2::read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                         nghttp2_data_source* source, void*) {
  auto* s = static_cast<Stream*>(source->ptr);
  size_t n = std::min(length, s->limit - s->sent);
  std::memcpy(buf, s->reply.body.data() + s->sent, n);
  s->sent += n;
  if (s->sent == s->limit) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (s->reply.fault == Fault::Truncated) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  }
  return static_cast<ssize_t>(n);
}

}  // namespace

std::unique_ptr<Protocol> make_http2(Wire& wire, Dispatcher& dispatcher) {
  auto session = std::make_unique<Http2>(wire, dispatcher);
  if (!session->start()) {
    return nullptr;
  }
  return session;
}

}  // namespace vtj::sim
