// hub_bench's ticket-scale phase (see hub_bench_tickets.h). It starts its own outpost-hub on
// 127.0.0.1 (its own data directory; the hub's ticket limits raised when it has --ticket-limit,
// so that one user may hold a million tickets), provisions app 480 and one licensed user with the
// real `outpost admin` CLI, logs the user on over hub RPC, and requests tickets pipelined over
// that one connection (256 outstanding). At each checkpoint — 10 k, 100 k and 1 M tickets issued
// (1 k / 10 k / 100 k with --quick) — it times the next 10 k requests (1 k quick) and reports the
// hub's CPU per request (utime+stime from /proc over the timed window), their latency, and the
// hub's RSS. Flat CPU from 10 k to 1 M means no per-request work grows with the table (before
// issue 11 the hub scanned its whole ticket map on every request past 100 k / 200 k entries).
// Runs on the benchmark's thread; every wait is bounded; the hub dies with the benchmark
// (PR_SET_PDEATHSIG) and is stopped with SIGTERM at the end.
#include "hub_bench_tickets.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_json.h"
#include "hub/data_dir.h"
#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"
#include "outpost/types.h"
#include "proc_usage.h"
#include "support/process.h"

namespace outpost::bench {

namespace {

using Clock = std::chrono::steady_clock;

void say(const std::string& s) { std::fprintf(stderr, "hub_bench: ticket_scale: %s\n", s.c_str()); }

// The hub's resident memory in MiB (NaN if unreadable).
double rssMegabytes(pid_t pid) { return procMemoryBytes(pid, "VmRSS") / (1024.0 * 1024.0); }

// The phase's own hub (tests/support/process.h), stopped with SIGTERM (10 s, then SIGKILL).
struct Hub {
  test::HubProcess process;
  pid_t pid = -1;
  std::string address, public_key, data_dir, err_path;
  ~Hub() { stop(); }
  void stop() {
    if (pid <= 0) return;
    process.stop(SIGTERM, 10000);
    pid = -1;
  }
};

bool startHub(const TicketScaleInputs& in, bool raise_limits, Hub& hub, std::string* error) {
  hub.data_dir = in.work_dir + "/data";
  hub.err_path = in.work_dir + "/hub.err";
  hub.process.binary = in.hub_bin;
  hub.process.stderr_path = hub.err_path;
  hub.process.include_defaults = false;
  hub.process.extra_args = {"--data-dir", hub.data_dir, "--listen", "127.0.0.1:0", "--master", ""};
  if (raise_limits)
    for (const char* l :
         {"per_user=10000000", "users_total=10000000", "requests_per_sec=1000000000", "request_burst=1000000000"})
      hub.process.extra_args.insert(hub.process.extra_args.end(), {"--ticket-limit", l});
  if (!hub.process.start(hub.data_dir)) {
    hub.process.stop(SIGKILL);
    std::ifstream f(hub.err_path);
    std::stringstream err;
    err << f.rdbuf();
    *error = "outpost-hub exited early or printed no banner within 20 s: " + err.str();
    return false;
  }
  hub.pid = hub.process.pid();
  hub.address = hub.process.address;
  hub.public_key = hub.process.public_key;
  return true;
}

// One pinned hub RPC connection with pipelined requests.
class Connection {
 public:
  bool open(const Hub& hub, std::string* error) {
    ConfigOptions o;
    o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = hub.public_key;
    conn_ = net_.connectByIPAddress(hub.address, o);
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (conn_ && Clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      auto info = net_.getConnectionInfo(conn_);
      if (info && info->connection_state == CONNECTION_STATE_CONNECTED) return true;
      net_.waitForActivity(10);
    }
    *error = "cannot connect to the hub at " + hub.address;
    return false;
  }
  bool send(hubrpc::Envelope& e, uint32_t id) {
    e.set_request_id(id);
    auto bytes = hubrpc::encode(e);
    return net_.sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
  }
  template <typename F>
  void pump(F&& f, int wait_ms) {
    net_.runNetworkingCallbacks();
    auto got = net_.receiveMessagesOnConnection(conn_, 256);
    for (auto& m : got)
      if (auto e = hubrpc::decode(m.payload)) f(*e);
    if (got.empty()) net_.waitForActivity(wait_ms);
  }
  bool alive() {
    auto info = net_.getConnectionInfo(conn_);
    return info && info->connection_state == CONNECTION_STATE_CONNECTED;
  }

