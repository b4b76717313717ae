// hub_bench: the measurements and rows (see hub_bench.h): progress lines on stderr, CPU seconds of
// the hub process and of this one, the row constructors.
#include "hub_bench.h"

namespace outpost::hub_bench {

void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("hub_bench: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

// ------------------------------------------------------------------------- measurements

double procCpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(f, s);
  size_t close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // field 3 is the state; 14 utime, 15 stime
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double selfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Row hubRow(const std::string& workload, Clock::time_point t0, const CpuMeter& cpu) {
  Row r;
  r.workload = workload;
  r.seconds = secondsSince(t0);
  r.hub_cpu = cpu.hub();
  r.client_cpu = cpu.self();
  return r;
}

Row failedRow(const std::string& workload, const std::string& error) {
  Row r;
  r.workload = workload;
  r.add("error", jsonString(error));
  return r;
}

}  // namespace outpost::hub_bench
