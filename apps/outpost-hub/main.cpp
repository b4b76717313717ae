// outpost-hub: the self-hosted backend daemon. Thin main(): flags, signals, the poll loop; the
// logic is in src/hub. Prints its listen address and public key on start; SIGTERM or SIGINT
// stops it cleanly.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hub/hub.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

void usage() {
  std::fprintf(stderr,
               "usage: outpost-hub --data-dir DIR [--listen ADDR:PORT] [--master ADDR:PORT] [--token-idle-expiry SECONDS]\n"
               "  --data-dir  where the hub keeps its key, admin token and SQLite database (created if missing)\n"
               "  --listen    hub RPC address (default 0.0.0.0:27100)\n"
               "  --master    Valve master-server query address (default 0.0.0.0:27011; \"\" turns it off)\n"
               "  --token-idle-expiry  seconds after which an unused login token expires (default one year)\n");
}

}  // namespace

int main(int argc, char** argv) {
  outpost::hub::HubConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--data-dir" && i + 1 < argc) config.data_dir = argv[++i];
    else if (a == "--listen" && i + 1 < argc) config.listen = argv[++i];
    else if (a == "--master" && i + 1 < argc) config.master = argv[++i];
    else if (a == "--token-idle-expiry" && i + 1 < argc) config.token_idle_expiry_s = std::atoll(argv[++i]);
    else {
      usage();
      return 2;
    }
  }
  if (config.data_dir.empty()) {
    usage();
    return 2;
  }
  std::string error;
  auto hub = outpost::hub::Hub::open(config, &error);
  if (!hub) {
    std::fprintf(stderr, "outpost-hub: %s\n", error.c_str());
    return 1;
  }
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::printf("outpost-hub: listening on %s\n", hub->listenAddress().c_str());
  if (!hub->masterAddress().empty()) std::printf("outpost-hub: master query on %s\n", hub->masterAddress().c_str());
  std::printf("outpost-hub: public key %s%s\n", hub->publicKeyHex().c_str(), hub->createdKey() ? " (new)" : "");
  std::printf("outpost-hub: data directory %s\n", config.data_dir.c_str());
  std::fflush(stdout);
  while (!g_stop) hub->poll(100);
  std::printf("outpost-hub: stopped\n");
  return 0;
}
