// The hostile phase of hub_bench (see hub_bench_hostile.h). Rows:
//
//   hostile_rss_1000, hostile_rss_10000  N connections attempted with the pattern of issue 11
//       (no credential; one reliable byte at the window's edge, one fragment each of four
//       512 KiB unreliable messages) from 50 per source address, held open, then closed. Reports
//       how many the hub accepted and refused (its caps), its RSS before, while they are held,
//       at peak (VmHWM) and after they close, and the held cost per accepted connection.
//   logon_during_flood  a user logs on (pinned connection + UserLogOn, one at a time) while
//       batches of 2,000 hostile connections are opened and closed again and again from other
//       addresses; p50/p99 of connect + logon, next to the same figure measured quietly first.
//
// One thread drives the flood (HostileFlood is single-threaded); the logons run on the main
// thread. Every wait is bounded by the phase's timeout. Each row's hub and the CLI run through
// tests/support/process.h; CPU and RSS readings come from bench/proc_usage.h (NaN, printed null,
// when the hub is gone).
#include "hub_bench_hostile.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "../tests/support/hostile_flood.h"
#include "bench_json.h"
#include "hub/data_dir.h"
#include "hubrpc/hub_client.h"
#include "outpost/types.h"
#include "proc_usage.h"
#include "support/process.h"

namespace outpost::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr uint32_t kApp = 480;
constexpr int kPerSource = 50;

void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("hub_bench hostile: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One outpost-hub for one row (tests/support/process.h): started with its own data directory, its
// stderr in <row>/hub.err, stopped with SIGTERM (10 s, then SIGKILL); killed with the bench.
struct HubProc {
  test::HubProcess process;
  pid_t pid = -1;
  std::string rpc, key, data_dir;
  uint16_t port = 0;

  bool start(const HostilePhaseOptions& o, const std::string& name, std::string* error) {
    std::string root = o.tmp_root + "/" + name;
    mkdir(root.c_str(), 0700);
    data_dir = root + "/data";
    const std::string err_path = root + "/hub.err";
    process.binary = o.hub_bin;
    process.include_defaults = false;
    process.extra_args = {"--data-dir", data_dir, "--listen", "127.0.0.1:0", "--master", ""};
    process.extra_args.insert(process.extra_args.end(), o.hub_args.begin(), o.hub_args.end());
    process.stderr_path = err_path;
    if (!process.start(data_dir)) {
      int status = process.stop(SIGKILL);
      *error = "outpost-hub exited early or printed no banner within 20 s (status " + std::to_string(status) +
               "): " + readFile(err_path);
      return false;
    }
    pid = process.pid();
    rpc = process.address;
    key = process.public_key;
    port = static_cast<uint16_t>(std::stoi(rpc.substr(rpc.rfind(':') + 1)));
    return true;
  }
  ~HubProc() { process.stop(SIGTERM, 10000); }
};

// `outpost admin ...` against the hub; its output (stdout and stderr), and false unless it exited 0.
bool admin(const HostilePhaseOptions& o, const HubProc& hub, const std::vector<std::string>& words, std::string* out) {
  auto r = test::runAdmin(o.cli_bin, hub.rpc, hub.data_dir, words, o.timeout_s);
  if (out) *out = r.out;
  return r.exit_code == 0;
}

std::map<std::string, uint64_t> hubCounters(const HostilePhaseOptions& o, const HubProc& hub) {
  std::map<std::string, uint64_t> c;
  std::string out;
  if (!admin(o, hub, {"status"}, &out)) return c;
  std::istringstream s(out);
  std::string line;
  while (std::getline(s, line)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) c[line.substr(0, sp)] = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
  }
  return c;
}

std::vector<std::string> sourceAddresses(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i)
    out.push_back("127.0." + std::to_string(i / 250) + "." + std::to_string(2 + i % 250));
  return out;
}

std::string failedRow(const std::string& workload, const std::string& error) {
  return "{\"workload\":" + jsonString(workload) +
         ",\"ops\":null,\"seconds\":null,\"ops_per_s\":null,\"p50_us\":null,\"p99_us\":null,\"hub_cpu_s\":null,"
         "\"client_cpu_s\":null,\"error\":" +
         jsonString(error) + ",\"ok\":false}";
}

