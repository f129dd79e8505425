#pragma once
// HTTP/1.1 request parsing (RFC 9112), kept apart from the connection's state machine: the request line
// and header fields, and an incremental chunked body decoder.

#include <cstddef>
#include <string>
#include <string_view>

#include "header_pool.hpp"
#include "register_sim.hpp"

namespace vtj::sim {

struct RequestHead {
  int error_status = 0;  // 0: parsed; else the status to answer before closing (400, 413, 501, 505)
  const char* error = "";
  bool keep_alive = true;
  bool chunked = false;
  bool expect_continue = false;
  bool head_method = false;
  size_t content_length = 0;
};

// `head` is the request line and the header lines, without the empty line that ends them. Fills
// request.method, path, query and headers (names in lower case; from `pool`); leaves the body alone.
RequestHead parse_request_head(std::string_view head, HttpRequest& request, size_t max_body,
                               HeaderPool& pool);

// Decodes a chunked body as it arrives, so a large body is never rescanned.
class ChunkedDecoder {
 public:
  enum class Status { NeedMore, Done, Bad, TooLarge };

  void reset() {
    state_ = State::Size;
    remaining_ = 0;
  }
  // Consumes from in[pos...], advancing pos, appending decoded bytes to body.
  Status feed(std::string_view in, size_t& pos, std::string& body, size_t max_body);

 private:
  enum class State { Size, Data, DataEnd, Trailer };
  State state_ = State::Size;
  size_t remaining_ = 0;
};

}  // namespace vtj::sim
