// hub_bench's "passwords" phase (see hub_bench_passwords.h). It starts its own outpost-hub on
// [::]:0 (dual stack) so that two sources exist on one machine: the measured players connect to
// [::1] and the flood to 127.0.0.1 (the hub and the CLI run through tests/support/process.h). Each
// player is created with `outpost admin user create NAME --password-file FILE`. Then:
//   quiet: the players log on one after another (send -> UserLogOnResult OK), `rounds` times;
//   flood: a thread offers `flood_rate_per_s` wrong-password UserLogOns over 16 connections from
//          127.0.0.1 (at most 256 unanswered), guessing 100 account names that are not the
//          players'; meanwhile the players log on again the same way.
// A player's logon is timed until it is OK: an answer of Busy (10) or RateLimitExceeded (84) is
// retried after 100 ms (what a client does), and a logon not OK within 10 s is written off at
// 10 s (`gave_up`). The row reports both p50/p99 pairs, the p99 ratio and what the flood got
// back. It runs against any outpost-hub that takes --data-dir/--listen/--master (so also
// a633b1a's, for the "before" figures). Runs on hub_bench's main thread plus the flood thread.
#include "hub_bench_passwords.h"

#include <signal.h>
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
#include <unordered_map>

#include "bench_json.h"
#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"
#include "outpost/types.h"
#include "proc_usage.h"
#include "support/process.h"

namespace outpost::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kFloodConnections = 16;
constexpr int kFloodWindow = 256;
constexpr int kFloodNames = 100;
constexpr int kLogonCapMs = 10000;
constexpr int kRetryMs = 100;

