// hub_bench: benchmarks outpost-hub the way an operator runs it. It starts a real outpost-hub
// process on 127.0.0.1 (ephemeral hub RPC and master ports, a temporary data directory),
// provisions it with the real `outpost admin` CLI (app 480, users with a licence, a login token),
// then loads it from this process over hub RPC (one Outpost transport instance holding every
// connection) and over UDP master queries, and prints one JSON document on stdout:
//
//   {"benchmark":"hub","machine":{...},"rows":[{"workload":...,"ops":...,"seconds":...,
//    "ops_per_s":...,"p50_us":...,"p99_us":...,"hub_cpu_s":...,"ok":...}, ...]}
//
// Workloads, in run order: user_logon, ticket_issue, ticket_validate (pipelined over one game
// server connection), server_register (N servers, one connection each), idle_connections,
// master_query and master_query_filtered (the hub as shipped: rate-limited per source IP),
// server_update, then in-process capacity rows that link the master module directly
// (master_reply_inprocess[_filtered]: parse + MasterIndex::reply; master_responder_inprocess:
// MasterResponder::handle with the rate limits raised). hub_cpu_s is the hub's utime+stime from
// /proc/<pid>/stat over the timed phase. Every wait is bounded; the hub process and the temporary
// directory are removed on every exit path, including SIGINT/SIGTERM/SIGHUP. bench/README.md
// ("Hub benchmark") documents each row; `bench/run hub [--quick] [--repeat N]` builds and runs it.
// Exit status: 0 every row ok, 1 some row failed, 2 usage error.
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
#include <cstdarg>
#include <chrono>
#include <cmath>
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
#include "bench_json.h"
#include "hub_bench_hostile.h"
#include "hub_bench_passwords.h"
#include "hub_bench_tickets.h"
#include "base/clock.h"
#include "hub/master_rate_limiter.h"
#include "hub/master_responder.h"
#include "hubrpc/client_credentials.h"
#include "hubrpc/framing.h"
#include "master/index.h"
#include "master/reply_page.h"
#include "master/request.h"
#include "outpost/networking_sockets.h"
#include "outpost/types.h"

#ifndef HUB_BENCH_HUB_BINARY
#define HUB_BENCH_HUB_BINARY "outpost-hub"
#endif
#ifndef HUB_BENCH_CLI_BINARY
#define HUB_BENCH_CLI_BINARY "outpost"
#endif

