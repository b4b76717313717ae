// MasterServer (see master_server.h): the hub's master query port — a UdpService
// (net/udp_service.h) whose thread hands each datagram to MasterResponder and sends the reply.
// The protocol logic is in master_responder.cpp and the files it names.
#include "hub/master_server.h"

#include <vector>

#include "base/log.h"

namespace outpost::hub {

MasterServer::MasterServer(MasterServerOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : base::SystemClock::instance()),
      responder_(options_.limits, clock_.nowUs()) {}

MasterServer::~MasterServer() { stop(); }

bool MasterServer::start(std::string* error) {
  std::string bad = validateRateLimits(options_.limits);
  if (!bad.empty()) {
    OUTPOST_LOG_ERROR("master: cannot start: %s", bad.c_str());
    if (error) *error = std::move(bad);
    return false;
  }
  std::vector<uint8_t> reply;
  reply.reserve(master::kMaxReplyBytes);
  return service_.start(
      options_.bind_address,
      [this, reply = std::move(reply)](const base::SocketAddress& from, std::span<const uint8_t> datagram) mutable {
        if (!responder_.handle(datagram, from, clock_.nowUs(), reply)) return;
        if (!service_.sendTo(from, reply)) responder_.countSendFailure(reply.size());
      },
      error);
}

void MasterServer::stop() { service_.stop(); }

}  // namespace outpost::hub