 private:
  NetworkingSockets net_;
  uint32_t conn_ = 0;
};

// Requests `n` tickets with `window` outstanding. Latencies (µs) of each go to *lat when given.
// false (and *error) on a refusal, a lost connection or the deadline.
bool requestTickets(Connection& c, uint32_t* next_id, size_t n, size_t window, Clock::time_point deadline,
                    std::vector<double>* lat, std::string* error) {
  uint32_t first = *next_id;
  *next_id += static_cast<uint32_t>(n);
  std::vector<Clock::time_point> sent_at(lat ? n : 0);
  size_t sent = 0, done = 0, refused = 0;
  int32_t refusal = 0;
  hubrpc::Envelope req;
  req.mutable_ticket_request();
  while (done < n) {
    while (sent < n && sent - done < window) {
      if (lat) sent_at[sent] = Clock::now();
      if (!c.send(req, first + static_cast<uint32_t>(sent))) {
        *error = "sending a ticket request failed";
        return false;
      }
      ++sent;
    }
    c.pump(
        [&](const hubrpc::Envelope& e) {
          uint32_t i = e.request_id() - first;
          if (!e.has_ticket_result() || i >= n) return;
          ++done;
          if (e.ticket_result().result() != RESULT_OK) {
            ++refused;
            refusal = e.ticket_result().result();
          }
          if (lat) lat->push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent_at[i]).count());
        },
        1);
    if (refused) {
      *error = std::to_string(refused) + " ticket requests refused (result " + std::to_string(refusal) + ")";
      return false;
    }
    if (!c.alive()) {
      *error = "the hub connection was lost";
      return false;
    }
    if (Clock::now() > deadline) {
      *error = "timed out with " + std::to_string(done) + " of " + std::to_string(n) + " answered";
      return false;
    }
  }
  return true;
}

std::string failed(const std::string& workload, const std::string& why) {
  return "{\"workload\":" + jsonString(workload) +
         ",\"ops\":null,\"seconds\":null,\"ops_per_s\":null,\"p50_us\":null,\"p99_us\":null,\"hub_cpu_s\":null,"
         "\"client_cpu_s\":null,\"error\":" +
         jsonString(why) + ",\"ok\":false}";
}

}  // namespace

