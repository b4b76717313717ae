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
// thread. Every wait is bounded by the phase's timeout.
#include "hub_bench_hostile.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

double selfCpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double procCpu(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(f, s);
  size_t close = s.rfind(')');
  if (close == std::string::npos) return NAN;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS / VmHWM in bytes (-1 if unreadable).
double procStatus(pid_t pid, const char* key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line, k = std::string(key) + ":";
  while (std::getline(f, line))
    if (line.rfind(k, 0) == 0) return std::strtod(line.c_str() + k.size(), nullptr) * 1024.0;
  return -1;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One outpost-hub for one row: started with its own data directory, killed with the bench.
struct HubProc {
  pid_t pid = -1;
  std::string rpc, key, data_dir;
  uint16_t port = 0;

  bool start(const HostilePhaseOptions& o, const std::string& name, std::string* error) {
    std::string root = o.tmp_root + "/" + name;
    mkdir(root.c_str(), 0700);
    data_dir = root + "/data";
    std::string out_path = root + "/hub.out", err_path = root + "/hub.err";
    std::vector<std::string> argv = {o.hub_bin, "--data-dir", data_dir, "--listen", "127.0.0.1:0", "--master", ""};
    argv.insert(argv.end(), o.hub_args.begin(), o.hub_args.end());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out_fd, 1);
      dup2(err_fd, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out_fd);
    close(err_fd);
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      std::istringstream lines(readFile(out_path));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("outpost-hub: listening on ", 0) == 0) rpc = line.substr(26);
        if (line.rfind("outpost-hub: public key ", 0) == 0) key = line.substr(24, 64);
      }
      if (!rpc.empty() && key.size() == 64) {
        port = static_cast<uint16_t>(std::stoi(rpc.substr(rpc.rfind(':') + 1)));
        return true;
      }
      int st = 0;
      if (waitpid(pid, &st, WNOHANG) == pid) {
        pid = -1;
        *error = "outpost-hub exited early: " + readFile(err_path);
        return false;
      }
      usleep(20000);
    }
    *error = "outpost-hub printed no banner within 20 s";
    return false;
  }
  ~HubProc() {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 400; ++i) {
      if (waitpid(pid, &st, WNOHANG) == pid) return;
      usleep(25000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
};

// `outpost admin ...` against the hub; its stdout, and false unless it exited 0.
bool admin(const HostilePhaseOptions& o, const HubProc& hub, const std::vector<std::string>& words, std::string* out) {
  std::string cmd = "'" + o.cli_bin + "' admin --hub " + hub.rpc + " --data-dir '" + hub.data_dir + "'";
  for (const auto& w : words) cmd += " '" + w + "'";
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return false;
  char buf[4096];
  std::string text;
  while (size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  int st = pclose(p);
  if (out) *out = text;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
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
  double baseline = procStatus(hub.pid, "VmRSS");
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
  double hub0 = procCpu(hub.pid), self0 = selfCpu();
  auto t0 = Clock::now();
  test::FloodResult r = flood.open();
  double seconds = secondsSince(t0);
  double hub_cpu = procCpu(hub.pid) - hub0, client_cpu = selfCpu() - self0;
  flood.drain(500);
  flood.keepAlive();
  double held = procStatus(hub.pid, "VmRSS");
  double peak = procStatus(hub.pid, "VmHWM");
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
  double after = procStatus(hub.pid, "VmRSS");
  usleep(10000000);  // the closed handshakes' records expire (10 s) and the heap is trimmed again
  double settled = procStatus(hub.pid, "VmRSS");
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
  double hub0 = procCpu(hub.pid), self0 = selfCpu();
  auto t0 = Clock::now();
  bool ok = true;
  for (int i = 0; i < logons && ok; ++i) {
    double us = timedLogon(hub, &err);
    if (std::isnan(us)) ok = false;
    else flooded.push_back(us);
  }
  double seconds = secondsSince(t0);
  double hub_cpu = procCpu(hub.pid) - hub0, client_cpu = selfCpu() - self0;
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