namespace {

using namespace outpost::bench;

using Clock = std::chrono::steady_clock;
using namespace outpost;

constexpr uint32_t kApp = 480;
constexpr uint32_t kLoopback = 0x7F000001;  // 127.0.0.1, host order
constexpr uint16_t kGamePortBase = 10000;   // server i: game port 10000+i, query port 30000+i
constexpr uint16_t kQueryPortBase = 30000;
constexpr int kMaps = 10;                   // server i runs map_(i % 10)
const std::string kFilter = "\\map\\map_3";  // the filtered master rows: every 10th server

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("hub_bench: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double usBetween(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::micro>(b - a).count(); }

// ------------------------------------------------------------------------------------ options

struct Options {
  std::string hub_bin = HUB_BENCH_HUB_BINARY;
  std::string cli_bin = HUB_BENCH_CLI_BINARY;
  std::string tmp_parent;  // where the temporary directory goes ($TMPDIR or /tmp)
  bool quick = false;
  int users = 50;
  int tickets = 20000;
  int window = 256;          // outstanding hub RPC requests (tickets)
  int servers = 10000;
  int connect_batch = 500;   // connections opened at once while registering servers
  int updates = 100000;
  double master_seconds = 10;  // time budget of each rate-limited master run
  int master_max = 20000;      // ... or this many replies, whichever comes first
  int master_window = 64;      // outstanding master requests
  int master_expire_ms = 100;  // an unanswered master request counts as dropped after this
  int inprocess = 100000;      // in-process master replies per row
  int inprocess_servers = 10000;
  int idle_seconds = 3;
  int timeout_s = 300;         // bound of every wait (one phase)
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
  bool runs(const char* phase) const { return ("," + phases + ",").find(std::string(",") + phase + ",") != std::string::npos; }
};

[[noreturn]] void usage(const char* why) {
  if (why) std::fprintf(stderr, "hub_bench: %s\n", why);
  std::fprintf(stderr,
               "usage: hub_bench [--quick] [--hub-binary PATH] [--cli-binary PATH] [--tmp-dir DIR]\n"
               "                 [--users K] [--tickets N] [--window W] [--servers S] [--connect-batch B]\n"
               "                 [--updates U] [--master-seconds T] [--master-max M] [--master-window W]\n"
               "                 [--inprocess M] [--timeout S] [--hub-arg ARG]... [--master-unthrottled]\n"
               "                 [--phases tickets,servers,ticket_scale,inprocess,passwords,hostile]\n"
               "                 [--hostile-sizes N,N...] [--ticket-checkpoints N,N,...] [--no-raise-caps]\n"
               "  starts outpost-hub on 127.0.0.1, provisions it with `outpost admin`, measures it and\n"
               "  prints one JSON document (bench/README.md, \"Hub benchmark\").\n");
  std::exit(why ? 2 : 0);
}

int intArg(const std::string& name, const char* v, int lo, int hi) {
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (!*v || *end || x < lo || x > hi) usage((name + " wants an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
  return static_cast<int>(x);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--quick") {
      o.quick = true;
      o.users = 10;
      o.tickets = 2000;
      o.servers = 1000;
      o.updates = 10000;
      o.master_seconds = 3;
      o.master_max = 2000;
      o.inprocess = 10000;
      o.idle_seconds = 2;
    }
  if (const char* t = std::getenv("TMPDIR")) o.tmp_parent = t;
  if (o.tmp_parent.empty()) o.tmp_parent = "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--quick") continue;
    else if (a == "--help" || a == "-h") usage(nullptr);
    else if (a == "--hub-binary") o.hub_bin = value();
    else if (a == "--cli-binary") o.cli_bin = value();
    else if (a == "--tmp-dir") o.tmp_parent = value();
    else if (a == "--users") o.users = intArg(a, value(), 1, 10000);
    else if (a == "--tickets") o.tickets = intArg(a, value(), 1, 150000);  // the hub tracks 200,000
    else if (a == "--window") o.window = intArg(a, value(), 1, 4096);
    else if (a == "--servers") o.servers = intArg(a, value(), 1, 20000);  // ports stay distinct
    else if (a == "--connect-batch") o.connect_batch = intArg(a, value(), 1, 20000);
    else if (a == "--updates") o.updates = intArg(a, value(), 1, 10000000);
    else if (a == "--master-seconds") o.master_seconds = intArg(a, value(), 1, 600);
    else if (a == "--master-max") o.master_max = intArg(a, value(), 1, 100000000);
    else if (a == "--master-window") o.master_window = intArg(a, value(), 1, 1024);
    else if (a == "--inprocess") o.inprocess = intArg(a, value(), 1, 100000000);
    else if (a == "--timeout") o.timeout_s = intArg(a, value(), 1, 86400);
    else if (a == "--hub-arg") o.hub_args.push_back(value());
    else if (a == "--phases") o.phases = value();
    else if (a == "--ticket-checkpoints") {
      std::stringstream list(value());
      for (std::string n; std::getline(list, n, ',');)
        o.ticket_checkpoints.push_back(static_cast<size_t>(intArg(a, n.c_str(), 1, 10000000)));
    }
    else if (a == "--hostile-sizes") {
      o.hostile_sizes.clear();
      std::string list = value();
      for (size_t at = 0; at <= list.size();) {
        size_t comma = std::min(list.find(',', at), list.size());
        o.hostile_sizes.push_back(intArg("--hostile-sizes", list.substr(at, comma - at).c_str(), 1, 100000));
        at = comma + 1;
      }
    }
    else if (a == "--no-raise-caps") o.raise_caps = false;
    else if (a == "--master-unthrottled") o.master_unthrottled = true;
    else usage(("unknown argument " + a).c_str());
  }
  // ticket_issue measures signing throughput for K users: the per-session rate and per-user caps
  // (docs/decisions/012) are raised first, so later --hub-arg flags can still set them.
  std::vector<std::string> raised;
  for (const char* l : {"per_user=10000000", "users_total=10000000", "requests_per_sec=1000000000",
                        "request_burst=1000000000"})
    raised.insert(raised.end(), {"--ticket-limit", l});
  o.hub_args.insert(o.hub_args.begin(), raised.begin(), raised.end());
  if (o.master_unthrottled)
    for (const char* k : {"requests_per_sec_per_ip", "request_burst_per_ip", "reply_bytes_per_sec_per_ip",
                          "reply_burst_bytes_per_ip", "requests_per_sec_global", "request_burst_global",
                          "reply_bytes_per_sec_global", "reply_burst_bytes_global"}) {
      o.hub_args.push_back("--master-limit");
      o.hub_args.push_back(std::string(k) + "=4294967295");
    }
  return o;
}

// ------------------------------------------------------------- cleanup (also from signals)

pid_t g_hub_pid = -1;
char g_tmp_root[1024] = {};  // removed at exit; fixed storage so a signal handler can use it

// Async-signal-safe: fork + exec rm -rf + waitpid.
void removeTreeSignalSafe(const char* path) {
  if (!path[0]) return;
  pid_t p = fork();
  if (p == 0) {
    execl("/bin/rm", "rm", "-rf", "--", path, static_cast<char*>(nullptr));
    _exit(127);
  }
  if (p > 0) {
    int st = 0;
    waitpid(p, &st, 0);
  }
}

void onFatalSignal(int sig) {
  if (g_hub_pid > 0) {
    kill(g_hub_pid, SIGKILL);
    int st = 0;
    waitpid(g_hub_pid, &st, 0);
    g_hub_pid = -1;
  }
  removeTreeSignalSafe(g_tmp_root);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Stops the hub: SIGTERM, up to 10 s, then SIGKILL. Returns its exit status (128+signal).
int stopHub() {
  if (g_hub_pid <= 0) return -1;
  pid_t pid = g_hub_pid;
  kill(pid, SIGTERM);
  int status = 0;
  bool gone = false;
  for (int i = 0; i < 400 && !gone; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) gone = true;
    else usleep(25000);
  }
  if (!gone) {
    log("the hub did not stop within 10 s of SIGTERM; killing it");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  g_hub_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void cleanupAtExit() {
  if (g_hub_pid > 0) stopHub();
  if (g_tmp_root[0]) {
    std::error_code ec;
    std::filesystem::remove_all(g_tmp_root, ec);
    g_tmp_root[0] = 0;
  }
}

// ------------------------------------------------------------------------- measurements

// utime + stime of a process, from /proc/<pid>/stat (clock-tick resolution, 10 ms). -1 if unreadable.
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

// CPU meters around a timed phase: the hub process and this one.
struct CpuMeter {
  double hub0 = -1, self0 = 0;
  void start() {
    hub0 = g_hub_pid > 0 ? procCpuSeconds(g_hub_pid) : -1;
    self0 = selfCpuSeconds();
  }
  double hub() const {
    double h1 = g_hub_pid > 0 ? procCpuSeconds(g_hub_pid) : -1;
    return hub0 < 0 || h1 < 0 ? NAN : h1 - hub0;
  }
  double self() const { return selfCpuSeconds() - self0; }
};

// ---------------------------------------------------------------------------------- JSON

struct Row {
  std::string workload;
  double ops = NAN, seconds = NAN, p50 = NAN, p99 = NAN, hub_cpu = NAN, client_cpu = NAN;
  bool ok = false;
  bool has_rate = true;  // false: ops is a count, not something done per second (ops_per_s null)
  std::vector<std::pair<std::string, std::string>> extra;  // key -> JSON value
  void add(const std::string& k, const std::string& json_value) { extra.emplace_back(k, json_value); }
  void addNum(const std::string& k, double v, int decimals = 0) { add(k, num(v, decimals)); }
  // p50 and p99 of the per-operation latencies (µs; sorts them).
  void setLatency(std::vector<double>& lat_us) {
    p50 = percentile(lat_us, 50);
    p99 = percentile(lat_us, 99);
  }
  std::string json() const {
    double rate = has_rate && std::isfinite(ops) && std::isfinite(seconds) && seconds > 0 ? ops / seconds : NAN;
    std::string s = "{\"workload\":" + jsonString(workload) + ",\"ops\":" + num(ops, 0) + ",\"seconds\":" +
                    num(seconds, 6) + ",\"ops_per_s\":" + num(rate, 1) + ",\"p50_us\":" + num(p50, 1) +
                    ",\"p99_us\":" + num(p99, 1) + ",\"hub_cpu_s\":" + num(hub_cpu, 2) +
                    ",\"client_cpu_s\":" + num(client_cpu, 2);
    for (const auto& [k, v] : extra) {
      s += ',';
      s += jsonString(k);
      s += ':';
      s += v;
    }
    return s + ",\"ok\":" + (ok ? "true" : "false") + "}";
  }
};

// A row for a phase against the hub timed from t0: its name, elapsed seconds, hub and client CPU.
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

// ------------------------------------------------------------------------------ processes

struct ProcResult {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// Runs argv to completion, bounded by timeout_s (killed after that).
ProcResult runProcess(const std::vector<std::string>& argv, int timeout_s) {
  ProcResult r;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return r;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return r;
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  char buf[4096];
  bool killed = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = killed ? 124 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

struct HubInfo {
  std::string rpc_address, master_address, public_key, data_dir, out_path, err_path;
};

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string lastLines(const std::string& text, int n) {
  size_t pos = text.size();
  for (int i = 0; i <= n && pos > 0; ++i) {
    size_t p = text.rfind('\n', pos - 1);
    if (p == std::string::npos) return text;
    pos = p;
    if (i == n) return text.substr(pos + 1);
  }
  return text;
}

// Starts outpost-hub on 127.0.0.1 with ephemeral ports; stdout/stderr go to files in tmp_root.
// Waits (<= 20 s) for the three banner lines.
bool startHub(const Options& o, const std::string& tmp_root, HubInfo& hub, std::string* error) {
  hub.data_dir = tmp_root + "/data";
  hub.out_path = tmp_root + "/hub.out";
  hub.err_path = tmp_root + "/hub.err";
  std::vector<std::string> argv = {o.hub_bin, "--data-dir", hub.data_dir, "--listen", "127.0.0.1:0", "--master", "127.0.0.1:0"};
  if (o.raise_caps)
    for (const char* cap : {"OUTPOST_MAX_CONNECTIONS_PER_SOURCE", "OUTPOST_MAX_UNTRUSTED_CONNECTIONS",
                            "OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE"})
      argv.insert(argv.end(), {"--transport", std::string(cap) + "=1048576"});
  argv.insert(argv.end(), o.hub_args.begin(), o.hub_args.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int out_fd = open(hub.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = open(hub.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) {
    *error = "cannot create the hub's output files in " + tmp_root;
    return false;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *error = "fork failed";
    return false;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // the hub never outlives the benchmark
    if (getppid() != parent) _exit(127);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  g_hub_pid = pid;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    std::string out = readFile(hub.out_path);
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      auto take = [&](const std::string& prefix, std::string& v) {
        if (line.rfind(prefix, 0) == 0) v = line.substr(prefix.size());
      };
      take("outpost-hub: listening on ", hub.rpc_address);
      take("outpost-hub: master query on ", hub.master_address);
      if (line.rfind("outpost-hub: public key ", 0) == 0) hub.public_key = line.substr(24, 64);
    }
    if (!hub.rpc_address.empty() && !hub.master_address.empty() && hub.public_key.size() == 64) return true;
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      g_hub_pid = -1;
      *error = "outpost-hub exited early (status " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) + ")";
      return false;
    }
    usleep(20000);
  }
  *error = "outpost-hub printed no complete banner within 20 s";
  return false;
}

uint64_t counter(const std::map<std::string, uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

// ---------------------------------------------------------------------- hub RPC connections

// Many hub RPC connections in one NetworkingSockets instance (one UDP socket, the SDK's service
// thread), all in one poll group. Every connection pins the hub's key, as the SDK does.
class RpcPool {
 public:
  RpcPool(std::string address, std::string key) : address_(std::move(address)), key_(std::move(key)) {
    group_ = net_.createPollGroup();
    net_.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) {
      int st = s.connection.connection_state;
      state_[s.connect_handle] = st;
      if (st == CONNECTION_STATE_CLOSED_BY_PEER || st == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
        ++lost_;
        last_error_ = s.connection.end_debug;
      }
    });
  }
  ~RpcPool() {
    for (uint32_t c : conns_) net_.closeConnection(c, 0, "bench done", false);
  }

  // Starts `n` connections; returns their handles (0 entries on a malformed address).
  std::vector<uint32_t> connect(size_t n) {
    ConfigOptions o;
    o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = key_;
    o[NETWORKING_CONFIG_TIMEOUT_INITIAL] = int32_t{30000};
    std::vector<uint32_t> out;
    for (size_t i = 0; i < n; ++i) {
      uint32_t c = net_.connectByIPAddress(address_, o);
      if (!c) break;
      net_.setConnectionPollGroup(c, group_);
      conns_.push_back(c);
      out.push_back(c);
    }
    return out;
  }
  bool connected(uint32_t c) const {
    auto it = state_.find(c);
    return it != state_.end() && it->second == CONNECTION_STATE_CONNECTED;
  }
  size_t lost() const { return lost_; }
  const std::string& lastError() const { return last_error_; }

  // Sends one envelope reliably (as the SDK does: RELIABLE_NO_NAGLE). false if refused.
  bool send(uint32_t conn, const hubrpc::Envelope& e) {
    auto bytes = hubrpc::encode(e);
    return net_.sendMessageToConnection(conn, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
  }
  // Sends prepared messages in one call; returns how many were accepted.
  size_t sendBatch(const std::vector<uint32_t>& conns, const std::vector<std::vector<uint8_t>>& payloads) {
    std::vector<OutgoingMessage> m(conns.size());
    for (size_t i = 0; i < conns.size(); ++i) {
      m[i].connection = conns[i];
      m[i].data = payloads[i];
      m[i].flags = NETWORKING_SEND_RELIABLE_NO_NAGLE;
    }
    size_t ok = 0;
    for (const auto& r : net_.sendMessages(m)) ok += r.result == RESULT_OK;
    return ok;
  }

  // Hands every received envelope to f(connection, envelope); waits up to wait_ms when none is
  // ready. Returns how many were delivered (undecodable messages count as `bad`).
  template <typename F>
  size_t pump(F&& f, int wait_ms) {
    net_.runNetworkingCallbacks();
    int n = net_.receiveMessagesOnPollGroup(group_, batch_, 512);
    if (n <= 0) {
      if (wait_ms > 0) net_.waitForActivity(wait_ms);
      return 0;
    }
    for (const auto& m : batch_.messages()) {
      auto e = hubrpc::decode(m.payload);
      if (!e) {
        ++bad_;
        continue;
      }
      f(m.connection, *e);
    }
    return static_cast<size_t>(n);
  }
  size_t bad() const { return bad_; }
  std::map<std::string, uint64_t> transportCounters() { return net_.getTransportCounters(); }
  uint32_t nextRequestId() { return next_rid_++; }
  uint32_t reserveRequestIds(uint32_t n) {
    uint32_t first = next_rid_;
    next_rid_ += n;
    return first;
  }

 private:
  NetworkingSockets net_;
  std::string address_, key_;
  uint32_t group_ = 0;
  std::vector<uint32_t> conns_;
  std::unordered_map<uint32_t, int> state_;
  size_t lost_ = 0;
  std::string last_error_;
  MessageBatch batch_;
  size_t bad_ = 0;
  uint32_t next_rid_ = 1;
};

// Opens `n` connections in batches of `batch`, waiting for each batch (bounded). `on_batch` runs
// after each batch is connected; `on_message` receives whatever arrives meanwhile.
template <typename OnBatch, typename OnMessage>
bool openConnections(RpcPool& pool, size_t n, size_t batch, Clock::time_point deadline, OnBatch&& on_batch,
                     OnMessage&& on_message, std::vector<uint32_t>* all, std::string* error) {
  while (all->size() < n) {
    size_t want = std::min(batch, n - all->size());
    auto fresh = pool.connect(want);
    if (fresh.size() != want) {
      *error = "connectByIPAddress refused a connection";
      return false;
    }
    size_t first = all->size();
    all->insert(all->end(), fresh.begin(), fresh.end());
    for (;;) {
      size_t up = 0;
      for (uint32_t c : fresh) up += pool.connected(c);
      if (up == fresh.size()) break;
      if (pool.lost()) {
        *error = "a hub connection failed while connecting: " + pool.lastError();
        return false;
      }
      if (Clock::now() > deadline) {
        *error = "timed out connecting (" + std::to_string(first + up) + " of " + std::to_string(n) + " connected)";
        return false;
      }
      pool.pump(on_message, 5);
    }
    on_batch(first, fresh);
  }
  return true;
}

// ------------------------------------------------------------------------- admin (RPC)

// The hub's counters through AdminRequest.status, over a pinned connection with the admin token
// of the data directory (what `outpost admin status` does, without a process per call). Built on
// RpcPool rather than hubrpc::HubClient: HubClient never runs the transport's callbacks, so once
// one is queued its waitForActivity() returns at once and every call() spins on a core — which
// on 2 cores would be taken from the hub while we wait for it.
class AdminClient {
 public:
  bool connect(const HubInfo& hub, std::string* error) {
    std::string key;
    if (!hubrpc::readClientCredentials(hub.data_dir, &key, &token_, error)) return false;
    pool_ = std::make_unique<RpcPool>(hub.rpc_address, key);
    std::vector<uint32_t> c;
    auto ignore = [](uint32_t, const hubrpc::Envelope&) {};
    if (!openConnections(*pool_, 1, 1, Clock::now() + std::chrono::seconds(10), [](size_t, const auto&) {}, ignore, &c,
                         error))
      return false;
    conn_ = c[0];
    return true;
  }
  std::optional<std::map<std::string, uint64_t>> status(int timeout_ms, std::string* error) {
    hubrpc::Envelope e;
    uint32_t rid = pool_->nextRequestId();
    e.set_request_id(rid);
    e.mutable_admin_request()->set_admin_token(token_);
    e.mutable_admin_request()->mutable_status();
    if (!pool_->send(conn_, e)) {
      *error = "sending the status request failed";
      return std::nullopt;
    }
    std::optional<hubrpc::Envelope> r;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!r) {
      if (pool_->lost()) {
        *error = "the admin connection was lost: " + pool_->lastError();
        return std::nullopt;
      }
      if (Clock::now() > deadline) {
        *error = "the hub did not answer a status request within " + std::to_string(timeout_ms) + " ms";
        return std::nullopt;
      }
      pool_->pump([&](uint32_t, const hubrpc::Envelope& x) {
        if (x.request_id() == rid) r = x;
      }, 20);
    }
    if (!r->has_admin_response() || r->admin_response().result() != RESULT_OK) {
      *error = "status refused: " + (r->has_admin_response() ? r->admin_response().error() : std::string("no admin response"));
      return std::nullopt;
    }
    std::map<std::string, uint64_t> out(r->admin_response().counters().begin(), r->admin_response().counters().end());
    return out;
  }

 private:
  std::unique_ptr<RpcPool> pool_;
  uint32_t conn_ = 0;
  std::string token_;
};

// A cheap request sent every `every` while a pipelined run is in flight, one at a time: its
// round trips show whether the hub keeps answering other RPCs under that load.
struct Probe {
  uint32_t connection = 0;
  hubrpc::Envelope request;
  std::chrono::microseconds every{5000};
  std::vector<double> lat_us;
};

// Pipelined requests: request i goes out as make(i, &conn, envelope) (request_id assigned here),
// with at most `window` unanswered; accept(i, response) checks response i. Latency per request
// (send -> response) goes to *lat_us. false on timeout or a lost connection. With a probe, its
// request also goes out (one outstanding at a time, every probe->every) until the run is done.
template <typename Make, typename Accept>
bool pipelined(RpcPool& pool, size_t total, size_t window, Clock::time_point deadline, Make&& make, Accept&& accept,
               std::vector<double>* lat_us, std::string* error, Probe* probe = nullptr) {
  uint32_t base = pool.reserveRequestIds(static_cast<uint32_t>(total));
  std::vector<Clock::time_point> sent_at(total);
  std::vector<uint8_t> answered(total, 0);
  size_t sent = 0, done = 0;
  const uint32_t probe_id_base = probe ? pool.reserveRequestIds(1u << 20) : 0;
  uint32_t probe_next_id = probe_id_base;
  bool probe_waiting = false;
  Clock::time_point probe_sent{}, probe_due = Clock::now();
  auto on_message = [&](uint32_t, const hubrpc::Envelope& e) {
    uint32_t rid = e.request_id();
    if (probe && probe_waiting && rid == probe_next_id - 1) {
      probe->lat_us.push_back(usBetween(probe_sent, Clock::now()));
      probe_waiting = false;
      probe_due = probe_sent + probe->every;
      return;
    }
    if (rid < base || rid - base >= total) return;  // a push (request_id 0) or someone else's
    size_t i = rid - base;
    if (answered[i]) return;
    answered[i] = 1;
    ++done;
    lat_us->push_back(usBetween(sent_at[i], Clock::now()));
    accept(i, e);
  };
  while (done < total) {
    while (sent < total && sent - done < window) {
      uint32_t conn = 0;
      hubrpc::Envelope e;
      make(sent, &conn, e);
      e.set_request_id(base + static_cast<uint32_t>(sent));
      sent_at[sent] = Clock::now();
      if (!pool.send(conn, e)) {
        *error = "sending request " + std::to_string(sent) + " failed";
        return false;
      }
      ++sent;
    }
    if (probe && !probe_waiting && Clock::now() >= probe_due && probe_next_id - probe_id_base < (1u << 20)) {
      hubrpc::Envelope e = probe->request;
      e.set_request_id(probe_next_id++);
      probe_sent = Clock::now();
      probe_waiting = pool.send(probe->connection, e);
    }
    if (pool.lost()) {
      *error = "a hub connection was lost: " + pool.lastError();
      return false;
    }
    if (Clock::now() > deadline) {
      *error = "timed out with " + std::to_string(done) + " of " + std::to_string(total) + " answered";
      return false;
    }
    pool.pump(on_message, 1);
  }
  // A probe still unanswered waited the whole run: wait for it so that shows in its latency.
  while (probe && probe_waiting && Clock::now() < deadline && !pool.lost()) pool.pump(on_message, 1);
  return true;
}

// --------------------------------------------------------------------------- master queries

std::vector<uint8_t> masterRequest(uint32_t seed_ip, uint16_t seed_port, const std::string& filter) {
  return master::encodeMasterRequest(master::kRegionAll, seed_ip, seed_port, filter);
}

// The exact first page for a list whose matching servers have these query ports (all on
// 127.0.0.1, ascending): up to 232 entries, then the terminator if the list ended first.
std::vector<uint8_t> expectedFirstPage(const std::vector<uint16_t>& ports) {
  std::vector<master::PageEntry> entries;
  for (size_t i = 0; i < std::min<size_t>(ports.size(), master::kMaxEntriesPerReply); ++i)
    entries.push_back({0x7F000001, ports[i]});
  return master::encodeReplyPage(entries, ports.size() < master::kMaxEntriesPerReply);
}

class MasterClient {
 public:
  ~MasterClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool open(const std::string& master_address, std::string* error) {
    auto addr = SocketAddress::parse(master_address, true);
    if (!addr || addr->isV6()) {
      *error = "master address \"" + master_address + "\" is not IPv4 ip:port";
      return false;
    }
    std::memcpy(&to_, addr->sa(), sizeof to_);
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rcvbuf = 4 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(kLoopback);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      *error = std::string("cannot bind a UDP socket on 127.0.0.1: ") + std::strerror(errno);
      return false;
    }
    return true;
  }
  bool send(const std::vector<uint8_t>& req) {
    return sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_) ==
           static_cast<ssize_t>(req.size());
  }
  // One datagram from the master (others are ignored), waiting up to wait_ms.
  std::optional<std::vector<uint8_t>> receive(int wait_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      std::vector<uint8_t> buf(2048);
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n >= 0) {
        if (from.sin_port != to_.sin_port || from.sin_addr.s_addr != to_.sin_addr.s_addr) continue;
        buf.resize(static_cast<size_t>(n));
        return buf;
      }
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left));  // rounded up: a sub-millisecond wait must not spin
    }
  }
  void drain() {
    while (receive(0)) {
    }
  }

 private:
  int fd_ = -1;
  sockaddr_in to_{};
};

