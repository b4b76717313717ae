// Log sink and level threshold (stderr; the threshold is read once from OUTPOST_LOG_LEVEL).
#include "base/log.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

namespace outpost {

namespace {

int thresholdFromEnv() {
  const char* v = std::getenv("OUTPOST_LOG_LEVEL");
  if (!v) return static_cast<int>(LogLevel::kWarning);
  if (!std::strcmp(v, "error")) return 0;
  if (!std::strcmp(v, "warning") || !std::strcmp(v, "warn")) return 1;
  if (!std::strcmp(v, "info")) return 2;
  if (!std::strcmp(v, "debug")) return 3;
  return static_cast<int>(LogLevel::kWarning);
}

int threshold() {
  static const int t = thresholdFromEnv();
  return t;
}

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "?";
}

}  // namespace

bool logEnabled(LogLevel level) { return static_cast<int>(level) <= threshold(); }

void logf(LogLevel level, const char* fmt, ...) {
  if (!logEnabled(level)) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "outpost %s: %s\n", levelName(level), line);
}

bool LogLimiter::allow() {
  int64_t now_s = static_cast<int64_t>(std::time(nullptr));
  int64_t start = window_start_s_.load(std::memory_order_relaxed);
  if (now_s != start && window_start_s_.compare_exchange_strong(start, now_s)) {
    used_.store(0, std::memory_order_relaxed);
  }
  return used_.fetch_add(1, std::memory_order_relaxed) < per_second_;
}

}  // namespace outpost