void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("hub_bench: passwords: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

std::string readAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The hub process of this phase (tests/support/process.h), on [::]:0 without a master port;
// its stderr in passwords-hub.err. Stopped with SIGTERM (10 s, then SIGKILL).
struct Hub {
  test::HubProcess process;
  std::string data_dir, port, key;
  ~Hub() { process.stop(SIGTERM, 10000); }
  pid_t pid() const { return process.pid(); }
  bool start(const PasswordsPhaseInput& in, std::string* error) {
    data_dir = in.tmp_root + "/passwords-data";
    const std::string err_path = in.tmp_root + "/passwords-hub.err";
    process.binary = in.hub_bin;
    process.include_defaults = false;
    process.extra_args = {"--data-dir", data_dir, "--listen", "[::]:0", "--master", ""};
    process.stderr_path = err_path;
    if (!process.start(data_dir)) {
      int status = process.stop(SIGKILL);
      *error = "outpost-hub exited early or printed no banner within 20 s (status " + std::to_string(status) +
               "): " + process.banner + readAll(err_path);
      return false;
    }
    port = process.address.substr(process.address.rfind(':') + 1);
    key = process.public_key;
    return true;
  }
};

// `outpost admin --hub <address> --data-dir <the hub's> <words...>`: its exit status.
int runCli(const PasswordsPhaseInput& in, const Hub& hub, const std::string& address,
           const std::vector<std::string>& words) {
  return test::runAdmin(in.cli_bin, address, hub.data_dir, words, in.timeout_s).exit_code;
}

// Hub RPC connections in one NetworkingSockets instance, pinned to the hub's key.
class Connections {
 public:
  Connections() { group_ = net_.createPollGroup(); }
  ~Connections() {
    for (uint32_t c : conns_) net_.closeConnection(c, 0, "bench done", false);
  }
  bool open(const std::string& address, const std::string& key, int n, std::string* error) {
    ConfigOptions o{{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, key}};
    for (int i = 0; i < n; ++i) {
      uint32_t c = net_.connectByIPAddress(address, o);
      if (!c) {
        *error = "cannot connect to " + address;
        return false;
      }
      net_.setConnectionPollGroup(c, group_);
      conns_.push_back(c);
    }
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      size_t up = 0;
      for (uint32_t c : conns_) {
        auto info = net_.getConnectionInfo(c);
        up += info && info->connection_state == CONNECTION_STATE_CONNECTED;
      }
      if (up == conns_.size()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    *error = "timed out connecting to " + address;
    return false;
  }
  const std::vector<uint32_t>& handles() const { return conns_; }
  bool logOn(uint32_t conn, uint32_t request_id, const std::string& name, const std::string& password) {
    hubrpc::Envelope e;
    e.set_request_id(request_id);
    e.mutable_user_log_on()->set_name(name);
    e.mutable_user_log_on()->set_password(password);
    e.mutable_user_log_on()->set_app_id(480);
    auto bytes = hubrpc::encode(e);
    return net_.sendMessageToConnection(conn, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
  }
  // Calls f(request_id, result) for each UserLogOnResult that arrived; waits up to wait_ms.
  template <typename F>
  void pump(F&& f, int wait_ms) {
    net_.runNetworkingCallbacks();
    for (auto& m : net_.receiveMessagesOnPollGroup(group_, 256)) {
      auto e = hubrpc::decode(m.payload);
      if (e && e->has_user_log_on_result()) f(e->request_id(), e->user_log_on_result().result());
    }
    if (wait_ms > 0) net_.waitForActivity(wait_ms);
  }

 private:
  NetworkingSockets net_;
  uint32_t group_ = 0;
  std::vector<uint32_t> conns_;
};

// One player's logon until OK (Busy / RateLimitExceeded retried after 100 ms), capped at 10 s.
struct Timed {
  double us = 0;
  bool ok = false;
  int retries = 0;
};
Timed timedLogon(Connections& c, uint32_t conn, uint32_t* next_id, const std::string& name,
                 const std::string& password) {
  Timed t;
  auto t0 = Clock::now();
  auto cap = t0 + std::chrono::milliseconds(kLogonCapMs);
  while (Clock::now() < cap) {
    uint32_t id = (*next_id)++;
    if (!c.logOn(conn, id, name, password)) break;
    int result = -1;
    while (result < 0 && Clock::now() < cap)
      c.pump(
          [&](uint32_t rid, int r) {
            if (rid == id) result = r;
          },
          2);
    if (result == RESULT_OK) {
      t.ok = true;
      break;
    }
    if (result != RESULT_BUSY && result != RESULT_RATE_LIMIT_EXCEEDED) break;  // refused for good
    ++t.retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(kRetryMs));
  }
  t.us = std::chrono::duration<double, std::micro>((t.ok ? Clock::now() : cap) - t0).count();
  if (!t.ok) t.us = kLogonCapMs * 1000.0;
  return t;
}

struct Series {
  std::vector<double> us;
  int gave_up = 0, retries = 0;
  double p50() { return percentile(us, 50); }
  double p99() { return percentile(us, 99); }
};

Series measure(Connections& players, int users, int rounds, uint32_t* next_id, Clock::time_point deadline) {
  Series s;
  for (int r = 0; r < rounds && Clock::now() < deadline; ++r)
    for (int u = 0; u < users && Clock::now() < deadline; ++u) {
      std::string name = "player" + std::to_string(u);
      Timed t = timedLogon(players, players.handles()[static_cast<size_t>(u)], next_id, name, name + "-password");
      s.us.push_back(t.us);
      s.gave_up += !t.ok;
      s.retries += t.retries;
    }
  return s;
}

std::string failedRow(const std::string& why) {
  return "{\"workload\":\"logon_during_password_flood\",\"ops\":null,\"seconds\":null,\"ops_per_s\":null,"
         "\"p50_us\":null,\"p99_us\":null,\"hub_cpu_s\":null,\"client_cpu_s\":null,\"error\":" +
         jsonString(why) + ",\"ok\":false}";
}

}  // namespace

std::vector<std::string> passwordsPhase(const PasswordsPhaseInput& in) {
  const int users = in.quick ? 5 : 20, rounds = in.quick ? 4 : 5;
  const int flood_budget_s = in.quick ? 30 : 90;
  Hub hub;
  std::string error;
  if (!hub.start(in, &error)) return {failedRow(error)};
  const std::string v4 = "127.0.0.1:" + hub.port, v6 = "[::1]:" + hub.port;
  // Provision: app 480 and the players, passwords through a file (never on the command line).
  std::string pw_file = in.tmp_root + "/passwords-pw";
  if (runCli(in, hub, v4, {"app", "put", "480", "Spacewar"}) != 0) return {failedRow("outpost admin app put failed")};
  for (int u = 0; u < users; ++u) {
    std::string name = "player" + std::to_string(u);
    std::ofstream(pw_file) << name << "-password\n";
    if (runCli(in, hub, v4, {"user", "create", name, "--password-file", pw_file}) != 0)
      return {failedRow("outpost admin user create " + name + " failed")};
  }
  Connections players;
  if (!players.open(v6, hub.key, users, &error)) return {failedRow(error + " (the phase needs the IPv6 loopback)")};
  uint32_t next_id = 1;
  auto deadline = Clock::now() + std::chrono::seconds(in.timeout_s);

  say("quiet: %d players x %d rounds from [::1]", users, rounds);
  Series quiet = measure(players, users, rounds, &next_id, deadline);

  // The flood, from 127.0.0.1.
  Connections flood;
  if (!flood.open(v4, hub.key, kFloodConnections, &error)) return {failedRow(error)};
  std::atomic<bool> stop{false};
  std::map<int, uint64_t> flood_results;
  uint64_t flood_sent = 0;
  std::thread flooder([&] {
    uint32_t id = 1;
    std::unordered_map<uint32_t, bool> waiting;
    double tokens = 0;
    auto last = Clock::now();
    size_t next_conn = 0;
    while (!stop) {
      auto now = Clock::now();
      tokens = std::min<double>(tokens + std::chrono::duration<double>(now - last).count() * in.flood_rate_per_s,
                                kFloodWindow);
      last = now;
      while (tokens >= 1 && waiting.size() < static_cast<size_t>(kFloodWindow)) {
        uint32_t c = flood.handles()[next_conn++ % flood.handles().size()];
        std::string name = "victim" + std::to_string(id % kFloodNames);
        if (!flood.logOn(c, id, name, "guess-" + std::to_string(id))) break;
        waiting[id++] = true;
        ++flood_sent;
        tokens -= 1;
      }
      flood.pump(
          [&](uint32_t rid, int r) {
            if (waiting.erase(rid)) flood_results[r]++;
          },
          1);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the flood is under way
  double cpu0 = procCpuSeconds(hub.pid());
  auto t0 = Clock::now();
  auto flood_deadline = std::min(deadline, Clock::now() + std::chrono::seconds(flood_budget_s));
  say("during a flood of %d guesses/s from 127.0.0.1: the same logons from [::1] (budget %d s)", in.flood_rate_per_s,
      flood_budget_s);
  Series during = measure(players, users, rounds, &next_id, flood_deadline);
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  double hub_cpu = procCpuSeconds(hub.pid()) - cpu0;
  stop = true;
  flooder.join();

  double q50 = quiet.p50(), q99 = quiet.p99(), f50 = during.p50(), f99 = during.p99();
  double ratio = f99 / q99;
  std::string answers = "{";
  for (const auto& [code, n] : flood_results) {
    if (answers.size() > 1) answers += ',';
    answers += jsonString(std::to_string(code)) + ":" + std::to_string(n);
  }
  answers += "}";
  say("quiet p50 %.0f us p99 %.0f us; during the flood p50 %.0f us p99 %.0f us (%zu of %zu logons, %d gave up)", q50,
      q99, f50, f99, during.us.size(), quiet.us.size(), during.gave_up);
  std::string row =
      "{\"workload\":\"logon_during_password_flood\",\"ops\":" + num(static_cast<double>(during.us.size())) +
      ",\"seconds\":" + num(seconds, 6) + ",\"ops_per_s\":" + num(during.us.size() / seconds, 1) +
      ",\"p50_us\":" + num(f50, 1) + ",\"p99_us\":" + num(f99, 1) + ",\"hub_cpu_s\":" + num(hub_cpu, 2) +
      ",\"client_cpu_s\":null" + ",\"quiet_p50_us\":" + num(q50, 1) + ",\"quiet_p99_us\":" + num(q99, 1) +
      ",\"flood_p50_us\":" + num(f50, 1) + ",\"flood_p99_us\":" + num(f99, 1) + ",\"p99_ratio\":" + num(ratio, 2) +
      ",\"p99_within_2x\":" + (std::isfinite(ratio) && ratio <= 2.0 ? "true" : "false") +
      ",\"quiet_logons\":" + std::to_string(quiet.us.size()) + ",\"quiet_gave_up\":" + std::to_string(quiet.gave_up) +
      ",\"flood_logons\":" + std::to_string(during.us.size()) + ",\"flood_gave_up\":" + std::to_string(during.gave_up) +
      ",\"flood_retries\":" + std::to_string(during.retries) +
      ",\"flood_rate_per_s\":" + std::to_string(in.flood_rate_per_s) + ",\"flood_sent\":" + std::to_string(flood_sent) +
      ",\"flood_answers\":" + answers + ",\"note\":" +
      jsonString(
          "players log on from [::1] one at a time until OK (Busy/RateLimitExceeded retried after "
          "100 ms, written off at 10 s); the flood guesses from 127.0.0.1") +
      ",\"ok\":" + (quiet.gave_up == 0 && !quiet.us.empty() && !during.us.empty() ? "true" : "false") + "}";
  return {row};
}

}  // namespace outpost::bench
