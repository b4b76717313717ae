// hub_fleet_fixture: a real outpost-hub process with 1,000 game servers registered through the
// hub RPC (logon + listing, exactly as GameServer sends them), for the interop tests that run
// real master-server clients against the hub's master port.
//
//   OUTPOST_HUB_BINARY=<path to outpost-hub> hub_fleet_fixture [seconds]   (default 120, max 600)
//
// Starts the hub on 127.0.0.1 (ephemeral ports, temporary data directory), creates apps 440 and
// 730 with the admin RPC (anonymous servers may log on, be listed and be secure), opens 1,000 hub connections from one NetworkingSockets instance, logs
// each on anonymously and sends its listing, waits until every logon succeeded, prints the hub's
// master port on stdout, and serves until SIGTERM/SIGINT or `seconds`. Then stops the hub and
// removes the data directory. Exit status 0 on a clean stop, 1 if it could not start.
//
// Generation rule: master_fixture.cpp's, except the address. The hub lists a server at the
// address it sees the server's connection from — 127.0.0.1 for all of them here — so server i
// advertises query (and game) port 20000 + i. The scripts read OUTPOST_FLEET=hub for this rule.
// Not modelled by the hub's listing: proxy and whitelisted (always false).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "fixture_stop.h"
#include "hubrpc/client_credentials.h"
#include "hubrpc/hub_client.h"
#include "outpost/networking_sockets.h"
#include "support/process.h"

using namespace outpost;
using Clock = std::chrono::steady_clock;

