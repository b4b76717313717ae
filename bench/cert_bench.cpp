// cert_bench: what identity certificates cost a server's handshakes (bench/README.md, "Certificate
// benchmark"). A listening NetworkingSockets in manual mode is driven by this process's main
// thread only, so that thread's CPU time is exactly the server's handshake work on one core; 16
// client instances with service threads of their own, driven from a second thread, each keep one
// handshake in flight until N connections were accepted; a client closes each connection once it
// is up, and the server closes its side when told. Rows:
//   accept_plain          neither side holds a certificate (the loopback default admits them);
//   accept_cert_cached    both sides certified by a test CA; each client's certificate is the same
//                         for all its connections, so the server verifies 16 signatures in all
//                         (its cache of verified certificates);
//   accept_cert_uncached  as above, but a client installs a fresh certificate before each
//                         connection: one signature verification per handshake on the server.
// Each row: connections, server_cpu_s, conns_per_core_s (= connections / server_cpu_s),
// overhead_vs_plain (1 - rate / plain rate), wall seconds, and the server's certificate counters.
// Prints one JSON document on stdout; progress on stderr.
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_json.h"
#include "cert/cert.h"
#include "crypto/crypto.h"
#include "outpost/networking_sockets.h"
#include "outpost/steam_id.h"

using namespace outpost;
using namespace outpost::bench;

namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Ca {
  crypto::IdentityKeyPair key = crypto::IdentityKeyPair::generate();
  std::vector<uint8_t> certify(NetworkingSockets& net, uint64_t steam_id) const {
    auto req = cert::parseRequest(net.getCertificateRequest()->certificate);
    cert::Claims c;
    c.steam_id = steam_id;
    c.public_key = req->public_key;
    c.app_ids = {480};
    c.issued_at = static_cast<int64_t>(std::time(nullptr)) - 10;
    c.expires_at = c.issued_at + 3600;
    auto bytes = cert::issue(c, key).bytes;
    auto r = net.setCertificate(bytes);
    if (!r || !r->response) std::fprintf(stderr, "cert_bench: setCertificate failed: %s\n", r ? r->error.c_str() : "?");
    return bytes;
  }
};

struct Row {
  std::string workload;
  int connections = 0;
  double server_cpu_s = 0, wall_s = 0;
  std::map<std::string, uint64_t> counters;
  bool ok = false;
};

enum class Mode { kPlain, kCached, kUncached };