// Walks the whole list (first page, then each last address as the next seed) and returns the
// listed query ports in order. Unanswered pages (rate limits) are retried after a pause.
std::optional<std::vector<uint16_t>> masterWalk(MasterClient& mc, const std::string& filter, int* pages,
                                                std::string* error) {
  std::vector<uint16_t> ports;
  uint32_t seed_ip = 0;
  uint16_t seed_port = 0;
  *pages = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    std::optional<std::vector<uint8_t>> reply;
    for (int attempt = 0; attempt < 8 && !reply; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      mc.send(masterRequest(seed_ip, seed_port, filter));
      reply = mc.receive(1000);
    }
    if (!reply) {
      *error = "the master did not answer a page (8 attempts)";
      return std::nullopt;
    }
    ++*pages;
    const auto& r = *reply;
    if (r.size() < 6 || (r.size() - 6) % 6 || std::memcmp(r.data(), master::kReplyHeader, 6) != 0) {
      *error = "malformed master reply of " + std::to_string(r.size()) + " bytes";
      return std::nullopt;
    }
    bool last = false;
    for (size_t i = 6; i < r.size(); i += 6) {
      uint32_t ip = uint32_t{r[i]} << 24 | uint32_t{r[i + 1]} << 16 | uint32_t{r[i + 2]} << 8 | r[i + 3];
      uint16_t port = static_cast<uint16_t>(r[i + 4] << 8 | r[i + 5]);
      if (ip == 0 && port == 0) {
        last = true;
        break;
      }
      ports.push_back(port);
      seed_ip = ip;
      seed_port = port;
    }
    if (last) return ports;
  }
  *error = "the walk did not end within 1000 pages";
  return std::nullopt;
}

