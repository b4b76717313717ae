// Helpers every Outpost benchmark binary shares for its JSON output: string and number encoding,
// the nearest-rank percentile, and the machine fields (`nproc`, `kernel`, `cpu`,
// `loadavg_at_start`) each document opens with. Header-only; bench/README.md describes the output.
#pragma once

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace outpost::bench {

inline std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

// A JSON number with `decimals` decimals; null for NaN or infinity.
inline std::string num(double v, int decimals = 0) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Nearest-rank percentile of `v` (sorted in place). NaN when empty.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}

// `"nproc":N,"kernel":"…","cpu":"…","loadavg_at_start":"a b c"` (no braces), for the machine
// object of a benchmark document.
inline std::string machineFields() {
  utsname u{};
  uname(&u);
  std::string cpu_model;
  std::ifstream ci("/proc/cpuinfo");
  for (std::string line; std::getline(ci, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  std::string load;
  std::ifstream la("/proc/loadavg");
  std::getline(la, load);
  load = load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1));
  return "\"nproc\":" + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + ",\"kernel\":" + jsonString(u.release) +
         ",\"cpu\":" + jsonString(cpu_model) + ",\"loadavg_at_start\":" + jsonString(load);
}

}  // namespace outpost::bench