Row run(Mode mode, int connections) {
  Row row;
  row.workload = mode == Mode::kPlain    ? "accept_plain"
                 : mode == Mode::kCached ? "accept_cert_cached"
                                         : "accept_cert_uncached";
  Ca ca;
  NetworkingSocketsOptions so = NetworkingSocketsOptions::manual();
  NetworkingSocketsOptions co;
  if (mode != Mode::kPlain) so.trusted_ca_keys_hex = co.trusted_ca_keys_hex = {crypto::toHex(ca.key.public_key)};
  NetworkingSockets server(so);
  constexpr int kClients = 16;
  std::vector<std::unique_ptr<NetworkingSockets>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<NetworkingSockets>(co));
  if (mode != Mode::kPlain) {
    ca.certify(server, steamid::gameServer(1));
    for (int i = 0; i < kClients; ++i) ca.certify(*clients[i], steamid::individual(1 + i));
  }
  int accepted = 0;
  server.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& s) {
    const auto& c = s.connection;
    if (c.listen_socket != 0 && c.connection_state == CONNECTION_STATE_CONNECTING &&
        s.old_state == CONNECTION_STATE_NONE) {
      server.acceptConnection(s.connect_handle);
    } else if (c.connection_state == CONNECTION_STATE_CONNECTED) {
      ++accepted;
    } else if (c.connection_state == CONNECTION_STATE_CLOSED_BY_PEER ||
               c.connection_state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      server.closeConnection(s.connect_handle, 0, "", false);
    }
  });
  uint32_t ls = server.createListenSocketIP("127.0.0.1:0");
  std::string address = server.getListenSocketAddress(ls, true);

  // The clients, on a thread of their own: each keeps one handshake in flight.
  std::atomic<bool> stop{false};
  std::atomic<int> failed{0};
  std::thread driver([&] {
    std::vector<uint32_t> open(kClients, 0);
    for (int i = 0; i < kClients; ++i) {
      NetworkingSockets& net = *clients[i];
      net.connect_network_connection_status_changed([&, i](const NetworkConnectionStatusChanged& s) {
        if (s.connect_handle != open[i]) return;
        int st = s.connection.connection_state;
        if (st == CONNECTION_STATE_CLOSED_BY_PEER || st == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
          ++failed;
          std::fprintf(stderr, "cert_bench: a handshake failed (%d): %s\n", s.connection.end_reason,
                       s.connection.end_debug.c_str());
        }
        if (st == CONNECTION_STATE_CONNECTED || st == CONNECTION_STATE_CLOSED_BY_PEER ||
            st == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
          net.closeConnection(s.connect_handle, 0, "", false);
          open[i] = 0;
        }
      });
    }
    while (!stop) {
      for (int i = 0; i < kClients; ++i) {
        if (open[i] == 0) {
          if (mode == Mode::kUncached) ca.certify(*clients[i], steamid::individual(1 + i));  // new bytes
          open[i] = clients[i]->connectByIPAddress(address);
        }
        clients[i]->runNetworkingCallbacks();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });

  auto wall0 = std::chrono::steady_clock::now();
  double cpu0 = threadCpuSeconds();
  auto deadline = wall0 + std::chrono::seconds(120);
  while (accepted < connections && std::chrono::steady_clock::now() < deadline) {
    server.poll(1);
    server.runNetworkingCallbacks();
  }
  row.server_cpu_s = threadCpuSeconds() - cpu0;
  row.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  stop = true;
  driver.join();
  row.connections = accepted;
  row.counters = server.getTransportCounters();
  row.ok = accepted >= connections && failed == 0;
  if (failed)
    std::fprintf(stderr, "cert_bench: %s: %d client connections failed\n", row.workload.c_str(), failed.load());
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 5000;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      connections = 1000;
      repeat = 1;
    } else if (a == "--connections" && i + 1 < argc) {
      char* end = nullptr;
      long v = std::strtol(argv[++i], &end, 10);
      if (*end || v < 100 || v > 1000000) {
        std::fprintf(stderr, "cert_bench: --connections takes 100..1000000\n");
        return 2;
      }
      connections = static_cast<int>(v);
    } else {
      std::fprintf(stderr, "usage: cert_bench [--quick] [--connections N]\n");
      return 2;
    }
  }
  crypto::init();
  std::string machine = machineFields();
  std::vector<Row> rows;
  // Each mode `repeat` times, interleaved; the run with the least server CPU per connection is
  // kept for each (the machine is shared: other processes only ever add time).
  std::map<std::string, Row> best;
  for (int r = 0; r < repeat; ++r)
    for (Mode m : {Mode::kPlain, Mode::kCached, Mode::kUncached}) {
      Row row = run(m, connections);
      std::fprintf(stderr, "cert_bench: %s run %d: %d connections, %.3f s server CPU (%.0f/s per core)\n",
                   row.workload.c_str(), r + 1, row.connections, row.server_cpu_s,
                   row.connections / std::max(row.server_cpu_s, 1e-9));
      auto it = best.find(row.workload);
      if (it == best.end() || (row.ok && row.server_cpu_s / std::max(row.connections, 1) <
                                             it->second.server_cpu_s / std::max(it->second.connections, 1)))
        best[row.workload] = row;
    }
  bool all_ok = true;
  double plain_rate = 0;
  std::printf("{\"benchmark\":\"cert\",\"machine\":{%s},\"connections\":%d,\"repeat\":%d,\"rows\":[", machine.c_str(),
              connections, repeat);
  const char* sep = "";
  for (const char* w : {"accept_plain", "accept_cert_cached", "accept_cert_uncached"}) {
    const Row& row = best[w];
    double rate = row.connections / std::max(row.server_cpu_s, 1e-9);
    if (row.workload == "accept_plain") plain_rate = rate;
    all_ok = all_ok && row.ok;
    auto c = row.counters;
    std::printf(
        "%s\n{\"workload\":%s,\"connections\":%d,\"server_cpu_s\":%s,\"conns_per_core_s\":%s,"
        "\"overhead_vs_plain\":%s,\"wall_s\":%s,\"peers_authenticated\":%llu,\"cert_signature_checks\":%llu,"
        "\"cert_cache_hits\":%llu,\"ok\":%s}",
        sep, jsonString(row.workload).c_str(), row.connections, num(row.server_cpu_s, 4).c_str(), num(rate, 0).c_str(),
        plain_rate > 0 ? num(1.0 - rate / plain_rate, 4).c_str() : "null", num(row.wall_s, 3).c_str(),
        static_cast<unsigned long long>(c["peers_authenticated"]),
        static_cast<unsigned long long>(c["cert_signature_checks"]),
        static_cast<unsigned long long>(c["cert_cache_hits"]), row.ok ? "true" : "false");
    sep = ",";
  }
  std::printf("\n]}\n");
  return all_ok ? 0 : 1;
}
