// p2p_bench: `bench/run p2p` (bench/README.md, "P2P benchmark"). Two measurements:
//  1. setup: P2P connection setup through the NAT test bed (tests/nat/nat_bed.h, case (b): two
//     home routers doing endpoint-independent masquerade behind a home firewall, a real hub on the
//     public bridge provisioned with the real CLI). One nat_peer listens; another connects
//     `--connections` times in a row (connectP2P -> CONNECTED, then an echo, then a close), and
//     reports each setup time and echo round trip. Rows for each --lag value: the SDK's fake lag
//     (FAKE_PACKET_LAG_SEND) in both peer processes, since the kernel here has no netem. Beside the
//     setup p50/p99: the hub round trip (median STUN round trip to the hub port from the
//     connector's namespace, plus the connector's send lag: the hub itself adds none) and the peer
//     round trip (median echo on the connection), and the goal "setup p50 <= hub RTT + 3 peer RTT".
//     Needs root; the row says why when it cannot run.
//  2. signaling: signal messages per second the hub's Signaling forwards on one core (src/hub/
//     signaling.cpp in this process, with the per-session rate limit raised): Connect -> Offer and
//     Answer -> Answer for `--attempts` attempts between 256 sessions. It excludes the transport
//     (the hub RPC's messages cost what `bench/run hub` measures).
// Prints one JSON document on stdout: {"benchmark":"p2p","machine":{...},"rows":[...]}.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define OUTPOST_HUB_BINARY P2P_BENCH_HUB_BINARY  // support/process.h's HubProcess (unused here)
#include "bench_json.h"
#include "hub/signaling.h"
#include "nat/nat_bed.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"
#include "proc_usage.h"

using namespace outpost;
using namespace outpost::test;
using SteadyTime = std::chrono::steady_clock;

