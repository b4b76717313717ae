// hub_bench: progress lines on stderr and the row constructors (see hub_bench.h; the CPU readers
// are bench/proc_usage.h's).
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
  r.add("error", bench::jsonString(error));
  return r;
}

}  // namespace outpost::hub_bench