struct MasterLoad {
  uint64_t sent = 0, replies = 0, wrong = 0;
  double seconds = 0;
};

// Sends identical first-page requests from one socket, keeping up to `window` unanswered (an
// unanswered request is written off after expire_ms: the master drops rate-limited requests
// silently). Stops after max_seconds or max_replies replies. Every reply must equal `page`.
MasterLoad masterLoad(MasterClient& mc, const std::vector<uint8_t>& req, const std::vector<uint8_t>& page,
                      double max_seconds, uint64_t max_replies, size_t window, int expire_ms) {
  MasterLoad m;
  std::deque<Clock::time_point> inflight;
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  auto expire = std::chrono::milliseconds(expire_ms);
  Clock::time_point last_reply = t0;
  while (m.replies < max_replies) {
    auto now = Clock::now();
    if (now >= end) break;
    while (!inflight.empty() && inflight.front() + expire < now) inflight.pop_front();
    while (inflight.size() < window && mc.send(req)) {
      inflight.push_back(now);
      ++m.sent;
    }
    // Wait up to 1 ms for the first reply, then take whatever else is queued.
    for (auto r = mc.receive(1); r; r = mc.receive(0)) {
      ++m.replies;
      last_reply = Clock::now();
      if (*r != page) ++m.wrong;
      if (!inflight.empty()) inflight.pop_front();
      if (m.replies >= max_replies) break;
    }
  }
  m.seconds = m.replies >= max_replies ? std::chrono::duration<double>(last_reply - t0).count() : secondsSince(t0);
  return m;
}

// --------------------------------------------------------------------------- the workloads

// What every hub-side phase shares.
struct Bench {
  Options o;
  HubInfo hub;
  AdminClient admin;
  std::vector<Row> rows;
  Clock::time_point deadline() const { return Clock::now() + std::chrono::seconds(o.timeout_s); }
};

ProcResult adminCli(const Bench& b, const std::vector<std::string>& words) {
  std::vector<std::string> argv = {b.o.cli_bin, "admin", "--hub", b.hub.rpc_address, "--data-dir", b.hub.data_dir};
  argv.insert(argv.end(), words.begin(), words.end());
  return runProcess(argv, 60);
}