std::vector<std::string> runTicketScalePhase(const TicketScaleInputs& in) {
  const std::vector<size_t> checkpoints = !in.checkpoints.empty() ? in.checkpoints
                                          : in.quick              ? std::vector<size_t>{1000, 10000, 100000}
                                                                  : std::vector<size_t>{10000, 100000, 1000000};
  const size_t measured = in.quick ? 1000 : 10000;
  const size_t window = 256;
  auto name = [](size_t n) {
    return "ticket_request_cpu_at_" + (n % 1000000 == 0 ? std::to_string(n / 1000000) + "m"
                                       : n % 1000 == 0  ? std::to_string(n / 1000) + "k"
                                                        : std::to_string(n));
  };
  std::vector<std::string> rows;
  auto failAll = [&](size_t from, const std::string& why) {
    say("failed: " + why);
    for (size_t i = from; i < checkpoints.size(); ++i) rows.push_back(failed(name(checkpoints[i]), why));
    return rows;
  };
  auto deadline = Clock::now() + std::chrono::seconds(in.timeout_s);

  // A hub from before --ticket-limit has no ticket limits to raise (it prints its usage, naming
  // its flags, for --help).
  bool has_limits = test::runProcess({in.hub_bin, "--help"}, 10).out.find("--ticket-limit") != std::string::npos;
  Hub hub;
  std::string error;
  if (!startHub(in, has_limits, hub, &error)) return failAll(0, error);
  for (const auto& words : std::vector<std::vector<std::string>>{{"app", "put", "480", "Spacewar"},
                                                                 {"user", "create", "scale", "scale-password"},
                                                                 {"licence", "grant", "scale", "480"}}) {
    auto r = test::runAdmin(in.cli_bin, hub.address, hub.data_dir, words, 60);
    if (r.exit_code != 0) return failAll(0, "outpost admin " + words[0] + " " + words[1] + ": " + r.out);
  }
  Connection c;
  if (!c.open(hub, &error)) return failAll(0, error);
  uint32_t next_id = 1;
  hubrpc::Envelope logon;
  logon.mutable_user_log_on()->set_name("scale");
  logon.mutable_user_log_on()->set_password("scale-password");
  logon.mutable_user_log_on()->set_app_id(480);
  c.send(logon, next_id++);
  int32_t logged = -1;
  while (logged < 0 && Clock::now() < deadline && c.alive())
    c.pump(
        [&](const hubrpc::Envelope& e) {
          if (e.has_user_log_on_result()) logged = e.user_log_on_result().result();
        },
        20);
  if (logged != RESULT_OK) return failAll(0, "the user's logon failed (" + std::to_string(logged) + ")");
  say(std::string("hub ") + in.hub_bin + (has_limits ? " (ticket limits raised)" : " (no --ticket-limit: no limits)"));

  size_t issued = 0;
  for (size_t k = 0; k < checkpoints.size(); ++k) {
    size_t target = checkpoints[k];
    auto fill0 = Clock::now();
    if (target > issued && !requestTickets(c, &next_id, target - issued, window, deadline, nullptr, &error))
      return failAll(k, "filling to " + std::to_string(target) + ": " + error);
    say("issued " + std::to_string(target) + " tickets (" + std::to_string(target - issued) + " in " +
        num(std::chrono::duration<double>(Clock::now() - fill0).count(), 1) + " s)");
    issued = target;
    std::vector<double> lat;
    double hub0 = procCpuSeconds(hub.pid), self0 = selfCpuSeconds();
    auto t0 = Clock::now();
    if (!requestTickets(c, &next_id, measured, window, deadline, &lat, &error))
      return failAll(k, "the timed requests at " + std::to_string(target) + ": " + error);
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    double hub_cpu = procCpuSeconds(hub.pid) - hub0, self_cpu = selfCpuSeconds() - self0;
    issued += measured;
    double p50 = percentile(lat, 50), p99 = percentile(lat, 99);
    std::string json =
        "{\"workload\":" + jsonString(name(target)) + ",\"ops\":" + num(static_cast<double>(measured)) +
        ",\"seconds\":" + num(seconds, 6) + ",\"ops_per_s\":" + num(measured / seconds, 1) +
        ",\"p50_us\":" + num(p50, 1) + ",\"p99_us\":" + num(p99, 1) + ",\"hub_cpu_s\":" + num(hub_cpu, 2) +
        ",\"client_cpu_s\":" + num(self_cpu, 2) + ",\"issued_before\":" + num(static_cast<double>(target)) +
        ",\"hub_cpu_us_per_request\":" + num(hub_cpu / static_cast<double>(measured) * 1e6, 1) +
        ",\"hub_rss_mb\":" + num(rssMegabytes(hub.pid), 1) + ",\"window\":" + num(static_cast<double>(window)) +
        ",\"ticket_limits_raised\":" + (has_limits ? "true" : "false") + ",\"note\":" +
        jsonString(
            "one user, one connection; the hub tracks every ticket issued so far (none expires "
            "within the run); hub CPU from /proc at 10 ms resolution") +
        ",\"ok\":true}";
    rows.push_back(json);
    say(name(target) + ": " + num(hub_cpu / static_cast<double>(measured) * 1e6, 1) + " us of hub CPU per request, " +
        num(measured / seconds, 0) + " requests/s, hub RSS " + num(rssMegabytes(hub.pid), 0) + " MB");
  }
  hub.stop();
  return rows;
}

}  // namespace outpost::bench
