#include "clock.hpp"

namespace vtj::sim {

namespace {

// Writes v (non-negative) as exactly `width` digits.
char* digits(char* p, int v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

const Stamp& stamp_at(std::time_t when) {
  // localtime_r consults the time zone each call; at thousands of answers a second, once a second is enough.
  thread_local Stamp cached;
  if (cached.when == when && cached.compact[0] != '\0') {
    return cached;
  }
  struct tm tm {};
  localtime_r(&when, &tm);
  int year = tm.tm_year + 1900;
  cached.when = when;
  char* p = cached.compact;
  p = digits(p, year, 4);
  p = digits(p, tm.tm_mon + 1, 2);
  p = digits(p, tm.tm_mday, 2);
  p = digits(p, tm.tm_hour, 2);
  p = digits(p, tm.tm_min, 2);
  p = digits(p, tm.tm_sec, 2);
  *p = '\0';
  p = cached.info;
  p = digits(p, tm.tm_mday, 2);
  *p++ = '.';
  p = digits(p, tm.tm_mon + 1, 2);
  *p++ = '.';
  p = digits(p, year, 4);
  *p++ = ' ';
  p = digits(p, tm.tm_hour, 2);
  *p++ = ':';
  p = digits(p, tm.tm_min, 2);
  *p = '\0';
  return cached;
}

}  // namespace vtj::sim