std::string userName(int i) { return "bench" + std::to_string(i); }
std::string userPassword(int i) { return "bench-password-" + std::to_string(i); }

// app put 480, K users with a licence for 480, an owner with a login token — with the real CLI.
bool provision(Bench& b, std::string* error) {
  auto t0 = Clock::now();
  // The game servers log on anonymously: the app must let them be listed (docs/decisions/011).
  std::vector<std::vector<std::string>> cmds = {{"app", "put", std::to_string(kApp), "Spacewar", "--anonymous", "logon,listed"},
                                                {"user", "create", "owner", "owner-password"}};
  for (int i = 0; i < b.o.users; ++i) {
    cmds.push_back({"user", "create", userName(i), userPassword(i)});
    cmds.push_back({"licence", "grant", userName(i), std::to_string(kApp)});
  }
  cmds.push_back({"token", "create", std::to_string(kApp), "owner", "--memo", "hub_bench"});
  for (const auto& c : cmds) {
    auto r = adminCli(b, c);
    if (r.status != 0) {
      std::string cmd;
      for (const auto& w : c) cmd += " " + w;
      *error = "outpost admin" + cmd + " failed (status " + std::to_string(r.status) + "): " + r.out;
      return false;
    }
    if (c[0] == "token" && r.out.find("token=") == std::string::npos) {
      *error = "outpost admin token create printed no token: " + r.out;
      return false;
    }
  }
  log("provisioned app %u, %d users with a licence, 1 login token (%zu CLI runs) in %.1f s", kApp, b.o.users,
      cmds.size(), secondsSince(t0));
  return true;
}

hubrpc::Envelope serverLogOn(uint16_t game_port, uint16_t query_port) {
  hubrpc::Envelope e;
  auto* l = e.mutable_server_log_on();
  l->set_token("");  // anonymous
  l->set_app_id(kApp);
  l->set_version("1.0.0.0");
  l->set_server_mode(2);  // authentication
  l->set_game_port(game_port);
  l->set_query_port(query_port);
  l->set_product("spacewar");
  l->set_mod_dir("spacewar");
  l->set_description("Outpost hub_bench");
  l->set_dedicated(true);
  return e;
}

hubrpc::Envelope serverListing(int i, int round, const std::string& map) {
  hubrpc::Envelope e;
  auto* l = e.mutable_server_listing();
  l->set_advertise(true);
  l->set_name("hub_bench server " + std::to_string(i) + (round ? " r" + std::to_string(round) : ""));
  l->set_map(map);
  l->set_max_players(32);
  l->set_players(static_cast<uint32_t>((i + round) % 33));
  l->set_tags("bench,t" + std::to_string(i % 4));
  l->set_os("l");
  return e;
}

std::string mapOf(int i) { return "map_" + std::to_string(i % kMaps); }

// (a) user_logon, ticket_issue, ticket_validate.
void ticketPhase(Bench& b) {
  const int K = b.o.users, N = b.o.tickets;
  const char* names[] = {"user_logon", "ticket_issue", "ticket_validate"};
  auto fail = [&](size_t from, const std::string& why) {
    log("ticket phase failed: %s", why.c_str());
    for (size_t i = from; i < 3; ++i) b.rows.push_back(failedRow(names[i], why));
  };
  RpcPool pool(b.hub.rpc_address, b.hub.public_key);
  std::vector<uint32_t> conns;
  std::string err;
  auto ignore = [](uint32_t, const hubrpc::Envelope&) {};
  if (!openConnections(pool, static_cast<size_t>(K) + 1, static_cast<size_t>(K) + 1, b.deadline(), [](size_t, const auto&) {},
                       ignore, &conns, &err))
    return fail(0, err);
  std::vector<uint32_t> users(conns.begin(), conns.begin() + K);
  uint32_t server = conns.back();

  // user_logon: K logons (Argon2id verification on the hub), one per connection, all at once.
  // Meanwhile a probe (a ticket request from the not-yet-logged-on server connection, answered
  // NotLoggedOn at once) measures how long any other RPC waits during the logon storm.
  std::vector<uint64_t> steam(K, 0);
  std::vector<double> lat;
  size_t refused = 0;
  Probe probe;
  probe.connection = server;
  probe.request.mutable_ticket_request();
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  bool ok = pipelined(
      pool, K, K, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = users[i];
        auto* l = e.mutable_user_log_on();
        l->set_name(userName(static_cast<int>(i)));
        l->set_password(userPassword(static_cast<int>(i)));
        l->set_app_id(kApp);
      },
      [&](size_t i, const hubrpc::Envelope& e) {
        if (e.has_user_log_on_result() && e.user_log_on_result().result() == RESULT_OK)
          steam[i] = e.user_log_on_result().steam_id();
        else
          ++refused;
      },
      &lat, &err, &probe);
  Row r = hubRow(names[0], t0, cpu);
  if (!ok) return fail(0, err);
  r.ops = K;
  r.setLatency(lat);
  r.ok = refused == 0;
  r.addNum("users", K);
  r.addNum("refused", static_cast<double>(refused));
  r.addNum("probes", static_cast<double>(probe.lat_us.size()));
  r.addNum("probe_p50_us", percentile(probe.lat_us, 50));
  r.addNum("probe_p99_us", percentile(probe.lat_us, 99));
  r.addNum("probe_max_us", probe.lat_us.empty() ? 0 : *std::max_element(probe.lat_us.begin(), probe.lat_us.end()));
  r.add("note", jsonString("Argon2id password check per logon (crypto_pwhash interactive limits); probe_* = round trips "
                           "of another RPC sent every 5 ms during the logons"));
  b.rows.push_back(r);
  if (refused) return fail(1, std::to_string(refused) + " user logons refused");

  // The game server that validates: anonymous, app 480 (not timed).
  std::vector<double> ignored;
  bool server_ok = false;
  if (!pipelined(
          pool, 1, 1, b.deadline(),
          [&](size_t, uint32_t* c, hubrpc::Envelope& e) {
            *c = server;
            e = serverLogOn(27015, 27016);
          },
          [&](size_t, const hubrpc::Envelope& e) {
            server_ok = e.has_server_log_on_result() && e.server_log_on_result().result() == RESULT_OK;
          },
          &ignored, &err))
    return fail(1, "server logon: " + err);
  if (!server_ok) return fail(1, "the validating game server's logon was refused");

  // ticket_issue: N TicketRequests round-robin over the K users, `window` outstanding.
  std::vector<std::string> tickets(N);
  refused = 0;
  lat.clear();
  cpu.start();
  t0 = Clock::now();
  ok = pipelined(
      pool, N, b.o.window, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = users[i % K];
        e.mutable_ticket_request()->set_recipient("");
      },
      [&](size_t i, const hubrpc::Envelope& e) {
        if (e.has_ticket_result() && e.ticket_result().result() == RESULT_OK && !e.ticket_result().ticket().empty())
          tickets[i] = e.ticket_result().ticket();
        else
          ++refused;
      },
      &lat, &err);
  Row ti = hubRow(names[1], t0, cpu);
  if (!ok) return fail(1, err);
  ti.ops = N;
  ti.setLatency(lat);
  ti.ok = refused == 0;
  ti.addNum("users", K);
  ti.addNum("window", b.o.window);
  ti.addNum("refused", static_cast<double>(refused));
  b.rows.push_back(ti);
  if (refused) return fail(2, std::to_string(refused) + " ticket requests refused");

  // ticket_validate: every ticket once, on the one server connection, `window` outstanding.
  std::map<int32_t, uint64_t> responses;
  lat.clear();
  cpu.start();
  t0 = Clock::now();
  ok = pipelined(
      pool, N, b.o.window, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = server;
        auto* v = e.mutable_validate_ticket();
        v->set_ticket(tickets[i]);
        v->set_steam_id(steam[i % K]);
      },
      [&](size_t, const hubrpc::Envelope& e) {
        responses[e.has_auth_session_update() ? e.auth_session_update().response() : -1000]++;
      },
      &lat, &err);
  Row tv = hubRow(names[2], t0, cpu);
  if (!ok) return fail(2, err);
  tv.ops = N;
  tv.setLatency(lat);
  uint64_t good = responses[AUTH_SESSION_RESPONSE_OK];
  std::string resp = "{";
  for (const auto& [code, n] : responses) {
    if (!n) continue;
    if (resp.size() > 1) resp += ',';
    resp += jsonString(std::to_string(code));
    resp += ':';
    resp += std::to_string(n);
  }
  tv.ok = good == static_cast<uint64_t>(N);
  tv.addNum("window", b.o.window);
  tv.add("responses", resp + "}");
  tv.add("note", jsonString("each validation is a SQLite commit (ticket_uses, synchronous=FULL) on the data dir's disk"));
  b.rows.push_back(tv);
  log("tickets: %d issued, %llu of %d validated OK", N, static_cast<unsigned long long>(good), N);
}