std::string rssRow(const HostilePhaseOptions& o, int n) {
  std::string name = "hostile_rss_" + std::to_string(n);
  HubProc hub;
  std::string err;
  if (!hub.start(o, name, &err)) return failedRow(name, err);
  usleep(300000);
  double baseline = procMemoryBytes(hub.pid, "VmRSS");
  {
    // Peak RSS from here on (outpost-hub peaks at ~70 MiB while it starts: Argon2id).
    std::ofstream clear("/proc/" + std::to_string(hub.pid) + "/clear_refs");
    clear << "5";
  }
  test::FloodOptions f;
  f.server_port = hub.port;
  f.sources = sourceAddresses(0, (n + kPerSource - 1) / kPerSource);
  f.connections_per_source = kPerSource;
  f.pattern = test::FloodPattern::kIssue11;
  f.timeout_ms = o.timeout_s * 1000;
  test::HostileFlood flood(f);
  double hub0 = procCpuSeconds(hub.pid), self0 = selfCpuSeconds();
  auto t0 = Clock::now();
  test::FloodResult r = flood.open();
  double seconds = secondsSince(t0);
  double hub_cpu = procCpuSeconds(hub.pid) - hub0, client_cpu = selfCpuSeconds() - self0;
  flood.drain(500);
  flood.keepAlive();
  double held = procMemoryBytes(hub.pid, "VmRSS");
  double peak = procMemoryBytes(hub.pid, "VmHWM");
  auto counters = hubCounters(o, hub);
  int still_open = flood.openConnections();  // accepted and neither evicted nor closed
  flood.closeAll();
  // The hub frees them as their CLOSE arrives; give it (bounded) time, then read RSS again.
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    auto c = hubCounters(o, hub);
    if (c.count("transport.connections.incoming") && c["transport.connections.incoming"] <= 1) break;
    if (!c.count("transport.connections.incoming")) break;  // an older hub without this counter
    usleep(200000);
  }
  usleep(1500000);  // one heap-trim interval
  double after = procMemoryBytes(hub.pid, "VmRSS");
  usleep(10000000);  // the closed handshakes' records expire (10 s) and the heap is trimmed again
  double settled = procMemoryBytes(hub.pid, "VmRSS");
  int accepted = r.connected;
  double per_conn_kib = still_open > 0 ? (held - baseline) / still_open / 1024.0 : NAN;
  log("%s: %d attempted, %d accepted, %d refused, %d timed out, %d held; RSS %.1f -> %.1f MiB (peak %.1f, after close "
      "%.1f, 12 s later %.1f)",
      name.c_str(), r.attempted, accepted, r.refused, r.timed_out, still_open, baseline / kMiB, held / kMiB,
      peak / kMiB, after / kMiB, settled / kMiB);
  std::string refused_by = "{";
  for (const char* k : {"max_connections", "max_connections_per_source", "max_untrusted_connections_per_source"}) {
    std::string key = std::string("transport.refused.") + k;
    refused_by += (refused_by.size() > 1 ? "," : "") + jsonString(k) + ":" +
                  (counters.count(key) ? std::to_string(counters[key]) : "null");
  }
  refused_by += "}";
  std::string evicted = counters.count("transport.evicted.max_untrusted_connections")
                            ? std::to_string(counters["transport.evicted.max_untrusted_connections"])
                            : "null";
  bool ok = r.timed_out == 0 && accepted + r.refused == r.attempted && accepted > 0;
  return "{\"workload\":" + jsonString(name) + ",\"ops\":" + std::to_string(r.attempted) +
         ",\"seconds\":" + num(seconds, 6) + ",\"ops_per_s\":" + num(r.attempted / seconds, 1) +
         ",\"p50_us\":null,\"p99_us\":null,\"hub_cpu_s\":" + num(hub_cpu, 2) +
         ",\"client_cpu_s\":" + num(client_cpu, 2) +
         ",\"pattern\":\"issue11\",\"sources\":" + std::to_string(f.sources.size()) +
         ",\"connections_accepted\":" + std::to_string(accepted) +
         ",\"connections_refused\":" + std::to_string(r.refused) + ",\"refused_by\":" + refused_by +
         ",\"evicted\":" + evicted + ",\"connections_held\":" + std::to_string(still_open) +
         ",\"datagrams_sent\":" + std::to_string(r.datagrams_sent) +
         ",\"rss_baseline_mib\":" + num(baseline / kMiB, 1) + ",\"rss_held_mib\":" + num(held / kMiB, 1) +
         ",\"rss_peak_mib\":" + num(peak / kMiB, 1) + ",\"rss_after_close_mib\":" + num(after / kMiB, 1) +
         ",\"rss_settled_mib\":" + num(settled / kMiB, 1) + ",\"held_kib_per_connection\":" + num(per_conn_kib, 1) +
         ",\"ok\":" + (ok ? "true" : "false") + "}";
}

