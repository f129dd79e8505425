#include "request_budget.hpp"

#include <algorithm>

namespace vtj::bench {

uint64_t RequestBudget::take(uint64_t want) {
  if (total_ == 0) {
    return want;
  }
  uint64_t left = left_.load();
  uint64_t got = 0;
  do {
    got = std::min(left, want);
  } while (got != 0 && !left_.compare_exchange_weak(left, left - got));
  return got;
}

void RequestBudget::give_back(uint64_t n) {
  if (total_ != 0 && n != 0) {
    left_ += n;
  }
}

void RequestBudget::finish(uint64_t n) {
  if (total_ == 0 || n == 0) {
    return;
  }
  uint64_t before = finished_.fetch_add(n);
  if (before < total_ && before + n >= total_) {
    done_at_ = Clock::now().time_since_epoch().count();
  }
}

bool ConnQuota::open() {
  reserved_ = budget_.take(limit_ != 0 ? limit_ : 1);
  return reserved_ != 0;
}

bool ConnQuota::take() {
  if (reserved_ != 0) {
    --reserved_;
    return true;
  }
  return limit_ == 0 && budget_.take(1) == 1;
}

void ConnQuota::close() {
  budget_.give_back(reserved_);
  reserved_ = 0;
}

}  // namespace vtj::bench