// (b) and (c): server_register, idle_connections, master_query[_filtered], server_update.
void serverPhase(Bench& b) {
  const int S = b.o.servers;
  const char* names[] = {"server_register", "idle_connections", "master_query", "master_query_filtered", "server_update"};
  size_t done_rows = 0;
  auto fail = [&](const std::string& why) {
    log("server phase failed: %s", why.c_str());
    for (size_t i = done_rows; i < 5; ++i) b.rows.push_back(failedRow(names[i], why));
  };
  auto push = [&](Row r) {
    b.rows.push_back(std::move(r));
    ++done_rows;
  };
  std::string err;
  auto status = [&]() { return b.admin.status(b.o.timeout_s * 1000, &err); };

  // server_register: S connections from one instance, in batches; each sends ServerLogOn then
  // ServerListing; done when the hub lists all S (admin status game_servers.listed).
  RpcPool pool(b.hub.rpc_address, b.hub.public_key);
  std::vector<uint32_t> conns;
  uint32_t logon_base = pool.reserveRequestIds(static_cast<uint32_t>(S));
  size_t logons_ok = 0, logons_bad = 0, sent_bad = 0;
  auto on_message = [&](uint32_t, const hubrpc::Envelope& e) {
    if (e.request_id() < logon_base || e.request_id() - logon_base >= static_cast<uint32_t>(S)) return;
    if (e.has_server_log_on_result() && e.server_log_on_result().result() == RESULT_OK) ++logons_ok;
    else ++logons_bad;
  };
  auto on_batch = [&](size_t first, const std::vector<uint32_t>& fresh) {
    for (size_t k = 0; k < fresh.size(); ++k) {
      int i = static_cast<int>(first + k);
      auto logon = serverLogOn(static_cast<uint16_t>(kGamePortBase + i), static_cast<uint16_t>(kQueryPortBase + i));
      logon.set_request_id(logon_base + static_cast<uint32_t>(i));
      sent_bad += !pool.send(fresh[k], logon);
      sent_bad += !pool.send(fresh[k], serverListing(i, 0, mapOf(i)));
    }
  };
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  auto deadline = b.deadline();
  if (!openConnections(pool, S, b.o.connect_batch, deadline, on_batch, on_message, &conns, &err)) return fail(err);
  while (logons_ok + logons_bad < static_cast<size_t>(S) && Clock::now() < deadline && !pool.lost())
    pool.pump(on_message, 5);
  if (logons_ok + logons_bad < static_cast<size_t>(S))
    return fail("only " + std::to_string(logons_ok + logons_bad) + " of " + std::to_string(S) + " server logons answered" +
                (pool.lost() ? ": " + pool.lastError() : ""));
  if (logons_bad || sent_bad) return fail(std::to_string(logons_bad) + " server logons refused, " + std::to_string(sent_bad) + " sends failed");
  uint64_t listed = 0;
  while (Clock::now() < deadline) {
    auto st = status();
    if (!st) return fail("admin status: " + err);
    listed = counter(*st, "game_servers.listed");
    if (listed >= static_cast<uint64_t>(S)) break;
    pool.pump(on_message, 10);
  }
  Row reg = hubRow(names[0], t0, cpu);
  reg.ops = S;
  reg.ok = listed == static_cast<uint64_t>(S);
  reg.addNum("servers", S);
  reg.addNum("connect_batch", b.o.connect_batch);
  reg.add("note", jsonString("per server: transport handshake + ServerLogOn + ServerListing, until the hub lists all"));
  push(reg);
  if (listed != static_cast<uint64_t>(S)) return fail("the hub lists " + std::to_string(listed) + " of " + std::to_string(S) + " servers");
  log("registered %d servers in %.2f s", S, reg.seconds);

  // idle_connections: what S connected, idle servers cost the hub (keepalives).
  auto pump_for = [&](double seconds) {
    auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < until) pool.pump(on_message, 20);
  };
  cpu.start();
  t0 = Clock::now();
  pump_for(b.o.idle_seconds);
  Row idle = hubRow(names[1], t0, cpu);
  idle.ops = S;
  idle.has_rate = false;
  idle.ok = pool.lost() == 0;
  idle.addNum("servers", S);
  idle.add("note", jsonString("ops = connections held open and idle for `seconds`; hub_cpu_s is their keepalive cost"));
  push(idle);

  // The master lists all S: one full walk (44 pages for 10,000: inside the per-IP burst).
  MasterClient mc;
  if (!mc.open(b.hub.master_address, &err)) return fail(err);
  std::vector<uint16_t> all_ports(S);
  for (int i = 0; i < S; ++i) all_ports[i] = static_cast<uint16_t>(kQueryPortBase + i);
  int pages = 0;
  std::optional<std::vector<uint16_t>> walked;
  for (int attempt = 0; attempt < 5; ++attempt) {
    walked = masterWalk(mc, "", &pages, &err);
    if (walked && *walked == all_ports) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // let the rate limits refill
  }
  if (!walked || *walked != all_ports)
    return fail("the master walk did not list exactly the " + std::to_string(S) + " servers" +
                (walked ? " (got " + std::to_string(walked->size()) + ")" : ": " + err));
  log("master walk: %d servers in %d pages", S, pages);

  // master_query / master_query_filtered: the shipped rate limits apply (one source IP).
  auto masterRow = [&](const char* name, const std::string& filter, const std::vector<uint16_t>& match) -> bool {
    pump_for(2.5);  // refill the per-IP buckets (60 requests, 128 KiB) after the previous run
    mc.drain();
    auto before = status();
    if (!before) return false;
    auto req = masterRequest(0, 0, filter);
    auto page = expectedFirstPage(match);
    CpuMeter c;
    c.start();
    MasterLoad m = masterLoad(mc, req, page, b.o.master_seconds, static_cast<uint64_t>(b.o.master_max),
                              static_cast<size_t>(b.o.master_window), b.o.master_expire_ms);
    double hub_cpu = c.hub(), self_cpu = c.self();
    pump_for(0.3);  // late replies are not counted
    mc.drain();
    auto after = status();
    if (!after) return false;
    auto delta = [&](const std::string& k) { return static_cast<double>(counter(*after, k) - counter(*before, k)); };
    Row r;
    r.workload = name;
    r.ops = static_cast<double>(m.replies);
    r.seconds = m.seconds;
    r.hub_cpu = hub_cpu;
    r.client_cpu = self_cpu;
    r.ok = m.replies > 0 && m.wrong == 0;
    r.addNum("servers", S);
    r.add("filter", jsonString(filter));
    r.addNum("page_entries", static_cast<double>(std::min<size_t>(match.size(), master::kMaxEntriesPerReply)));
    r.addNum("sent", static_cast<double>(m.sent));
    r.addNum("wrong_replies", static_cast<double>(m.wrong));
    r.addNum("window", b.o.master_window);
    r.addNum("hub_replied", delta("master.replied"));
    r.addNum("hub_dropped_rate_limit", delta("master.dropped_rate_source_requests") + delta("master.dropped_rate_global_requests") +
                                            delta("master.dropped_rate_source_bytes") + delta("master.dropped_rate_global_bytes"));
    r.add("rate_limited", b.o.master_unthrottled ? "false" : "true");
    r.add("note", jsonString(b.o.master_unthrottled
                                 ? "hub started with every master rate limit at its maximum (--master-limit)"
                                 : "one source IP: the shipped per-IP limits (30 req/s, burst 60) bound this, not the responder"));
    push(r);
    log("%s: %llu replies to %llu requests in %.2f s", name, static_cast<unsigned long long>(m.replies),
        static_cast<unsigned long long>(m.sent), m.seconds);
    return true;
  };
  if (!masterRow(names[2], "", all_ports)) return fail("admin status: " + err);
  std::vector<uint16_t> map3;
  for (int i = 0; i < S; ++i)
    if (i % kMaps == 3) map3.push_back(static_cast<uint16_t>(kQueryPortBase + i));
  if (!masterRow(names[3], kFilter, map3)) return fail("admin status: " + err);

  // server_update: U ServerListing updates round-robin over the S connections; done when master
  // queries show what the updates changed. The last round moves its servers to map_final (and
  // renames them): every 50 ms (inside the master's per-source limit) the benchmark asks for the
  // last-sent server by its new name and for the first page of `\map\map_final`; once both show
  // the last round, one full walk of `\map\map_final` must list exactly the last round's servers,
  // and the time runs to the end of that walk. The hub's rpc.messages counter then confirms all U
  // were taken in.
  const int U = b.o.updates;
  const int rounds = (U + S - 1) / S;
  std::vector<std::vector<uint8_t>> payloads(U);
  std::vector<uint32_t> targets(U);
  for (int j = 0; j < U; ++j) {
    int i = j % S, round = j / S + 1;
    payloads[j] = hubrpc::encode(serverListing(i, round, round == rounds ? std::string("map_final") : mapOf(i)));
    targets[j] = conns[i];
  }
  auto base = status();
  if (!base) return fail("admin status: " + err);
  uint64_t base_messages = counter(*base, "rpc.messages");
  auto client_before = pool.transportCounters();
  cpu.start();
  t0 = Clock::now();
  size_t accepted = 0;
  for (int j = 0; j < U; j += 1024) {
    int n = std::min(1024, U - j);
    std::vector<uint32_t> c(targets.begin() + j, targets.begin() + j + n);
    std::vector<std::vector<uint8_t>> p(payloads.begin() + j, payloads.begin() + j + n);
    accepted += pool.sendBatch(c, p);
  }
  double send_s = secondsSince(t0);
  // The last round must be what the master lists (published after the hub's poll).
  std::vector<uint16_t> final_ports;
  for (int j = (rounds - 1) * S; j < U; ++j) final_ports.push_back(static_cast<uint16_t>(kQueryPortBase + j % S));
  std::sort(final_ports.begin(), final_ports.end());
  auto final_page = expectedFirstPage(final_ports);
  const int last_i = (U - 1) % S, last_round = (U - 1) / S + 1;
  const std::string last_name = "\\name_match\\hub_bench server " + std::to_string(last_i) + " r" + std::to_string(last_round);
  auto last_page = expectedFirstPage({static_cast<uint16_t>(kQueryPortBase + last_i)});
  bool visible = false;
  uint64_t master_polls = 0;
  int walk_pages = 0;
  deadline = b.deadline();
  while (!visible && Clock::now() < deadline && !pool.lost()) {
    auto asked = Clock::now();
    mc.drain();
    mc.send(masterRequest(0, 0, last_name));
    mc.send(masterRequest(0, 0, "\\map\\map_final"));
    master_polls += 2;
    std::optional<std::vector<uint8_t>> a = mc.receive(50), c = a ? mc.receive(50) : std::nullopt;
    bool last_shows = (a && *a == last_page) || (c && *c == last_page);
    bool first_shows = (a && *a == final_page) || (c && *c == final_page);
    if (last_shows && first_shows) {
      auto walked = masterWalk(mc, "\\map\\map_final", &walk_pages, &err);
      master_polls += static_cast<uint64_t>(walk_pages);
      visible = walked && *walked == final_ports;
      if (!visible) pump_for(2.5);  // not all there yet: refill the per-IP budget, ask again
    }
    if (!visible) {
      pool.pump(on_message, 0);
      std::this_thread::sleep_until(asked + std::chrono::milliseconds(50));
    }
  }
  Row up = hubRow(names[4], t0, cpu);
  uint64_t polls = 0, processed = 0;
  bool all = false;
  while (visible && Clock::now() < deadline) {
    auto st = status();
    if (!st) return fail("admin status: " + err);
    ++polls;
    processed = counter(*st, "rpc.messages") - base_messages - polls;
    if (processed >= static_cast<uint64_t>(U)) {
      all = true;
      break;
    }
  }
  {
    auto client_after = pool.transportCounters();
    auto hub_after = status();
    std::string d;
    for (const auto& [k, v] : client_after)
      if (v != client_before[k]) d += " " + k + "+" + std::to_string(v - client_before[k]);
    log("server_update: client transport:%s", d.c_str());
    d.clear();
    if (hub_after)
      for (const auto& [k, v] : *hub_after)
        if (k.rfind("transport.", 0) == 0 && v != counter(*base, k)) d += " " + k + "+" + std::to_string(v - counter(*base, k));
    log("server_update: hub transport:%s", d.c_str());
  }
  up.ops = U;
  up.ok = all && accepted == static_cast<size_t>(U) && visible && pool.lost() == 0;
  up.addNum("servers", S);
  up.addNum("send_s", send_s, 3);
  up.addNum("master_polls", static_cast<double>(master_polls));
  up.addNum("status_polls", static_cast<double>(polls));
  up.add("last_round_visible_in_master", visible ? "true" : "false");
  up.add("note", jsonString("timed from the first send until a master query lists the last round's changes "
                            "(polled every 50 ms); the hub publishes the master index at most every 100 ms"));
  if (!visible) up.add("error", jsonString("the last round never showed in a master query"));
  else if (!all) up.add("error", jsonString("the hub processed " + std::to_string(processed) + " of " + std::to_string(U) + " updates in time"));
  push(up);
  log("server_update: %d updates in %.2f s (sent in %.2f s), last round %s in the master", U, up.seconds, send_s,
      visible ? "visible" : "NOT visible");
}

