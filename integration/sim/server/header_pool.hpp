#pragma once
// Keeps the strings of one request's header fields for the next request on the same connection, so a
// kept-alive connection parses its requests without allocating.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtj::sim {

using HeaderField = std::pair<std::string, std::string>;

class HeaderPool {
 public:
  // Empties `headers`, keeping their buffers.
  void recycle(std::vector<HeaderField>& headers) {
    for (auto& field : headers) {
      if (spare_.size() < kMaxSpare) {
        spare_.push_back(std::move(field));
      }
    }
    headers.clear();
  }

  // Appends (name, value) to `headers`, into kept buffers when there are some.
  HeaderField& add(std::vector<HeaderField>& headers, std::string_view name, std::string_view value) {
    if (spare_.empty()) {
      return headers.emplace_back(name, value);
    }
    HeaderField& field = headers.emplace_back(std::move(spare_.back()));
    spare_.pop_back();
    field.first.assign(name);
    field.second.assign(value);
    return field;
  }

 private:
  static constexpr size_t kMaxSpare = 128;
  std::vector<HeaderField> spare_;
};

}  // namespace vtj::sim
