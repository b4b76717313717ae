// outpost-hub: the self-hosted backend daemon. Thin main(): settings (src/hub/hub_settings.cpp),
// signals, the poll loop; the logic is in src/hub. Prints its listen address, public key and
// contact (KEY@IP:PORT, also written to <data-dir>/hub.address) on start; SIGTERM or SIGINT stops
// it cleanly. Exit status: 0 stopped, 1 cannot start, 2 a bad setting (named on stderr).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "base/address.h"
#include "hub/hub.h"
#include "hub/hub_settings.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char** argv) {
  outpost::hub::HubConfig config;
  auto parsed = outpost::hub::parseHubCommandLine(std::vector<std::string>(argv + 1, argv + argc), config);
  if (parsed.outcome == outpost::hub::HubCommandLine::Outcome::kHelp) {
    std::fputs(parsed.message.c_str(), stdout);
    return 0;
  }
  if (parsed.outcome == outpost::hub::HubCommandLine::Outcome::kError) {
    std::fprintf(stderr, "outpost-hub: %s\n", parsed.message.c_str());
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
  auto listen = outpost::base::SocketAddress::parse(hub->listenAddress(), true);
  std::printf(
      "outpost-hub: contact %s (OUTPOST_HUB for game servers, players and `outpost admin --hub`%s)\n",
      hub->contact().c_str(),
      listen && listen->isAny() ? "; from other machines, put this machine's address in place of 127.0.0.1" : "");
  std::printf("outpost-hub: data directory %s\n", config.data_dir.c_str());
  std::fflush(stdout);
  while (!g_stop) hub->poll(100);
  std::printf("outpost-hub: stopped\n");
  std::fflush(stdout);
  return 0;
}