// One pinned connection and one UserLogOn; its latency in µs (NaN on failure).
double timedLogon(const HubProc& hub, std::string* error) {
  auto t0 = Clock::now();
  hubrpc::HubClient c;
  if (!c.connect(hub.rpc, hub.key, 10000, error)) return NAN;
  hubrpc::Envelope e;
  auto* l = e.mutable_user_log_on();
  l->set_name("player");
  l->set_password("player-password");
  l->set_app_id(kApp);
  auto r = c.call(e, 20000, error);
  double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  if (!r || !r->has_user_log_on_result() || r->user_log_on_result().result() != RESULT_OK) {
    if (error->empty()) *error = "the logon was refused";
    return NAN;
  }
  c.close();
  return us;
}

std::string logonRow(const HostilePhaseOptions& o) {
  const std::string name = "logon_during_flood";
  HubProc hub;
  std::string err;
  if (!hub.start(o, name, &err)) return failedRow(name, err);
  for (const auto& words :
       std::vector<std::vector<std::string>>{{"app", "put", std::to_string(kApp), "Spacewar"},
                                             {"user", "create", "player", "player-password"},
                                             {"licence", "grant", "player", std::to_string(kApp)}}) {
    std::string out;
    if (!admin(o, hub, words, &out)) return failedRow(name, "outpost admin " + words[0] + " failed: " + out);
  }
  const int logons = o.quick ? 10 : 30;
  std::vector<double> quiet, flooded;
  for (int i = 0; i < logons; ++i) {
    double us = timedLogon(hub, &err);
    if (std::isnan(us)) return failedRow(name, "quiet logon: " + err);
    quiet.push_back(us);
  }
  // The flood: batches of 2,000 connections (40 sources x 50) opened and closed until the
  // logons are done.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> handshakes{0}, refused{0};
  auto flood_t0 = Clock::now();
  std::thread flooder([&] {
    int batch = 0;
    while (!stop) {
      test::FloodOptions f;
      f.server_port = hub.port;
      f.sources = sourceAddresses((batch++ % 2) * 40, 40);
      f.connections_per_source = kPerSource;
      f.pattern = test::FloodPattern::kIssue11;
      f.timeout_ms = 20000;
      test::HostileFlood flood(f);
      auto r = flood.open();
      handshakes += static_cast<uint64_t>(r.connected);
      refused += static_cast<uint64_t>(r.refused);
      flood.closeAll();
    }
  });
  usleep(500000);  // the flood is under way
  double hub0 = procCpuSeconds(hub.pid), self0 = selfCpuSeconds();
  auto t0 = Clock::now();
  bool ok = true;
  for (int i = 0; i < logons && ok; ++i) {
    double us = timedLogon(hub, &err);
    if (std::isnan(us)) ok = false;
    else flooded.push_back(us);
  }
  double seconds = secondsSince(t0);
  double hub_cpu = procCpuSeconds(hub.pid) - hub0, client_cpu = selfCpuSeconds() - self0;
  stop = true;
  flooder.join();
  double flood_rate = handshakes / secondsSince(flood_t0);
  if (!ok) return failedRow(name, "logon during the flood: " + err);
  double q50 = percentile(quiet, 50), q99 = percentile(quiet, 99);
  double f50 = percentile(flooded, 50), f99 = percentile(flooded, 99);
  log("%s: connect + logon quiet p50 %.0f us p99 %.0f us; during %.0f hostile handshakes/s p50 %.0f us p99 %.0f us",
      name.c_str(), q50, q99, flood_rate, f50, f99);
  return "{\"workload\":" + jsonString(name) + ",\"ops\":" + std::to_string(flooded.size()) +
         ",\"seconds\":" + num(seconds, 6) + ",\"ops_per_s\":" + num(flooded.size() / seconds, 1) +
         ",\"p50_us\":" + num(f50, 1) + ",\"p99_us\":" + num(f99, 1) + ",\"hub_cpu_s\":" + num(hub_cpu, 2) +
         ",\"client_cpu_s\":" + num(client_cpu, 2) + ",\"quiet_p50_us\":" + num(q50, 1) +
         ",\"quiet_p99_us\":" + num(q99, 1) + ",\"flood_handshakes_per_s\":" + num(flood_rate, 1) +
         ",\"flood_connections\":" + std::to_string(handshakes.load()) +
         ",\"flood_refused\":" + std::to_string(refused.load()) + ",\"ok\":true}";
}

}  // namespace

std::vector<std::string> runHostilePhase(const HostilePhaseOptions& o) {
  std::vector<std::string> rows;
  for (int n : o.sizes) rows.push_back(rssRow(o, n));
  rows.push_back(logonRow(o));
  return rows;
}

}  // namespace outpost::bench
