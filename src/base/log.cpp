// Log sink and level threshold (stderr; the threshold is read once from OUTPOST_LOG_LEVEL).
#include "base/log.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>

namespace outpost::base {

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

bool jsonFormat() {
  static const bool json = [] {
    const char* v = std::getenv("OUTPOST_LOG_FORMAT");
    return v && !std::strcmp(v, "json");
  }();
  return json;
}

// Escapes a string for a JSON string literal.
void appendJson(std::string& out, const char* s) {
  for (; *s; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
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
  if (jsonFormat()) {
    // One JSON object per line (OUTPOST_LOG_FORMAT=json): time, level, message.
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    std::string out = "{\"ts\":" + std::to_string(ts.tv_sec) + "." +
                      std::to_string(ts.tv_nsec / 1000000 + 1000).substr(1) + ",\"level\":\"" + levelName(level) +
                      "\",\"msg\":\"";
    appendJson(out, line);
    out += "\"}\n";
    std::fputs(out.c_str(), stderr);
    return;
  }
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

}  // namespace outpost::base