namespace {

using interop::g_stop;

// The hub (support/process.h). 1,000 anonymous servers from one address: anonymous servers stay
// untrusted (they show no credential), so the per-source cap on untrusted connections (64 by
// default) is raised. Stopped with SIGTERM (5 s, then SIGKILL).
bool startHub(const std::string& binary, const std::string& dir, test::HubProcess& hub) {
  hub.binary = binary;
  hub.extra_args = {"--transport", "OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE=2000"};
  return hub.start(dir) && !hub.master_address.empty();
}

hubrpc::Envelope logOnFor(uint32_t i) {
  hubrpc::Envelope e;
  e.set_request_id(1);
  auto* l = e.mutable_server_log_on();
  uint32_t app = i % 10 < 8 ? 440 : 730;
  l->set_app_id(app);
  l->set_version("1.0." + std::to_string(i % 4));
  l->set_server_mode(i % 5 != 0 ? 3 : 2);  // secure i % 5 != 0
  l->set_game_port(20000 + i);
  l->set_query_port(20000 + i);
  l->set_mod_dir(app == 440 ? "tf" : "csgo");
  l->set_product(app == 440 ? "tf" : "csgo");
  l->set_description(app == 440 ? "Team Fortress" : "Counter-Strike");
  l->set_dedicated(i % 7 != 0);
  return e;
}

hubrpc::Envelope listingFor(uint32_t i) {
  hubrpc::Envelope e;
  auto* s = e.mutable_server_listing();
  s->set_advertise(true);
  s->set_name("Outpost Interop " + std::to_string(i));
  s->set_map("map_" + std::to_string(i % 3));
  uint32_t players = i % 17;
  s->set_players(players);
  s->set_bots(std::min(i % 4, players));
  s->set_max_players(16);
  s->set_password(i % 11 == 0);
  s->set_tags(i % 2 ? "outpost,odd" : "outpost,even");
  s->set_gamedata("g" + std::to_string(i % 4));
  s->set_os(i % 4 == 0 ? "w" : "l");
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 120;
  if (seconds <= 0 || seconds > 600) seconds = 120;
  const char* binary = std::getenv("OUTPOST_HUB_BINARY");
  if (!binary) {
    std::fprintf(stderr, "hub_fleet_fixture: set OUTPOST_HUB_BINARY\n");
    return 1;
  }
  signal(SIGTERM, interop::requestStop);  // signal(): interrupted reads restart, as before
  signal(SIGINT, interop::requestStop);
  char tmpl[] = "/tmp/outpost-fleet-XXXXXX";
  std::string dir = std::string(mkdtemp(tmpl)) + "/data";
  test::HubProcess hub;
  int rc = 1;
  if (!startHub(binary, dir, hub)) {
    std::fprintf(stderr, "hub_fleet_fixture: the hub did not start\n");
  } else {
    rc = 0;
    std::string key, token, error;
    hubrpc::readClientCredentials(dir, &key, &token, &error);
    hubrpc::HubClient admin;
    if (!admin.connect(hub.address, hub.public_key, 5000, &error)) rc = 1;
    for (uint32_t app : {440u, 730u}) {
      hubrpc::Envelope e;
      e.mutable_admin_request()->set_admin_token(token);
      e.mutable_admin_request()->mutable_put_app()->set_app_id(app);
      e.mutable_admin_request()->mutable_put_app()->set_name(app == 440 ? "Team Fortress" : "Counter-Strike");
      // The fleet logs on anonymously and is listed, some of it secure: the apps allow all three
      // (by default anonymous servers are neither listed nor secure: docs/decisions/011).
      auto* anonymous = e.mutable_admin_request()->mutable_put_app()->mutable_anonymous();
      anonymous->set_logon(true);
      anonymous->set_listed(true);
      anonymous->set_secure(true);
      auto r = rc == 0 ? admin.call(e, 5000, &error) : std::nullopt;
      if (!r || r->admin_response().result() != RESULT_OK) rc = 1;
    }
    NetworkingSockets net;
    std::vector<uint32_t> conns;
    ConfigOptions pin = {{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, hub.public_key}};
    for (uint32_t i = 0; rc == 0 && i < 1000; ++i) conns.push_back(net.connectByIPAddress(hub.address, pin));
    std::vector<bool> sent(conns.size(), false);
    size_t logged_on = 0;
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (rc == 0 && logged_on < conns.size() && Clock::now() < deadline) {
      for (uint32_t i = 0; i < conns.size(); ++i) {
        if (!sent[i]) {
          auto info = net.getConnectionInfo(conns[i]);
          if (info && info->connection_state == CONNECTION_STATE_CONNECTED) {
            auto a = hubrpc::encode(logOnFor(i)), b = hubrpc::encode(listingFor(i));
            net.sendMessageToConnection(conns[i], a, NETWORKING_SEND_RELIABLE);
            net.sendMessageToConnection(conns[i], b, NETWORKING_SEND_RELIABLE_NO_NAGLE);
            sent[i] = true;
          }
        }
        for (auto& m : net.receiveMessagesOnConnection(conns[i], 4)) {
          auto e = hubrpc::decode(m.payload);
          if (e && e->has_server_log_on_result() && e->server_log_on_result().result() == RESULT_OK) ++logged_on;
        }
      }
      net.runNetworkingCallbacks();
      net.waitForActivity(5);
    }
    if (logged_on != conns.size()) {
      std::fprintf(stderr, "hub_fleet_fixture: only %zu of %zu servers logged on\n", logged_on, conns.size());
      rc = 1;
    }
    if (rc == 0) {
      // The hub publishes its registry to the master port on a timer: wait until the list
      // requests are answered from holds every server (the hub's master.servers_published).
      size_t published = 0;
      auto publish_deadline = Clock::now() + std::chrono::seconds(10);
      while (published != conns.size() && Clock::now() < publish_deadline) {
        hubrpc::Envelope status;
        status.mutable_admin_request()->set_admin_token(token);
        status.mutable_admin_request()->mutable_status();
        if (auto r = admin.call(status, 5000, &error)) {
          auto it = r->admin_response().counters().find("master.servers_published");
          published = it == r->admin_response().counters().end() ? 0 : it->second;
        }
        if (published != conns.size()) net.waitForActivity(20);
      }
      if (published != conns.size()) {
        std::fprintf(stderr, "hub_fleet_fixture: the master lists %zu of %zu servers\n", published, conns.size());
        rc = 1;
      }
    }
    if (rc == 0) {
      std::printf("%s\n", hub.master_address.substr(hub.master_address.rfind(':') + 1).c_str());
      std::fflush(stdout);
      auto end = Clock::now() + std::chrono::seconds(seconds);
      while (!g_stop && Clock::now() < end) {
        net.runNetworkingCallbacks();
        net.waitForActivity(100);
      }
      // The master responder's counters, in master_fixture's format (the scripts check how many
      // requests the walks took): read from the hub's status.
      hubrpc::Envelope e;
      e.mutable_admin_request()->set_admin_token(token);
      e.mutable_admin_request()->mutable_status();
      if (auto r = admin.call(e, 5000, &error))
        for (const auto& [name, value] : r->admin_response().counters())
          if (name.rfind("master.", 0) == 0 && value != 0)
            std::fprintf(stderr, "master_fixture: %s=%llu\n", name.substr(7).c_str(),
                         static_cast<unsigned long long>(value));
    }
  }
  hub.stop(SIGTERM, 5000);
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  return rc;
}
