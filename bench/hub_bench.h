// hub_bench's shared declarations (bench/hub_bench*.cpp; the entry point and the run order are in
// hub_bench.cpp): constants, the command-line options, the measured row and its JSON, CPU meters
// (on bench/proc_usage.h), and the hub process the hub-side rows run against (hub_bench_fleet.cpp,
// on the HubProcess and runProcess helpers of tests/support/process.h).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/address.h"
#include "base/clock.h"
#include "bench_json.h"
#include "hub/master_rate_limiter.h"
#include "hub/master_responder.h"
#include "hub_bench_hostile.h"
#include "hub_bench_passwords.h"
#include "hub_bench_tickets.h"
#include "hubrpc/client_credentials.h"
#include "hubrpc/framing.h"
#include "master/index.h"
#include "master/reply_page.h"
#include "master/request.h"
#include "outpost/networking_sockets.h"
#include "outpost/types.h"
#include "proc_usage.h"
#include "support/process.h"

#ifndef HUB_BENCH_HUB_BINARY
#define HUB_BENCH_HUB_BINARY "outpost-hub"
#endif
#ifndef HUB_BENCH_CLI_BINARY
#define HUB_BENCH_CLI_BINARY "outpost"
#endif

namespace outpost::hub_bench {

// Names of outpost:: (the SDK, hubrpc, master) are found from this namespace as it is; those of
// outpost::bench (bench_json.h, proc_usage.h, the phases in files of their own) are written bench::.
using Clock = std::chrono::steady_clock;

inline constexpr uint32_t kApp = 480;
inline constexpr uint32_t kLoopback = 0x7F000001;  // 127.0.0.1, host order
inline constexpr uint16_t kGamePortBase = 10000;   // server i: game port 10000+i, query port 30000+i
inline constexpr uint16_t kQueryPortBase = 30000;
inline constexpr int kMaps = 10;                    // server i runs map_(i % 10)
inline const std::string kFilter = "\\map\\map_3";  // the filtered master rows: every 10th server

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

inline double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
inline double usBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// ------------------------------------------------------------------------------------ options

struct Options {
  std::string hub_bin = HUB_BENCH_HUB_BINARY;
  std::string cli_bin = HUB_BENCH_CLI_BINARY;
  std::string tmp_parent;  // where the temporary directory goes ($TMPDIR or /tmp)
  bool quick = false;
  int users = 50;
  int tickets = 20000;
  int window = 256;  // outstanding hub RPC requests (tickets)
  int servers = 10000;
  int connect_batch = 500;  // connections opened at once while registering servers
  int updates = 100000;
  double master_seconds = 10;  // time budget of each rate-limited master run
  int master_max = 20000;      // ... or this many replies, whichever comes first
  int master_window = 64;      // outstanding master requests
  int master_expire_ms = 100;  // an unanswered master request counts as dropped after this
  int inprocess = 100000;      // in-process master replies per row
  int inprocess_servers = 10000;
  int idle_seconds = 3;
  int timeout_s = 300;                // bound of every wait (one phase)
  std::vector<std::string> hub_args;  // extra outpost-hub flags
  // Start the hub with every master rate limit at its maximum. Needs the outpost-hub flag
  // `--master-limit NAME=VALUE` (bench/README.md); without it the hub refuses to start.
  bool master_unthrottled = false;
  std::string phases = "tickets,servers,ticket_scale,inprocess,passwords,hostile";  // which groups of rows to run
  std::vector<int> hostile_sizes = {1000, 10000};  // hostile_rss_N rows (bench/hub_bench_hostile.cpp)
  // The main hub's per-source and untrusted connection caps are raised (everything here comes
  // from 127.0.0.1, and anonymous servers stay untrusted); --no-raise-caps keeps the defaults (and
  // leaves out the --transport flags an older outpost-hub does not know).
  bool raise_caps = true;
  std::vector<size_t> ticket_checkpoints;  // ticket_scale: issued-ticket counts to measure at
  bool runs(const char* phase) const {
    return ("," + phases + ",").find(std::string(",") + phase + ",") != std::string::npos;
  }
};

// ------------------------------------------------------------------------ the hub process

// A process run to completion (tests/support/process.h): exit_code 128+signal when killed.
using ProcResult = test::ProcessResult;

struct HubInfo {
  std::string rpc_address, master_address, public_key, data_dir, err_path;
};

extern pid_t g_hub_pid;        // the running hub (-1: none); read by CpuMeter and the signal handler
extern char g_tmp_root[1024];  // removed at exit; fixed storage so a signal handler can use it

// Starts outpost-hub on 127.0.0.1 with ephemeral ports; stderr goes to a file in tmp_root.
// Waits (<= 20 s) for the three banner lines.
bool startHub(const Options& o, const std::string& tmp_root, HubInfo& hub, std::string* error);
// Stops the hub: SIGTERM, up to 10 s, then SIGKILL. Returns its exit status (128+signal).
int stopHub();
void cleanupAtExit();
void onFatalSignal(int sig);
std::string readFile(const std::string& path);
std::string lastLines(const std::string& text, int n);
uint64_t counter(const std::map<std::string, uint64_t>& m, const std::string& k);

// ------------------------------------------------------------------------- measurements

// CPU meters around a timed phase: the hub process and this one (bench/proc_usage.h: NaN when a
// figure cannot be read, so the row prints null).
struct CpuMeter {
  double hub0 = NAN, self0 = 0;
  void start() {
    hub0 = g_hub_pid > 0 ? bench::procCpuSeconds(g_hub_pid) : NAN;
    self0 = bench::selfCpuSeconds();
  }
  double hub() const { return (g_hub_pid > 0 ? bench::procCpuSeconds(g_hub_pid) : NAN) - hub0; }
  double self() const { return bench::selfCpuSeconds() - self0; }
};

// ---------------------------------------------------------------------------------- JSON

struct Row {
  std::string workload;
  double ops = NAN, seconds = NAN, p50 = NAN, p99 = NAN, hub_cpu = NAN, client_cpu = NAN;
  bool ok = false;
  bool has_rate = true;  // false: ops is a count, not something done per second (ops_per_s null)
  std::vector<std::pair<std::string, std::string>> extra;  // key -> JSON value
  void add(const std::string& k, const std::string& json_value) { extra.emplace_back(k, json_value); }
  void addNum(const std::string& k, double v, int decimals = 0) { add(k, bench::num(v, decimals)); }
  // p50 and p99 of the per-operation latencies (µs; sorts them).
  void setLatency(std::vector<double>& lat_us) {
    p50 = bench::percentile(lat_us, 50);
    p99 = bench::percentile(lat_us, 99);
  }
  std::string json() const {
    double rate = has_rate && std::isfinite(ops) && std::isfinite(seconds) && seconds > 0 ? ops / seconds : NAN;
    std::string s = "{\"workload\":" + bench::jsonString(workload) + ",\"ops\":" + bench::num(ops, 0) +
                    ",\"seconds\":" + bench::num(seconds, 6) + ",\"ops_per_s\":" + bench::num(rate, 1) +
                    ",\"p50_us\":" + bench::num(p50, 1) + ",\"p99_us\":" + bench::num(p99, 1) +
                    ",\"hub_cpu_s\":" + bench::num(hub_cpu, 2) + ",\"client_cpu_s\":" + bench::num(client_cpu, 2);
    for (const auto& [k, v] : extra) {
      s += ',';
      s += bench::jsonString(k);
      s += ':';
      s += v;
    }
    return s + ",\"ok\":" + (ok ? "true" : "false") + "}";
  }
};

// A row for a phase against the hub timed from t0: its name, elapsed seconds, hub and client CPU.
Row hubRow(const std::string& workload, Clock::time_point t0, const CpuMeter& cpu);
Row failedRow(const std::string& workload, const std::string& error);

}  // namespace outpost::hub_bench