// In-process master capacity over the same kind of records the hub builds.
std::vector<master::ServerRecord> benchRecords(int n) {
  std::vector<master::ServerRecord> recs(n);
  for (int i = 0; i < n; ++i) {
    auto& r = recs[i];
    r.ip = kLoopback;
    r.query_port = static_cast<uint16_t>(kQueryPortBase + i);
    r.game_port = static_cast<uint16_t>(kGamePortBase + i);
    r.app_id = kApp;
    r.steam_id = 0x0184000000000000ull + static_cast<uint64_t>(i);
    r.name = "hub_bench server " + std::to_string(i);
    r.map = mapOf(i);
    r.gamedir = "spacewar";
    r.product = "spacewar";
    r.description = "Outpost hub_bench";
    r.version = "1.0.0.0";
    r.tags = "bench,t" + std::to_string(i % 4);
    r.players = static_cast<uint16_t>(i % 33);
    r.max_players = 32;
    r.dedicated = true;
    r.os = 'l';
  }
  return recs;
}

void inProcessPhase(Bench& b) {
  const int S = b.o.inprocess_servers, M = b.o.inprocess;
  auto index = master::makeMasterIndex(benchRecords(S));
  std::vector<uint16_t> all, map3;
  for (int i = 0; i < S; ++i) {
    all.push_back(static_cast<uint16_t>(kQueryPortBase + i));
    if (i % kMaps == 3) map3.push_back(static_cast<uint16_t>(kQueryPortBase + i));
  }
  auto replyRow = [&](const char* name, const std::string& filter, const std::vector<uint16_t>& match) {
    auto datagram = masterRequest(0, 0, filter);
    auto page = expectedFirstPage(match);
    std::vector<uint8_t> out;
    out.reserve(master::kMaxReplyBytes);
    std::vector<double> lat;
    lat.reserve(M);
    uint64_t wrong = 0, work = 0;
    CpuMeter cpu;
    cpu.start();
    auto t0 = Clock::now();
    for (int m = 0; m < M; ++m) {
      auto a = Clock::now();
      master::RequestError rerr = master::RequestError::kNone;
      auto req = master::parseMasterRequest(datagram, &rerr);
      master::ReplyInfo info;
      if (req) info = index->reply(*req, out);
      lat.push_back(usBetween(a, Clock::now()));
      work += info.work;
      if (!req || info.status != master::ReplyStatus::kOk || (m == 0 || m == M - 1 ? out != page : out.size() != page.size())) ++wrong;
    }
    Row r;
    r.workload = name;
    r.seconds = secondsSince(t0);
    r.client_cpu = cpu.self();
    r.ops = M;
    r.setLatency(lat);
    r.ok = wrong == 0;
    r.addNum("servers", S);
    r.add("filter", jsonString(filter));
    r.addNum("work_per_reply", static_cast<double>(work) / M, 0);
    r.add("note", jsonString("this process, no sockets: parseMasterRequest + MasterIndex::reply (first page)"));
    b.rows.push_back(r);
  };
  replyRow("master_reply_inprocess", "", all);
  replyRow("master_reply_inprocess_filtered", kFilter, map3);

  // MasterResponder::handle (drop checks, rate-limit bookkeeping, counters) with every limit at
  // its maximum: the hub's master thread minus recvmmsg/sendto.
  master::MasterRateLimits lim;
  lim.requests_per_sec_per_ip = lim.request_burst_per_ip = UINT32_MAX;
  lim.reply_bytes_per_sec_per_ip = lim.reply_burst_bytes_per_ip = UINT32_MAX;
  lim.requests_per_sec_global = lim.request_burst_global = UINT32_MAX;
  lim.reply_bytes_per_sec_global = lim.reply_burst_bytes_global = UINT32_MAX;
  Row r;
  r.workload = "master_responder_inprocess";
  std::string bad = master::validateRateLimits(lim);
  if (!bad.empty()) {
    r.add("error", jsonString(bad));
    b.rows.push_back(r);
    return;
  }
  const outpost::Clock& clock = SystemClock::instance();
  master::MasterResponder responder(lim, clock.nowUs());
  responder.publish(index);
  auto datagram = masterRequest(0, 0, "");
  auto page = expectedFirstPage(all);
  SocketAddress from = SocketAddress::ipv4(kLoopback, 40000);
  std::vector<uint8_t> out;
  std::vector<double> lat;
  lat.reserve(M);
  uint64_t wrong = 0;
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  for (int m = 0; m < M; ++m) {
    auto a = Clock::now();
    bool replied = responder.handle(datagram, from, clock.nowUs(), out);
    lat.push_back(usBetween(a, Clock::now()));
    if (!replied || (m == 0 || m == M - 1 ? out != page : out.size() != page.size())) ++wrong;
  }
  r.seconds = secondsSince(t0);
  r.client_cpu = cpu.self();
  r.ops = M;
  r.setLatency(lat);
  r.ok = wrong == 0 && responder.counter(master::Counter::kReplied) == static_cast<uint64_t>(M);
  r.addNum("servers", S);
  r.add("filter", jsonString(""));
  r.add("note", jsonString("this process, no sockets: MasterResponder::handle with every MasterRateLimits value at its maximum"));
  b.rows.push_back(r);
}

