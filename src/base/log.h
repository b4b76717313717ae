// Logging: one line per event to stderr, with a level threshold from OUTPOST_LOG_LEVEL
// (error, warning, info, debug; default warning). OUTPOST_LOG_FORMAT=json makes each line a JSON
// object {"ts": unix seconds, "level": ..., "msg": ...} for log collectors. `LogLimiter` keeps wire-input complaints to a
// bounded rate so that a flood of bad packets cannot flood the log (drops are still counted).
#pragma once

#include <atomic>
#include <cstdint>

namespace outpost::base {

enum class LogLevel : int { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

bool logEnabled(LogLevel level);
void logf(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Token bucket: allows `per_second` lines a second (burst of the same size).
class LogLimiter {
 public:
  explicit LogLimiter(int per_second = 5) : per_second_(per_second) {}
  bool allow();

 private:
  int per_second_;
  std::atomic<int64_t> window_start_s_{0};
  std::atomic<int> used_{0};
};

}  // namespace outpost::base

#define OUTPOST_LOG_ERROR(...) ::outpost::base::logf(::outpost::base::LogLevel::kError, __VA_ARGS__)
#define OUTPOST_LOG_WARN(...) ::outpost::base::logf(::outpost::base::LogLevel::kWarning, __VA_ARGS__)
#define OUTPOST_LOG_INFO(...)                                               \
  do {                                                                      \
    if (::outpost::base::logEnabled(::outpost::base::LogLevel::kInfo))      \
      ::outpost::base::logf(::outpost::base::LogLevel::kInfo, __VA_ARGS__); \
  } while (0)
#define OUTPOST_LOG_DEBUG(...)                                               \
  do {                                                                       \
    if (::outpost::base::logEnabled(::outpost::base::LogLevel::kDebug))      \
      ::outpost::base::logf(::outpost::base::LogLevel::kDebug, __VA_ARGS__); \
  } while (0)
