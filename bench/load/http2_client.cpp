// HTTP/2 for the load generator (libnghttp2 client session): --streams requests in flight per connection,
// each replaced by a new one as soon as it completes.

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <vector>

#include "client_conn.hpp"

namespace vtj::bench {
namespace {

struct SessionDel {
  void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
};
struct CallbacksDel {
  void operator()(nghttp2_session_callbacks* c) const { nghttp2_session_callbacks_del(c); }
};

struct Slot {
  Clock::time_point started;
  int status = 0;
  size_t body_sent = 0;
  bool busy = false;
};

class Http2Driver final : public Driver {
 public:
  Http2Driver(Shared& shared, ConnQuota& quota)
      : shared_(shared), quota_(quota), slots_(static_cast<size_t>(shared.options.streams)) {}
  bool start();

  void begin(Clock::time_point now, Clock::time_point connect_started) override {
    for (auto& slot : slots_) {
      submit(slot, &slot == &slots_.front() ? connect_started : now);
    }
  }
  Status on_input(const char* data, size_t len, Clock::time_point now) override;
  Status on_close(Clock::time_point) override { return in_flight_ == 0 ? Status::Close : Status::Error; }
  void produce(std::string& out) override;
  uint64_t in_flight() const override { return static_cast<uint64_t>(in_flight_); }

 private:
  void submit(Slot& slot, Clock::time_point now);

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* self);
  static int on_stream_close(nghttp2_session* session, int32_t id, uint32_t error_code, void* self);
  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source* source, void* self);

  Shared& shared_;
  ConnQuota& quota_;
  std::unique_ptr<nghttp2_session, SessionDel> session_;
  std::vector<Slot> slots_;
  std::vector<std::string> header_store_;  // names and values the nghttp2_nv entries point into
  std::vector<nghttp2_nv> headers_;
  int in_flight_ = 0;
  bool failed_ = false;
  Clock::time_point now_;  // the time of the input being processed, for the callbacks
};

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

bool Http2Driver::start() {
  nghttp2_session_callbacks* raw = nullptr;
  if (nghttp2_session_callbacks_new(&raw) != 0) {
    return false;
  }
  std::unique_ptr<nghttp2_session_callbacks, CallbacksDel> cbs(raw);
  nghttp2_session_callbacks_set_on_header_callback(cbs.get(), on_header);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs.get(), on_stream_close);
  nghttp2_session* session = nullptr;
  if (nghttp2_session_client_new(&session, cbs.get(), this) != 0) {
    return false;
  }
  session_.reset(session);
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
  if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0) {
    return false;
  }
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, 16 << 20);

  // The header block is the same for every request: built once.
  const LoadOptions& o = shared_.options;
  bool v6 = o.host.find(':') != std::string::npos;
  header_store_ = {":method", o.method,     ":scheme",
                   "https",   ":authority", (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port),
                   ":path",   o.target,     "user-agent",
                   "vtj-load"};
  if (!o.body.empty() || o.method == "POST" || o.method == "PUT") {
    header_store_.insert(header_store_.end(), {"content-length", std::to_string(o.body.size())});
  }
  for (const auto& h : o.headers) {
    size_t colon = h.find(':');
    std::string name = h.substr(0, colon);
    for (char& c : name) {
      c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (name == "host" || name == "connection" || name == "content-length") {
      continue;  // carried by :authority, meaningless in HTTP/2, or set above
    }
    size_t v = h.find_first_not_of(" \t", colon + 1);
    header_store_.push_back(name);
    header_store_.push_back(v == std::string::npos ? std::string() : h.substr(v));
  }
  headers_.reserve(header_store_.size() / 2);
  for (size_t i = 0; i + 1 < header_store_.size(); i += 2) {
    headers_.push_back(make_nv(header_store_[i], header_store_[i + 1]));
  }
  return true;
}

void Http2Driver::submit(Slot& slot, Clock::time_point now) {
  if (!shared_.running || failed_ || !quota_.take()) {
    return;
  }
  slot.started = now;
  slot.status = 0;
  slot.body_sent = 0;
  nghttp2_data_provider body{};
  body.source.ptr = &slot;
  body.read_callback = read_body;
  bool with_body = !shared_.options.body.empty();
  int32_t id = nghttp2_submit_request(session_.get(), nullptr, headers_.data(), headers_.size(),
                                      with_body ? &body : nullptr, &slot);
  if (id < 0) {
    shared_.stats.error(std::string("HTTP/2 request: ") + nghttp2_strerror(id));
    quota_.finish(1);
    failed_ = true;
    return;
  }
  slot.busy = true;
  ++in_flight_;
}

Driver::Status Http2Driver::on_input(const char* data, size_t len, Clock::time_point now) {
  now_ = now;
  auto n = nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(data), len);
  if (n < 0) {
    shared_.stats.error(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
    return Status::Error;
  }
  if (failed_) {
    return Status::Error;
  }
  if (!nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get())) {
    return in_flight_ == 0 ? Status::Close : Status::Error;  // GOAWAY
  }
  return in_flight_ == 0 ? Status::Close : Status::Ok;  // none in flight: the quota is spent
}

void Http2Driver::produce(std::string& out) {
  while (out.size() < 64 * 1024) {
    const uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_.get(), &data);
    if (n <= 0) {
      return;
    }
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
}

int Http2Driver::on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                           size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS || namelen != 7 || std::memcmp(name, ":status", 7) != 0 ||
      valuelen != 3) {
    return 0;
  }
  auto* slot = static_cast<Slot*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  int status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
  if (slot != nullptr && status >= 200) {
    slot->status = status;
  }
  return 0;
}

int Http2Driver::on_stream_close(nghttp2_session* session, int32_t id, uint32_t error_code, void* self) {
  auto* me = static_cast<Http2Driver*>(self);
  auto* slot = static_cast<Slot*>(nghttp2_session_get_stream_user_data(session, id));
  if (slot == nullptr || !slot->busy) {
    return 0;
  }
  slot->busy = false;
  --me->in_flight_;
  me->quota_.finish(1);
  if (error_code == NGHTTP2_NO_ERROR && slot->status != 0) {
    me->shared_.stats.record(slot->status, me->now_ - slot->started);
  } else {
    me->shared_.stats.error(std::string("HTTP/2 stream reset: ") + nghttp2_http2_strerror(error_code));
  }
  me->submit(*slot, me->now_);
  return 0;
}

ssize_t Http2Driver::read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                               nghttp2_data_source* source, void* self) {
  auto* slot = static_cast<Slot*>(source->ptr);
  const std::string& body = static_cast<Http2Driver*>(self)->shared_.options.body;
  size_t n = std::min(length, body.size() - slot->body_sent);
  std::memcpy(buf, body.data() + slot->body_sent, n);
  slot->body_sent += n;
  if (slot->body_sent == body.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace

std::unique_ptr<Driver> make_http2_driver(Shared& shared, ConnQuota& quota) {
  auto driver = std::make_unique<Http2Driver>(shared, quota);
  if (!driver->start()) {
    return nullptr;
  }
  return driver;
}

}  // namespace vtj::bench
