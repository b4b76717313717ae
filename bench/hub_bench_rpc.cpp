// hub_bench: provisioning with the real `outpost admin` CLI and the game-server requests the
// phases send (see hub_bench_rpc.h).
#include "hub_bench_rpc.h"

namespace outpost::hub_bench {

ProcResult adminCli(const Bench& b, const std::vector<std::string>& words) {
  std::vector<std::string> argv = {b.o.cli_bin, "admin", "--hub", b.hub.rpc_address, "--data-dir", b.hub.data_dir};
  argv.insert(argv.end(), words.begin(), words.end());
  return test::runProcess(argv, 60);
}

std::string userName(int i) { return "bench" + std::to_string(i); }
std::string userPassword(int i) { return "bench-password-" + std::to_string(i); }

bool provision(Bench& b, std::string* error) {
  auto t0 = Clock::now();
  // The game servers log on anonymously: the app must let them be listed (docs/decisions/011).
  std::vector<std::vector<std::string>> cmds = {
      {"app", "put", std::to_string(kApp), "Spacewar", "--anonymous", "logon,listed"},
      {"user", "create", "owner", "owner-password"}};
  for (int i = 0; i < b.o.users; ++i) {
    cmds.push_back({"user", "create", userName(i), userPassword(i)});
    cmds.push_back({"licence", "grant", userName(i), std::to_string(kApp)});
  }
  cmds.push_back({"token", "create", std::to_string(kApp), "owner", "--memo", "hub_bench"});
  for (const auto& c : cmds) {
    auto r = adminCli(b, c);
    if (r.exit_code != 0) {
      std::string cmd;
      for (const auto& w : c) cmd += " " + w;
      *error = "outpost admin" + cmd + " failed (status " + std::to_string(r.exit_code) + "): " + r.out;
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

}  // namespace outpost::hub_bench