// ------------------------------------------------------------------------------ machine

std::string machineJson(const Options& o, const std::string& data_dir) {
  std::string fs = "unknown";
  struct statfs sf {};
  std::string probe = data_dir.empty() ? o.tmp_parent : std::filesystem::path(data_dir).parent_path().string();
  if (statfs(probe.c_str(), &sf) == 0) {
    switch (static_cast<unsigned long>(sf.f_type)) {
      case 0x01021994: fs = "tmpfs"; break;
      case 0xEF53: fs = "ext4"; break;
      case 0x9123683E: fs = "btrfs"; break;
      case 0x58465342: fs = "xfs"; break;
      case 0x794C7630: fs = "overlayfs"; break;
      default: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(sf.f_type));
        fs = buf;
      }
    }
  }
  std::string args = "[";
  for (size_t i = 0; i < o.hub_args.size(); ++i) {
    if (i) args += ',';
    args += jsonString(o.hub_args[i]);
  }
  args += "]";
  return "{" + machineFields() + ",\"data_dir_fs\":" + jsonString(fs) + ",\"quick\":" + (o.quick ? "true" : "false") +
         ",\"master_unthrottled\":" + (o.master_unthrottled ? "true" : "false") +
         ",\"hub_args\":" + args + "}";
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseOptions(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, onFatalSignal);
  std::atexit(cleanupAtExit);

  std::string tmpl = o.tmp_parent + "/outpost-hub-bench-XXXXXX";
  if (tmpl.size() >= sizeof g_tmp_root) usage("--tmp-dir is too long");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back(0);
  if (!mkdtemp(buf.data())) {
    log("cannot create a temporary directory under %s: %s", o.tmp_parent.c_str(), std::strerror(errno));
    return 1;
  }
  std::string tmp_root = buf.data();
  std::snprintf(g_tmp_root, sizeof g_tmp_root, "%s", tmp_root.c_str());

  Bench b;
  b.o = o;
  std::string machine = machineJson(o, tmp_root + "/data");
  std::string err;
  std::vector<const char*> hub_rows;
  if (o.runs("tickets")) hub_rows.insert(hub_rows.end(), {"user_logon", "ticket_issue", "ticket_validate"});
  if (o.runs("servers"))
    hub_rows.insert(hub_rows.end(), {"server_register", "idle_connections", "master_query", "master_query_filtered", "server_update"});
  bool hub_ok = !o.runs("tickets") && !o.runs("servers") ? false : startHub(o, tmp_root, b.hub, &err);
  if (hub_ok) {
    log("hub pid %d: rpc %s, master %s, data %s", static_cast<int>(g_hub_pid), b.hub.rpc_address.c_str(),
        b.hub.master_address.c_str(), b.hub.data_dir.c_str());
    hub_ok = provision(b, &err) && b.admin.connect(b.hub, &err);
  }
  if (hub_ok) {
    if (o.runs("tickets")) ticketPhase(b);
    if (o.runs("servers")) serverPhase(b);
  } else if (o.runs("tickets") || o.runs("servers")) {
    log("%s", err.c_str());
    for (const char* w : hub_rows) b.rows.push_back(failedRow(w, err));
  }
  bool any_failed = std::any_of(b.rows.begin(), b.rows.end(), [](const Row& r) { return !r.ok; });
  if (g_hub_pid > 0) {
    int st = stopHub();
    if (st != 0) log("outpost-hub exited with status %d", st);
  }
  if (any_failed && !b.hub.err_path.empty()) {
    std::string tail = lastLines(readFile(b.hub.err_path), 30);
    if (!tail.empty()) log("last lines of the hub's stderr:\n%s", tail.c_str());
  }
  // Phases in their own files, each with its own hub (bench/hub_bench_*.cpp).
  std::vector<std::string> phase_rows;  // rows of phases in files of their own, as JSON
  if (o.runs("ticket_scale")) {
    std::string work = tmp_root + "/ticket_scale";
    std::filesystem::create_directories(work);
    for (auto& row : runTicketScalePhase({o.hub_bin, o.cli_bin, work, o.quick, o.ticket_checkpoints, o.timeout_s * 6}))
      phase_rows.push_back(std::move(row));
  }
  if (o.runs("inprocess")) inProcessPhase(b);  // after the hub is gone, so it does not compete for the cores
  if (o.runs("passwords"))
    for (auto& row : passwordsPhase({o.hub_bin, o.cli_bin, tmp_root, o.quick, o.timeout_s}))
      phase_rows.push_back(std::move(row));
  if (o.runs("hostile"))
    for (auto& row : runHostilePhase({o.hub_bin, o.cli_bin, tmp_root, o.quick, o.timeout_s, o.hub_args, o.hostile_sizes}))
      phase_rows.push_back(std::move(row));

  std::string doc = "{\"benchmark\":\"hub\",\"machine\":" + machine + ",\"rows\":[";
  for (size_t i = 0; i < b.rows.size(); ++i) doc += (i ? ",\n" : "\n") + b.rows[i].json();
  for (size_t i = 0; i < phase_rows.size(); ++i) doc += (i || !b.rows.empty() ? ",\n" : "\n") + phase_rows[i];
  doc += "\n]}\n";
  std::fputs(doc.c_str(), stdout);
  std::fflush(stdout);
  bool ok = std::all_of(b.rows.begin(), b.rows.end(), [](const Row& r) { return r.ok; }) &&
            std::none_of(phase_rows.begin(), phase_rows.end(),
                         [](const std::string& r) { return r.find("\"ok\":false") != std::string::npos; });
  cleanupAtExit();
  return ok ? 0 : 1;
}
