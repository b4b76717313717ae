// proc_usage: what the benchmarks read about a process's use of the machine — the CPU time of
// another process (the hub under test) from /proc/<pid>/stat, this process's own CPU time from
// getrusage, and a process's resident memory from /proc/<pid>/status. One contract for all of
// them: a figure that cannot be read (the process is gone, /proc is not there) is NaN, never a
// number, so a difference of two readings is NaN too and bench_json.h's num() prints it as null.
// Header-only; used by bench/hub_bench*.cpp, transport_bench.cpp, p2p_bench.cpp, enet_bench.cpp.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace outpost::bench {

// utime + stime of process `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat: clock-tick
// resolution, 10 ms). NaN if unreadable. A zombie still has its figures until it is reaped.
inline double procCpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(f, s);
  size_t close = s.rfind(')');  // the command name in parentheses may contain spaces
  if (close == std::string::npos || close + 2 > s.size()) return NAN;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  int i = 3;  // field 3 is the state
  for (; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  if (i <= 15) return NAN;  // cut short
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// User + system CPU time of this process, every thread, in seconds (getrusage(RUSAGE_SELF),
// microsecond resolution). NaN if getrusage fails.
inline double selfCpuSeconds() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return NAN;
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A memory line of /proc/<pid>/status in bytes: "VmRSS" (resident now) or "VmHWM" (the peak).
// NaN if unreadable.
inline double procMemoryBytes(pid_t pid, const char* key = "VmRSS") {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  const std::string prefix = std::string(key) + ":";
  for (std::string line; std::getline(f, line);)
    if (line.rfind(prefix, 0) == 0) return std::strtod(line.c_str() + prefix.size(), nullptr) * 1024.0;  // kB
  return NAN;
}

}  // namespace outpost::bench