namespace {

struct Options {
  std::string hub_binary = P2P_BENCH_HUB_BINARY, cli_binary = P2P_BENCH_CLI_BINARY, peer_binary = P2P_BENCH_PEER_BINARY;
  int connections = 200;
  std::vector<int> lags_ms = {0, 10};
  int attempts = 200000;
  std::string cert_json;  // --cert-json: the document `bench/run cert` printed, embedded as "cert"
};

int64_t numberAfter(const std::string& line, const std::string& key) {
  auto at = line.find(key);
  if (at == std::string::npos) return -1;
  return std::atoll(line.c_str() + at + key.size());
}

std::string setupRow(const Options& o, int lag_ms) {
  std::string head = "{\"workload\":\"setup_nat_eim\",\"lag_ms\":" + std::to_string(lag_ms) +
                     ",\"lag_source\":\"SDK FAKE_PACKET_LAG_SEND in both peers (no netem in this kernel)\"" +
                     ",\"pacing\":\"one connectP2P every 60 ms (the hub allows 20 signal messages/s per session)\"";
  std::string why = natBedUnavailable();
  if (!why.empty()) return head + ",\"ok\":false,\"error\":" + bench::jsonString(why) + "}";
  std::string dir = makeTempDir();
  NatBed bed("bench");
  bed.addPublic("203.0.113.1/24", "");
  bed.addRouter("na", "203.0.113.10/24", "203.0.113.1", "192.168.1.1/24", NatBed::Nat::kEndpointIndependent);
  bed.addRouter("nb", "203.0.113.20/24", "203.0.113.1", "192.168.1.1/24", NatBed::Nat::kEndpointIndependent);
  bed.addHost("ha", "na", "lan", "192.168.1.2/24", "192.168.1.1");
  bed.addHost("hb", "nb", "lan", "192.168.1.2/24", "192.168.1.1");
  auto fail = [&](const std::string& e) {
    std::filesystem::remove_all(dir);
    return head + ",\"ok\":false,\"error\":" + bench::jsonString(e) + "}";
  };
  if (!bed.ok()) return fail(bed.errors().front());
  NsProcess hub(bed.ns("pub"),
                {o.hub_binary, "--data-dir", dir + "/hub", "--listen", "203.0.113.1:0", "--master", "127.0.0.1:0"});
  std::string l = hub.waitFor("outpost-hub: listening on ", 20000);
  std::string k = hub.waitFor("outpost-hub: public key ", 5000);
  if (l.empty() || k.size() < 88) return fail("the hub did not start: " + hub.output());
  std::string address = l.substr(26), key = k.substr(24, 64);
  for (auto words : std::vector<std::vector<std::string>>{{"app", "put", "480", "Spacewar"},
                                                          {"user", "create", "alice", "alice-password"},
                                                          {"user", "create", "bob", "bob-password"}}) {
    std::vector<std::string> argv = {kIp,     "netns", "exec",  bed.ns("pub"), o.cli_binary,
                                     "admin", "--hub", address, "--data-dir",  dir + "/hub"};
    argv.insert(argv.end(), words.begin(), words.end());
    if (runProcess(argv, 30).exit_code != 0) return fail("provisioning with the CLI failed");
  }
  auto peer = [&](const std::string& user) {
    return std::vector<std::string>{o.peer_binary,
                                    "--hub",
                                    address,
                                    "--hub-key",
                                    key,
                                    "--user",
                                    user,
                                    "--password",
                                    user + "-password",
                                    "--fake-lag-ms",
                                    std::to_string(lag_ms)};
  };
  auto largs = peer("bob");
  largs.insert(largs.end(), {"--listen", "7", "--timeout-ms", "600000"});
  NsProcess listener(bed.ns("hb"), largs);
  std::string ready = listener.waitFor("ready steam_id=", 15000);
  if (ready.empty() || listener.waitFor("listening", 10000).empty()) return fail("listener: " + listener.output());
  auto cargs = peer("alice");
  cargs.insert(cargs.end(), {"--connect", ready.substr(15), "--vport", "7", "--count", std::to_string(o.connections),
                             "--hub-rtt", "21", "--timeout-ms", "600000",
                             // 16 attempts/s: under the hub's signaling limit of 20 messages/s per session.
                             "--interval-ms", "60"});
  NsProcess connector(bed.ns("ha"), cargs);
  std::vector<double> setup_us, echo_us;
  int64_t hub_rtt_us = -1;
  int failures = 0;
  std::string last_failure;
  auto deadline = SteadyTime::now() + std::chrono::seconds(600);
  while (static_cast<int>(setup_us.size()) + failures < o.connections && SteadyTime::now() < deadline) {
    std::string line = connector.waitFor("", 30000);
    if (line.empty()) break;
    if (line.rfind("hub_rtt_us=", 0) == 0) hub_rtt_us = numberAfter(line, "hub_rtt_us=");
    if (line.rfind("connected ", 0) == 0) setup_us.push_back(static_cast<double>(numberAfter(line, "us=")));
    if (line.rfind("echo ok", 0) == 0) echo_us.push_back(static_cast<double>(numberAfter(line, "us=")));
    if (line.rfind("failed ", 0) == 0) {
      ++failures;
      last_failure = line;
    }
  }
  std::filesystem::remove_all(dir);
  double p50 = bench::percentile(setup_us, 50), p99 = bench::percentile(setup_us, 99);
  double peer_rtt = bench::percentile(echo_us, 50);
  double hub_rtt = hub_rtt_us < 0 ? NAN : static_cast<double>(hub_rtt_us) + lag_ms * 1000.0;
  double goal = hub_rtt + 3 * peer_rtt;
  std::string row = head + ",\"connections\":" + std::to_string(setup_us.size()) +
                    ",\"failures\":" + std::to_string(failures) + ",\"setup_p50_us\":" + bench::num(p50) +
                    ",\"setup_p99_us\":" + bench::num(p99) + ",\"hub_rtt_us\":" + bench::num(hub_rtt) +
                    ",\"peer_rtt_us\":" + bench::num(peer_rtt) + ",\"goal_us\":" + bench::num(goal) +
                    ",\"goal_met\":" + (p50 <= goal ? "true" : "false");
  if (!last_failure.empty()) row += ",\"last_failure\":" + bench::jsonString(last_failure);
  bool ok = failures == 0 && static_cast<int>(setup_us.size()) == o.connections;
  return row + ",\"ok\":" + (ok ? "true" : "false") + "}";
}

std::string signalingRow(const Options& o) {
  constexpr uint32_t kSessions = 256;
  hub::SignalingLimits limits;
  limits.messages_per_second = 1e12;
  limits.burst = 1e12;
  uint64_t forwarded = 0;
  hub::Signaling sig([&](uint32_t, const std::vector<uint8_t>& b) { forwarded += b.size() > 0; }, limits, 7);
  auto who = [](uint32_t i) { return hub::Signaling::Who{steamid::individual(1000 + i), 480}; };
  p2p::Signal listen;
  listen.type = p2p::SignalType::kListen;
  listen.port = 7;
  auto lb = p2p::encodeSignal(listen);
  base::TimeUs now = 1000000000;
  for (uint32_t i = 0; i < kSessions; ++i) sig.onSignal(i + 1, who(i), lb, now);
  p2p::Signal c;
  c.type = p2p::SignalType::kConnect;
  c.port = 7;
  c.key = p2p::CheckKey{};
  for (int i = 0; i < 3; ++i)
    c.candidates.push_back({p2p::CandidateKind::kHost, base::SocketAddress::ipv4(0xC0A80102 + i, 40000)});
  p2p::Signal a;
  a.type = p2p::SignalType::kAnswer;
  a.key = p2p::CheckKey{};
  a.candidates = c.candidates;
  forwarded = 0;
  double cpu0 = bench::selfCpuSeconds();
  auto t0 = SteadyTime::now();
  for (int n = 0; n < o.attempts; ++n) {
    uint32_t from = static_cast<uint32_t>(n) % kSessions, to = (from + 1) % kSessions;
    c.connect_id = static_cast<uint64_t>(n) + 1;
    c.peer_steam_id = who(to).steam_id;
    sig.onSignal(from + 1, who(from), p2p::encodeSignal(c), now);
    a.connect_id = c.connect_id;
    a.result = CONNECTION_END_APP_GENERIC;  // ends the attempt at the hub (keeps the table small)
    sig.onSignal(to + 1, who(to), p2p::encodeSignal(a), now);
  }
  double secs = std::chrono::duration<double>(SteadyTime::now() - t0).count();
  double cpu = bench::selfCpuSeconds() - cpu0;
  bool ok = forwarded == 2ULL * static_cast<uint64_t>(o.attempts);
  return "{\"workload\":\"signaling_forward\",\"sessions\":" + std::to_string(kSessions) +
         ",\"attempts\":" + std::to_string(o.attempts) + ",\"messages_forwarded\":" + std::to_string(forwarded) +
         ",\"seconds\":" + bench::num(secs, 3) + ",\"forwarded_per_s\":" + bench::num(forwarded / secs) +
         ",\"cpu_s\":" + bench::num(cpu, 3) +
         ",\"scope\":\"hub Signaling logic in-process (decode, checks, encode); excludes the transport\"" +
         ",\"hub_rate_limit_per_session\":\"20/s, burst 40\",\"ok\":" + (ok ? "true" : "false") + "}";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "p2p_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") {
      o.connections = 40;
      o.attempts = 20000;
    } else if (a == "--connections") {
      o.connections = std::atoi(next().c_str());
      if (o.connections < 1 || o.connections > 10000) {
        std::fprintf(stderr, "p2p_bench: --connections must be 1-10000\n");
        return 2;
      }
    } else if (a == "--lag-ms") {
      o.lags_ms.clear();
      std::string v = next();
      for (size_t p = 0; p <= v.size();) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        int lag = std::atoi(v.substr(p, q - p).c_str());
        if (lag < 0 || lag > 1000) {
          std::fprintf(stderr, "p2p_bench: --lag-ms values must be 0-1000\n");
          return 2;
        }
        o.lags_ms.push_back(lag);
        p = q + 1;
      }
    } else if (a == "--cert-json") {
      o.cert_json = next();
    } else if (a == "--hub-binary") o.hub_binary = next();
    else if (a == "--cli-binary") o.cli_binary = next();
    else if (a == "--peer-binary") o.peer_binary = next();
    else {
      std::fprintf(
          stderr,
          "usage: p2p_bench [--quick] [--connections N] [--lag-ms a,b] [--cert-json FILE] [--hub-binary P] [--cli-binary P] [--peer-binary P]\n");
      return 2;
    }
  }
  std::vector<std::string> rows;
  for (int lag : o.lags_ms) {
    std::fprintf(stderr, "p2p_bench: setup through the NAT bed, lag %d ms, %d connections\n", lag, o.connections);
    rows.push_back(setupRow(o, lag));
  }
  std::fprintf(stderr, "p2p_bench: hub signaling, %d attempts\n", o.attempts);
  rows.push_back(signalingRow(o));
  // Connections per second with and without certificates come from cert_bench (`bench/run cert`),
  // whose whole document is embedded as "cert" (one benchmark, one home).
  std::string cert;
  bool cert_ok = true;
  if (!o.cert_json.empty()) {
    std::ifstream in(o.cert_json);
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!doc.empty() && (doc.back() == '\n' || doc.back() == ' ')) doc.pop_back();
    if (doc.rfind("{\"benchmark\":\"cert\"", 0) == 0 && doc.back() == '}') {
      cert = doc;
      cert_ok = doc.find("\"ok\":false") == std::string::npos;
    } else {
      cert = "{\"ok\":false,\"why\":\"--cert-json did not hold a cert_bench document\"}";
      cert_ok = false;
    }
  }
  std::printf("{\"benchmark\":\"p2p\",\"machine\":{%s},\"rows\":[", bench::machineFields().c_str());
  for (size_t i = 0; i < rows.size(); ++i) std::printf("%s\n%s", i ? "," : "", rows[i].c_str());
  std::printf("\n]%s%s}\n", cert.empty() ? "" : ",\n\"cert\":", cert.c_str());
  bool ok = cert_ok;
  for (const auto& r : rows) ok = ok && r.find("\"ok\":false") == std::string::npos;
  return ok ? 0 : 1;
}
