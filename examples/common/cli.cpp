// Command-line helpers of the example programs (cli.h). Runs on the caller's thread; logLine
// takes a lock so lines from several threads never interleave.
#include "cli.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

namespace example {

bool parseFlags(int argc, char** argv, std::initializer_list<Flag> flags, std::string* error) {
  error->clear();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return false;
    const Flag* match = nullptr;
    for (const Flag& f : flags)
      if (arg == f.name) match = &f;
    if (!match) {
      *error = "unknown argument \"" + arg + "\"";
      return false;
    }
    if (match->is_switch) {
      *match->value = "1";
      continue;
    }
    if (i + 1 >= argc) {
      *error = arg + " needs a value";
      return false;
    }
    *match->value = argv[++i];
  }
  return true;
}

bool parseInt(const std::string& text, long long min, long long max, long long* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

bool parsePort(const std::string& text, uint16_t* out) {
  long long v = 0;
  if (!parseInt(text, 1, 65535, &v)) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

void logLine(const char* fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::printf("%s %s\n", stamp, text);
  std::fflush(stdout);
}

}  // namespace example
